"""Tasks for the whole-function and extra exercises (exercises/functions.yaml and exercises/extra.yaml).

Every task draws its inputs from ``numpy.random.default_rng([seed, salt])``, so a seed always gives the
same cases, and computes the expected outputs with the hidden reference (``quizzer.reference``).
The cases are built to expose answers that are right only by accident:

- N >= 2, T >= 3, and N, T, D, H (and V, E, K) all different, so a swapped axis, a missing transpose
  of a non-square weight or a batch-of-one answer fails on shape;
- random (hence non-symmetric) square weights, so a transposed U gives the right shape but wrong
  numbers, plus one extra case with D == H where a missing transpose of W would otherwise only fail
  on shape;
- pre-activations scaled up (and LSTM biases shifted per gate) so sigmoid gates sit far from 0.5:
  a swapped gate or the other GRU blend changes the result by a lot, not within tolerance;
- the numerical traps each exercise is about: softmax rows around +-1000, tanh' at +-30 and +-400,
  repeated words in skip-gram sentences, gradient norms above and below the clipping threshold.

Small helpers the reference does not have (the recurrent-dropout RNN, the binary-addition step of the
course's row layout, parameter counts) are written here, each in a few lines.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from quizzer import reference as ref
from quizzer.engine.tasks import Case, register
from quizzer.engine.tasks._cases import GATE_SCALE, mat, rng_for, shapes, with_square

# Per-block bias shifts for the stacked LSTM weights in gate order a, i, f, o: the forget gate mostly
# open, the input gate mostly shut, so swapping i and f is far from the right answer.
LSTM_GATE_SHIFT = (0.0, -1.5, 2.0, 1.0)


def _dims(seed: int, square: bool = False) -> tuple[int, int, int, int]:
    """(N, T, D, H), all different (N in 2..3, T in 4..5, H 6, D in 7..8); with ``square`` D == H."""
    N = 2 + seed % 2
    T = 4 + (seed // 2) % 2
    H = 6
    D = H if square else 7 + seed % 2
    return N, T, D, H


# --- 1. one RNN step --------------------------------------------------------------------------------


def _rnn_step_case(name: str, seed: int, square: bool) -> Case:
    rng = rng_for(seed, 101 + square)
    N, _, D, H = _dims(seed, square)
    args = {
        "x": mat(rng, N, D),
        "h_prev": np.tanh(mat(rng, N, H, scale=2.0)),
        "W": mat(rng, H, D, scale=0.8),
        "U": mat(rng, H, H, scale=0.8),
        "b": mat(rng, H),
    }
    return Case(name, args, (ref.rnn_step_forward(**args),), shapes(args))


@register("rnn-step-forward", outputs=("h",), description="rnn_step_forward(x, h_prev, W, U, b) -> h")
def rnn_step_forward_cases(seeds: Sequence[int]) -> list[Case]:
    return with_square(seeds, _rnn_step_case)


# --- 2. LSTM over a sequence ------------------------------------------------------------------------


def _lstm_params(rng: np.random.Generator, D: int, H: int) -> dict[str, np.ndarray]:
    b = mat(rng, 4 * H, scale=0.5) + np.repeat(LSTM_GATE_SHIFT, H)
    return {"W": mat(rng, 4 * H, D, scale=0.7), "U": mat(rng, 4 * H, H, scale=0.7), "b": b}


def _lstm_forward_case(name: str, seed: int, square: bool) -> Case:
    rng = rng_for(seed, 201 + square)
    N, T, D, H = _dims(seed, square)
    args = {
        "xs": mat(rng, N, T, D),
        "h0": np.tanh(mat(rng, N, H)),
        "c0": mat(rng, N, H),
        **_lstm_params(rng, D, H),
    }
    hs, cs = ref.lstm_forward(args["xs"], args["W"], args["U"], args["b"], h0=args["h0"], c0=args["c0"])
    return Case(name, args, (hs, cs), shapes(args))


@register("lstm-forward", outputs=("hs", "cs"), description="lstm_forward(xs, h0, c0, W, U, b) -> (hs, cs)")
def lstm_forward_cases(seeds: Sequence[int]) -> list[Case]:
    return with_square(seeds, _lstm_forward_case)


# --- 3. GRU over a sequence (course convention) -----------------------------------------------------


def _gru_forward_case(name: str, seed: int, square: bool) -> Case:
    rng = rng_for(seed, 301 + square)
    N, T, D, H = _dims(seed, square)
    args: dict = {"xs": mat(rng, N, T, D), "h0": np.tanh(mat(rng, N, H, scale=2.0))}
    for w, u in (("W_r", "U_r"), ("W_z", "U_z"), ("W", "U")):
        args[w] = mat(rng, H, D, scale=0.9)
        args[u] = mat(rng, H, H, scale=0.9)
    hs = ref.gru_forward(args["xs"], args["W_r"], args["U_r"], args["W_z"], args["U_z"], args["W"], args["U"],
                         h0=args["h0"])
    return Case(name, args, (hs,), shapes(args))


@register("gru-forward", outputs=("hs",), description="gru_forward(xs, h0, W_r, U_r, W_z, U_z, W, U) -> hs")
def gru_forward_cases(seeds: Sequence[int]) -> list[Case]:
    return with_square(seeds, _gru_forward_case)


# --- 4. BPTT for the tanh RNN -----------------------------------------------------------------------


def _rnn_bptt_case(name: str, seed: int, square: bool) -> Case:
    rng = rng_for(seed, 401 + square)
    N, T, D, H = _dims(seed, square)
    args = {
        "xs": mat(rng, N, T, D),
        "h0": np.tanh(mat(rng, N, H)),
        "W": mat(rng, H, D, scale=0.6),
        # large enough that gradients from later steps matter, small enough not to saturate every unit
        "U": mat(rng, H, H, scale=0.6),
        "b": mat(rng, H, scale=0.5),
        "dhs": mat(rng, N, T, H),
    }
    g = ref.rnn_backward(args["dhs"], args["xs"], args["W"], args["U"], args["b"], h0=args["h0"])
    return Case(name, args, (g.dW, g.dU, g.db, g.dh0), shapes(args))


@register("rnn-bptt", outputs=("dW", "dU", "db", "dh0"),
          description="rnn_backward(xs, h0, W, U, b, dhs) -> (dW, dU, db, dh0)")
def rnn_bptt_cases(seeds: Sequence[int]) -> list[Case]:
    return with_square(seeds, _rnn_bptt_case)


# --- 5. attention: weights and context --------------------------------------------------------------


def _attention_args(seed: int, salt: int) -> dict[str, np.ndarray]:
    rng = rng_for(seed, salt)
    N, T, _, H = _dims(seed)
    # scores of a few units, so the softmax is far from uniform and far from one-hot
    return {"s": mat(rng, N, H, scale=0.8), "hs": mat(rng, N, T, H, scale=0.8)}


@register("attention-context", outputs=("weights", "context"),
          description="attention_context(s, hs) -> (weights, context)")
def attention_context_cases(seeds: Sequence[int]) -> list[Case]:
    cases = []
    for seed in seeds:
        args = _attention_args(seed, 501)
        context, weights = ref.attention_forward(args["s"], args["hs"])
        cases.append(Case(f"seed {seed}", args, (weights, context), shapes(args)))
    return cases


@register("attention-weights", outputs=("weights", "context"), description="attention(s, hs) -> (weights, context)")
def attention_weights_cases(seeds: Sequence[int]) -> list[Case]:
    cases = []
    for seed in seeds:
        args = _attention_args(seed, 502)
        context, weights = ref.attention_forward(args["s"], args["hs"])
        cases.append(Case(f"seed {seed}", args, (weights, context), shapes(args)))
    return cases


# --- 6. tanh' ---------------------------------------------------------------------------------------

# tanh saturates: at |x| = 30 tanh(x) is exactly 1.0 in float64; np.cosh(400) ** 2 and np.cosh(-800)
# overflow to inf (with a RuntimeWarning) while 1 / inf is still the right 0.
TANH_EXTREMES = np.array([[-800.0, -30.0, -5.0, 0.0], [0.5, 5.0, 30.0, 400.0]])


@register("tanh-derivative", outputs=("dx",), description="tanh_grad(x) -> 1 - tanh(x)**2")
def tanh_derivative_cases(seeds: Sequence[int]) -> list[Case]:
    cases = []
    for seed in seeds:
        rng = rng_for(seed, 601)
        N, T, D, _ = _dims(seed)
        x = mat(rng, N, D, scale=1.5)
        cases.append(Case(f"seed {seed}", {"x": x}, (ref.tanh_grad(x),), {"x": x.shape}))
        x3 = mat(rng, N, T, D, scale=3.0)
        cases.append(Case(f"seed {seed}, 3-d input", {"x": x3}, (ref.tanh_grad(x3),), {"x": x3.shape}))
    x = TANH_EXTREMES.copy()
    cases.append(Case("large |x| (30, 400, 800)", {"x": x}, (ref.tanh_grad(x),), {"x": x.shape}))
    return cases


# --- 7. softmax -------------------------------------------------------------------------------------

# Rows where exp overflows without the max shift ([1000, 1001, 1002] -> inf / inf = NaN), a row spanning
# -1000..1000, and an ordinary row: a max over the whole array instead of each row underflows that row.
SOFTMAX_ROWS = np.array([[1000.0, 1001.0, 1002.0, 999.0, 1000.5],
                         [-1000.0, 0.0, 1000.0, -3.0, 2.0],
                         [0.1, -1.2, 2.3, 0.7, -0.4]])


@register("softmax", outputs=("y",), description="softmax(x) along the last axis")
def softmax_cases(seeds: Sequence[int]) -> list[Case]:
    cases = []
    for seed in seeds:
        rng = rng_for(seed, 701)
        N, T, _, _ = _dims(seed)
        V = 7
        x = mat(rng, N, V, scale=2.0)
        cases.append(Case(f"seed {seed}", {"x": x}, (ref.softmax(x, axis=-1),), {"x": x.shape}))
        x3 = mat(rng, N, T, V, scale=2.0)
        cases.append(Case(f"seed {seed}, 3-d input", {"x": x3}, (ref.softmax(x3, axis=-1),), {"x": x3.shape}))
    x = SOFTMAX_ROWS.copy()
    cases.append(Case("rows around +-1000", {"x": x}, (ref.softmax(x, axis=-1),), {"x": x.shape}))
    return cases


# --- 8. peephole LSTM step --------------------------------------------------------------------------


def _peephole_case(name: str, seed: int, square: bool) -> Case:
    rng = rng_for(seed, 801 + square)
    N, _, D, H = _dims(seed, square)
    args = {
        "x": mat(rng, N, D),
        "prev_h": np.tanh(mat(rng, N, H, scale=2.0)),
        "prev_c": mat(rng, N, H, scale=1.5),
        **_lstm_params(rng, D, H),
        # peephole weights of order one, with both signs, so each peephole visibly moves its gate
        "p_i": mat(rng, H, scale=1.5),
        "p_f": mat(rng, H, scale=1.5),
        "p_o": mat(rng, H, scale=1.5),
    }
    h, c = ref.peephole_lstm_step_forward(args["x"], args["prev_h"], args["prev_c"], args["W"], args["U"],
                                          args["p_i"], args["p_f"], args["p_o"], b=args["b"])
    return Case(name, args, (c, h), shapes(args))


@register("peephole-lstm-step", outputs=("c", "h"),
          description="peephole_lstm(x, prev_h, prev_c, W, U, b, p_i, p_f, p_o) -> (c, h)")
def peephole_cases(seeds: Sequence[int]) -> list[Case]:
    return with_square(seeds, _peephole_case)


# --- 10. skip-gram pairs ----------------------------------------------------------------------------


@register("skipgram-pairs", outputs=("pairs",), description="skipgram_pairs(ids, window) -> (K, 2) pairs")
def skipgram_pairs_cases(seeds: Sequence[int]) -> list[Case]:
    cases = []
    for seed in seeds:
        rng = rng_for(seed, 1001)
        for window, length in ((1, 5 + seed % 3), (2, 7 + seed % 2), (3, 6)):
            # word ids from a small vocabulary, so words repeat and ids differ from positions
            ids = rng.integers(0, 9, size=length)
            ids[0] = 8  # never equal to position 0: returning positions instead of ids cannot pass
            args = {"ids": ids, "window": window}
            expected = ref.skipgram_pairs(ids, window).astype(np.float64)
            cases.append(Case(f"seed {seed}, {length} words, window {window}", args, (expected,),
                              {"ids": ids.shape}))
    return cases


# --- 11. negative-sampling loss ---------------------------------------------------------------------


@register("negative-sampling-loss", outputs=("loss",), description="ns_loss(v_c, u_o, u_neg) -> (N,) losses")
def negative_sampling_cases(seeds: Sequence[int]) -> list[Case]:
    cases = []
    for seed in seeds:
        rng = rng_for(seed, 1101)
        N, K, E = 2 + seed % 3, 5 + seed % 2, 8
        args = {"v_c": mat(rng, N, E, scale=0.7), "u_o": mat(rng, N, E, scale=0.7),
                "u_neg": mat(rng, N, K, E, scale=0.7)}
        loss = np.array([ref.negative_sampling_loss(args["v_c"][n], args["u_o"][n], args["u_neg"][n])
                         for n in range(N)])
        cases.append(Case(f"seed {seed}, K = {K}", args, (loss,), shapes(args)))
    return cases


# --- 12. embedding lookup ---------------------------------------------------------------------------


@register("embedding-lookup", outputs=("embedded",), description="embed(ids, E) -> (N, T, E_dim)")
def embedding_lookup_cases(seeds: Sequence[int]) -> list[Case]:
    cases = []
    for seed in seeds:
        rng = rng_for(seed, 1201)
        N, T = 2 + seed % 2, 4 + seed % 2
        V, E_dim = 6, 9  # toy sizes: a vocabulary smaller than the embedding, so E[:, ids] runs (and is wrong)
        E = mat(rng, V, E_dim)
        ids = rng.integers(0, V, size=(N, T))
        ids[0, 0], ids[-1, -1] = 0, V - 1  # the first and the last word both occur
        args = {"ids": ids, "E": E}
        # the reference stores E as (emb, vocab); this exercise's E is (vocab, emb), one row per word
        cases.append(Case(f"seed {seed}", args, (ref.embed(ids, E.T),), shapes(args)))
    return cases


# --- 13. recurrent dropout --------------------------------------------------------------------------


def rnn_forward_recurrent_dropout(xs, h0, W, U, b, mask):
    """h_t = tanh(x_t W^T + (mask * h_{t-1}) U^T + b): one mask (N, H) reused at every step."""
    N, T, _ = xs.shape
    hs = np.empty((N, T, W.shape[0]))
    h = h0
    for t in range(T):
        h = ref.rnn_step_forward(xs[:, t], mask * h, W, U, b)
        hs[:, t] = h
    return hs


def _dropout_case(name: str, seed: int, square: bool) -> Case:
    rng = rng_for(seed, 1301 + square)
    N, T, D, H = _dims(seed, square)
    keep = 0.6
    mask = (rng.random((N, H)) < keep) / keep  # inverted dropout: kept units scaled by 1/keep
    mask[0, 0], mask[-1, -1] = 0.0, 1.0 / keep  # at least one dropped and one kept unit
    args = {
        "xs": mat(rng, N, T, D),
        "h0": np.tanh(mat(rng, N, H, scale=2.0)),
        "W": mat(rng, H, D, scale=0.8),
        "U": mat(rng, H, H, scale=0.8),
        "b": mat(rng, H, scale=0.5),
        "mask": mask,
    }
    return Case(name, args, (rnn_forward_recurrent_dropout(**args),), shapes(args))


@register("recurrent-dropout", outputs=("hs",),
          description="rnn_forward_recurrent_dropout(xs, h0, W, U, b, mask) -> hs")
def recurrent_dropout_cases(seeds: Sequence[int]) -> list[Case]:
    return with_square(seeds, _dropout_case)


# --- 14. binary-addition RNN step (course row layout: x.dot(W_in)) ----------------------------------


def binadd_step(x, z_prev, W_in, W, W_out):
    """The course's binary-addition step: u = x W_in + z_prev W; z = sigmoid(u); y = sigmoid(z W_out)."""
    z = ref.sigmoid(x.dot(W_in) + z_prev.dot(W))
    return z, ref.sigmoid(z.dot(W_out))


