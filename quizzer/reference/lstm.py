"""The LSTM: one-step cell, sequence wrapper, peephole variant, PyTorch weight conversion.

Gate order of the stacked weights is ``conventions.LSTM_GATE_ORDER`` = (a, i, f, o):

    lstm_in = x W^T + h_prev U^T + b        W: (4H, D), U: (4H, H), b: (4H,)
    a, i, f, o = np.hsplit(lstm_in, 4)      pre-activations, each (N, H)
    a = tanh(a); i, f, o = sigmoid(i), sigmoid(f), sigmoid(o)
    c = i * a + f * c_prev
    h = o * tanh(c)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._arrays import as_float64
from .activations import sigmoid, tanh
from .conventions import DTYPE, LSTM_GATE_ORDER, TORCH_LSTM_GATE_ORDER, reorder_gates

_COURSE_NAMES_IN_TORCH_ORDER = tuple("a" if g == "g" else g for g in TORCH_LSTM_GATE_ORDER)


class LSTMStepGrads(NamedTuple):
    dx: np.ndarray  # (N, D)
    dh_prev: np.ndarray  # (N, H)
    dc_prev: np.ndarray  # (N, H)
    dW: np.ndarray  # (4H, D)
    dU: np.ndarray  # (4H, H)
    db: np.ndarray | None  # (4H,)


class LSTMGrads(NamedTuple):
    dxs: np.ndarray  # (N, T, D)
    dW: np.ndarray
    dU: np.ndarray
    db: np.ndarray | None
    dh0: np.ndarray  # (N, H)
    dc0: np.ndarray  # (N, H)


class PeepholeStepGrads(NamedTuple):
    dx: np.ndarray
    dh_prev: np.ndarray
    dc_prev: np.ndarray
    dW: np.ndarray
    dU: np.ndarray
    dp_i: np.ndarray  # (H,)
    dp_f: np.ndarray
    dp_o: np.ndarray
    db: np.ndarray | None


def _preactivations(x, h_prev, W, U, b):
    """The stacked pre-activations split in gate order (a, i, f, o), each (N, H)."""
    lstm_in = x.dot(W.T) + h_prev.dot(U.T)
    if b is not None:
        lstm_in = lstm_in + b
    return np.hsplit(lstm_in, 4)


def _gates(x, h_prev, W, U, b):
    a, i, f, o = _preactivations(x, h_prev, W, U, b)
    return tanh(a), sigmoid(i), sigmoid(f), sigmoid(o)


# --- one step -----------------------------------------------------------------------------


def lstm_step_forward(x, h_prev, c_prev, W, U, b=None):
    """(h_next, c_next), each (N, H). Note the course's ``lstm`` returns them as (c, h)."""
    x, h_prev, c_prev, W, U, b = as_float64(x, h_prev, c_prev, W, U, b)
    a, i, f, o = _gates(x, h_prev, W, U, b)
    c_next = i * a + f * c_prev
    h_next = o * tanh(c_next)
    return h_next, c_next


def lstm_step_backward(dh_next, dc_next, x, h_prev, c_prev, W, U, b=None):
    """Gradients of one step given dL/dh_next and dL/dc_next (each (N, H))."""
    dh_next, dc_next, x, h_prev, c_prev, W, U, b = as_float64(
        dh_next, dc_next, x, h_prev, c_prev, W, U, b
    )
    a, i, f, o = _gates(x, h_prev, W, U, b)
    c_next = i * a + f * c_prev
    tanh_c = tanh(c_next)

    do = dh_next * tanh_c
    dc = dc_next + dh_next * o * (1.0 - tanh_c**2)  # both paths into c_next
    da = dc * i
    di = dc * a
    df = dc * c_prev
    dc_prev = dc * f

    # through the activations, back to the stacked pre-activations in (a, i, f, o) order
    dlstm_in = np.hstack(
        [da * (1.0 - a**2), di * i * (1.0 - i), df * f * (1.0 - f), do * o * (1.0 - o)]
    )
    dx = dlstm_in.dot(W)
    dh_prev = dlstm_in.dot(U)
    dW = dlstm_in.T.dot(x)
    dU = dlstm_in.T.dot(h_prev)
    db = dlstm_in.sum(axis=0) if b is not None else None
    return LSTMStepGrads(dx, dh_prev, dc_prev, dW, dU, db)


# --- a sequence ---------------------------------------------------------------------------


def lstm_forward(xs, W, U, b=None, h0=None, c0=None):
    """(hs, cs): hidden and cell states, each (N, T, H); h0 and c0 default to zeros."""
    xs, W, U, b, h0, c0 = as_float64(xs, W, U, b, h0, c0)
    N, T, _D = xs.shape
    H = W.shape[0] // 4
    hs = np.empty((N, T, H), dtype=DTYPE)
    cs = np.empty((N, T, H), dtype=DTYPE)
    h = np.zeros((N, H), dtype=DTYPE) if h0 is None else h0
    c = np.zeros((N, H), dtype=DTYPE) if c0 is None else c0
    for t in range(T):
        h, c = lstm_step_forward(xs[:, t], h, c, W, U, b)
        hs[:, t] = h
        cs[:, t] = c
    return hs, cs


