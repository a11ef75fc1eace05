"""Notebook submissions: reading .ipynb, neutralising IPython syntax, grading, `start --format ipynb`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.engine.notebook import NotebookError, notebook, notebook_source

ROOT = Path(__file__).resolve().parent.parent
COURSE = str(ROOT / "exercises" / "course.yaml")
BANK = ["--bank", COURSE]
LSTM_OK = "input_gate * a + forget_gate * prev_c"
LSTM_WRONG = "forget_gate * a + input_gate * prev_c"


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [*args, *BANK], env={"COLUMNS": "120", "NO_COLOR": "1"})

    return invoke


def lstm(blank: str) -> str:
    from quizzer.bank import load_bank

    return load_bank([COURSE]).get("lstm-cell").filled(blank)


def write_nb(path: Path, *cells: tuple[str, str]) -> Path:
    path.write_text(notebook(cells), encoding="utf-8")
    return path


# --- reading ------------------------------------------------------------------------------------


def test_magics_and_shell_escapes_are_neutralised_and_nothing_else_changes():
    nb = notebook([
        ("code", "%matplotlib inline\n!pip install numpy\nfiles = !ls\nnp.dot?\nimport numpy as np"),
        ("code", "%%bash\nrm -rf ~\necho gone"),
        ("code", "%%time\ny = 2 * 3"),
        ("code", "def f(x):\n    if x:\n        %time x\n    return x % 3"),
    ])
    source = notebook_source(nb)
    namespace: dict = {}
    exec(compile(source, "nb", "exec"), namespace)  # runs: every IPython line became inert Python
    assert namespace["y"] == 6 and namespace["f"](5) == 2, "Python lines and the %%time body are kept"
    assert "files" not in namespace, "the shell escape's assignment does not run"
    assert "rm -rf" in source and all(line.lstrip().startswith("#") for line in source.splitlines()
                                      if "rm -rf" in line or "echo gone" in line)
    assert "x % 3" in source, "the modulo operator is not a magic"


def test_plain_python_that_looks_like_a_magic_is_kept():
    source = notebook_source(notebook([("code", "y = (7\n     % 4)\nz = y")]))
    namespace: dict = {}
    exec(compile(source, "nb", "exec"), namespace)
    assert namespace["z"] == 3


def test_hostile_notebooks_get_one_line_too():
    with pytest.raises(NotebookError, match="not a Jupyter notebook"):
        notebook_source("[" * 100_000, name="deep.ipynb")
    with pytest.raises(NotebookError, match="cell 1, line 1"):
        notebook_source(notebook([("code", "x = 1\x00")]), name="nul.ipynb")


def test_markers_keep_each_cell_number_and_outputs_are_ignored():
    nb = json.loads(notebook([("markdown", "# Title"), ("code", "a = 1"), ("code", "b = 2")]))
    nb["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["a = 999\n"]}]
    source = notebook_source(json.dumps(nb))
    assert "# %% [cell 2]\na = 1" in source and "# %% [cell 3]\nb = 2" in source
    assert "999" not in source


@pytest.mark.parametrize("text, expected", [
    ('{"cells": [', "is not valid JSON (line 1)"),
    ('[1, 2]', "is not a Jupyter notebook"),
    (json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [{"cells": [
        {"cell_type": "code", "input": "def f(): pass"}]}]}), "nbformat 3 notebook; open it in Jupyter and save it"),
    (notebook([("markdown", "# only words"), ("markdown", "no code at all")]), "has no code cells"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": [{"source": "x"}]}), "cell 1 has no cell_type"),
])
def test_unreadable_notebooks_get_one_clear_line(text, expected):
    with pytest.raises(NotebookError) as info:
        notebook_source(text, name="hw.ipynb")
    assert expected in info.value.message and info.value.message.startswith("hw.ipynb")
    assert "\n" not in info.value.message


def test_a_cell_that_does_not_parse_names_its_cell_and_line():
    nb = notebook([("markdown", "intro"), ("code", "x = 1"), ("code", "y = 2\ndef f(:\n    pass")])
    with pytest.raises(NotebookError) as info:
        notebook_source(nb, name="hw.ipynb")
    assert "cell 3, line 2" in info.value.message
    with pytest.raises(NotebookError) as info:
        notebook_source(nb, name="hw.ipynb", lang="ja")
    assert "セル 3 の 2 行目" in info.value.message


# --- grading ------------------------------------------------------------------------------------


def test_the_function_in_a_later_cell_is_graded(cli, tmp_path):
    solution = lstm(LSTM_OK)
    path = write_nb(tmp_path / "hw.ipynb", ("markdown", "# My LSTM"), ("code", "%matplotlib inline\n!pip install numpy"),
                    ("code", "import numpy as np\nx = np.ones(3)"), ("code", solution))
    result = cli("grade", "lstm-cell", str(path))
    assert result.exit_code == 0, result.output
    assert "passed" in result.output


def test_an_error_names_the_cell_and_its_own_line(cli, tmp_path):
    solution = lstm(LSTM_OK).replace("    c = ", "    oops = 1 / 0\n    c = ", 1)
    line = solution.split("\n").index("    oops = 1 / 0") + 1
    path = write_nb(tmp_path / "hw.ipynb", ("markdown", "# LSTM"), ("code", "import numpy as np\nq = 1"),
                    ("code", solution))
    result = cli("grade", "lstm-cell", str(path))
    assert result.exit_code == 1
    assert f"ZeroDivisionError (line {line} of cell 3)" in result.output
    japanese = cli("grade", "lstm-cell", str(path), "--lang", "ja")
    assert f"セル 3 の {line} 行目" in japanese.output


def test_a_class_folder_mixing_py_and_ipynb_goes_on_past_broken_notebooks(cli, tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ann.py").write_text(lstm(LSTM_OK))
    write_nb(folder / "ben.ipynb", ("code", lstm(LSTM_OK)))
    write_nb(folder / "cat.ipynb", ("code", lstm(LSTM_WRONG)))
    (folder / "dan.ipynb").write_text("not json")
    write_nb(folder / "eve.ipynb", ("markdown", "I did not do it"))
    (folder / "notes.txt").write_text("ignored")
    out = tmp_path / "r.json"
    result = cli("grade", "lstm-cell", str(folder), "-o", str(out))
    assert result.exit_code == 1
    rows = {Path(r["file"]).name: r for r in json.loads(out.read_text())}
    assert sorted(rows) == ["ann.py", "ben.ipynb", "cat.ipynb", "dan.ipynb", "eve.ipynb"]
    assert rows["ann.py"]["passed"] and rows["ben.ipynb"]["passed"] and not rows["cat.ipynb"]["passed"]
    assert "not valid JSON" in rows["dan.ipynb"]["feedback"]
    assert "no code cells" in rows["eve.ipynb"]["feedback"]


def test_watch_grades_a_notebook(cli, tmp_path):
    path = write_nb(tmp_path / "w.ipynb", ("code", lstm(LSTM_WRONG)))
    result = cli("watch", "lstm-cell", str(path), "--max-grades", "1")
    assert result.exit_code == 0, result.output
    assert "failed" in result.output


def test_start_as_notebook_round_trip(cli, tmp_path):
    path = tmp_path / "lstm.ipynb"
    result = cli("start", "lstm-cell", "--format", "ipynb", "-o", str(path))
    assert result.exit_code == 0, result.output
    nb = json.loads(path.read_text())
    assert nb["nbformat"] == 4
    kinds = [c["cell_type"] for c in nb["cells"]]
    assert kinds[0] == "markdown" and kinds[-1] == "markdown" and "code" in kinds
    assert "quizzer grade lstm-cell" in "".join(nb["cells"][-1]["source"])
    assert cli("grade", "lstm-cell", str(path)).exit_code == 1, "the unfilled template does not pass"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["source"] = [line.replace("____", LSTM_OK) for line in cell["source"]]
    path.write_text(json.dumps(nb))
    graded = cli("grade", "lstm-cell", str(path))
    assert graded.exit_code == 0, graded.output
    assert cli("start", "lstm-cell", "--format", "ipynb", "-o", str(path)).exit_code == 2, "no overwrite"


def test_start_notebook_in_japanese_and_bad_format(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli("start", "gru-cell", "--format", "ipynb", "--lang", "ja").exit_code == 0
    nb = json.loads((tmp_path / "gru_cell.ipynb").read_text())
    assert "採点" in "".join(nb["cells"][-1]["source"])
    bad = cli("start", "gru-cell", "--format", "docx")
    assert bad.exit_code == 2 and "py or ipynb" in bad.output
