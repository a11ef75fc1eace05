"""The grading pipeline: comparison, diagnoses, scoring, output files, and hostile submissions."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import numpy as np
import pytest

from quizzer.bank import Problems, read_files
from quizzer.bank.model import Tolerance
from quizzer.bank.serve import serve
from quizzer.checking import check
from quizzer.engine import diagnose
from quizzer.engine.compare import compare, same
from quizzer.engine.grade import (
    Graded,
    grade_many,
    grade_source,
    gradescope,
    has_blank,
    prepare,
    result_rows,
    source_for,
    write_results,
)
from quizzer.engine.sandbox import Limits, Runner
from quizzer.errors import AnswerError, QuizzerError

ROOT = Path(__file__).resolve().parent.parent
TOL = Tolerance()


def _exercises():
    problems = Problems()
    items = read_files([ROOT / "exercises" / "course.yaml"], problems)
    assert not problems.items
    return items


EX = _exercises()
LSTM = EX["lstm-cell"]
CLIP = EX["gradient-clipping"]


@pytest.fixture(scope="module")
def runner():
    with Runner() as r:
        yield r


def lstm_file(ret: str = "c, h", extra: str = "") -> str:
    """A whole lstm-cell submission with a right computation and the given extra line and return."""
    return (
        "import numpy as np\n\n"
        "def lstm(x, prev_h, prev_c, W, U, b):\n"
        "    lstm_in = x.dot(W.T) + prev_h.dot(U.T) + b\n"
        "    a, i, f, o = np.hsplit(lstm_in, 4)\n"
        "    c = sigmoid(i) * np.tanh(a) + sigmoid(f) * prev_c\n"
        "    h = sigmoid(o) * np.tanh(c)\n"
        f"    {extra or 'pass'}\n"
        f"    return {ret}\n"
    )


# --- comparison --------------------------------------------------------------------------------


def test_a_broadcastable_shape_is_refused_before_any_value_is_compared():
    expected = (np.ones((2, 5)),)
    mismatch = compare(expected, (np.ones((1, 5)),), ("h",), TOL)
    assert np.allclose(expected[0], np.ones((1, 5)))  # what np.allclose alone would have said
    assert mismatch is not None and mismatch.kind == "shape" and mismatch.batch_of_one
    sentence = diagnose.mismatch_sentence(mismatch, lang="en", entry="f", outputs=("h",))
    assert sentence == "Your result h has shape (1, 5) but (2, 5) was expected: it only works for a batch of 1."


def test_non_finite_values_are_named():
    got = np.zeros((2, 3))
    got[1, 2] = np.inf
    m = compare((np.zeros((2, 3)),), (got,), ("y",), TOL)
    assert m.kind == "nonfinite" and m.nonfinite == "inf" and m.first_index == (1, 2)
    got[0, 0] = np.nan
    m = compare((np.zeros((2, 3)),), (got,), ("y",), TOL)
    assert m.nonfinite == "NaN and inf" and m.first_index == (0, 0)


def test_a_value_mismatch_reports_errors_and_the_first_differing_index():
    exp = np.array([[1.0, 2.0], [4.0, 8.0]])
    got = exp.copy()
    got[1, 0] = 5.0
    got[1, 1] = 8.5
    m = compare((exp,), (got,), ("c",), TOL)
    assert m.kind == "value" and m.first_index == (1, 0)
    assert m.max_abs == pytest.approx(1.0) and m.max_rel == pytest.approx(0.25)
    text = diagnose.mismatch_sentence(m, lang="en", entry="f", outputs=("c",))
    assert "largest absolute error 1" in text and "largest relative error 0.25" in text and "[1, 0]" in text


def test_tolerance_is_the_exercises():
    exp = np.array([1.0])
    assert compare((exp,), (exp * (1 + 1e-9),), ("x",), TOL) is None
    assert compare((exp,), (exp * (1 + 1e-5),), ("x",), TOL) is not None
    assert compare((exp,), (exp * (1 + 1e-5),), ("x",), Tolerance(rtol=1e-4)) is None


def test_output_count_mismatch():
    m = compare((np.ones(2), np.ones(2)), (np.ones(2),), ("c", "h"), TOL)
    assert m.kind == "count"
    assert "returned 1 array(s) but 2 were expected (c, h" in diagnose.mismatch_sentence(
        m, lang="en", entry="lstm", outputs=("c", "h"))


def test_same_treats_nan_as_equal_only_when_asked():
    a = (np.array([np.nan, 1.0]),)
    assert not same(a, a, TOL)
    assert same(a, a, TOL, equal_nan=True)


# --- the response as source ------------------------------------------------------------------


def test_an_expression_fills_the_blank_and_a_file_defining_the_entry_is_taken_whole():
    assert "return grad * rate" in source_for(CLIP, "grad * rate")
    whole = CLIP.filled("grad * rate")
    assert source_for(CLIP, whole) == whole


def test_a_file_holding_only_the_expression_fills_the_blank(tmp_path, runner):
    from quizzer.engine.grade import grade_file

    path = tmp_path / "answer.py"
    path.write_text("grad * rate\n")
    assert grade_file(CLIP, path, runner=runner).passed
    path.write_text("x = (\n")
    assert grade_file(CLIP, path, runner=runner).details["diagnosis"] == "syntax"


@pytest.mark.parametrize("bad", ["", "   ", "grad *", "return grad"])
def test_an_unreadable_expression_is_an_answer_error(bad):
    with pytest.raises(AnswerError):
        source_for(CLIP, bad)


def test_the_blank_in_a_comment_does_not_count_as_unfilled():
    assert has_blank("x = ____\n")
    assert not has_blank("# replace ____ here\nx = 1\n")
    assert not has_blank("s = '____'\n")


def test_template_names_are_listed_in_source_order_up_to_the_blank():
    assert diagnose.template_names(CLIP.template, CLIP.entry) == ["grad", "threshold", "norm", "rate"]
    names = diagnose.template_names(LSTM.template, LSTM.entry)
    assert names[:6] == ["x", "prev_h", "prev_c", "W", "U", "b"]
    assert "c" not in names and "h" not in names and "output_gate" in names


# --- verdicts and diagnoses --------------------------------------------------------------------


def test_score_is_one_point_per_case(runner):
    result = grade_source(CLIP, CLIP.filled("grad"), runner=runner)
    n = len(prepare(CLIP).cases)
    assert result.max_score == n
    assert result.score == sum(c.passed for c in result.cases) == sum(c.score for c in result.cases)
    assert 0 < result.score < n and not result.passed
    assert f"{int(result.score)} of {n} cases pass" in result.feedback


def test_a_failing_verdict_names_the_case_shapes_and_errors(runner):
    result = grade_source(LSTM, lstm_file("c * 1.01, h"), runner=runner)
    assert not result.passed
    fb = result.feedback
    assert 'In case "seed 1" (inputs x (3, 6), prev_h (3, 5)' in fb
    assert "largest absolute error" in fb and "largest relative error" in fb and "first at index [0, 0]" in fb
    failing = result.cases[0].details
    assert failing["expected_shapes"] == [[3, 5], [3, 5]] and failing["received_shapes"] == [[3, 5], [3, 5]]
    assert failing["mismatch"]["kind"] == "value"


@pytest.mark.parametrize(("ret", "phrase"), [
    ("h, c", "wrong order: return (c, h)"),
    ("c.T, h.T", "is the expected array transposed"),
    ("c[::-1], h[::-1]", "batch rows in reverse order"),
])
def test_known_arrangements_of_the_right_outputs_are_named(ret, phrase, runner):
    result = grade_source(LSTM, lstm_file(ret), runner=runner)
    assert not result.passed and result.details["diagnosis"] == "arrangement"
    assert phrase in result.feedback


def test_feedback_follows_the_language(runner):
    result = grade_source(LSTM, lstm_file("h, c"), runner=runner, lang="ja")
    assert "順番が違います" in result.feedback
    result = grade_source(CLIP, CLIP.filled("gradient * rate"), runner=runner, lang="ja")
    assert "'gradient' はここでは定義されていません" in result.feedback


def test_syntax_error_names_its_line(runner):
    result = grade_source(LSTM, "import numpy as np\n\ndef lstm(x, prev_h:\n    pass\n", runner=runner)
    assert result.details["diagnosis"] == "syntax"
    assert result.feedback.startswith("Syntax error on line 3")


@pytest.mark.parametrize("body, says", [
    ("    return x\u3000+ 1\n", "全角スペースがあります (invalid non-printable character U+3000)"),
    ("    return x + １\n", "全角文字「１」があります"),
    ("return x\n", "2 行目の関数定義の後には、字下げしたブロックが必要です"),
    ("    return (x + 1\n", "「(」が閉じられていません ('(' was never closed)"),
])
def test_pythons_common_syntax_errors_are_said_in_japanese_with_the_original(runner, body, says):
    source = "import numpy as np\ndef lstm(x, prev_h, prev_c, W, U, b):\n" + body
    japanese = grade_source(LSTM, source, runner=runner, lang="ja")
    assert japanese.details["diagnosis"] == "syntax" and says in japanese.feedback
    english = grade_source(LSTM, source, runner=runner)
    assert says.split(" (")[0] not in english.feedback and "Syntax error on line" in english.feedback


def test_a_syntax_error_python_words_otherwise_is_kept_as_python_says_it():
    assert diagnose.python_message("assignment expression cannot be used here", "ja") == \
        "assignment expression cannot be used here"


def test_missing_entry_function(runner):
    result = grade_source(LSTM, "def lstm_cell(x):\n    return x\n", runner=runner)
    assert "does not define the function lstm" in result.feedback


def test_misconception_runs_are_cached_per_exercise(runner):
    prepared = prepare(CLIP)
    first = prepared.misconceptions(runner)
    assert prepared.misconceptions(runner) is first
    assert prepare(CLIP) is prepared


def test_the_checker_grades_an_expression_and_shows_the_solution():
    served = serve(EX["gru-cell"])
    ok = check(served, "h + z * (h_bar - h)", lang="en")
    assert ok.passed and ok.expected == "(1 - z) * h + z * h_bar"
    wrong = check(served, "(1 - z) * h_bar + z * h", lang="ja")
    assert not wrong.passed and "GRU の流儀" in wrong.feedback
    with pytest.raises(AnswerError):
        check(served, "(1 - z", lang="en")


# --- output files -------------------------------------------------------------------------------


def _graded(runner) -> list[Graded]:
    return [Graded("good.py", grade_source(CLIP, CLIP.filled("grad * rate"), runner=runner)),
            Graded("bad.py", grade_source(CLIP, CLIP.filled("grad / rate"), runner=runner))]


def test_gradescope_results_have_one_test_per_case(runner):
    result = _graded(runner)[1].result
    data = gradescope(result)
    assert set(data) >= {"score", "execution_time", "output", "tests"}
    assert data["score"] == result.score and data["output"] == result.feedback
    assert len(data["tests"]) == len(result.cases)
    for test, case in zip(data["tests"], result.cases):
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] == ("passed" if case.passed else "failed")
        assert test["score"] == (1.0 if case.passed else 0.0) and test["max_score"] == 1.0
    assert sum(t["score"] for t in data["tests"]) == data["score"]
    json.dumps(data)


def test_results_files_json_and_csv(tmp_path, runner):
    graded = _graded(runner)
    write_results(tmp_path / "r.json", graded)
    rows = json.loads((tmp_path / "r.json").read_text())
    assert [r["file"] for r in rows] == ["good.py", "bad.py"]
    for row in rows:
        assert {"file", "passed", "score", "max_score", "feedback"} <= set(row)
    write_results(tmp_path / "r.csv", graded)
    with open(tmp_path / "r.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert list(table[0]) == ["file", "student", "student_id", "id", "passed", "score", "max_score", "feedback",
                              "elapsed", "isolation"]
    assert table[0]["student"] == "good", "without a roster, the student is named after the file"
    assert [row["isolation"] for row in table] == [g.result.isolation for g in graded]
    assert all(row["isolation"] for row in table)  # full, partial (...) or none: never left out
    assert table[1]["passed"] == "False" and float(table[1]["score"]) == rows[1]["score"]
    assert result_rows(graded) == rows
    with pytest.raises(QuizzerError):
        write_results(tmp_path / "r.txt", graded)


# --- hostile submissions in a batch ------------------------------------------------------------

HOSTILE = {
    "infinite_loop": (lstm_file(extra="while True: pass"), "timeout"),
    "alloc_2gb": (lstm_file(extra="big = np.ones(2 * 1024 ** 3 // 8) + 1"), "memory"),
    "print_flood": (lstm_file("c * 2, h", extra="[print('passed ' * 100) for _ in range(20000)]"), "case"),
    "os_exit": (lstm_file(extra="import os; os._exit(0)"), "exit"),
    "system_exit": (lstm_file(extra="raise SystemExit(0)"), "exit"),
    "patched_allclose": (lstm_file("c + 1, h", extra="np.allclose = lambda *a, **k: True; "
                                   "np.testing.assert_allclose = lambda *a, **k: None"), "case"),
    "patched_eq": (lstm_file(extra="np.ndarray.__eq__ = lambda *a: True"), "exception"),
    "module_patch": (("import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
                     "def lstm(x, prev_h, prev_c, W, U, b):\n    return np.zeros((3, 5)), np.zeros((3, 5))\n"),
                     "case"),
    "recursion": (lstm_file(extra="import sys; sys.setrecursionlimit(10**6)\n    def r(n): return r(n + 1) + 1\n"
                                  "    r(0)"), None),
    "stdin": (lstm_file(extra="input()"), "exception"),
    "ignore_sigterm": (lstm_file(extra="import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                                       "time.sleep(60)"), "timeout"),
    "returns_string": (lstm_file("'passed'"), "bad-return"),
    "returns_nan": (lstm_file("c * np.nan, h"), "case"),
    "broadcastable": (lstm_file("c[:1], h[:1]"), "case"),
    "prints_passed_and_exits": (lstm_file(extra="print('All tests passed!'); import sys; sys.stdout.flush(); "
                                                "import os; os._exit(0)"), "exit"),
}


def test_hostile_submissions_each_fail_clearly_while_the_batch_goes_on(tmp_path):
    paths = []
    for name, (source, _kind) in HOSTILE.items():
        path = tmp_path / f"{name}.py"
        path.write_text(source)
        paths.append(path)
    good = tmp_path / "zz_good.py"
    good.write_text(lstm_file())
    paths.append(good)
    seen = []
    start = time.monotonic()
    graded = grade_many(LSTM, paths, jobs=2, limits=Limits(wall_seconds=2.0), on_result=seen.append)
    elapsed = time.monotonic() - start
    assert len(graded) == len(seen) == len(paths)
    assert [g.file for g in graded] == [str(p) for p in paths]
    by_name = {Path(g.file).stem: g.result for g in graded}
    assert by_name["zz_good"].passed
    for name, (_source, kind) in HOSTILE.items():
        result = by_name[name]
        assert not result.passed, name
        assert result.score == 0, name
        assert result.feedback, name
        if kind is not None:
            assert result.details["diagnosis"] == kind, (name, result.feedback)
    assert "Time limit" in by_name["infinite_loop"].feedback
    assert "Out of memory" in by_name["alloc_2gb"].feedback or "memory" in by_name["alloc_2gb"].feedback
    assert "ended its own process" in by_name["os_exit"].feedback
    assert "standard input" in by_name["stdin"].feedback
    assert "must return NumPy arrays" in by_name["returns_string"].feedback
    assert "contains NaN" in by_name["returns_nan"].feedback
    assert "only works for a batch of 1" in by_name["broadcastable"].feedback
    assert "recursed without end" in by_name["recursion"].feedback or not by_name["recursion"].passed
    # two 2-second limits on two workers, plus start-up: nothing waits for anything else
    assert elapsed < 15


def test_an_unreadable_file_in_a_batch_is_a_failing_result(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_bytes(b"\xff\xfe\x00")
    good = tmp_path / "good.py"
    good.write_text(CLIP.filled("grad * rate"))
    graded = grade_many(CLIP, [bad, good], jobs=2)
    assert not graded[0].result.passed and "not UTF-8" in graded[0].result.feedback
    assert graded[1].result.passed
