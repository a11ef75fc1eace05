"""The seven course exercises prove themselves through the real grading pipeline.

For each: the solution and every alternative pass, every misconception fails and is recognised as
itself (its feedback is the one the learner gets, in both languages), the unfilled template fails,
and the traps that catch answers right only by accident do catch them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from quizzer.bank.model import BLANK
from quizzer.engine.grade import grade_source, prepare, source_for
from quizzer.engine.sandbox import Runner
from quizzer.engine.tasks import get_task
from tests.conftest import load_exercises

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "exercises" / "course.yaml"
IDS = ("gradient-clipping", "lstm-cell", "gru-cell", "bidirectional-concat", "bptt-delta", "recursive-tree",
       "seq2seq-encode")


EXERCISES = load_exercises(COURSE)


def grade(exercise_id: str, answer: str, runner: Runner, lang: str = "en"):
    ex = EXERCISES[exercise_id]
    return grade_source(ex, source_for(ex, answer), runner=runner, lang=lang)


def whole_file(exercise_id: str, old: str, new: str, blank: str | None = None) -> str:
    """The template filled with the solution (or ``blank``), with ``old`` replaced by ``new``."""
    ex = EXERCISES[exercise_id]
    source = ex.filled(blank or ex.solution)
    assert old in source, old
    return source.replace(old, new)


# --- the bank's shape --------------------------------------------------------------------------


def test_the_seven_course_exercises_are_there_with_their_ids():
    assert set(EXERCISES) == set(IDS)
    for ex in EXERCISES.values():
        assert ex.type == "blank"
        assert ex.source == f"exercise-challenge:{ex.id}"
        assert ex.task == ex.id
        assert ex.template.count(BLANK) == 1


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_text_is_in_english_and_japanese(exercise_id):
    ex = EXERCISES[exercise_id]
    assert ex.languages() == ("en", "ja")
    assert len(ex.hints) >= 3
    assert len(ex.misconceptions) >= 3
    assert ex.explanation and ex.alternatives


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_prompt_states_the_conventions_in_each_language(exercise_id):
    # in plain words (no labels such as WEIGHT_LAYOUT: tests/test_exercise_prompts.py), with the code that fixes them
    stated = {
        "gradient-clipping": {"en": ["greater than threshold", "grad * threshold / norm", "unchanged"],
                              "ja": ["threshold より大きければ", "grad * threshold / norm", "そのまま返す"]},
        "lstm-cell": {"en": ["a, i, f, o", "x.dot(W.T)", "forget gate"],
                      "ja": ["a, i, f, o", "x.dot(W.T)", "忘却ゲート"]},
        "gru-cell": {"en": ["h_new = (1 - z) * h + z * h_bar", "(r * h).dot(U.T)", "z = 1 takes the candidate"],
                     "ja": ["h_new = (1 - z) * h + z * h_bar", "(r * h).dot(U.T)", "z = 1 のとき候補"]},
        "bidirectional-concat": {"en": ["(N, T, D)", "feature axis", "forward states first"],
                                 "ja": ["(N, T, D)", "特徴量の軸", "順方向を先に"]},
        "bptt-delta": {"en": ["divided by the batch size N", "zero", "x"], "ja": ["バッチサイズ N で割る", "0とする"]},
        "recursive-tree": {"en": ["(H, 2H)", "passed down the recursion"], "ja": ["(H, 2H)", "再帰呼び出しに渡して"]},
        "seq2seq-encode": {"en": ["(emb, vocab)", "column k of E is the vector of word k"],
                           "ja": ["(emb, vocab)", "E の第 k 列が単語 k のベクトル"]},
    }[exercise_id]
    for lang, texts in stated.items():
        prompt = EXERCISES[exercise_id].prompt.get(lang)
        for text in texts:
            assert text in prompt, (lang, text)


# --- solutions, alternatives, misconceptions, templates ------------------------------------------


@pytest.mark.parametrize("exercise_id", IDS)
def test_solution_passes_every_case(exercise_id, runner):
    result = grade(exercise_id, EXERCISES[exercise_id].solution, runner)
    assert result.passed, result.feedback
    assert result.score == result.max_score == len(result.cases)


@pytest.mark.parametrize(("exercise_id", "answer"),
                         [(ex.id, alt) for ex in EXERCISES.values() for alt in ex.alternatives])
def test_alternatives_pass(exercise_id, answer, runner):
    result = grade(exercise_id, answer, runner)
    assert result.passed, result.feedback


@pytest.mark.parametrize(("exercise_id", "index"),
                         [(ex.id, i) for ex in EXERCISES.values() for i in range(len(ex.misconceptions))])
def test_each_misconception_fails_with_its_own_feedback(exercise_id, index, runner):
    ex = EXERCISES[exercise_id]
    m = ex.misconceptions[index]
    answer = m.code if m.code is not None else m.blank
    result = grade(exercise_id, answer, runner)
    assert not result.passed
    assert result.details["diagnosis"] == "misconception", result.feedback
    assert result.details["misconception"] == index, result.feedback
    assert result.feedback.startswith(m.feedback.get("en"))
    assert m.feedback.get("ja") in grade(exercise_id, answer, runner, lang="ja").feedback


@pytest.mark.parametrize("exercise_id", IDS)
def test_unfilled_template_fails_and_says_so(exercise_id, runner):
    ex = EXERCISES[exercise_id]
    result = grade_source(ex, ex.template, runner=runner)
    assert not result.passed and result.score == 0
    assert "____ is still in the code" in result.feedback


@pytest.mark.parametrize("exercise_id", IDS)
def test_a_whole_filled_in_file_is_graded_like_the_expression(exercise_id, runner):
    ex = EXERCISES[exercise_id]
    filled = ex.filled(ex.solution)
    assert source_for(ex, filled) == filled
    assert grade_source(ex, filled, runner=runner).passed


# --- the course's own printed answers are recognised -------------------------------------------


@pytest.mark.parametrize(("exercise_id", "printed", "undefined"), [
    ("gradient-clipping", "gradient * rate", "'gradient' is not defined here; the template defines: grad, threshold, norm, rate"),
    ("lstm-cell", "input_gate * a + forget_gate * c", "'c' has no value yet"),
    ("bidirectional-concat", "np.concatenate([h_f, h_b[::-1]], axis=1)", "'h_f' is not defined here; the template defines: xs, W_f, U_f, W_b, U_b, V, xs_f, xs_b, i, x, hs_f, hs_b"),
])
def test_the_courses_printed_answer_names_the_undefined_variable(exercise_id, printed, undefined, runner):
    result = grade(exercise_id, printed, runner)
    assert not result.passed
    assert "course's printed answer" in result.feedback
    assert undefined in result.feedback


def test_the_courses_wrap_around_bptt_loop_is_recognised(runner):
    ex = EXERCISES["bptt-delta"]
    course = whole_file("bptt-delta", "h_prev = hiddens[:, bptt_step - 1] if bptt_step > 0 else h_init",
                        "h_prev = hiddens[:, bptt_step - 1]")
    result = grade_source(ex, course, runner=runner)
    assert not result.passed
    assert "hiddens[:, -1]" in result.feedback


def test_the_courses_encoder_returning_inside_the_loop_is_recognised(runner):
    ex = EXERCISES["seq2seq-encode"]
    source = whole_file("seq2seq-encode", "    return h\n", "").replace(
        "h = activation(W.dot(e) + U.dot(h) + b)", "h = activation(W.dot(e) + U.dot(h) + b)\n        return h")
    result = grade_source(ex, source, runner=runner)
    assert not result.passed
    assert "only the first word" in result.feedback


# --- the cases expose answers right only by accident ---------------------------------------------


@pytest.mark.parametrize("exercise_id", IDS)
def test_cases_use_at_least_three_seeds(exercise_id):
    ex = EXERCISES[exercise_id]
    assert len(ex.seeds) >= 3
    cases = prepare(ex).cases
    assert len(cases) >= 3
    assert len({c.name for c in cases}) == len(cases)


@pytest.mark.parametrize("task", ["lstm-cell", "gru-cell", "bidirectional-concat", "bptt-delta"])
def test_batched_cases_have_distinct_dimensions_and_a_square_trap(task):
    cases = get_task(task).cases([1, 2, 3])
    distinct = 0
    square = 0
    for case in cases:
        first = next(iter(case.args.values()))
        N = first.shape[0]
        assert N >= 2
        W = case.args.get("W", case.args.get("W_f"))
        H, D = W.shape[0] // (4 if task == "lstm-cell" else 1), W.shape[1]
        if first.ndim == 3:
            assert first.shape[1] >= 3  # T
        dims = {N, D, H} | ({first.shape[1]} if first.ndim == 3 else set())
        if len(dims) == first.ndim + 1:  # N, D, H (and T) all different
            distinct += 1
        if D == H:
            square += 1
        for value in case.args.values():
            if value.ndim == 2 and value.shape[0] == value.shape[1]:
                assert not np.allclose(value, value.T), "weights must not be symmetric"
    assert distinct >= 3 and square >= 1


def test_lstm_and_gru_gates_are_driven_far_from_one_half():
    from quizzer.reference import sigmoid

    for case in get_task("lstm-cell").cases([1, 2, 3]):
        a = case.args
        gates = sigmoid(a["x"] @ a["W"].T + a["prev_h"] @ a["U"].T + a["b"])[:, a["W"].shape[0] // 4:]
        assert np.mean(np.abs(gates - 0.5) > 0.3) > 0.4
    for case in get_task("gru-cell").cases([1, 2, 3]):
        a = case.args
        z = sigmoid(a["x"] @ a["W_z"].T + a["h"] @ a["U_z"].T)
        assert np.mean(np.abs(z - 0.5) > 0.3) > 0.4


def test_clipping_cases_lie_above_below_and_at_zero():
    norms = []
    for case in get_task("gradient-clipping").cases([1, 2, 3]):
        norms.append(np.linalg.norm(case.args["grad"]) / case.args["threshold"])
    assert any(n > 1 for n in norms) and any(0 < n < 1 for n in norms) and 0 in norms


def test_a_batch_of_one_answer_is_refused_with_its_reason(runner):
    source = whole_file("lstm-cell", "return c, h", "return c[:1], h[:1]")
    result = grade_source(EXERCISES["lstm-cell"], source, runner=runner)
    assert not result.passed
    assert "has shape (1, 5) but (3, 5) was expected: it only works for a batch of 1" in result.feedback


def test_the_other_gru_convention_fails(runner):
    result = grade("gru-cell", "z * h + (1 - z) * h_bar", runner)
    assert not result.passed and result.score == 0
    assert "other GRU convention" in result.feedback


def test_a_missing_transpose_on_a_square_matrix_fails(runner):
    source = whole_file("gru-cell", "h.dot(U_z.T)", "h.dot(U_z)")
    result = grade_source(EXERCISES["gru-cell"], source, runner=runner)
    assert not result.passed and result.score == 0  # same shapes, different values


def test_a_transposed_recurrent_weight_in_bptt_fails(runner):
    result = grade("bptt-delta", "U.dot(delta_t.T).T", runner)
    assert not result.passed
    assert "U is transposed" in result.feedback


def test_a_batch_reversed_bidirectional_merge_fails(runner):
    result = grade("bidirectional-concat", "np.concatenate([hs_f, np.flip(hs_b, axis=0)], axis=2)", runner)
    assert not result.passed
    assert "reverses axis 0, the batch" in result.feedback


def test_clipping_without_clipping_only_passes_the_cases_below_the_threshold(runner):
    result = grade("gradient-clipping", "grad", runner)
    assert not result.passed
    passed = [c.name for c in result.cases if c.passed]
    assert passed and all("below" in name or "zero" in name for name in passed)
    assert result.score == len(passed)
