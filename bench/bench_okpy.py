"""One lstm-cell submission graded by quizzer (confined) and by okpy's ``ok --local`` (unsandboxed,
in-process doctests), alternately in the same run, with the same four random cases and NumPy.

    python -m venv /tmp/okvenv --system-site-packages && /tmp/okvenv/bin/pip install okpy
    python bench/bench_okpy.py --ok /tmp/okvenv/bin/ok [--runs 9]

Both load the same submission file (the exercise's solution with its provided ``sigmoid``); okpy
compares against a NumPy reference written into its test. Bytecode is cached for both.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

OK_CONFIG = """{
  "name": "lstm-cell",
  "src": ["lstm_cell.py"],
  "tests": {"tests/lstm_cell.py": "ok_test"},
  "protocols": ["file_contents", "grading"]
}
"""

OK_TEST = '''test = {
  "name": "lstm-cell",
  "points": 4,
  "suites": [{
    "type": "doctest", "scored": True, "teardown": "",
    "setup": ">>> import numpy as np\\n>>> from lstm_cell import lstm\\n",
    "cases": [{"hidden": False, "locked": False, "code": """
>>> def ref(x, prev_h, prev_c, W, U, b):
...     a, i, f, o = np.hsplit(x.dot(W.T) + prev_h.dot(U.T) + b, 4)
...     s = lambda z: 1 / (1 + np.exp(-z))
...     c = s(i) * np.tanh(a) + s(f) * prev_c
...     return c, s(o) * np.tanh(c)
>>> ok = []
>>> for seed in (1, 2, 3, 4):
...     rng = np.random.default_rng(seed)
...     N, D, H = 3, 6, 5
...     args = dict(x=rng.normal(size=(N, D)), prev_h=rng.normal(size=(N, H)), prev_c=rng.normal(size=(N, H)),
...                 W=rng.normal(size=(4 * H, D)), U=rng.normal(size=(4 * H, H)), b=rng.normal(size=4 * H))
...     got, want = lstm(**args), ref(**args)
...     ok.append(all(np.allclose(g, w) for g, w in zip(got, want)))
>>> all(ok)
True
"""}],
  }],
}
'''


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall time, and CPU time (user + system) of the command and every process it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ok", required=True, help="the ok command (pip install okpy)")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from quizzer.bank import load_bank
    from quizzer.bank.model import Exercise

    bank = ROOT / "exercises" / "course.yaml"
    exercise = load_bank([str(bank)]).get("lstm-cell")
    assert isinstance(exercise, Exercise)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["NO_COLOR"] = "1"
    with tempfile.TemporaryDirectory(prefix="quizzer-okpy-") as tmp:
        work = Path(tmp)
        env["QUIZZER_HOME"] = str(work / "home")
        (work / "tests").mkdir()
        (work / "tests" / "__init__.py").write_text("")
        (work / "tests" / "lstm_cell.py").write_text(OK_TEST)
        (work / "lstm.ok").write_text(OK_CONFIG)
        (work / "lstm_cell.py").write_text(exercise.provided + "\n" + exercise.filled(exercise.solution))
        ok_cmd = [args.ok, "--local"]
        quizzer_cmd = [sys.executable, "-m", "quizzer", "grade", "lstm-cell", str(work / "lstm_cell.py"),
                       "--bank", str(bank)]
        env_q = {**env, "PYTHONPATH": str(ROOT)}
        for cmd, e in ((ok_cmd, env), (quizzer_cmd, env_q)):  # warm caches, check both pass
            _, _, done = timed(cmd, work, e)
            if done.returncode != 0 or ("passed" not in done.stdout):
                print(done.stdout, done.stderr, file=sys.stderr)
                return 2
        ok_times, quizzer_times, ok_cpu, quizzer_cpu = [], [], [], []
        for _ in range(args.runs):
            wall, cpu, _ = timed(ok_cmd, work, env)
            ok_times.append(wall)
            ok_cpu.append(cpu)
            wall, cpu, _ = timed(quizzer_cmd, work, env_q)
            quizzer_times.append(wall)
            quizzer_cpu.append(cpu)
    ok_median, q_median = statistics.median(ok_times), statistics.median(quizzer_times)
    print(f"ok --local (okpy, unsandboxed)      median {ok_median:.3f} s, CPU {statistics.median(ok_cpu):.3f} s  "
          f"(runs: {', '.join(f'{t:.2f}' for t in ok_times)})")
    print(f"quizzer grade lstm-cell FILE        median {q_median:.3f} s, CPU {statistics.median(quizzer_cpu):.3f} s  "
          f"(runs: {', '.join(f'{t:.2f}' for t in quizzer_times)})")
    print(f"quizzer / okpy: {q_median / ok_median:.2f}x (load average {os.getloadavg()[0]:.1f})")
    return 0 if q_median <= ok_median else 1


if __name__ == "__main__":
    sys.exit(main())
