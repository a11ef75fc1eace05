"""What the start-up shortcuts must not change: each command parses and answers as with the whole app
loaded, exit codes survive the fast exit, and a grade leaves no sandbox server behind, whatever stops it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizzer.cli import main
from quizzer.engine import spawn

ROOT = Path(__file__).resolve().parent.parent
NAMES = sorted([main._command_name(c) for c in main.app.registered_commands]
               + [g.name for g in main.app.registered_groups if g.name])


def _invoke(app, args: list[str]):
    return CliRunner().invoke(app, args, env={"COLUMNS": "100", "NO_COLOR": "1"})


@pytest.mark.parametrize("name", NAMES)
def test_a_command_loaded_alone_helps_and_fails_as_in_the_whole_app(name):
    lean = main.app_for([name])
    assert lean is not main.app and len(lean.registered_commands) + len(lean.registered_groups) == 1
    for args in ([name, "--help"], [name, "--no-such-option"]):
        alone, whole = _invoke(lean, args), _invoke(main.app, args)
        assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output), args


@pytest.mark.parametrize("argv", [[], ["--help"], ["--version"], ["grdae", "x"]])
def test_anything_but_a_command_name_first_gets_the_whole_app(argv):
    # the top-level help lists every command, and a mistyped name is matched against all of them
    assert main.app_for(argv) is main.app


# A parent that adopts whatever the command leaves running (PR_SET_CHILD_SUBREAPER): after the
# command exits, any process of its still alive is a child of this script.
HARNESS = textwrap.dedent("""
    import ctypes, os, subprocess, sys
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
    done = subprocess.run([sys.executable, "-m", "quizzer", *sys.argv[1:]], capture_output=True, text=True)
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                if int(f.read().rsplit(b")", 1)[1].split()[1]) == os.getpid():
                    left.append(pid)
        except OSError:
            pass
    print(done.returncode, len(left), repr(done.stderr))
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="child subreapers are a Linux feature")
@pytest.mark.parametrize("args, code, says", [
    (["grade", "lstm-cell", "{missing}"], 2, "no such file or folder"),
    (["grade", "no-such-exercise", "{good}"], 2, "no question or exercise has the id"),
    (["grade", "lstm-cell", "{good}", "--format", "xml"], 2, "xml"),
    (["grade", "lstm-cell", "{good}"], 0, ""),
    (["grade", "lstm-cell", "{bad}"], 1, ""),
    (["grade", "lstm-cell", "{folder}", "--jobs", "2"], 1, ""),
])
def test_a_grade_exits_with_its_code_and_leaves_no_process_behind(tmp_path, args, code, says):
    from quizzer.bank import load_bank

    exercise = load_bank([str(ROOT / "exercises")]).get("lstm-cell")
    good = exercise.provided + "\n" + exercise.filled(exercise.solution)
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "good.py").write_text(good)
    (folder / "bad.py").write_text("def lstm(*args):\n    return 1\n")
    paths = {"missing": tmp_path / "nope.py", "good": folder / "good.py", "bad": folder / "bad.py", "folder": folder}
    env = {**os.environ, "QUIZZER_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-c", HARNESS, *(a.format(**paths) for a in args)],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    returncode, left, stderr = done.stdout.split(" ", 2)
    assert (int(returncode), int(left)) == (code, 0), stderr
    assert says in stderr and "Traceback" not in stderr


def test_a_folder_grade_tops_the_early_server_up_to_its_jobs_not_beyond():
    try:
        spawn.prespawn(1)  # what the command line starts before it knows --jobs
        spawn.prespawn(2)
        assert sum(proc.poll() is None for proc, _ in spawn._spawned) == 2
    finally:
        spawn.discard()
    assert spawn._spawned == []


def test_output_cut_short_by_its_reader_is_not_an_error_trace(tmp_path):
    env = {**os.environ, "QUIZZER_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(f"{sys.executable} -m quizzer list | head -1", shell=True, capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=60)
    assert done.stdout.startswith("id") and done.stderr == ""