@register("binary-addition-step", outputs=("z", "y"), description="binadd_step(x, z_prev, W_in, W, W_out) -> (z, y)")
def binary_addition_cases(seeds: Sequence[int]) -> list[Case]:
    cases = []
    for seed in seeds:
        rng = rng_for(seed, 1401)
        N, H = 3 + seed % 2, 6 + seed % 3
        x = rng.integers(0, 2, size=(N, 2)).astype(np.float64)
        x[0], x[1] = (1.0, 1.0), (0.0, 1.0)  # a carry-producing pair and an ordinary one
        args = {
            "x": x,
            "z_prev": ref.sigmoid(mat(rng, N, H, scale=2.0)),
            "W_in": mat(rng, 2, H, scale=GATE_SCALE),
            "W": mat(rng, H, H, scale=GATE_SCALE),
            "W_out": mat(rng, H, 1, scale=GATE_SCALE),
        }
        cases.append(Case(f"seed {seed}, batch of {N}", args, binadd_step(**args), shapes(args)))
    return cases


# --- 15. cross-entropy over a sequence --------------------------------------------------------------


@register("sequence-cross-entropy", outputs=("loss",),
          description="sequence_cross_entropy(probs, targets) -> mean over N and T of -log p[target]")
def sequence_cross_entropy_cases(seeds: Sequence[int]) -> list[Case]:
    cases = []
    for seed in seeds:
        rng = rng_for(seed, 1501)
        N, T, V = 2 + seed % 2, 4 + seed % 2, 7
        probs = ref.softmax(mat(rng, N, T, V, scale=1.5), axis=-1)
        targets = rng.integers(0, V, size=(N, T))
        args = {"probs": probs, "targets": targets}
        loss = np.array(ref.cross_entropy(probs, targets, time_reduction="mean"))
        cases.append(Case(f"seed {seed}", args, (loss,), shapes(args)))
    return cases


