"""The Gradescope autograder: the zip built, unpacked into a temporary root, set up from its own wheel
in a fresh virtual environment, and its run_autograder run end to end on a right and a wrong submission."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizzer import __version__
from quizzer.cli import app
from quizzer.engine.notebook import notebook

ROOT = Path(__file__).resolve().parent.parent
COURSE = str(ROOT / "exercises" / "course.yaml")
BANK = ["--bank", COURSE]
LSTM_OK = "input_gate * a + forget_gate * prev_c"
LSTM_WRONG = "forget_gate * a + input_gate * prev_c"
GRU_OK = "h + z * (h_bar - h)"


def invoke(*args: str):
    return CliRunner().invoke(app, [*args, *BANK], env={"COLUMNS": "120", "NO_COLOR": "1"})


def filled(exercise_id: str, blank: str) -> str:
    from quizzer.bank import load_bank

    return load_bank([COURSE]).get(exercise_id).filled(blank)


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """The zip for lstm-cell and gru-cell (last case hidden), unpacked and set up in a fresh venv."""
    base = tmp_path_factory.mktemp("gradescope")
    zip_path = base / "autograder.zip"
    result = CliRunner().invoke(app, ["gradescope", "lstm-cell", "gru-cell", "--hidden-cases", "1", "-o",
                                      str(zip_path), *BANK])
    assert result.exit_code == 0, result.output
    root = base / "autograder"
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
    assert modes["setup.sh"] & 0o100 and modes["run_autograder"] & 0o100, "Gradescope runs them as programs"
    for script in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", str(root / "source" / script)], check=True)
    setup = (root / "source" / "setup.sh").read_text()
    assert f"quizzer_rnn-{__version__}-py3-none-any.whl" in setup and "--no-index" not in setup, \
        "on Gradescope the dependencies come from the package index"
    wheel = root / "source" / f"quizzer_rnn-{__version__}-py3-none-any.whl"
    assert wheel.is_file()
    # setup.sh does this with the package index; here the dependencies come from the test's own Python
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(root / "quizzer-venv")], check=True)
    subprocess.run([str(root / "quizzer-venv" / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
                    "--no-index", "--force-reinstall", str(wheel)], check=True)
    return root


def run_autograder(root: Path, files: dict[str, str]) -> dict:
    submission = root / "submission"
    if submission.exists():
        for old in submission.iterdir():
            old.unlink()
    submission.mkdir(exist_ok=True)
    for name, text in files.items():
        (submission / name).write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["QUIZZER_AUTOGRADER_ROOT"] = str(root)
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, cwd="/",
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def test_the_installed_quizzer_is_the_bundled_wheel(autograder):
    python = autograder / "quizzer-venv" / "bin" / "python"
    where = subprocess.run([str(python), "-I", "-c", "import quizzer; print(quizzer.__file__, quizzer.__version__)"],
                           capture_output=True, text=True, check=True, cwd="/").stdout
    assert str(autograder / "quizzer-venv") in where and __version__ in where
    listed = subprocess.run([str(python), "-I", "-m", "quizzer", "list", "--json"], capture_output=True, text=True,
                            cwd="/")
    assert listed.returncode == 0 and "lstm-cell" in listed.stdout, "the wheel carries the built-in bank"


def test_right_submissions_score_every_case(autograder):
    results = run_autograder(autograder, {"lstm.py": filled("lstm-cell", LSTM_OK),
                                          "gru.ipynb": notebook([("markdown", "# GRU"),
                                                                 ("code", "%matplotlib inline"),
                                                                 ("code", filled("gru-cell", GRU_OK))])})
    tests = results["tests"]
    assert [t["name"].split(":")[0] for t in tests] == ["lstm-cell"] * 4 + ["gru-cell"] * 4
    for t in tests:
        assert set(t) == {"name", "score", "max_score", "status", "output", "visibility"}
        assert (t["score"], t["max_score"], t["status"]) == (1.0, 1.0, "passed")
    assert [t["visibility"] for t in tests[:4]] == ["visible"] * 3 + ["after_published"]
    assert results["score"] == 8.0
    assert isinstance(results["execution_time"], float)
    assert "lstm.py" in results["output"] and "gru.ipynb" in results["output"]


def test_a_wrong_submission_fails_case_by_case_with_the_feedback(autograder):
    results = run_autograder(autograder, {"mine.py": filled("lstm-cell", LSTM_WRONG)})
    lstm = [t for t in results["tests"] if t["name"].startswith("lstm-cell")]
    gru = [t for t in results["tests"] if t["name"].startswith("gru-cell")]
    assert all(t["status"] == "failed" and t["score"] == 0.0 and t["output"] for t in lstm)
    assert all(t["status"] == "failed" and "defines gru" in t["output"] for t in gru)
    assert results["score"] == 0.0
    assert "lstm-cell (mine.py)" in results["output"]


def test_a_broken_notebook_still_writes_results(autograder):
    results = run_autograder(autograder, {"hw.ipynb": "{not json"})
    assert results["score"] == 0.0 and len(results["tests"]) == 8
    assert "not valid JSON" in results["tests"][0]["output"]


def test_an_existing_zip_is_kept_without_force_and_unknown_ids_name_the_close_ones(tmp_path):
    target = tmp_path / "autograder.zip"
    target.write_bytes(b"precious")
    kept = invoke("gradescope", "lstm-cell", "-o", str(target))
    assert kept.exit_code == 2 and "--force" in kept.output and target.read_bytes() == b"precious"
    assert invoke("gradescope", "lstm-cell", "-o", str(target), "--force").exit_code == 0
    assert zipfile.is_zipfile(target)
    unknown = invoke("gradescope", "lstm-cel", "-o", str(tmp_path / "x.zip"))
    assert unknown.exit_code == 2 and "did you mean lstm-cell" in unknown.output
    assert not (tmp_path / "x.zip").exists()
