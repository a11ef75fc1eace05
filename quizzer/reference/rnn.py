"""The simple (Elman) RNN: one-step cell, sequence wrapper, BPTT.

    u_t = x_t W^T + h_{t-1} U^T + b        W: (H, D), U: (H, H), b: (H,)
    h_t = f(u_t)                           f in conventions.RNN_ACTIVATIONS
    y_t = h_t V^T + c                      V: (O, H), c: (O,)   (optional output layer)

Backward functions take the same inputs as the forward plus the upstream gradient and
recompute what they need, so nothing hidden is carried between the two.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._arrays import as_float64
from .activations import get_activation
from .conventions import DTYPE


class RNNStepGrads(NamedTuple):
    dx: np.ndarray  # (N, D)
    dh_prev: np.ndarray  # (N, H)
    dW: np.ndarray  # (H, D)
    dU: np.ndarray  # (H, H)
    db: np.ndarray | None  # (H,), None when the layer has no bias


class RNNGrads(NamedTuple):
    dxs: np.ndarray  # (N, T, D)
    dW: np.ndarray
    dU: np.ndarray
    db: np.ndarray | None
    dh0: np.ndarray  # (N, H)


class OutputGrads(NamedTuple):
    dhs: np.ndarray  # (N, T, H)
    dV: np.ndarray  # (O, H)
    dc: np.ndarray | None  # (O,)


class RNNWithOutputGrads(NamedTuple):
    dxs: np.ndarray
    dW: np.ndarray
    dU: np.ndarray
    db: np.ndarray | None
    dV: np.ndarray
    dc: np.ndarray | None
    dh0: np.ndarray


class LinearBPTTGrads(NamedTuple):
    dW: np.ndarray
    dU: np.ndarray
    dV: np.ndarray


# --- one step -----------------------------------------------------------------------------


def rnn_step_forward(x, h_prev, W, U, b=None, activation="tanh"):
    """h_next = f(x W^T + h_prev U^T + b) for x (N, D), h_prev (N, H); returns (N, H)."""
    x, h_prev, W, U, b = as_float64(x, h_prev, W, U, b)
    f, _ = get_activation(activation)
    u = x.dot(W.T) + h_prev.dot(U.T)
    if b is not None:
        u = u + b
    return f(u)


def rnn_step_backward(dh_next, x, h_prev, W, U, b=None, activation="tanh"):
    """Gradients of one step given dL/dh_next (N, H)."""
    dh_next, x, h_prev, W, U, b = as_float64(dh_next, x, h_prev, W, U, b)
    _, f_grad = get_activation(activation)
    u = x.dot(W.T) + h_prev.dot(U.T)
    if b is not None:
        u = u + b
    du = dh_next * f_grad(u)  # delta^t of the course: dL/du_t
    dx = du.dot(W)
    dh_prev = du.dot(U)
    dW = du.T.dot(x)
    dU = du.T.dot(h_prev)
    db = du.sum(axis=0) if b is not None else None
    return RNNStepGrads(dx, dh_prev, dW, dU, db)


# --- a sequence ---------------------------------------------------------------------------


def rnn_forward(xs, W, U, b=None, h0=None, activation="tanh"):
    """All hidden states (N, T, H) for xs (N, T, D); h0 defaults to zeros (N, H)."""
    xs, W, U, b, h0 = as_float64(xs, W, U, b, h0)
    N, T, _D = xs.shape
    H = W.shape[0]
    hs = np.empty((N, T, H), dtype=DTYPE)
    h = np.zeros((N, H), dtype=DTYPE) if h0 is None else h0
    for t in range(T):
        h = rnn_step_forward(xs[:, t], h, W, U, b, activation)
        hs[:, t] = h
    return hs


def rnn_backward(
    dhs, xs, W, U, b=None, h0=None, activation="tanh", truncate=None, truncate_mode="window"
):
    """Backpropagation through time given dL/dh_t for every t (dhs: (N, T, H)).

    ``truncate=None`` is full BPTT. With ``truncate=k`` (see ``conventions.TRUNCATED_BPTT``):
    ``truncate_mode="window"`` lets each dhs[:, t] reach steps t, ..., t-k+1 only;
    ``truncate_mode="block"`` cuts the gradient at every block boundary t = k, 2k, ...
    """
    if truncate_mode not in ("window", "block"):
        raise ValueError(f"truncate_mode must be 'window' or 'block', not {truncate_mode!r}")
    dhs, xs, W, U, b, h0 = as_float64(dhs, xs, W, U, b, h0)
    N, T, _D = xs.shape
    H = W.shape[0]
    if h0 is None:
        h0 = np.zeros((N, H), dtype=DTYPE)
    hs = rnn_forward(xs, W, U, b, h0, activation)
    h_prevs = np.concatenate([h0[:, None, :], hs[:, :-1]], axis=1)  # h_{t-1} for each t

    dxs = np.zeros_like(xs)
    dW = np.zeros_like(W)
    dU = np.zeros_like(U)
    db = np.zeros(H, dtype=DTYPE) if b is not None else None
    dh0 = np.zeros((N, H), dtype=DTYPE)

    # A sweep walks back from step `first` to step `last`, adding dhs[:, t] on the way. The chain
    # rule is linear in the upstream gradient, so full BPTT needs a single sweep over all steps,
    # block truncation one sweep per block, and a window one sweep per loss term.
    if truncate is None:
        sweeps = [(T - 1, 0, dhs)]
    elif truncate_mode == "block":
        k = int(truncate)
        sweeps = [(min(s + k, T) - 1, s, dhs) for s in range(0, T, k)]
    else:
        k = int(truncate)
        sweeps = [(t, max(t - k + 1, 0), _only_step(dhs, t)) for t in range(T)]

    for first, last, upstream in sweeps:
        dh_next = np.zeros((N, H), dtype=DTYPE)
        for t in range(first, last - 1, -1):
            g = rnn_step_backward(
                upstream[:, t] + dh_next, xs[:, t], h_prevs[:, t], W, U, b, activation
            )
            dxs[:, t] += g.dx
            dW += g.dW
            dU += g.dU
            if db is not None:
                db += g.db
            dh_next = g.dh_prev
        if last == 0:
            dh0 += dh_next
    return RNNGrads(dxs, dW, dU, db, dh0)


def _only_step(dhs, t):
    """dhs with every time step but t zeroed."""
    out = np.zeros_like(dhs)
    out[:, t] = dhs[:, t]
    return out


# --- output layer y_t = h_t V^T + c ---------------------------------------------------------


def rnn_output_forward(hs, V, c=None):
    """ys (N, T, O) = hs.dot(V.T) + c."""
    hs, V, c = as_float64(hs, V, c)
    ys = hs.dot(V.T)
    return ys if c is None else ys + c


def rnn_output_backward(dys, hs, V, c=None):
    dys, hs, V = as_float64(dys, hs, V)
    dhs = dys.dot(V)
    dV = np.einsum("nto,nth->oh", dys, hs)
    dc = dys.sum(axis=(0, 1)) if c is not None else None
    return OutputGrads(dhs, dV, dc)


def rnn_with_output_forward(xs, W, U, V, b=None, c=None, h0=None, activation="tanh"):
    """(hs, ys): hidden states (N, T, H) and outputs (N, T, O)."""
    hs = rnn_forward(xs, W, U, b, h0, activation)
    return hs, rnn_output_forward(hs, V, c)


def rnn_with_output_backward(
    dys, xs, W, U, V, b=None, c=None, h0=None, activation="tanh", truncate=None,
    truncate_mode="window",
):
    """BPTT through the output layer and the recurrence, given dL/dy_t (N, T, O)."""
    hs = rnn_forward(xs, W, U, b, h0, activation)
    out = rnn_output_backward(dys, hs, V, c)
    rec = rnn_backward(out.dhs, xs, W, U, b, h0, activation, truncate, truncate_mode)
    return RNNWithOutputGrads(rec.dxs, rec.dW, rec.dU, rec.db, out.dV, out.dc, rec.dh0)


# --- the course's linear RNN (identity activation, no biases) ---------------------------------


def linear_rnn_forward(xs, W, U, V, h0=None):
    """The course's ``rnn_net``: h_t = x_t W^T + h_{t-1} U^T, o_t = h_t V^T.

    Returns (hiddens (N, T, H), outputs (N, T, O)); ``hiddens[:, t]`` is h_t.
    """
    return rnn_with_output_forward(xs, W, U, V, h0=h0, activation="identity")


def linear_rnn_do(outputs, ys):
    """A ``_calculate_do`` for the course BPTT: outputs - ys, the per-sample gradient of
    0.5 * sum over time and units of (o - y)^2."""
    return np.asarray(outputs, dtype=DTYPE) - np.asarray(ys, dtype=DTYPE)


def bptt_linear(xs, do, W, U, V, h0=None):
    """Corrected course BPTT for the linear RNN; returns (dW, dU, dV).

    ``do`` (N, T, O) is dL_n/do_t for each sample n, with L_n the sample's loss summed over time.
    Like the course, every product is divided by the batch size N
    (``conventions.BPTT_GRADIENT_SCALE``), so the result is the gradient of mean_n L_n.
    The step before the first reads the initial state h0 (zeros by default).
    """
    xs, do, W, U, V, h0 = as_float64(xs, do, W, U, V, h0)
    N, _T, _D = xs.shape
    grads = rnn_with_output_backward(do / N, xs, W, U, V, h0=h0, activation="identity")
    return LinearBPTTGrads(grads.dW, grads.dU, grads.dV)


def bptt_linear_course_bug(xs, do, W, U, V):
    """The course's ``bptt`` loop as printed, keeping its mistake: at ``bptt_step == 0`` it reads
    ``hiddens[:, bptt_step - 1]``, which wraps round to the LAST hidden state h_{T-1} instead of
    the zero initial state. Kept so the grader can recognise that answer."""
    xs, do, W, U, V = as_float64(xs, do, W, U, V)
    hiddens, _ = linear_rnn_forward(xs, W, U, V)
    dW = np.zeros_like(W)
    dU = np.zeros_like(U)
    dV = np.zeros_like(V)
    batch_size, n_seq = do.shape[:2]
    for t in reversed(range(n_seq)):
        dV += np.dot(do[:, t].T, hiddens[:, t]) / batch_size
        delta_t = do[:, t].dot(V)
        for bptt_step in reversed(range(t + 1)):
            dW += np.dot(delta_t.T, xs[:, bptt_step]) / batch_size
            dU += np.dot(delta_t.T, hiddens[:, bptt_step - 1]) / batch_size
            delta_t = delta_t.dot(U)
    return LinearBPTTGrads(dW, dU, dV)


# --- stacked (deep) RNN: layer l + 1 reads the states of layer l ---------------------------------


def stacked_rnn_forward(xs, layers, h0s=None, activation="tanh"):
    """The states of every layer, bottom first: a list of (N, T, H_l) arrays.

    ``layers`` is a sequence of (W, U, b) per layer; layer 1 reads xs (N, T, D), layer l + 1 reads the
    whole sequence of layer l's states, so its W has shape (H_{l+1}, H_l) (``conventions.STACKED_RNN``).
    ``h0s`` gives one initial state per layer (zeros by default).
    """
    inputs = np.asarray(xs, dtype=DTYPE)
    states = []
    for depth, (W, U, b) in enumerate(layers):
        h0 = None if h0s is None else h0s[depth]
        inputs = rnn_forward(inputs, W, U, b, h0, activation)
        states.append(inputs)
    return states


def stacked_rnn_backward(dhs_top, xs, layers, h0s=None, activation="tanh"):
    """Gradients of every layer (a list of RNNGrads, bottom first) given dL/dh_t of the top layer.
    A layer's dxs is the upstream gradient of the layer below; the bottom layer's dxs is dL/dxs."""
    xs = np.asarray(xs, dtype=DTYPE)
    states = stacked_rnn_forward(xs, layers, h0s, activation)
    inputs = [xs] + states[:-1]
    grads: list[RNNGrads] = []
    upstream = np.asarray(dhs_top, dtype=DTYPE)
    for depth in reversed(range(len(layers))):
        W, U, b = layers[depth]
        h0 = None if h0s is None else h0s[depth]
        g = rnn_backward(upstream, inputs[depth], W, U, b, h0, activation)
        grads.insert(0, g)
        upstream = g.dxs
    return grads
