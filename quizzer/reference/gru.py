"""The GRU in the two conventions of ``conventions.GRU_COURSE`` and ``conventions.GRU_PYTORCH``.

Course (separate matrices, W_*: (H, D), U_*: (H, H), biases optional):

    r     = sigmoid(x W_r^T + h U_r^T + b_r)
    z     = sigmoid(x W_z^T + h U_z^T + b_z)
    h_bar = tanh(x W^T + (r * h) U^T + b)          reset BEFORE the recurrent product
    h_new = (1 - z) * h + z * h_bar

PyTorch (stacked rows in order r, z, n: W_ih (3H, D), W_hh (3H, H), b_ih, b_hh (3H,)):

    r     = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)
    z     = sigmoid(x W_iz^T + b_iz + h W_hz^T + b_hz)
    n     = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))   reset AFTER the recurrent product
    h_new = (1 - z) * n + z * h

The same weights give different states under the two conventions.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._arrays import as_float64
from .activations import sigmoid, tanh
from .conventions import DTYPE


def _affine(x, W, h, U, b):
    out = x.dot(W.T) + h.dot(U.T)
    return out if b is None else out + b


class GRUCourseStepGrads(NamedTuple):
    dx: np.ndarray  # (N, D)
    dh_prev: np.ndarray  # (N, H)
    dW_r: np.ndarray
    dU_r: np.ndarray
    dW_z: np.ndarray
    dU_z: np.ndarray
    dW: np.ndarray
    dU: np.ndarray
    db_r: np.ndarray | None
    db_z: np.ndarray | None
    db: np.ndarray | None


class GRUCourseGrads(NamedTuple):
    dxs: np.ndarray  # (N, T, D)
    dW_r: np.ndarray
    dU_r: np.ndarray
    dW_z: np.ndarray
    dU_z: np.ndarray
    dW: np.ndarray
    dU: np.ndarray
    db_r: np.ndarray | None
    db_z: np.ndarray | None
    db: np.ndarray | None
    dh0: np.ndarray  # (N, H)


class GRUTorchStepGrads(NamedTuple):
    dx: np.ndarray
    dh_prev: np.ndarray
    dW_ih: np.ndarray  # (3H, D)
    dW_hh: np.ndarray  # (3H, H)
    db_ih: np.ndarray | None  # (3H,)
    db_hh: np.ndarray | None


class GRUTorchGrads(NamedTuple):
    dxs: np.ndarray
    dW_ih: np.ndarray
    dW_hh: np.ndarray
    db_ih: np.ndarray | None
    db_hh: np.ndarray | None
    dh0: np.ndarray


# --- course convention --------------------------------------------------------------------


def gru_step_forward(x, h_prev, W_r, U_r, W_z, U_z, W, U, b_r=None, b_z=None, b=None):
    """One course-convention GRU step; returns h_new (N, H)."""
    x, h_prev, W_r, U_r, W_z, U_z, W, U, b_r, b_z, b = as_float64(
        x, h_prev, W_r, U_r, W_z, U_z, W, U, b_r, b_z, b
    )
    r = sigmoid(_affine(x, W_r, h_prev, U_r, b_r))
    z = sigmoid(_affine(x, W_z, h_prev, U_z, b_z))
    h_bar = tanh(_affine(x, W, r * h_prev, U, b))
    return (1.0 - z) * h_prev + z * h_bar


def gru_step_backward(dh_next, x, h_prev, W_r, U_r, W_z, U_z, W, U, b_r=None, b_z=None, b=None):
    """Gradients of one course-convention step given dL/dh_new (N, H)."""
    dh_next, x, h_prev, W_r, U_r, W_z, U_z, W, U, b_r, b_z, b = as_float64(
        dh_next, x, h_prev, W_r, U_r, W_z, U_z, W, U, b_r, b_z, b
    )
    r = sigmoid(_affine(x, W_r, h_prev, U_r, b_r))
    z = sigmoid(_affine(x, W_z, h_prev, U_z, b_z))
    rh = r * h_prev
    h_bar = tanh(_affine(x, W, rh, U, b))

    dh_prev = dh_next * (1.0 - z)
    dz_pre = dh_next * (h_bar - h_prev) * z * (1.0 - z)
    dh_bar_pre = dh_next * z * (1.0 - h_bar**2)
    drh = dh_bar_pre.dot(U)
    dr_pre = drh * h_prev * r * (1.0 - r)
    dh_prev = dh_prev + drh * r + dz_pre.dot(U_z) + dr_pre.dot(U_r)
    dx = dh_bar_pre.dot(W) + dz_pre.dot(W_z) + dr_pre.dot(W_r)

    def bias_grad(d, bias):
        return d.sum(axis=0) if bias is not None else None

    return GRUCourseStepGrads(
        dx=dx,
        dh_prev=dh_prev,
        dW_r=dr_pre.T.dot(x),
        dU_r=dr_pre.T.dot(h_prev),
        dW_z=dz_pre.T.dot(x),
        dU_z=dz_pre.T.dot(h_prev),
        dW=dh_bar_pre.T.dot(x),
        dU=dh_bar_pre.T.dot(rh),
        db_r=bias_grad(dr_pre, b_r),
        db_z=bias_grad(dz_pre, b_z),
        db=bias_grad(dh_bar_pre, b),
    )


def gru_forward(xs, W_r, U_r, W_z, U_z, W, U, b_r=None, b_z=None, b=None, h0=None):
    """Course-convention hidden states (N, T, H) for xs (N, T, D); h0 defaults to zeros."""
    xs, h0 = as_float64(xs, h0)
    N, T, _D = xs.shape
    H = np.shape(W)[0]
    hs = np.empty((N, T, H), dtype=DTYPE)
    h = np.zeros((N, H), dtype=DTYPE) if h0 is None else h0
    for t in range(T):
        h = gru_step_forward(xs[:, t], h, W_r, U_r, W_z, U_z, W, U, b_r, b_z, b)
        hs[:, t] = h
    return hs


def gru_backward(dhs, xs, W_r, U_r, W_z, U_z, W, U, b_r=None, b_z=None, b=None, h0=None):
    """Course-convention BPTT given dL/dh_t for every t (dhs: (N, T, H))."""
    dhs, xs, h0 = as_float64(dhs, xs, h0)
    N, T, _D = xs.shape
    H = np.shape(W)[0]
    h0 = np.zeros((N, H), dtype=DTYPE) if h0 is None else h0
    hs = gru_forward(xs, W_r, U_r, W_z, U_z, W, U, b_r, b_z, b, h0)
    h_prevs = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    params = (W_r, U_r, W_z, U_z, W, U)
    biases = (b_r, b_z, b)
    dparams = [np.zeros(np.shape(p), dtype=DTYPE) for p in params]
    dbiases = [None if q is None else np.zeros(np.shape(q), dtype=DTYPE) for q in biases]
    dxs = np.zeros_like(xs)
    dh = np.zeros((N, H), dtype=DTYPE)
    for t in reversed(range(T)):
        g = gru_step_backward(dhs[:, t] + dh, xs[:, t], h_prevs[:, t], *params, *biases)
        dxs[:, t] = g.dx
        for acc, step in zip(dparams, (g.dW_r, g.dU_r, g.dW_z, g.dU_z, g.dW, g.dU)):
            acc += step
        for acc, step in zip(dbiases, (g.db_r, g.db_z, g.db)):
            if acc is not None:
                acc += step
        dh = g.dh_prev
    return GRUCourseGrads(dxs, *dparams, *dbiases, dh)


def gru_course_params_to_torch(W_r, U_r, W_z, U_z, W, U):
    """Stack course matrices in PyTorch's (r, z, n) row order: (W_ih (3H, D), W_hh (3H, H)).
    The stacked weights run the PyTorch convention, which does NOT reproduce the course GRU."""
    W_ih = np.concatenate(as_float64(W_r, W_z, W), axis=0)
    W_hh = np.concatenate(as_float64(U_r, U_z, U), axis=0)
    return W_ih, W_hh


# --- PyTorch convention -------------------------------------------------------------------


def _torch_gates(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    gi = x.dot(W_ih.T) if b_ih is None else x.dot(W_ih.T) + b_ih
    gh = h_prev.dot(W_hh.T) if b_hh is None else h_prev.dot(W_hh.T) + b_hh
    i_r, i_z, i_n = np.hsplit(gi, 3)
    h_r, h_z, h_n = np.hsplit(gh, 3)
    r = sigmoid(i_r + h_r)
    z = sigmoid(i_z + h_z)
    n = tanh(i_n + r * h_n)
    return r, z, n, h_n


def gru_torch_step_forward(x, h_prev, W_ih, W_hh, b_ih=None, b_hh=None):
    """One PyTorch-convention GRU step (``nn.GRUCell``); returns h_new (N, H)."""
    x, h_prev, W_ih, W_hh, b_ih, b_hh = as_float64(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    _r, z, n, _ = _torch_gates(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    return (1.0 - z) * n + z * h_prev


def gru_torch_step_backward(dh_next, x, h_prev, W_ih, W_hh, b_ih=None, b_hh=None):
    dh_next, x, h_prev, W_ih, W_hh, b_ih, b_hh = as_float64(dh_next, x, h_prev, W_ih, W_hh, b_ih, b_hh)
    r, z, n, h_n = _torch_gates(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    dn_pre = dh_next * (1.0 - z) * (1.0 - n**2)
    dz_pre = dh_next * (h_prev - n) * z * (1.0 - z)
    dr_pre = dn_pre * h_n * r * (1.0 - r)
    dgi = np.hstack([dr_pre, dz_pre, dn_pre])
    dgh = np.hstack([dr_pre, dz_pre, dn_pre * r])
    return GRUTorchStepGrads(
        dx=dgi.dot(W_ih),
        dh_prev=dh_next * z + dgh.dot(W_hh),
        dW_ih=dgi.T.dot(x),
        dW_hh=dgh.T.dot(h_prev),
        db_ih=dgi.sum(axis=0) if b_ih is not None else None,
        db_hh=dgh.sum(axis=0) if b_hh is not None else None,
    )


def gru_torch_forward(xs, W_ih, W_hh, b_ih=None, b_hh=None, h0=None):
    """PyTorch-convention hidden states (N, T, H) (``nn.GRU(batch_first=True)`` output)."""
    xs, h0 = as_float64(xs, h0)
    N, T, _D = xs.shape
    H = np.shape(W_hh)[1]
    hs = np.empty((N, T, H), dtype=DTYPE)
    h = np.zeros((N, H), dtype=DTYPE) if h0 is None else h0
    for t in range(T):
        h = gru_torch_step_forward(xs[:, t], h, W_ih, W_hh, b_ih, b_hh)
        hs[:, t] = h
    return hs


def gru_torch_backward(dhs, xs, W_ih, W_hh, b_ih=None, b_hh=None, h0=None):
    dhs, xs, W_ih, W_hh, b_ih, b_hh, h0 = as_float64(dhs, xs, W_ih, W_hh, b_ih, b_hh, h0)
    N, T, _D = xs.shape
    H = W_hh.shape[1]
    h0 = np.zeros((N, H), dtype=DTYPE) if h0 is None else h0
    hs = gru_torch_forward(xs, W_ih, W_hh, b_ih, b_hh, h0)
    h_prevs = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    dxs = np.zeros_like(xs)
    dW_ih = np.zeros_like(W_ih)
    dW_hh = np.zeros_like(W_hh)
    db_ih = None if b_ih is None else np.zeros_like(b_ih)
    db_hh = None if b_hh is None else np.zeros_like(b_hh)
    dh = np.zeros((N, H), dtype=DTYPE)
    for t in reversed(range(T)):
        g = gru_torch_step_backward(dhs[:, t] + dh, xs[:, t], h_prevs[:, t], W_ih, W_hh, b_ih, b_hh)
        dxs[:, t] = g.dx
        dW_ih += g.dW_ih
        dW_hh += g.dW_hh
        if db_ih is not None:
            db_ih += g.db_ih
        if db_hh is not None:
            db_hh += g.db_hh
        dh = g.dh_prev
    return GRUTorchGrads(dxs, dW_ih, dW_hh, db_ih, db_hh, dh)
