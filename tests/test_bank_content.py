"""The built-in bank covers the course: every confirmation test and exercise challenge, once, as the issues name them."""

from __future__ import annotations

import pytest

from quizzer.bank import load_bank
from quizzer.bank.serve import serve
from quizzer.checking import check

CONFIRMATION_TESTS = {
    "conv-output-size": "cnn-review",
    "rnn-third-weight": "rnn",
    "chain-rule-dzdx": "bptt",
    "rnn-y1-formula": "rnn",
    "sigmoid-derivative-max": "training",
    "lstm-which-gate": "lstm",
    "lstm-cec-problems": "lstm",
    "lstm-vs-gru": "gru",
    "seq2seq-which-description": "seq2seq",
    "seq2seq-hred-vhred": "hred-vhred",
    "vae-latent-blank": "autoencoder-vae",
    "rnn-word2vec-seq2seq-attention": "attention",
}
EXERCISE_CHALLENGES = ("gradient-clipping", "lstm-cell", "gru-cell", "bidirectional-concat", "bptt-delta", "recursive-tree", "seq2seq-encode")
FUNCTION_EXERCISES = ("rnn-step-forward", "lstm-forward", "gru-forward", "rnn-bptt", "attention-context", "tanh-derivative", "softmax")
TOPICS = ("rnn", "bptt", "lstm", "gru", "bidirectional", "seq2seq", "hred-vhred", "autoencoder-vae", "word2vec", "attention", "training", "applications", "cnn-review")


@pytest.fixture(scope="module")
def bank():
    return load_bank(["builtin"])


def test_each_course_item_is_in_the_bank_exactly_once(bank):
    sources = [item.source for item in bank.items.values() if item.source != "original"]
    assert len(sources) == len(set(sources)), "a course item appears twice"
    for item_id, topic in CONFIRMATION_TESTS.items():
        item = bank.get(item_id)
        assert item.source == f"confirmation-test:{item_id}" and item.topic == topic
    for item_id in EXERCISE_CHALLENGES:
        item = bank.get(item_id)
        assert item.kind == "exercise" and item.type == "blank" and item.source == f"exercise-challenge:{item_id}"
    assert len(sources) == len(CONFIRMATION_TESTS) + len(EXERCISE_CHALLENGES)


def test_whole_function_exercises_exist(bank):
    for item_id in FUNCTION_EXERCISES:
        assert bank.get(item_id).type == "function"


def test_every_topic_is_covered_with_mixed_types(bank):
    for topic in TOPICS:
        questions = bank.select(topics=[topic], kinds=["question"])
        assert len(questions) >= 8, topic
        assert len({q.type for q in questions}) >= 3, topic


@pytest.mark.parametrize(
    ("item_id", "answer", "passed"),
    [
        ("conv-output-size", "3x3", True),
        ("conv-output-size", "3", True),
        ("conv-output-size", "2x2", False),
        ("chain-rule-dzdx", "2x+2y", True),
        ("chain-rule-dzdx", "2t", None),
        ("chain-rule-dzdx", "x+y", False),
        ("lstm-which-gate", "忘却ゲート", True),
        ("lstm-which-gate", "forget gate", True),
        ("lstm-which-gate", "input gate", False),
        ("vae-latent-blank", "確率分布", True),
        ("vae-latent-blank", "probability distribution", True),
        ("rnn-y1-formula", "sigmoid(w_out*sigmoid(w_in*x1 + w*z0 + b) + c)", True),
        ("rnn-y1-formula", "sigmoid(w_out*(w_in*x1 + w*z0 + b) + c)", False),
    ],
)
def test_course_answers(bank, item_id, answer, passed):
    from quizzer.errors import AnswerError

    served = serve(bank.get(item_id), seed=1)
    if passed is None:
        with pytest.raises(AnswerError):
            check(served, answer, lang="en")
        return
    assert check(served, answer, lang="en").passed is passed


def test_conv_output_size_keeps_the_course_values(bank):
    item = bank.get("conv-output-size")
    assert not item.params
    prompt = item.prompt.get("en")
    for fact in ("5", "3", "2", "1"):
        assert fact in prompt


def test_sigmoid_derivative_max_is_the_quarter(bank):
    item = bank.get("sigmoid-derivative-max")
    right = [o.text.get("en") for o in item.spec.options if o.key in item.spec.answer]
    assert right == ["0.25"]


def test_the_bank_passes_240_questions_each_with_a_difficulty(bank):
    questions = [i for i in bank.items.values() if i.kind == "question"]
    assert len(questions) > 240
    assert all(item.difficulty in (1, 2, 3) for item in bank.items.values())
    levels = {item.difficulty for item in questions}
    assert levels == {1, 2, 3}


def test_the_right_option_is_the_longest_in_at_most_a_third(bank):
    from quizzer.authoring.validate import longest_correct

    longest, single = longest_correct([i for i in bank.items.values() if i.kind == "question"])
    assert single >= 60 and 3 * longest <= single, (longest, single)


@pytest.mark.parametrize(
    ("item_id", "answer", "passed"),
    [
        ("rnn-third-weight", "weights from one middle layer to the next", True),
        ("rnn-third-weight", "中間層から中間層にかかる重み", True),
        ("rnn-third-weight", "weight from the input to the hidden layer", False),
        ("rnn-third-weight", "中間層から出力層への重み", False),
        ("autoencoder-vae-merit", "次元削減が行える", True),
        ("autoencoder-vae-merit", "データの次元を減らせること", True),
        ("autoencoder-vae-merit", "画像をきれいにできる", False),
        ("hred-vhred-vhred-addition", "潜在変数の概念", True),
        ("hred-vhred-vhred-addition", "the latent variables of a VAE", True),
        ("hred-vhred-vhred-addition", "attention", False),
        ("gru-update-gate-name", "アップデートゲート", True),
        ("gru-update-gate-name", "リセットゲート", False),
        ("bidirectional-name", "BRNN", True),
        ("seq2seq-thought-vector", "final state", False),
    ],
)
def test_free_answers_the_review_found_rejected(bank, item_id, answer, passed):
    assert check(serve(bank.get(item_id), seed=1), answer, lang="ja").passed is passed


def test_lstm_which_gate_keeps_the_course_sentence(bank):
    prompt = bank.get("lstm-which-gate").prompt.get("ja")
    assert "映画おもしろかったね。ところで、とてもお腹が空いたから何か" in prompt


def test_context_vector_size_says_which_lstm_state_is_meant(bank):
    prompt = bank.get("seq2seq-context-vector-size").prompt
    assert "h_T" in prompt.get("en") and "c_T" in prompt.get("en") and "h_T" in prompt.get("ja")
