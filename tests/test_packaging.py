"""What a fresh install relies on: the distribution's name, the dependencies the CLI really imports,
and the argument parser's own errors said in one line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from quizzer import DISTRIBUTION
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent


def test_the_distribution_name_is_the_one_pyproject_builds():
    # The Gradescope wheel and the metadata lookups use DISTRIBUTION: a rename in one place only
    # broke `quizzer gradescope` for anyone who installed the package (not the repository).
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # no tomllib before Python 3.11
    assert re.search(r'^\[project\]\nname = "([^"]+)"', pyproject, re.MULTILINE).group(1) == DISTRIBUTION


def test_help_runs_without_click_installed():
    # typer >= 0.26 no longer installs click; a machine with only quizzer's declared dependencies
    # has none, so the CLI must not import it (click blocked here as it would be absent there).
    code = "import sys; sys.modules['click'] = None; sys.argv = ['quizzer', 'export', '--help']; " \
           "from quizzer.cli import run; run()"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert "--format FORMAT" in done.stdout


@pytest.mark.parametrize("args, says, command", [
    (["exam", "-n", "abc"], "Invalid value for '-n' / '--count': 'abc' is not a valid int", "quizzer exam"),
    (["nosuchcmd"], "No such command 'nosuchcmd'", "quizzer"),
    (["doctor", "--bogus"], "No such option: --bogus", "quizzer doctor"),
    (["lab", "run", "binary-addition"], "Missing argument 'file'", "quizzer lab run"),
])
def test_the_parsers_own_errors_are_one_line(args, says, command):
    done = run_cli(*args)  # run as `python -m quizzer`, which is how the usage line names it
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip() == f"error: {says}; see `python -m {command} -h`"


def test_the_parsers_errors_follow_the_learners_language():
    done = run_cli("exam", "-n", "abc", env={"QUIZZER_LANG": "ja"})
    assert done.returncode == 2
    assert done.stderr.strip().startswith("エラー: ") and "quizzer exam -h` を参照してください" in done.stderr
