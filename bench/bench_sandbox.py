"""How fast the sandbox runs submissions: a batch through one Runner, one-off run() latency, and
what the kernel confinement costs per child.

    python bench/bench_sandbox.py [--submissions 200] [--workers 2] [--cases 3] [--children 200]

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


def confinement_cost(children: int) -> None:
    """Fork ``children`` children from this process (numpy imported, as in the fork server), half
    plain and half confined exactly as the sandbox does it, alternately, and report: the time
    inside the child to apply every layer, the server's share per child (mounting a fresh bounded
    tmpfs before the fork, removing it after), and the CPU of both per child, confined and plain
    (wall-clock fork-to-reap means little on a loaded machine)."""
    import resource
    import tempfile

    from quizzer.engine import confine

    plan = confine.Plan.build()
    plan.prepare_server(tempfile.mkdtemp(prefix="quizzer-bench-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
    ruleset = plan.ruleset()
    inside, server = [], []
    cpu = {False: 0.0, True: 0.0}

    def own_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    for i in range(2 * children):
        conf = i % 2 == 1
        read, write = os.pipe()
        before = own_cpu()
        start = time.perf_counter_ns()
        bounded = plan.mount_scratch(64 << 20, 1024) if conf else False
        forked = time.perf_counter_ns()
        pid = os.fork()
        if pid == 0:
            began = time.perf_counter_ns()
            missing = plan.confine(ruleset, bounded=bounded) if conf else []
            os.write(write, f"{time.perf_counter_ns() - began} {len(missing)}".encode())
            os._exit(0)
        os.close(write)
        took, n_missing = map(int, os.read(read, 64).split())
        os.close(read)
        _, _, usage = os.wait4(pid, 0)
        released = time.perf_counter_ns()
        if conf:
            plan.release_scratch(bounded)
            assert n_missing == len(plan.probe.missing()), "a layer failed to apply"
            inside.append(took)
            server.append(forked - start + time.perf_counter_ns() - released)
        cpu[conf] += own_cpu() - before + usage.ru_utime + usage.ru_stime
    os.rmdir(plan.scratch)
    os.rmdir(os.path.dirname(plan.scratch))
    med = lambda xs: statistics.median(xs) / 1000
    print(f"confinement per child ({children} children each way, isolation "
          f"{confine.level(plan.probe.missing())}):")
    print(f"  in the child, every layer:       {med(inside):6.0f} us median (p95 "
          f"{sorted(inside)[int(0.95 * len(inside))] / 1000:.0f} us)")
    print(f"  in the server, per child:        {med(server):6.0f} us median (mount and remove the tmpfs)")
    print(f"  CPU per child, confined / plain: {cpu[True] / children * 1e6:6.0f} / "
          f"{cpu[False] / children * 1e6:.0f} us (fork, confine, exit, reap; both processes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cases", type=int, default=3)
    parser.add_argument("--one-off", type=int, default=5, help="how many one-off run() calls to time")
    parser.add_argument("--children", type=int, default=200, help="forks to time the confinement with")
    args = parser.parse_args()
    if args.children:
        confinement_cost(args.children)

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
