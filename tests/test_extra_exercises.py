"""The whole-function, extra and model exercises prove themselves through the real grading pipeline.

For every exercise in exercises/functions.yaml, exercises/extra.yaml and exercises/models.yaml: the solution and every
listed alternative pass, every misconception fails AND is recognised as itself (its feedback is the
one the learner gets), and the unfilled template fails. The rnn-bptt reference and solution are
also checked against central differences of L = sum(dhs * hs).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from quizzer import reference as ref
from quizzer.bank import Problems, read_files
from quizzer.bank.model import Exercise
from quizzer.engine.grade import grade_source, source_for
from quizzer.engine.sandbox import Runner
from quizzer.engine.tasks import get_task
from tests.conftest import load_exercises

ROOT = Path(__file__).resolve().parent.parent
FILES = (ROOT / "exercises" / "functions.yaml", ROOT / "exercises" / "extra.yaml", ROOT / "exercises" / "models.yaml")

FUNCTION_IDS = ("rnn-step-forward", "lstm-forward", "gru-forward", "rnn-bptt", "attention-context",
                "tanh-derivative", "softmax")
EXTRA_IDS = ("peephole-lstm-step", "attention-weights", "skipgram-pairs", "negative-sampling-loss",
             "embedding-lookup", "recurrent-dropout", "binary-addition-step", "sequence-cross-entropy",
             "rnn-param-count", "clip-global-norm", "numerical-gradient")
MODEL_IDS = ("vae-reparameterize", "seq2seq-greedy-decode", "beam-search", "lstm-backward-step", "gru-backward-step",
             "hred-context", "bidirectional-forward", "stacked-rnn")
ALL_IDS = FUNCTION_IDS + EXTRA_IDS + MODEL_IDS

EXERCISES = load_exercises(*FILES)


def _grade(ex: Exercise, response: str, runner: Runner):
    return grade_source(ex, source_for(ex, response), runner=runner)


def _by_id(ids):
    return [pytest.param(i, id=i) for i in ids if i in EXERCISES]


# --- the bank's side -----------------------------------------------------------------------------


def test_every_exercise_is_present_with_its_file():
    problems = Problems()
    in_functions = read_files([FILES[0]], problems)
    in_extra = read_files([FILES[1]], problems)
    in_models = read_files([FILES[2]], problems)
    assert set(FUNCTION_IDS) <= set(in_functions)
    assert set(EXTRA_IDS) <= set(in_extra)
    assert set(MODEL_IDS) == set(in_models)
    assert len(in_extra) >= 9
    assert all(in_functions[i].type == "function" for i in FUNCTION_IDS)


@pytest.mark.parametrize("exercise_id", _by_id(ALL_IDS))
def test_content_standards(exercise_id):
    ex = EXERCISES[exercise_id]
    assert ex.task == ex.id
    assert ex.source == "original"
    assert ex.languages() == ("en", "ja"), "every text in English and Japanese"
    assert ex.explanation and len(ex.hints) >= 3 and len(ex.misconceptions) >= 3
    assert len(ex.seeds) >= 3
    assert f"def {ex.entry}(" in ex.template
    if ex.type == "function":
        assert f"def {ex.entry}(" in ex.solution
    # the cases are built so that N, T, D, H (where present) differ and the batch has >= 2 rows
    for case in get_task(ex.task).cases(ex.seeds):
        for name, shape in case.shapes.items():
            if name in ("xs", "hs", "probs", "dhs", "utts"):
                assert len(set(shape)) == len(shape), (name, shape)
                assert shape[0] >= 2 and shape[1] >= 3


# --- through the grader ------------------------------------------------------------------------


@pytest.mark.parametrize("exercise_id", _by_id(ALL_IDS))
def test_solution_and_alternatives_pass(exercise_id, runner):
    ex = EXERCISES[exercise_id]
    for answer in (ex.solution, *ex.alternatives):
        result = _grade(ex, answer, runner)
        assert result.passed, f"{answer!r}: {result.feedback}"
        assert result.score == result.max_score


@pytest.mark.parametrize("exercise_id", _by_id(ALL_IDS))
def test_unfilled_template_fails(exercise_id, runner):
    ex = EXERCISES[exercise_id]
    result = grade_source(ex, ex.template, runner=runner)
    assert not result.passed
    assert result.score == 0


def _misconception_params():
    for ex_id in ALL_IDS:
        if ex_id in EXERCISES:
            for k in range(len(EXERCISES[ex_id].misconceptions)):
                yield pytest.param(ex_id, k, id=f"{ex_id}-{k}")


@pytest.mark.parametrize(("exercise_id", "index"), list(_misconception_params()))
def test_misconception_fails_and_is_named(exercise_id, index, runner):
    ex = EXERCISES[exercise_id]
    m = ex.misconceptions[index]
    answer = m.code if m.code is not None else m.blank
    result = _grade(ex, answer, runner)
    assert not result.passed
    # recognised as this misconception (not an earlier one with the same outputs), in both languages
    assert result.details.get("diagnosis") == "misconception", result.feedback
    assert result.details.get("misconception") == index, result.feedback
    assert m.feedback.get("en") in result.feedback
    ja = _grade_ja(ex, answer, runner)
    assert m.feedback.get("ja") in ja.feedback


@pytest.mark.parametrize("exercise_id", _by_id(ALL_IDS))
def test_verdicts_do_not_depend_on_lucky_seeds(exercise_id, runner):
    # other seeds give other shapes and values: the solution still passes, every misconception still fails
    ex = dataclasses.replace(EXERCISES[exercise_id], seeds=(11, 12, 13, 14))
    assert _grade(ex, ex.solution, runner).passed
    for m in ex.misconceptions:
        assert not _grade(ex, m.code if m.code is not None else m.blank, runner).passed, m.feedback.get("en")


def _grade_ja(ex: Exercise, answer: str, runner: Runner):
    return grade_source(ex, source_for(ex, answer), runner=runner, lang="ja")


# --- the numerical traps -------------------------------------------------------------------------


def test_softmax_cases_overflow_a_naive_softmax():
    big = [c for c in get_task("softmax").cases((1, 2, 3)) if np.abs(c.args["x"]).max() >= 1000]
    assert big
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(big[0].args["x"]) / np.exp(big[0].args["x"]).sum(axis=-1, keepdims=True)
    assert not np.isfinite(naive).all()
    assert np.isfinite(big[0].expected[0]).all()


def test_tanh_cases_reach_cosh_overflow():
    xs = [c.args["x"] for c in get_task("tanh-derivative").cases((1, 2, 3))]
    assert any(np.abs(x).max() >= 800 for x in xs)  # np.cosh(800) == inf, np.cosh(400) ** 2 == inf
    assert any(np.any(np.abs(x) == 30) for x in xs)  # tanh(30) == 1.0 exactly


def test_cosh_form_passes_although_numpy_warns_about_overflow(runner):
    ex = EXERCISES["tanh-derivative"]
    cosh_form = next(a for a in ex.alternatives if "cosh" in a)
    result = _grade(ex, cosh_form, runner)
    assert result.passed, result.feedback
    assert "RuntimeWarning: overflow" in result.details["output"]  # the warning was printed, and ignored


# --- BPTT against central differences ------------------------------------------------------------


def _bptt_numerical(args: dict) -> dict[str, np.ndarray]:
    xs, dhs = args["xs"], args["dhs"]
    params = {k: args[k] for k in ("W", "U", "b", "h0")}

    def loss(**p):
        return float(np.sum(dhs * ref.rnn_forward(xs, p["W"], p["U"], p["b"], h0=p["h0"])))

    return {name: ref.numerical_gradient(lambda v, name=name: loss(**{**params, name: v}), params[name])
            for name in params}


def test_rnn_bptt_reference_agrees_with_numerical_gradients():
    for case in get_task("rnn-bptt").cases((1, 2, 3)):
        numerical = _bptt_numerical(case.args)
        for name, analytic in zip(("W", "U", "b", "h0"), case.expected):
            assert ref.relative_error(analytic, numerical[name]) < 1e-6, (case.name, name)


def test_rnn_bptt_solution_agrees_with_numerical_gradients():
    # the solution run in this process (a test only: the product never execs learner code in-process)
    ex = EXERCISES["rnn-bptt"]
    namespace: dict = {}
    exec(compile(ex.provided + "\n" + ex.solution, "<solution>", "exec"), namespace)
    for case in get_task("rnn-bptt").cases(ex.seeds):
        grads = namespace[ex.entry](**case.args)
        numerical = _bptt_numerical(case.args)
        for name, analytic in zip(("W", "U", "b", "h0"), grads):
            assert ref.relative_error(analytic, numerical[name]) < 1e-6, (case.name, name)


def test_numerical_gradient_loss_is_the_one_the_learner_is_given():
    """The task differentiates the same loss that the exercise's `provided` code hands the learner."""
    import numpy as np

    from quizzer.engine.tasks.extra import gradient_check_loss

    namespace: dict = {}
    exec(EXERCISES["numerical-gradient"].provided, namespace)  # trusted bank code, not a submission
    rng = np.random.default_rng(0)
    W, x = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    assert namespace["loss"](W, x) == gradient_check_loss(W, x)


