"""How fast the sandbox runs submissions: a batch through one Runner, and one-off run() latency.

    python bench/bench_sandbox.py [--submissions 200] [--workers 2] [--cases 3]

Every submission is a correct LSTM cell; each result is checked against a NumPy reference here,
so a fast but wrong sandbox cannot look good.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

import numpy as np

from quizzer.engine.sandbox import Limits, Runner, run

LSTM_CELL = """
import numpy as np

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))

def lstm(x, prev_h, prev_c, W, U, b):
    H = prev_h.shape[1]
    a = x @ W + prev_h @ U + b
    f = sigmoid(a[:, :H])
    g = np.tanh(a[:, H:2 * H])
    i = sigmoid(a[:, 2 * H:3 * H])
    o = sigmoid(a[:, 3 * H:])
    next_c = f * prev_c + g * i
    next_h = o * np.tanh(next_c)
    return next_h, next_c
"""


def reference(x, prev_h, prev_c, W, U, b):
    H = prev_h.shape[1]
    a = x @ W + prev_h @ U + b
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))
    c = sig(a[:, :H]) * prev_c + np.tanh(a[:, H:2 * H]) * sig(a[:, 2 * H:3 * H])
    return sig(a[:, 3 * H:]) * np.tanh(c), c


def make_cases(n: int) -> list[dict[str, np.ndarray]]:
    rng = np.random.default_rng(0)
    N, D, H = 2, 3, 4
    return [
        {"x": rng.normal(size=(N, D)), "prev_h": rng.normal(size=(N, H)), "prev_c": rng.normal(size=(N, H)),
         "W": rng.normal(size=(D, 4 * H)), "U": rng.normal(size=(H, 4 * H)), "b": rng.normal(size=4 * H)}
        for _ in range(n)
    ]


def check(outcomes, cases) -> None:
    refs = [reference(**c) for c in cases]
    for outcome in outcomes:
        assert outcome.error is None, outcome.error
        for case, ref in zip(outcome.cases, refs):
            assert case.error is None, case.error
            assert all(np.allclose(a, b) for a, b in zip(case.outputs, ref))


def cpu_seconds() -> float:
    """CPU used by this process and by every child it has reaped (and theirs)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cases", type=int, default=3)
    parser.add_argument("--one-off", type=int, default=5, help="how many one-off run() calls to time")
    args = parser.parse_args()

    cases = make_cases(args.cases)
    jobs = [(LSTM_CELL, "lstm", cases)] * args.submissions

    cpu_before = cpu_seconds()
    start = time.perf_counter()
    with Runner(Limits()) as runner:
        outcomes = runner.run_many(jobs, workers=args.workers)
        cold = time.perf_counter() - start
        check(outcomes, cases)
        start = time.perf_counter()
        outcomes = runner.run_many(jobs, workers=args.workers)
        warm = time.perf_counter() - start
        check(outcomes, cases)
    cpu = cpu_seconds() - cpu_before  # the servers are reaped on close, so their CPU counts
    n = args.submissions
    print(f"batch, {n} LSTM-cell submissions x {args.cases} cases, {args.workers} workers "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs):")
    print(f"  including fork-server start-up: {n / cold:7.1f} submissions/s ({cold:.2f} s)")
    print(f"  servers already running:        {n / warm:7.1f} submissions/s ({warm:.2f} s)")
    print(f"  CPU, all processes, both batches and start-up: {cpu * 1000 / (2 * n):.1f} ms per submission "
          f"(parent, servers and children)")

    latencies = []
    for _ in range(args.one_off):
        start = time.perf_counter()
        outcome = run(LSTM_CELL, "lstm", cases)
        latencies.append(time.perf_counter() - start)
        check([outcome], cases)
    print(f"one-off run(): median {statistics.median(latencies) * 1000:.0f} ms, "
          f"min {min(latencies) * 1000:.0f} ms over {args.one_off} calls")


if __name__ == "__main__":
    main()
