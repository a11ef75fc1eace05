"""What the commands say about confinement: the isolation level in every view, --require-isolation,
--timeout and --memory on grade and watch, and ``quizzer doctor``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.engine import confine

ROOT = Path(__file__).resolve().parent.parent
COURSE = str(ROOT / "exercises" / "course.yaml")
BANK = ["--bank", COURSE]
FULL = confine.probe().missing() == []


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str):
        bank = [] if args[0] == "doctor" else BANK
        return runner.invoke(app, [*args, *bank], env={"COLUMNS": "160", "NO_COLOR": "1"})

    return invoke


def write(path: Path, blank: str = "input_gate * a + forget_gate * prev_c") -> Path:
    from quizzer.bank import load_bank
    from quizzer.bank.model import Exercise

    exercise = load_bank([COURSE]).get("lstm-cell")
    assert isinstance(exercise, Exercise)
    path.write_text(exercise.filled(blank))
    return path


@pytest.fixture
def old_kernel(monkeypatch):
    """This machine as an older kernel would look: no Landlock, no seccomp."""
    monkeypatch.setattr(confine, "probe", lambda: confine.Probe(0, False, True, True, True))


def test_the_terminal_view_and_json_name_the_isolation_level(cli, tmp_path):
    level = confine.level(confine.probe().missing())
    shown = cli("grade", "lstm-cell", str(write(tmp_path / "ok.py")))
    assert shown.exit_code == 0, shown.output
    assert "Isolation: " in shown.output
    data = json.loads(cli("grade", "lstm-cell", str(write(tmp_path / "ok.py")), "--json").stdout)
    assert data["isolation"] == level
    ja = cli("grade", "lstm-cell", str(write(tmp_path / "ok.py")), "--lang", "ja")
    assert "隔離レベル: " in ja.output


def test_a_folder_summary_and_its_results_file_carry_the_level(cli, tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    write(folder / "a.py")
    write(folder / "b.py", "forget_gate * a + input_gate * prev_c")
    out = tmp_path / "r.json"
    result = cli("grade", "lstm-cell", str(folder), "-o", str(out))
    assert result.exit_code == 1
    assert "Isolation: " in result.output
    rows = json.loads(out.read_text())
    assert all(row["isolation"] for row in rows)
    if FULL:
        assert {row["isolation"] for row in rows} == {"full"} and "Isolation: full" in result.output


@pytest.mark.parametrize("command", ["grade", "watch"])
def test_require_isolation_refuses_in_one_line_where_confinement_is_partial(cli, tmp_path, old_kernel, command):
    result = cli(command, "lstm-cell", str(write(tmp_path / "ok.py")), "--require-isolation")
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "--require-isolation" in lines[0] and "landlock" in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.skipif(not FULL, reason="this machine does not offer full confinement (see quizzer doctor)")
def test_require_isolation_grades_where_every_layer_is_up(cli, tmp_path):
    result = cli("grade", "lstm-cell", str(write(tmp_path / "ok.py")), "--require-isolation")
    assert result.exit_code == 0, result.output


def test_timeout_and_memory_options_set_the_limits(cli, tmp_path):
    loop = tmp_path / "loop.py"
    loop.write_text("def lstm(**kw):\n    while True:\n        pass\n")
    result = cli("grade", "lstm-cell", str(loop), "--timeout", "0.5", "--json")
    assert result.exit_code == 1
    assert "0.5 s time limit" in json.loads(result.stdout)["feedback"]
    hog = tmp_path / "hog.py"
    hog.write_text("import numpy as np\ndef lstm(**kw):\n    return np.ones(600 * 2**20 // 8)\n")
    small = json.loads(cli("grade", "lstm-cell", str(hog), "--memory", "512", "--json").stdout)
    assert small["cases"][0]["details"]["error"]["kind"] == "memory" and "512 MiB" in small["feedback"]
    assert cli("grade", "lstm-cell", str(loop), "--timeout", "0").exit_code == 2
    assert cli("watch", "lstm-cell", str(loop), "--timeout", "0.5", "--max-grades", "1").exit_code == 0


def test_doctor_reports_the_kernel_and_the_limits(cli):
    result = cli("doctor")
    assert result.exit_code == 0
    for word in ("Landlock", "seccomp", "Isolation", "5 s", "1024 MiB", "64 MiB"):
        assert word in result.output
    data = json.loads(cli("doctor", "--json").stdout)
    assert data["landlock_abi"] == confine.landlock_abi() and data["limits"]["wall_seconds"] == 5.0
    assert data["isolation"] == confine.level(confine.probe().missing())
    assert "隔離レベル" in cli("doctor", "--lang", "ja").output


def test_doctor_says_plainly_what_an_older_kernel_lacks(cli, old_kernel):
    data = json.loads(cli("doctor", "--json").stdout)
    assert data["isolation"] == "none" and "landlock" in data["missing"] and "seccomp" in data["missing"]


def _bank_with_limits(tmp_path: Path, limits: str) -> Path:
    text = Path(COURSE).read_text(encoding="utf-8")
    marker = "  - id: lstm-cell\n"
    assert marker in text
    bank = tmp_path / "bank.yaml"
    bank.write_text(text.replace(marker, marker + f"    limits: {limits}\n"), encoding="utf-8")
    return bank


def test_an_exercise_declares_its_own_limits_and_the_options_override_them(tmp_path):
    bank = _bank_with_limits(tmp_path, "{timeout: 0.5, memory: 512}")
    loop = tmp_path / "loop.py"
    loop.write_text("def lstm(**kw):\n    while True:\n        pass\n")
    runner = CliRunner()
    own = runner.invoke(app, ["grade", "lstm-cell", str(loop), "--json", "--bank", str(bank)])
    assert "0.5 s time limit" in json.loads(own.stdout)["feedback"]
    override = runner.invoke(app, ["grade", "lstm-cell", str(loop), "--json", "--timeout", "0.7", "--bank", str(bank)])
    assert "0.7 s time limit" in json.loads(override.stdout)["feedback"]


@pytest.mark.parametrize("limits", ["{timeout: 0}", "{memory: 10}", "{memory: 1.5}", "{cpu: 3}"])
def test_bad_exercise_limits_are_bank_problems(tmp_path, limits):
    from quizzer.bank import Problems, read_files

    problems = Problems()
    read_files([_bank_with_limits(tmp_path, limits)], problems)
    assert any("limits" in str(p) for p in problems.items), problems.items
