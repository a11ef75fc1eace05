"""Each question type's checker, with right and wrong answers and the traps a learner falls into."""

from __future__ import annotations

from dataclasses import replace

import pytest

from quizzer.bank import load_bank
from quizzer.bank.serve import serve
from quizzer.checking import check
from quizzer.errors import AnswerError


@pytest.fixture(scope="module")
def bank():
    from tests.conftest import FIXTURE_BANK

    return load_bank([str(FIXTURE_BANK)])


def in_bank_order(bank, item_id, seed=None):
    served = serve(bank.get(item_id), seed=seed)
    return replace(served, options=bank.get(item_id).spec.options) if served.options else served


@pytest.mark.parametrize("answer", ["b", "B", "2", " b ", "(b)"])
def test_choice_accepts_letter_or_number(bank, answer):
    assert check(in_bank_order(bank, "mini-choice"), answer, lang="en").passed


@pytest.mark.parametrize("answer", ["a", "3", "d"])
def test_choice_rejects_other_options(bank, answer):
    result = check(in_bank_order(bank, "mini-choice"), answer, lang="en")
    assert not result.passed and result.expected == "b) 0.25"


@pytest.mark.parametrize("answer", ["e", "5", "0", "maybe", "", "a,b"])
def test_choice_unreadable_answers_raise(bank, answer):
    with pytest.raises(AnswerError):
        check(in_bank_order(bank, "mini-choice"), answer, lang="en")


def test_choice_letters_follow_the_shuffled_order(bank):
    item = bank.get("mini-choice")
    for seed in range(20):
        served = serve(item, seed=seed)
        right = "abcd"[[o.key for o in served.options].index("b")]
        assert check(served, right, lang="en").passed
    orders = {tuple(o.key for o in serve(item, seed=s).options) for s in range(20)}
    assert len(orders) > 1, "options are shuffled per serving"
    assert serve(item, seed=5).options == serve(item, seed=5).options, "a seed reproduces the serving"


@pytest.mark.parametrize(("answer", "passed", "score"), [("a,c", True, 1.0), ("c a", True, 1.0), ("ac", True, 1.0), ("a", False, 0.5), ("a,b", False, 0.0), ("a,b,c", False, 0.5)])
def test_multiple_choice_needs_every_correct_option(bank, answer, passed, score):
    result = check(in_bank_order(bank, "mini-multi"), answer, lang="en")
    assert (result.passed, result.score) == (passed, score)


@pytest.mark.parametrize("answer", ["0.25", ".25", "1/4", "25/100", "2^-2", "2**-2", "0.250", "１／４"])
def test_numeric_forms_of_one_quarter_are_exact(bank, answer):
    assert check(in_bank_order(bank, "mini-numeric"), answer, lang="en").passed


@pytest.mark.parametrize("answer", ["0.26", "1/3", "0.2499", "-0.25"])
def test_numeric_near_misses_are_wrong(bank, answer):
    result = check(in_bank_order(bank, "mini-numeric"), answer, lang="en")
    assert not result.passed and result.expected == "0.25"


def _with_answer(bank, answer):
    item = bank.get("mini-numeric")
    return serve(replace(item, spec=replace(item.spec, answer=answer)))


@pytest.mark.parametrize(("exact", "answer", "passed"), [
    ("2/7", "0.286", True), ("2/7", "0.2857", True), ("2/7", "0.28571", True), ("2/7", ".286", True),
    ("2/7", "０．２８６", True), ("-2/7", "-0.286", True), ("100/3", "33.3", True), ("2/7", "4/14", True),
    ("2/7", "0.285", False),   # cut, not rounded
    ("2/7", "0.29", False),    # two significant digits stand for too much
    ("2/7", "0.2860", False),  # a fourth place that is wrong
    ("100/3", "33", False),    # no decimal point: not a rounded decimal
    ("1/4", "0.3", False),     # an answer with an exact decimal is typed exactly
    ("1/8", "0.125", True), ("1/8", "0.13", False),
])
def test_an_exact_answer_without_a_decimal_form_accepts_a_correctly_rounded_decimal(bank, exact, answer, passed):
    result = check(_with_answer(bank, exact), answer, lang="en")
    assert result.passed is passed, result.feedback


