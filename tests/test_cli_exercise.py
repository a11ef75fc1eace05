"""The exercise commands end to end: start, hint, grade (file, folder, formats), watch; exit codes."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizzer.cli import app

ROOT = Path(__file__).resolve().parent.parent
COURSE = str(ROOT / "exercises" / "course.yaml")
MINI = str(ROOT / "tests" / "fixtures" / "bank")
BANK = ["--bank", COURSE, "--bank", MINI]

LSTM_OK = "input_gate * a + forget_gate * prev_c"
LSTM_WRONG = "forget_gate * a + input_gate * prev_c"


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [*args, *BANK], env={"COLUMNS": "120", "NO_COLOR": "1"})

    return invoke


def write_lstm(path: Path, blank: str) -> Path:
    from quizzer.bank import load_bank

    exercise = load_bank([COURSE]).get("lstm-cell")
    path.write_text(exercise.filled(blank))
    return path


# --- start -------------------------------------------------------------------------------------


def test_start_writes_the_template_with_a_header_and_refuses_to_overwrite(cli, tmp_path):
    target = tmp_path / "mine.py"
    result = cli("start", "gru-cell", "-o", str(target))
    assert result.exit_code == 0, result.output
    text = target.read_text()
    assert text.startswith("# quizzer exercise gru-cell:")
    assert "quizzer grade gru-cell" in text
    assert "h_new = ____" in text and "def sigmoid" in text
    compile(text, str(target), "exec")  # the starter file is valid Python as handed out
    target.write_text("my work")
    again = cli("start", "gru-cell", "-o", str(target))
    assert again.exit_code == 2 and "already exists" in again.output
    assert target.read_text() == "my work"
    forced = cli("start", "gru-cell", "-o", str(target), "--force")
    assert forced.exit_code == 0 and "h_new = ____" in target.read_text()


def test_start_in_japanese_and_default_file_name(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("start", "seq2seq-encode", "--lang", "ja")
    assert result.exit_code == 0, result.output
    assert "単語" in (tmp_path / "seq2seq_encode.py").read_text()


@pytest.mark.parametrize("args", [("start", "no-such-exercise"), ("start", "mini-choice"),
                                  ("hint", "no-such-exercise"), ("grade", "mini-choice", "x.py")])
def test_unknown_ids_and_questions_are_usage_errors(cli, args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("x.py").write_text("x = 1\n")
    result = cli(*args)
    assert result.exit_code == 2, result.output


# --- hint --------------------------------------------------------------------------------------


def test_hints_come_one_at_a_time_and_start_over_on_reset(cli, _isolated_home):
    first = cli("hint", "lstm-cell")
    assert first.exit_code == 0 and "Hint 1/3" in first.output
    assert "Hint 2/3" in cli("hint", "lstm-cell").output
    assert "Hint 3/3" in cli("hint", "lstm-cell").output
    done = cli("hint", "lstm-cell")
    assert done.exit_code == 0 and "No more hints" in done.output
    assert "Hint 1/3" in cli("hint", "gru-cell").output  # per exercise
    stored = json.loads((_isolated_home / "hints.json").read_text())
    assert stored == {"lstm-cell": 3, "gru-cell": 1}
    assert cli("hint", "lstm-cell", "--reset").exit_code == 0
    assert "Hint 1/3" in cli("hint", "lstm-cell").output
    assert "ヒント 2/3" in cli("hint", "lstm-cell", "--lang", "ja").output


# --- grade one file ----------------------------------------------------------------------------


def test_grade_a_passing_file_exits_0_and_a_failing_one_1(cli, tmp_path):
    ok = cli("grade", "lstm-cell", str(write_lstm(tmp_path / "ok.py", LSTM_OK)))
    assert ok.exit_code == 0, ok.output
    assert "passed" in ok.output and "4/4" in ok.output
    bad = cli("grade", "lstm-cell", str(write_lstm(tmp_path / "bad.py", LSTM_WRONG)))
    assert bad.exit_code == 1
    assert "gates are swapped" in bad.output


def test_grade_json_output(cli, tmp_path):
    result = cli("grade", "lstm-cell", str(write_lstm(tmp_path / "bad.py", LSTM_WRONG)), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["file"].endswith("bad.py") and data["passed"] is False
    assert data["score"] == 0 and data["max_score"] == 4 and "gates are swapped" in data["feedback"]
    assert len(data["cases"]) == 4


def test_grade_one_file_into_a_results_file(cli, tmp_path):
    out = tmp_path / "one.csv"
    result = cli("grade", "lstm-cell", str(write_lstm(tmp_path / "bad.py", LSTM_WRONG)), "-o", str(out))
    assert result.exit_code == 1
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1 and rows[0]["passed"] == "False" and rows[0]["file"].endswith("bad.py")


def test_grade_gradescope_output(cli, tmp_path):
    result = cli("grade", "lstm-cell", str(write_lstm(tmp_path / "ok.py", LSTM_OK)), "--format", "gradescope")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["score"] == 4 and isinstance(data["execution_time"], float) and data["output"]
    assert [t["status"] for t in data["tests"]] == ["passed"] * 4
    for test in data["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
    out = tmp_path / "results.json"
    to_file = cli("grade", "lstm-cell", str(tmp_path / "ok.py"), "--format", "gradescope", "-o", str(out))
    assert to_file.exit_code == 0 and json.loads(out.read_text())["score"] == 4


@pytest.mark.parametrize("args", [("grade", "lstm-cell", "missing.py"),
                                  ("grade", "lstm-cell", "ok.py", "--format", "xml")])
def test_grade_input_errors_exit_2(cli, args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_lstm(tmp_path / "ok.py", LSTM_OK)
    result = cli(*args)
    assert result.exit_code == 2, result.output


# --- grade a folder ----------------------------------------------------------------------------


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "subs"
    folder.mkdir()
    write_lstm(folder / "a_ok.py", LSTM_OK)
    write_lstm(folder / "b_wrong.py", LSTM_WRONG)
    (folder / "c_loop.py").write_text("def lstm(**kw):\n    while True:\n        pass\n")
    (folder / "notes.txt").write_text("not graded")
    return folder


def test_grade_a_folder_writes_csv_and_exits_1_when_any_fails(cli, tmp_path):
    folder = _folder(tmp_path)
    out = tmp_path / "results.csv"
    result = cli("grade", "lstm-cell", str(folder), "--jobs", "2", "-o", str(out))
    assert result.exit_code == 1, result.output
    assert "1 of 3 submissions pass" in result.output
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [Path(r["file"]).name for r in rows] == ["a_ok.py", "b_wrong.py", "c_loop.py"]
    assert {"file", "passed", "score", "max_score", "feedback"} <= set(rows[0])
    assert [r["passed"] for r in rows] == ["True", "False", "False"]
    assert "Time limit" in rows[2]["feedback"]


def test_grade_a_folder_as_json(cli, tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    write_lstm(folder / "one.py", LSTM_OK)
    out = tmp_path / "results.json"
    result = cli("grade", "lstm-cell", str(folder), "--json", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows == json.loads(out.read_text())
    assert rows[0]["passed"] is True and rows[0]["score"] == rows[0]["max_score"] == 4


def test_grade_an_empty_folder_or_a_bad_results_name_exits_2(cli, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("grade", "lstm-cell", str(empty)).exit_code == 2
    folder = _folder(tmp_path)
    assert cli("grade", "lstm-cell", str(folder), "-o", str(tmp_path / "r.txt")).exit_code == 2
    assert cli("grade", "lstm-cell", str(folder), "--format", "gradescope").exit_code == 2


# --- answer (dispatches to the code checker) --------------------------------------------------


def test_answer_an_expression_for_a_blank_exercise(cli):
    assert cli("answer", "gru-cell", "h + z * (h_bar - h)").exit_code == 0
    wrong = cli("answer", "gru-cell", "(1 - z) * h_bar + z * h")
    assert wrong.exit_code == 1 and "other GRU convention" in wrong.output
    assert cli("answer", "gru-cell", "(1 - z").exit_code == 2


# --- watch -------------------------------------------------------------------------------------


def test_watch_grades_the_file(cli, tmp_path):
    path = write_lstm(tmp_path / "w.py", LSTM_OK)
    result = cli("watch", "lstm-cell", str(path), "--max-grades", "1")
    assert result.exit_code == 0, result.output
    assert "passed" in result.output


def test_watch_regrades_on_save_and_exits_cleanly_on_ctrl_c(tmp_path):
    path = write_lstm(tmp_path / "w.py", LSTM_WRONG)
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "quizzer", "watch", "lstm-cell", str(path), "--interval", "0.1",
                             *BANK], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        time.sleep(3)
        write_lstm(path, LSTM_OK)
        os.utime(path, (time.time() + 5, time.time() + 5))
        time.sleep(3)
        assert time.monotonic() < deadline
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "failed" in out and "passed" in out
    assert "Traceback" not in err


# --- the real command --------------------------------------------------------------------------


def test_the_real_command_grades_a_file(tmp_path):
    path = write_lstm(tmp_path / "ok.py", LSTM_OK)
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "quizzer", "grade", "lstm-cell", str(path), "--json", *BANK],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["passed"] is True


def test_unparsable_blank_answer_does_not_give_the_solution_away():
    from quizzer.bank import load_bank
    from tests.conftest import run_cli

    exercise = load_bank(["builtin"]).get("lstm-cell")
    out = run_cli("answer", "lstm-cell", "input_gate *")
    assert out.returncode == 2 and "not a Python expression" in out.stderr
    for answer in (exercise.solution, *exercise.alternatives):
        assert answer not in out.stderr
