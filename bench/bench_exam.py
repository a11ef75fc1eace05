"""Speed of the mock exam and the Anki export on the built-in bank.

Targets (issue 11): from Enter to the first exam item under 0.5 s; moving between items instant
(no re-read of the bank); the Anki export of the whole bank under 2 s.

* first item: `quizzer exam --seed S` started with a pipe on standard input; the time until the
  first item's panel has been printed (the process start included, bank cache warm);
* navigation: inside one process, `next` / `prev` / `go K` through a 20-item exam driven on a
  pipe, per move (each move commits the time spent to the store, as the exam does);
* Anki: `quizzer export --format anki -o deck.apkg --lang both`, the whole process.

Usage: python bench/bench_exam.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time

PY = sys.executable
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def first_item(env: dict[str, str], seed: int) -> float:
    """Seconds from starting `quizzer exam` until the first item's panel is on standard output."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [PY, "-m", "quizzer", "exam", "--seed", str(seed)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stdin is not None
    seen = b""
    fd = proc.stdout.fileno()
    while b"\xe2\x95\xb0" not in seen:  # the panel's closing corner: the whole item is out
        ready, _, _ = select.select([fd], [], [], 10)
        if not ready:
            raise RuntimeError("no exam item within 10 s")
        chunk = os.read(fd, 65536)
        if not chunk:
            raise RuntimeError("quizzer exam ended before showing an item")
        seen += chunk
    elapsed = time.perf_counter() - start
    proc.stdin.close()  # end of input: the exam pauses (and is left unfinished in the bench's home)
    proc.wait(timeout=10)
    return elapsed


NAVIGATE = r"""
import sys, time
from quizzer.bank import load_bank
from quizzer.progress.exam import ExamRun, eligible, plan_exam
from quizzer.progress.store import Store
from quizzer.cli.exam import ExamView
from rich.console import Console
import io

bank = load_bank()
items = plan_exam(eligible(bank), count=20, seed=1)
with Store.open() as store:
    run = ExamRun.start(store, items, time_limit_s=3600, pass_line=0.7, lang="en", seed=1, filters={})
    view = ExamView(run, Console(file=io.StringIO(), width=100))
    moves = ["n"] * 19 + ["p"] * 19 + [f"go {k}" for k in range(1, 21)]
    start = time.perf_counter()
    for move in moves:
        view.handle(move)
    print((time.perf_counter() - start) / len(moves))
"""


def navigation(env: dict[str, str]) -> float:
    out = subprocess.run([PY, "-c", NAVIGATE], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def anki(env: dict[str, str], target: str) -> float:
    start = time.perf_counter()
    subprocess.run([PY, "-m", "quizzer", "export", "--format", "anki", "-o", target, "--lang", "both"],
                   env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    home = tempfile.mkdtemp(prefix="quizzer-bench-")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"QUIZZER_HOME": home, "COLUMNS": "100", "NO_COLOR": "1"})
    subprocess.run([PY, "-m", "quizzer", "list"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)  # warm cache

    first = statistics.median(first_item(env, seed) for seed in range(runs))
    move = statistics.median(navigation(env) for _ in range(max(runs // 2, 1)))
    deck = os.path.join(home, "deck.apkg")
    export = statistics.median(anki(env, deck) for _ in range(runs))
    print(f"{'measure':48} {'median':>9} {'target':>8}")
    for label, seconds, target in [
        ("quizzer exam: start to first item (s)", first, 0.5),
        ("exam navigation: one move, rendered + saved (s)", move, 0.05),
        ("quizzer export --format anki, whole bank (s)", export, 2.0),
    ]:
        print(f"{label:48} {seconds:9.4f} {target:8.2f} {'ok' if seconds <= target else 'OVER'}")
    print(f"({runs} runs each, median; {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