@pytest.mark.parametrize("answer", ["3", "3x3", "3 x 3", "3×3", "3X3", "(3, 3)"])
def test_shape_answers(bank, answer):
    assert check(in_bank_order(bank, "mini-shape"), answer, lang="en").passed


@pytest.mark.parametrize("answer", ["3x2", "2", "3x3x3", "9"])
def test_wrong_shapes(bank, answer):
    assert not check(in_bank_order(bank, "mini-shape"), answer, lang="en").passed


def test_numeric_names_get_a_message_about_numbers(bank):
    with pytest.raises(AnswerError, match="answer with a number"):
        check(in_bank_order(bank, "mini-numeric"), "quarter", lang="en")


def test_numeric_tolerance(bank):
    served = in_bank_order(bank, "mini-tanh")
    assert check(served, "0.420", lang="en").passed
    assert not check(served, "0.43", lang="en").passed


def test_parameterised_answer_follows_the_drawn_values(bank):
    item = bank.get("mini-param")
    seen = set()
    for seed in range(30):
        served = serve(item, seed=seed)
        d, h = served.values["D"], served.values["H"]
        seen.add((d, h))
        assert check(served, str(4 * (h * d + h * h + h)), lang="en").passed
        assert not check(served, str(4 * (h * d + h * h)), lang="en").passed
        assert f"D = {d}" in served.prompt("en")
    assert len(seen) > 3, "fresh values are drawn at each serving"


@pytest.mark.parametrize("answer", ["2(x+y)", "2x+2y", "(x+y)*2", "2*x + 2*y", "x + y + x + y", "2 (y + x)"])
def test_symbolic_equivalent_forms(bank, answer):
    assert check(in_bank_order(bank, "mini-symbolic"), answer, lang="en").passed


@pytest.mark.parametrize("answer", ["x+y", "4(x+y)", "2x+y", "2*t"])
def test_symbolic_wrong_forms(bank, answer):
    try:
        result = check(in_bank_order(bank, "mini-symbolic"), answer, lang="en")
    except AnswerError:
        assert answer == "2*t"  # t is not a declared variable: refused, not graded
        return
    assert not result.passed


@pytest.mark.parametrize("answer", ["__import__('os').system('echo hi')", "().__class__", "lambda: 1", "x.real", "x[0]", "'x'"])
def test_symbolic_refuses_what_is_not_maths(bank, answer):
    with pytest.raises(AnswerError):
        check(in_bank_order(bank, "mini-symbolic"), answer, lang="en")


def test_unknown_function_is_named_not_read_as_a_product(bank):
    with pytest.raises(AnswerError, match="factorial"):
        check(in_bank_order(bank, "mini-symbolic"), "factorial(x)", lang="en")


@pytest.mark.parametrize("answer", ["forget gate", "Forget Gate", "forget", "the forget gate.", "FORGET-GATE", "忘却ゲート", "忘却", "ｆｏｒｇｅｔ　ｇａｔｅ"])
def test_text_normalised_in_both_languages(bank, answer):
    assert check(in_bank_order(bank, "mini-text"), answer, lang="en").passed


@pytest.mark.parametrize("answer", ["input gate", "reset", "入力ゲート", "gate"])
def test_text_wrong_answers(bank, answer):
    assert not check(in_bank_order(bank, "mini-text"), answer, lang="en").passed


def test_feedback_speaks_the_learners_language(bank):
    served = in_bank_order(bank, "mini-text")
    assert check(served, "input", lang="ja").feedback.startswith("不正解")
    assert check(served, "input", lang="en").feedback.startswith("Not quite")


@pytest.mark.parametrize(("rating", "passed"), [("again", False), ("hard", True), ("good", True), ("easy", True), ("3", True), ("1", False)])
def test_flashcard_self_rating(bank, rating, passed):
    result = check(in_bank_order(bank, "mini-flashcard"), rating, lang="en")
    assert result.passed is passed and result.rating in ("again", "hard", "good", "easy")
    assert "two gates" in result.expected


def test_flashcard_needs_a_rating(bank):
    with pytest.raises(AnswerError, match="again, hard, good or easy"):
        check(in_bank_order(bank, "mini-flashcard"), "GRU is smaller", lang="en")


def test_missing_language_falls_back(bank):
    served = in_bank_order(bank, "mini-english-only")
    assert served.prompt("ja").startswith("Name the GRU gate")