def lstm_backward(dhs, xs, W, U, b=None, h0=None, c0=None, dcs=None):
    """BPTT given dL/dh_t for every t (dhs: (N, T, H)) and optionally dL/dc_t (dcs)."""
    dhs, xs, W, U, b, h0, c0, dcs = as_float64(dhs, xs, W, U, b, h0, c0, dcs)
    N, T, _D = xs.shape
    H = W.shape[0] // 4
    h0 = np.zeros((N, H), dtype=DTYPE) if h0 is None else h0
    c0 = np.zeros((N, H), dtype=DTYPE) if c0 is None else c0
    hs, cs = lstm_forward(xs, W, U, b, h0, c0)
    h_prevs = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    c_prevs = np.concatenate([c0[:, None], cs[:, :-1]], axis=1)

    dxs = np.zeros_like(xs)
    dW = np.zeros_like(W)
    dU = np.zeros_like(U)
    db = np.zeros_like(b) if b is not None else None
    dh = np.zeros((N, H), dtype=DTYPE)
    dc = np.zeros((N, H), dtype=DTYPE)
    for t in reversed(range(T)):
        dc_t = dc if dcs is None else dc + dcs[:, t]
        g = lstm_step_backward(dhs[:, t] + dh, dc_t, xs[:, t], h_prevs[:, t], c_prevs[:, t], W, U, b)
        dxs[:, t] = g.dx
        dW += g.dW
        dU += g.dU
        if db is not None:
            db += g.db
        dh, dc = g.dh_prev, g.dc_prev
    return LSTMGrads(dxs, dW, dU, db, dh, dc)


# --- peephole LSTM ------------------------------------------------------------------------


def peephole_lstm_step_forward(x, h_prev, c_prev, W, U, p_i, p_f, p_o, b=None):
    """(h_next, c_next) of an LSTM whose gates also look at the cell
    (``conventions.PEEPHOLE_CONVENTION``): p_i, p_f (H,) see c_prev, p_o (H,) sees c_next."""
    x, h_prev, c_prev, W, U, p_i, p_f, p_o, b = as_float64(x, h_prev, c_prev, W, U, p_i, p_f, p_o, b)
    _a, _i, _f, o, c_next = _peephole_gates(x, h_prev, c_prev, W, U, p_i, p_f, p_o, b)
    h_next = o * tanh(c_next)
    return h_next, c_next


def _peephole_gates(x, h_prev, c_prev, W, U, p_i, p_f, p_o, b):
    """Cell input a, gates i, f, o and the new cell state of a peephole step."""
    a_in, i_in, f_in, o_in = _preactivations(x, h_prev, W, U, b)
    a = tanh(a_in)
    i = sigmoid(i_in + p_i * c_prev)
    f = sigmoid(f_in + p_f * c_prev)
    c_next = i * a + f * c_prev
    o = sigmoid(o_in + p_o * c_next)
    return a, i, f, o, c_next


def peephole_lstm_step_backward(dh_next, dc_next, x, h_prev, c_prev, W, U, p_i, p_f, p_o, b=None):
    dh_next, dc_next, x, h_prev, c_prev, W, U, p_i, p_f, p_o, b = as_float64(
        dh_next, dc_next, x, h_prev, c_prev, W, U, p_i, p_f, p_o, b
    )
    a, i, f, o, c_next = _peephole_gates(x, h_prev, c_prev, W, U, p_i, p_f, p_o, b)
    tanh_c = tanh(c_next)

    do_pre = dh_next * tanh_c * o * (1.0 - o)
    # c_next reaches the loss through h (tanh), through the output-gate peephole, and directly
    dc = dc_next + dh_next * o * (1.0 - tanh_c**2) + do_pre * p_o
    da_pre = dc * i * (1.0 - a**2)
    di_pre = dc * a * i * (1.0 - i)
    df_pre = dc * c_prev * f * (1.0 - f)
    dc_prev = dc * f + di_pre * p_i + df_pre * p_f

    dlstm_in = np.hstack([da_pre, di_pre, df_pre, do_pre])
    return PeepholeStepGrads(
        dx=dlstm_in.dot(W),
        dh_prev=dlstm_in.dot(U),
        dc_prev=dc_prev,
        dW=dlstm_in.T.dot(x),
        dU=dlstm_in.T.dot(h_prev),
        dp_i=np.sum(di_pre * c_prev, axis=0),
        dp_f=np.sum(df_pre * c_prev, axis=0),
        dp_o=np.sum(do_pre * c_next, axis=0),
        db=dlstm_in.sum(axis=0) if b is not None else None,
    )


# --- PyTorch layout -----------------------------------------------------------------------


def lstm_params_to_torch(W, U, b=None):
    """Course-order (a, i, f, o) weights -> PyTorch order (i, f, g, o):
    (weight_ih, weight_hh, bias) where PyTorch's bias_ih + bias_hh must equal ``bias``."""
    W_t = reorder_gates(W, LSTM_GATE_ORDER, _COURSE_NAMES_IN_TORCH_ORDER)
    U_t = reorder_gates(U, LSTM_GATE_ORDER, _COURSE_NAMES_IN_TORCH_ORDER)
    b_t = None if b is None else reorder_gates(b, LSTM_GATE_ORDER, _COURSE_NAMES_IN_TORCH_ORDER)
    return W_t, U_t, b_t


def lstm_params_from_torch(weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """PyTorch (i, f, g, o) weights -> course (a, i, f, o): (W, U, b) with b = bias_ih + bias_hh."""
    W = reorder_gates(weight_ih, _COURSE_NAMES_IN_TORCH_ORDER, LSTM_GATE_ORDER)
    U = reorder_gates(weight_hh, _COURSE_NAMES_IN_TORCH_ORDER, LSTM_GATE_ORDER)
    if bias_ih is None and bias_hh is None:
        return W, U, None
    total = sum(np.asarray(v, dtype=DTYPE) for v in (bias_ih, bias_hh) if v is not None)
    return W, U, reorder_gates(total, _COURSE_NAMES_IN_TORCH_ORDER, LSTM_GATE_ORDER)