def test_numerical_gradient_reference_matches_the_analytic_gradient():
    import numpy as np

    from quizzer.engine.tasks import get_task

    for case in get_task("numerical-gradient").cases([1, 2, 3]):
        W, x = case.args["W"], case.args["x"]
        a = np.tanh(x.dot(W.T))
        analytic = (2 * a * (1 - a**2)).T.dot(x)
        assert np.allclose(case.expected[0], analytic, rtol=1e-7, atol=1e-9)


# --- what the decoding cases are built to show ---------------------------------------------------


def test_greedy_cases_end_on_eos_and_at_max_len():
    cases = get_task("seq2seq-greedy-decode").cases((1, 2, 3))
    ends = [c.expected[0][-1] == c.args["eos"] and len(c.expected[0]) < c.args["max_len"] for c in cases]
    full = [c.args["eos"] not in c.expected[0] and len(c.expected[0]) == c.args["max_len"] for c in cases]
    assert sum(ends) == 3 and sum(full) == 3
    assert all(c.args["bos"] not in c.expected[0] for c in cases)


def test_beam_cases_show_what_the_width_buys_and_the_tie_rule():
    from quizzer.engine.tasks.models import _beam_with_reversed_ties

    for case in get_task("beam-search").cases((1, 2, 3)):
        logp, k, steps = case.args["logp"], case.args["k"], case.args["T"]
        found = tuple(int(v) for v in case.expected[0])
        greedy = ref.beam_search(logp, 1, steps).tokens
        if "tie" in case.name:
            assert _beam_with_reversed_ties(logp, k, steps).tokens != found
        elif k > 1:
            assert found != greedy  # the width finds a better sentence than greedy decoding...
            assert found != ref.exhaustive_best(logp, steps).tokens  # ...and still misses the best one
