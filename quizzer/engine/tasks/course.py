"""Tasks for the seven course exercise challenges: case generators and the hidden reference outputs.

Every task draws its inputs from ``numpy.random.default_rng(seed)`` so a seed always gives the same
cases. The cases are built to expose answers that are right only by accident:

- a batch of at least 2 rows, at least 3 time steps, and D, H and N (and O, vocab, emb) all
  different, so a swapped axis or a (1, H) answer fails on shape or values;
- random (hence non-symmetric) weights, plus an extra case per task where D == H, so a missing
  transpose of a square matrix still gives the right shape but the wrong numbers;
- pre-activations scaled up so gates sit far from 0.5 (a swapped gate or the other GRU convention
  changes the result by a lot, not within tolerance);
- gradient norms both above and below the clipping threshold, and an exactly zero gradient.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from quizzer.engine.tasks import Case, register
from quizzer.engine.tasks._cases import GATE_SCALE, mat, rng_for, shapes, with_square
from quizzer.reference import course as ref


def _dims(seed: int, square: bool = False) -> tuple[int, int, int, int]:
    """(N, T, D, H) = (2 or 3, 3 or 4, 6, 5): all four different, so no axis can stand in for another;
    with ``square`` D == H (the missing-transpose trap)."""
    N = 2 + seed % 2
    T = 3 + seed % 2
    H = 5
    D = H if square else 6
    return N, T, D, H


# --- 1. gradient clipping ---------------------------------------------------------------------


@register("gradient-clipping", outputs=("grad",), description="gradient_clipping(grad, threshold)")
def gradient_clipping_cases(seeds: Sequence[int]) -> list[Case]:
    cases = []
    for seed in seeds:
        rng = rng_for(seed, 1)
        for label, shape, factor in (("above the threshold", (3, 4), 3.0), ("below the threshold", (6,), 0.4),
                                     ("far above the threshold", (2, 5), 25.0)):
            grad = mat(rng, *shape)
            threshold = float(rng.uniform(0.5, 2.0))
            grad *= factor * threshold / np.linalg.norm(grad)
            args = {"grad": grad, "threshold": threshold}
            cases.append(Case(f"seed {seed}, norm {label}", args, (ref.gradient_clipping(grad, threshold),),
                              shapes(args)))
    grad = np.zeros((3, 4))
    args = {"grad": grad, "threshold": 1.0}
    cases.append(Case("zero gradient", args, (ref.gradient_clipping(grad, 1.0),), shapes(args)))
    return cases


# --- 2. LSTM cell -----------------------------------------------------------------------------


def _lstm_case(name: str, seed: int, square: bool) -> Case:
    rng = rng_for(seed, 2 + square)
    N, _, D, H = _dims(seed, square)
    args = {
        "x": mat(rng, N, D),
        "prev_h": np.tanh(mat(rng, N, H, scale=2.0)),
        "prev_c": mat(rng, N, H, scale=2.0),
        "W": mat(rng, 4 * H, D, scale=GATE_SCALE),
        "U": mat(rng, 4 * H, H, scale=GATE_SCALE),
        "b": mat(rng, 4 * H, scale=GATE_SCALE),
    }
    c, h = ref.lstm(**args)
    return Case(name, args, (c, h), shapes(args))


@register("lstm-cell", outputs=("c", "h"), description="lstm(x, prev_h, prev_c, W, U, b) -> (c, h)")
def lstm_cell_cases(seeds: Sequence[int]) -> list[Case]:
    return with_square(seeds, _lstm_case)


# --- 3. GRU cell ------------------------------------------------------------------------------


def _gru_case(name: str, seed: int, square: bool) -> Case:
    rng = rng_for(seed, 4 + square)
    N, _, D, H = _dims(seed, square)
    args = {"x": mat(rng, N, D), "h": np.tanh(mat(rng, N, H, scale=2.0))}
    for w, u in (("W_r", "U_r"), ("W_z", "U_z"), ("W", "U")):
        args[w] = mat(rng, H, D, scale=GATE_SCALE)
        args[u] = mat(rng, H, H, scale=GATE_SCALE)
    return Case(name, args, (ref.gru(**args),), shapes(args))


@register("gru-cell", outputs=("h_new",), description="gru(x, h, W_r, U_r, W_z, U_z, W, U) -> h_new")
def gru_cell_cases(seeds: Sequence[int]) -> list[Case]:
    return with_square(seeds, _gru_case)


# --- 4. bidirectional RNN ---------------------------------------------------------------------


def _bidirectional_case(name: str, seed: int, square: bool) -> Case:
    rng = rng_for(seed, 6 + square)
    N, T, D, H = _dims(seed, square)
    O = 7
    args = {
        "xs": mat(rng, N, T, D),
        "W_f": mat(rng, H, D),
        "U_f": mat(rng, H, H),
        "W_b": mat(rng, H, D),
        "U_b": mat(rng, H, H),
        "V": mat(rng, O, 2 * H),
    }
    return Case(name, args, (ref.bidirectional_rnn_net(**args),), shapes(args))


@register("bidirectional-concat", outputs=("ys",), description="bidirectional_rnn_net(xs, W_f, U_f, W_b, U_b, V)")
def bidirectional_cases(seeds: Sequence[int]) -> list[Case]:
    return with_square(seeds, _bidirectional_case)


# --- 5. BPTT over a linear RNN ----------------------------------------------------------------


def _bptt_case(name: str, seed: int, square: bool) -> Case:
    rng = rng_for(seed, 8 + square)
    N, T, D, H = _dims(seed, square)
    O = 7
    args = {
        "xs": mat(rng, N, T, D),
        "ys": mat(rng, N, T, O),
        # a linear recurrence explodes with large U: keep its spectral radius below 1
        "W": mat(rng, H, D, scale=0.6),
        "U": mat(rng, H, H, scale=0.25),
        "V": mat(rng, O, H, scale=0.6),
    }
    dW, dU, dV = ref.bptt(**args)
    return Case(name, args, (dW, dU, dV), shapes(args))


@register("bptt-delta", outputs=("dW", "dU", "dV"), description="bptt(xs, ys, W, U, V) -> (dW, dU, dV)")
def bptt_cases(seeds: Sequence[int]) -> list[Case]:
    return with_square(seeds, _bptt_case)


# --- 6. recursive network over a tree ---------------------------------------------------------


def _random_tree(rng: np.random.Generator, leaves: int, H: int):
    if leaves == 1:
        return rng.normal(0.0, 1.0, size=H)
    left = int(rng.integers(1, leaves))
    return {"left": _random_tree(rng, left, H), "right": _random_tree(rng, leaves - left, H)}


def _leaf_count(node) -> int:
    return _leaf_count(node["left"]) + _leaf_count(node["right"]) if isinstance(node, dict) else 1


@register("recursive-tree", outputs=("v",), description="traverse(node, W) -> v")
def recursive_tree_cases(seeds: Sequence[int]) -> list[Case]:
    cases = []
    for seed in seeds:
        rng = rng_for(seed, 10)
        H = 4 + seed % 3
        leaves = 4 + seed % 3
        node = _random_tree(rng, leaves, H)
        W = mat(rng, H, 2 * H)
        args = {"node": node, "W": W}
        cases.append(Case(f"seed {seed}, a tree of {_leaf_count(node)} leaves", args,
                          (ref.traverse(node, W, activation=np.tanh),), {"W": W.shape, "leaf": (H,)}))
    return cases


# --- 7. seq2seq encoder -----------------------------------------------------------------------


@register("seq2seq-encode", outputs=("h",), description="encode(words, E, W, U, b) -> h")
def seq2seq_cases(seeds: Sequence[int]) -> list[Case]:
    cases = []
    for seed in seeds:
        rng = rng_for(seed, 12)
        vocab, emb, H = 7, 4, 5
        T = 3 + seed % 3
        ids = rng.integers(0, vocab, size=T)
        ids[-1] = ids[0]  # a repeated word: the encoding must still depend on the order
        words = [np.eye(vocab)[i] for i in ids]
        args = {"words": words, "E": mat(rng, emb, vocab), "W": mat(rng, H, emb), "U": mat(rng, H, H),
                "b": mat(rng, H, scale=0.5)}
        input_shapes = {"words": (T, vocab), **shapes({k: v for k, v in args.items() if k != "words"})}
        cases.append(Case(f"seed {seed}, {T} words", args, (ref.encode(activation=np.tanh, **args),), input_shapes))
    return cases
