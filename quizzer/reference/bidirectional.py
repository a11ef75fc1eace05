"""Bidirectional simple RNN (``conventions.BIDIRECTIONAL_MERGE``).

The forward RNN reads x_0 ... x_{T-1}; the backward RNN, with its own weights, reads the
time-reversed input x_{T-1} ... x_0. Its states come out in reversed time, so they are
re-reversed before being joined to the forward states on the feature axis:

    hs = np.concatenate([hs_f, hs_b[:, ::-1]], axis=2)       (N, T, 2H), forward half first
    ys = hs.dot(V.T)                                         V: (O, 2H)

so hs[:, t] pairs what the two directions know about the same time step t.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._arrays import as_float64
from .conventions import DTYPE
from .rnn import rnn_backward, rnn_forward


class BidirectionalGrads(NamedTuple):
    dxs: np.ndarray  # (N, T, D)
    dW_f: np.ndarray
    dU_f: np.ndarray
    db_f: np.ndarray | None
    dW_b: np.ndarray
    dU_b: np.ndarray
    db_b: np.ndarray | None
    dh0_f: np.ndarray
    dh0_b: np.ndarray


# --- merging the two directions: the right way and the wrong ways the grader recognises ------


def merge_directions(hs_f, hs_b):
    """Correct merge: hs_b is in reversed time, so re-reverse it (axis 1) and join on axis 2."""
    return np.concatenate([hs_f, hs_b[:, ::-1]], axis=2)


def merge_directions_not_rereversed(hs_f, hs_b):
    """WRONG: pairs forward state t with the backward state of time T-1-t."""
    return np.concatenate([hs_f, hs_b], axis=2)


def merge_directions_batch_reversed(hs_f, hs_b):
    """WRONG: ``hs_b[::-1]`` reverses the batch axis, not time (the course's unbatched answer
    applied to batch-major arrays)."""
    return np.concatenate([hs_f, hs_b[::-1]], axis=2)


def merge_directions_time_axis(hs_f, hs_b):
    """WRONG: joined on the time axis, giving (N, 2T, H) instead of (N, T, 2H)."""
    return np.concatenate([hs_f, hs_b[:, ::-1]], axis=1)


def merge_directions_batch_axis(hs_f, hs_b):
    """WRONG: joined on the batch axis, giving (2N, T, H)."""
    return np.concatenate([hs_f, hs_b[:, ::-1]], axis=0)


WRONG_MERGES = {
    "not_rereversed": merge_directions_not_rereversed,
    "batch_reversed": merge_directions_batch_reversed,
    "time_axis": merge_directions_time_axis,
    "batch_axis": merge_directions_batch_axis,
}
"""Named wrong merges, for recognising a learner's mistake."""


# --- forward and backward -----------------------------------------------------------------


def bidirectional_rnn_forward(
    xs, W_f, U_f, W_b, U_b, b_f=None, b_b=None, h0_f=None, h0_b=None, activation="tanh",
    merge=merge_directions,
):
    """hs (N, T, 2H) for xs (N, T, D); ``merge`` may be swapped for one of WRONG_MERGES."""
    xs = np.asarray(xs, dtype=DTYPE)
    hs_f = rnn_forward(xs, W_f, U_f, b_f, h0_f, activation)
    hs_b = rnn_forward(xs[:, ::-1], W_b, U_b, b_b, h0_b, activation)
    return merge(hs_f, hs_b)


def bidirectional_rnn_backward(
    dhs, xs, W_f, U_f, W_b, U_b, b_f=None, b_b=None, h0_f=None, h0_b=None, activation="tanh"
):
    """Gradients given dL/dhs (N, T, 2H) of the correctly merged states."""
    dhs, xs = as_float64(dhs, xs)
    H = np.shape(W_f)[0]
    g_f = rnn_backward(dhs[:, :, :H], xs, W_f, U_f, b_f, h0_f, activation)
    # the backward RNN saw reversed time, so its upstream gradient and dxs are reversed too
    g_b = rnn_backward(dhs[:, ::-1, H:], xs[:, ::-1], W_b, U_b, b_b, h0_b, activation)
    return BidirectionalGrads(
        dxs=g_f.dxs + g_b.dxs[:, ::-1],
        dW_f=g_f.dW, dU_f=g_f.dU, db_f=g_f.db,
        dW_b=g_b.dW, dU_b=g_b.dU, db_b=g_b.db,
        dh0_f=g_f.dh0, dh0_b=g_b.dh0,
    )


def bidirectional_rnn_net(xs, W_f, U_f, W_b, U_b, V, activation="tanh", merge=merge_directions):
    """The course exercise, corrected: ys = hs.dot(V.T) with hs the merged states, (N, T, O).
    No biases, zero initial states."""
    hs = bidirectional_rnn_forward(xs, W_f, U_f, W_b, U_b, activation=activation, merge=merge)
    return hs.dot(np.asarray(V, dtype=DTYPE).T)
