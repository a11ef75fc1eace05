"""Speed of grading, measured with the real command.

1. ``quizzer grade lstm-cell FILE`` against a bare ``python -c "import numpy"``, run alternately in
   the same session (the machine's load changes from minute to minute, so only the ratio of the two
   medians means anything). Target: within 3x.
2. ``quizzer grade lstm-cell DIR --jobs 2`` over 200 generated submissions (right and wrong answers
   mixed), timed end to end including start-up. Target: at least 100 submissions per second.

    python bench/bench_grade.py [--runs 7] [--count 200] [--jobs 2] [--bank PATH]

Prints the figures; exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Answers for the blank, right and wrong; a batch cycles through them.
ANSWERS = (
    "input_gate * a + forget_gate * prev_c",
    "forget_gate * prev_c + input_gate * a",
    "a * input_gate + prev_c * forget_gate",
    "forget_gate * a + input_gate * prev_c",
    "input_gate * a + prev_c",
    "input_gate * a + forget_gate * c",
    "input_gate * a + forget_gate * prev_c",
    "i * a + f * prev_c",
)


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    return time.perf_counter() - start, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--bank", action="append", default=None, help="passed on to quizzer (default: built-in bank)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))  # this script runs from a checkout
    from quizzer.bank import load_bank

    exercise = load_bank(args.bank).get("lstm-cell")
    bank_args = [a for path in (args.bank or []) for a in ("--bank", path)]
    # As a user runs it: bytecode cached (some shells set PYTHONDONTWRITEBYTECODE, which would make
    # every run recompile quizzer's modules while numpy's came precompiled from pip).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"NO_COLOR": "1", "COLUMNS": "100"})
    quizzer = [sys.executable, "-m", "quizzer"]

    with tempfile.TemporaryDirectory(prefix="quizzer-bench-") as tmp:
        home = Path(tmp) / "home"
        env["QUIZZER_HOME"] = str(home)
        one = Path(tmp) / "lstm_cell.py"
        one.write_text(exercise.filled(exercise.solution))
        folder = Path(tmp) / "submissions"
        folder.mkdir()
        for i in range(args.count):
            (folder / f"student_{i:03d}.py").write_text(exercise.filled(ANSWERS[i % len(ANSWERS)]))

        # warm the file cache for both commands before measuring
        subprocess.run([sys.executable, "-c", "import numpy"], env=env, check=True)
        _warm, done = timed([*quizzer, "grade", "lstm-cell", str(one), *bank_args], env)
        if done.returncode != 0:
            print(done.stdout, done.stderr, file=sys.stderr)
            return 2

        numpy_times, grade_times = [], []
        for _ in range(args.runs):
            numpy_times.append(timed([sys.executable, "-c", "import numpy"], env)[0])
            elapsed, done = timed([*quizzer, "grade", "lstm-cell", str(one), *bank_args], env)
            assert done.returncode == 0, done.stderr
            grade_times.append(elapsed)
        numpy_median = statistics.median(numpy_times)
        grade_median = statistics.median(grade_times)
        ratio = grade_median / numpy_median

        results = Path(tmp) / "results.json"
        elapsed, done = timed([*quizzer, "grade", "lstm-cell", str(folder), "--jobs", str(args.jobs),
                               "-o", str(results), *bank_args], env)
        rows = json.loads(results.read_text())
        assert len(rows) == args.count, done.stderr
        passed = sum(r["passed"] for r in rows)
        rate = args.count / elapsed

    print(f"python -c 'import numpy'         median {numpy_median:.3f} s  "
          f"(runs: {', '.join(f'{t:.2f}' for t in numpy_times)})")
    print(f"quizzer grade lstm-cell FILE      median {grade_median:.3f} s  "
          f"(runs: {', '.join(f'{t:.2f}' for t in grade_times)})")
    print(f"ratio                             {ratio:.2f}x  (target: within 3x)")
    print(f"quizzer grade lstm-cell DIR --jobs {args.jobs}: {args.count} submissions ({passed} pass) "
          f"in {elapsed:.2f} s = {rate:.1f} submissions/s  (target: >= 100/s)")
    return 0 if ratio <= 3.0 and rate >= 100 else 1


if __name__ == "__main__":
    sys.exit(main())