@pytest.mark.parametrize(("answer", "shown"), [("2^2000", "1.148e+602"), ("-10^20", "-1.000e+20"), ("2^3000/3", "4.100e+902")])
def test_huge_exact_answers_are_shown_briefly(bank, answer, shown):
    result = check(in_bank_order(bank, "mini-numeric"), answer, lang="en")
    assert not result.passed and shown in result.feedback and len(result.feedback) < 120


CONCEPT_BANK = """format_version: 1
questions:
  - id: concept-third-weight
    topic: rnn
    type: text
    source: original
    prompt: {en: "Which third weight does a simple RNN have?", ja: "単純な RNN の3つ目の重みは何か。"}
    explanation: {en: "The recurrent weight W.", ja: "中間層から中間層への重み W である。"}
    accept:
      en: [weight from hidden layer to hidden layer]
      ja: [中間層から中間層への重み]
    concepts:
      - name: {en: "the hidden layer", ja: "中間層"}
        en: [hidden layer, middle layer, hidden state, recurrent]
        ja: [中間層, 隠れ層, 隠れ状態, 再帰]
      - name: {en: "that it links one time step to the next", ja: "時刻をつなぐこと"}
        en: [next, previous, hidden to hidden, recurrent]
        ja: [中間層から中間層, 前の, 1ステップ前, 再帰]
  - id: concept-merit
    topic: autoencoder-vae
    type: text
    source: original
    prompt: {en: "What is the merit of an autoencoder?", ja: "オートエンコーダーの利点は何か。"}
    explanation: {en: "Dimensionality reduction.", ja: "次元削減である。"}
    accept: {en: [dimensionality reduction], ja: [次元削減]}
    concepts:
      - name: {en: "the dimensions", ja: "次元"}
        en: [dimension, dimensionality]
        ja: [次元]
      - name: {en: "that they become fewer", ja: "削減"}
        en: [reduce, reduction, fewer, compress]
        ja: [削減, 減ら, 圧縮]
"""


@pytest.fixture(scope="module")
def concept_bank(tmp_path_factory):
    folder = tmp_path_factory.mktemp("concepts")
    (folder / "c.yaml").write_text(CONCEPT_BANK, encoding="utf-8")
    return load_bank([str(folder)], cache=False)


@pytest.mark.parametrize(
    "answer",
    [
        "weights from one middle layer to the next",
        "the weight connecting the previous hidden state to the current one",
        "Recurrent weights",
        "中間層から中間層にかかる重み",
        "中間層から中間層",
        "1ステップ前の隠れ状態に掛ける重み",
    ],
)
def test_an_answer_with_every_concept_passes_whatever_its_wording(concept_bank, answer):
    assert check(serve(concept_bank.get("concept-third-weight")), answer, lang="en").passed


@pytest.mark.parametrize("answer", ["次元削減が行える", "次元を減らせる", "the number of dimensions is reduced", "reducing the dimensionality", "圧縮により次元が小さくなる"])
def test_concepts_see_through_particles_and_endings(concept_bank, answer):
    assert check(serve(concept_bank.get("concept-merit")), answer, lang="ja").passed


def test_a_miss_names_the_missing_concept_in_the_learners_language(concept_bank):
    served = serve(concept_bank.get("concept-third-weight"))
    english = check(served, "weight from the input to the hidden layer", lang="en")
    assert not english.passed
    assert "does not mention that it links one time step to the next" in english.feedback
    assert "the hidden layer" not in english.feedback.split("mention")[1].split(".")[0]
    japanese = check(served, "入力層から中間層への重み", lang="ja")
    assert not japanese.passed and "「時刻をつなぐこと」が欠けています" in japanese.feedback
    merit = check(serve(concept_bank.get("concept-merit")), "画像を圧縮できる", lang="ja")
    assert not merit.passed and "「次元」" in merit.feedback and "削減" not in merit.feedback.split("正解")[0]


@pytest.mark.parametrize(("given", "accepted"), [("Output Gates", "output gate"), ("オートエンコーダ", "オートエンコーダー"), ("ｱｯﾌﾟﾃﾞｰﾄゲート", "アップデートゲート")])
def test_whole_answers_fold_plurals_long_vowels_and_width(given, accepted):
    from quizzer.checking.text import normalise

    assert normalise(given) == normalise(accepted)