# --- 16. parameter counts ---------------------------------------------------------------------------


def param_counts(D: int, H: int) -> np.ndarray:
    """[simple RNN, LSTM, GRU] with one bias vector per block: blocks * H * (D + H + 1)."""
    per_block = H * (D + H + 1)
    return np.array([1, 4, 3], dtype=np.float64) * per_block


@register("rnn-param-count", outputs=("counts",), description="param_counts(D, H) -> [rnn, lstm, gru]")
def param_count_cases(seeds: Sequence[int]) -> list[Case]:
    cases = []
    for seed in seeds:
        rng = rng_for(seed, 1601)
        pairs = [(int(rng.integers(2, 20)), int(rng.integers(21, 80))),  # D < H
                 (int(rng.integers(100, 300)), int(rng.integers(8, 64))),  # D > H
                 (1, 1)]
        for D, H in pairs:
            cases.append(Case(f"seed {seed}, D = {D}, H = {H}", {"D": D, "H": H}, (param_counts(D, H),), {}))
    return cases


# --- 17. clipping by the global norm ----------------------------------------------------------------


@register("clip-global-norm", outputs=("grad0", "grad1", "grad2"),
          description="clip_by_global_norm(grads, threshold) -> list of clipped arrays")
def clip_global_norm_cases(seeds: Sequence[int]) -> list[Case]:
    cases = []
    for seed in seeds:
        rng = rng_for(seed, 1701)
        H, D = 5, 3 + seed % 3
        # arrays of very different norms, so clipping each by its own norm differs from the global rule
        for label, factor in (("above the threshold", 4.0), ("below the threshold", 0.6)):
            grads = [mat(rng, H, D, scale=3.0), mat(rng, H, H, scale=0.3), mat(rng, H, scale=1.0)]
            threshold = float(rng.uniform(1.0, 3.0))
            total = ref.global_norm(grads)
            grads = [g * (factor * threshold / total) for g in grads]
            args = {"grads": grads, "threshold": threshold}
            expected = tuple(ref.clip_grads_by_global_norm(grads, threshold))
            cases.append(Case(f"seed {seed}, global norm {label}", args, expected, shapes(args)))
    return cases


# --- 18. numerical gradient (gradient check) --------------------------------------------------------

# The loss the learner's numerical gradient differentiates; the exercise's `provided` code defines the
# same function for the learner (tests/test_extra_exercises.py checks that the two agree).
def gradient_check_loss(W: np.ndarray, x: np.ndarray) -> float:
    return float(np.sum(np.tanh(x.dot(W.T)) ** 2))


GRADCHECK_EPS = 1e-5


@register("numerical-gradient", outputs=("grad",),
          description="numerical_gradient(W, x, eps) -> dL/dW by central differences of loss(W, x)")
def numerical_gradient_cases(seeds: Sequence[int]) -> list[Case]:
    def make(name: str, seed: int, square: bool) -> Case:
        rng = rng_for(seed, 1801 + square)
        N, _, D, H = _dims(seed, square)
        W = mat(rng, H, D, scale=0.5)
        x = mat(rng, N, D)
        expected = ref.numerical_gradient(lambda w: gradient_check_loss(w, x), W, eps=GRADCHECK_EPS)
        args = {"W": W, "x": x, "eps": GRADCHECK_EPS}
        return Case(name, args, (expected,), shapes(args))

    return with_square(seeds, make)
