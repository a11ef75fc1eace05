"""HRED's two levels of recurrence (``conventions.HRED_CONTEXT``).

A dialogue is K utterances of L words each, batch-major: utts (N, K, L, D). Each utterance is read by
the encoder RNN from a zero state, and its final state is the utterance's encoding; the context RNN
then reads the encodings one per utterance, carrying its state across the whole dialogue:

    enc_k = encoder(utts[:, k])[:, -1]                    (N, H)   encoder restarts at every utterance
    ctx_k = tanh(enc_k W_c^T + ctx_{k-1} U_c^T + b_c)    (N, C)   ctx_{-1} = 0

The decoder of utterance k + 1 starts from ctx_k (not computed here).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._arrays import as_float64
from .conventions import DTYPE
from .rnn import rnn_backward, rnn_forward


class HREDGrads(NamedTuple):
    dutts: np.ndarray  # (N, K, L, D)
    dW_e: np.ndarray
    dU_e: np.ndarray
    db_e: np.ndarray | None
    dW_c: np.ndarray
    dU_c: np.ndarray
    db_c: np.ndarray | None


def utterance_encodings(utts, W_e, U_e, b_e=None, activation="tanh"):
    """The final encoder state of every utterance, (N, K, H), each read from a zero state."""
    (utts,) = as_float64(utts)
    K = utts.shape[1]
    encodings = [rnn_forward(utts[:, k], W_e, U_e, b_e, None, activation)[:, -1] for k in range(K)]
    return np.stack(encodings, axis=1)


def hred_context_forward(utts, W_e, U_e, b_e, W_c, U_c, b_c, activation="tanh"):
    """The context state after every utterance, (N, K, C): the context RNN over the encodings."""
    encodings = utterance_encodings(utts, W_e, U_e, b_e, activation)
    return rnn_forward(encodings, W_c, U_c, b_c, None, activation)


def hred_context_backward(dctxs, utts, W_e, U_e, b_e, W_c, U_c, b_c, activation="tanh"):
    """Gradients given dL/dctx_k (N, K, C): BPTT through the context RNN, then through each
    utterance's encoder from its final state."""
    dctxs, utts = as_float64(dctxs, utts)
    N, K, L, _ = utts.shape
    encodings = utterance_encodings(utts, W_e, U_e, b_e, activation)
    g_c = rnn_backward(dctxs, encodings, W_c, U_c, b_c, None, activation)
    dutts = np.zeros_like(utts)
    dW_e = np.zeros(np.shape(W_e), dtype=DTYPE)
    dU_e = np.zeros(np.shape(U_e), dtype=DTYPE)
    db_e = None if b_e is None else np.zeros(np.shape(b_e), dtype=DTYPE)
    for k in range(K):
        dhs = np.zeros((N, L, np.shape(W_e)[0]), dtype=DTYPE)
        dhs[:, -1] = g_c.dxs[:, k]
        g = rnn_backward(dhs, utts[:, k], W_e, U_e, b_e, None, activation)
        dutts[:, k] = g.dxs
        dW_e += g.dW
        dU_e += g.dU
        if db_e is not None:
            db_e += g.db
    return HREDGrads(dutts, dW_e, dU_e, db_e, g_c.dW, g_c.dU, g_c.db)
