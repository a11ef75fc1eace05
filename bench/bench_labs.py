"""How long the labs take: each solution's run, a course-style (loop-by-loop) learner's run,
`lab try binary-addition` over every setting, and what the live chart costs.

    PYTHONPATH=. python bench/bench_labs.py [--repeat 3] [--workers 2] [--skip-try]

Every timed run is a real run: the learner's file in the lab child, the verdict from the returned
weights on held-out data (a run that misses its goal is reported as such, so a fast but wrong lab
cannot look good).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time

from quizzer.labs.core import get_lab, run_lab, solution_source, try_lab

# The course's binary addition as a learner would first write it: one addition at a time, Python
# loops over the time steps, np.outer for each gradient term (no batch axis, no einsum).
COURSE_STYLE = '''
import numpy as np

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))

def d_tanh(x):
    return 1.0 / np.cosh(x) ** 2

def forward(X, W_in, W, W_out, f):
    N, T, _ = X.shape
    H = W.shape[0]
    u = np.zeros((N, T + 1, H)); z = np.zeros((N, T + 1, H)); y = np.zeros((N, T, 1))
    for n in range(N):
        for t in range(T):
            u[n, t + 1] = np.dot(X[n, t].reshape(1, -1), W_in) + np.dot(z[n, t].reshape(1, -1), W)
            z[n, t + 1] = f(u[n, t + 1])
            y[n, t] = sigmoid(np.dot(z[n, t + 1].reshape(1, -1), W_out))
    return u, z, y

def backward(X, D, u, z, y, W, W_out, d_f):
    N, T, _ = X.shape
    delta_out = np.zeros_like(y); delta = np.zeros_like(u)
    for n in range(N):
        for t in range(T):
            delta_out[n, t] = (y[n, t] - D[n, t]) * y[n, t] * (1 - y[n, t])
        for t in range(T)[::-1]:
            delta[n, t] = (np.dot(delta[n, t + 1], W.T) + np.dot(delta_out[n, t], W_out.T)) * d_f(u[n, t + 1])
    return delta_out, delta

def gradients(X, z, delta, delta_out):
    N, T, _ = X.shape
    W_in_grad = np.zeros((X.shape[2], z.shape[2])); W_grad = np.zeros((z.shape[2], z.shape[2]))
    W_out_grad = np.zeros((z.shape[2], 1))
    for n in range(N):
        for t in range(T):
            W_out_grad += np.outer(z[n, t + 1], delta_out[n, t])
            W_grad += np.outer(z[n, t], delta[n, t])
            W_in_grad += np.outer(X[n, t], delta[n, t])
    return W_in_grad / N, W_grad / N, W_out_grad / N

def update(W_in, W, W_out, W_in_grad, W_grad, W_out_grad, learning_rate):
    return W_in - learning_rate * W_in_grad, W - learning_rate * W_grad, W_out - learning_rate * W_out_grad
'''


def timed(lab_id: str, source: str, repeat: int, **kwargs):
    times, results = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        result = run_lab(lab_id, source, **kwargs)
        times.append(time.perf_counter() - started)
        results.append(result)
    return times, results


def show(label: str, times: list[float], results: list) -> None:
    metric = results[-1].metric
    verdict = "passed" if all(r.passed for r in results) else "MISSED THE GOAL"
    print(f"{label:<48} median {statistics.median(times):6.2f} s  (min {min(times):.2f}, max {max(times):.2f})"
          f"  metric {metric:.4g}  {verdict}")


def chart_cost(lab_id: str) -> None:
    """One run with the live chart drawing into an off-screen terminal, against one without."""
    from rich.console import Console

    from quizzer.cli.lab_render import LiveChart

    lab = get_lab(lab_id)
    source = solution_source(lab)
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    with LiveChart(console, lab.id, lab.plot_accuracy, "en") as chart:
        with_chart = run_lab(lab_id, source, on_log=chart.add)
    without = run_lab(lab_id, source)
    share = chart.cost / without.elapsed
    print(f"{lab_id:<18} live chart: {chart.cost * 1000:5.0f} ms of CPU drawing = {share:.1%} of the training "
          f"time; the run took {with_chart.elapsed:.2f} s with the chart, {without.elapsed:.2f} s without")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-try", action="store_true")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")

    print("\n# Each built-in solution, default knobs (the lab's limit is 60 s)")
    for lab_id in ("binary-addition", "sine-prediction", "word-prediction"):
        times, results = timed(lab_id, solution_source(get_lab(lab_id)), args.repeat)
        show(lab_id, times, results)

    print("\n# A course-style learner (loops, one addition per iteration), binary-addition defaults")
    times, results = timed("binary-addition", COURSE_STYLE, 1)
    show("binary-addition, loop-by-loop learner", times, results)

    print("\n# Live plotting")
    for lab_id in ("binary-addition", "sine-prediction"):
        chart_cost(lab_id)

    if not args.skip_try:
        print(f"\n# lab try binary-addition: every setting, {args.workers} at a time")
        started = time.perf_counter()
        rows = try_lab("binary-addition", workers=args.workers)
        total = time.perf_counter() - started
        cpu = sum(r.result.elapsed for r in rows)
        print(f"{len(rows)} settings in {total:.1f} s wall ({cpu:.1f} s of runs)")
        for row in rows:
            holds = "–" if row.holds is None else ("holds" if row.holds else "differs")
            print(f"  {row.label:<24} {row.result.elapsed:5.1f} s  metric {row.result.metric or 0:.3f}  "
                  f"to goal {row.iterations_to_goal or '–'}  notes: {holds}")


if __name__ == "__main__":
    main()
