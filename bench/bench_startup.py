"""Start-up and answer latency of the CLI against bare imports measured in the same run.

Targets (issue 2): `quizzer --help` within 1.5x and `quizzer list` within 2.5x of a bare
`python -c "import typer, rich.console"`; a symbolic `quizzer answer` within 1.5x of a bare
`python -c "import sympy"`. Also checks that --help and list import neither sympy nor numpy.

Usage: python bench/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

PY = sys.executable


def timed(cmd: list[str], env: dict[str, str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def imported(args: list[str], env: dict[str, str]) -> set[str]:
    probe = (
        "import sys, runpy; sys.argv = ['quizzer'] + sys.argv[1:]\n"
        "try:\n    runpy.run_module('quizzer', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(m for m in ('sympy', 'numpy', 'yaml', 'fsrs') if m in sys.modules))\n"
    )
    out = subprocess.run([PY, "-c", probe, *args], env=env, capture_output=True, text=True, check=False)
    return set(out.stderr.split()[-4:]) & {"sympy", "numpy", "yaml", "fsrs"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    home = tempfile.mkdtemp(prefix="quizzer-bench-")
    # As a user runs it: bytecode cached (some shells set PYTHONDONTWRITEBYTECODE, which would make
    # every run recompile quizzer's modules while numpy's and typer's came precompiled from pip).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"QUIZZER_HOME": home, "COLUMNS": "100"})
    subprocess.run([PY, "-m", "quizzer", "list"], env=env, stdout=subprocess.DEVNULL, check=True)  # warm the bank cache

    quizzer = [PY, "-m", "quizzer"]
    rows = []
    bare_cli = timed([PY, "-c", "import typer, rich.console"], env, runs)
    bare_sympy = timed([PY, "-c", "import sympy"], env, runs)
    for label, cmd, base, base_label, target in [
        ("quizzer --help", quizzer + ["--help"], bare_cli, "typer+rich", 1.5),
        ("quizzer list", quizzer + ["list"], bare_cli, "typer+rich", 2.5),
        ("quizzer answer chain-rule-dzdx '2(x+y)'", quizzer + ["answer", "chain-rule-dzdx", "2(x+y)"], bare_sympy, "sympy", 1.5),
    ]:
        seconds = timed(cmd, env, runs)
        rows.append((label, seconds, base_label, base, seconds / base, target))

    print(f"{'command':44} {'median':>8} {'baseline':>20} {'ratio':>6} {'target':>7}")
    print(f"{'python -c import typer, rich.console':44} {bare_cli:8.3f}")
    print(f"{'python -c import sympy':44} {bare_sympy:8.3f}")
    for label, seconds, base_label, base, ratio, target in rows:
        verdict = "ok" if ratio <= target else "OVER"
        print(f"{label:44} {seconds:8.3f} {base_label:>11} {base:8.3f} {ratio:6.2f} {target:6.1f}x {verdict}")
    for args in (["--help"], ["list"]):
        heavy = imported(args, env) & {"sympy", "numpy"}
        print(f"quizzer {' '.join(args)} imports sympy/numpy: {', '.join(sorted(heavy)) or 'no'}")
    print(f"({runs} runs each, median; {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
