"""Speed of notebook submissions and of the Gradescope autograder, measured with the real commands.

1. ``quizzer grade lstm-cell DIR --jobs 2`` over a class of 200 notebooks (markdown, magics, a
   shell escape, the function in a later cell; right and wrong answers mixed) against the same class
   as .py files, run alternately (the machine's load changes from minute to minute, so the ratio of
   the medians is what counts). Target: notebooks at no less than half the .py rate. otter-grader
   and nbgrader start a Jupyter kernel per submission (5 to 10 s each on this machine).
2. The generated ``run_autograder`` of ``quizzer gradescope lstm-cell`` for one notebook submission,
   after setup (a venv with the bundled wheel, made here as setup.sh does but from the local
   packages). Target: under 1 s.

    python bench/bench_notebooks.py [--runs 5] [--count 200] [--jobs 2]

Prints the figures; exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ANSWERS = (
    "input_gate * a + forget_gate * prev_c",
    "forget_gate * prev_c + input_gate * a",
    "forget_gate * a + input_gate * prev_c",
    "input_gate * a + forget_gate * c",
    "input_gate * a + prev_c",
)


def timed(cmd: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    return time.perf_counter() - start, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))  # this script runs from a checkout
    from quizzer.bank import load_bank
    from quizzer.engine.notebook import notebook

    exercise = load_bank(None).get("lstm-cell")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"NO_COLOR": "1", "COLUMNS": "100"})
    quizzer = [sys.executable, "-m", "quizzer"]
    failed = False

    with tempfile.TemporaryDirectory(prefix="quizzer-bench-nb-") as tmp:
        base = Path(tmp)
        env["QUIZZER_HOME"] = str(base / "home")
        py_dir, nb_dir = base / "py", base / "nb"
        py_dir.mkdir()
        nb_dir.mkdir()
        for i in range(args.count):
            source = exercise.filled(ANSWERS[i % len(ANSWERS)])
            (py_dir / f"student_{i:03d}.py").write_text(source)
            (nb_dir / f"student_{i:03d}.ipynb").write_text(notebook([
                ("markdown", f"# Homework\n\nStudent {i}"),
                ("code", "%matplotlib inline\n!pip install numpy\nimport numpy as np"),
                ("code", "x = np.ones((2, 3))\nprint(x.shape)"),
                ("markdown", "## My LSTM"),
                ("code", source),
                ("code", "%%time\nprint('done')"),
            ]))

        grade = [*quizzer, "grade", "lstm-cell"]
        timed([*grade, str(py_dir), "--jobs", str(args.jobs)], env)  # warm the file cache
        times: dict[str, list[float]] = {"py": [], "ipynb": []}
        for _ in range(args.runs):
            for kind, folder in (("py", py_dir), ("ipynb", nb_dir)):
                elapsed, done = timed([*grade, str(folder), "--jobs", str(args.jobs)], env)
                if done.returncode not in (0, 1) or "submissions pass" not in done.stdout:
                    print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
                    return 1
                times[kind].append(elapsed)
        py_rate = args.count / statistics.median(times["py"])
        nb_rate = args.count / statistics.median(times["ipynb"])
        ratio = nb_rate / py_rate
        print(f"class of {args.count}, --jobs {args.jobs}, median of {args.runs} runs each, end to end:")
        print(f"  .py     {statistics.median(times['py']):6.2f} s  {py_rate:6.1f} submissions/s")
        print(f"  .ipynb  {statistics.median(times['ipynb']):6.2f} s  {nb_rate:6.1f} submissions/s"
              f"  ({ratio:.2f}x the .py rate; target >= 0.5x)")
        if ratio < 0.5:
            failed = True

        # --- the autograder ----------------------------------------------------------------------
        zip_path = base / "autograder.zip"
        subprocess.run([*quizzer, "gradescope", "lstm-cell", "-o", str(zip_path)], env=env, check=True, cwd=ROOT,
                       capture_output=True)
        root = base / "autograder"
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(root / "source")
        wheel = next((root / "source").glob("quizzer_rnn-*.whl"))
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(root / "quizzer-venv")],
                       check=True)
        subprocess.run([str(root / "quizzer-venv" / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
                        "--no-index", "--force-reinstall", str(wheel)], check=True)
        (root / "submission").mkdir()
        (root / "submission" / "hw.ipynb").write_text((nb_dir / "student_000.ipynb").read_text())
        run_env = {k: v for k, v in env.items() if not k.startswith("PYTHON")}
        run_env["QUIZZER_AUTOGRADER_ROOT"] = str(root)
        timed(["bash", str(root / "source" / "run_autograder")], run_env, cwd=Path("/"))  # compiles the bytecode
        runs = []
        for _ in range(args.runs):
            elapsed, done = timed(["bash", str(root / "source" / "run_autograder")], run_env, cwd=Path("/"))
            if done.returncode != 0 or not (root / "results" / "results.json").is_file():
                print(done.stdout, done.stderr, file=sys.stderr)
                return 1
            runs.append(elapsed)
        median = statistics.median(runs)
        print(f"run_autograder, one notebook, after setup: median {median:.3f} s over {args.runs} runs "
              f"(min {min(runs):.3f}, max {max(runs):.3f}; target < 1 s)")
        if median >= 1.0:
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
