"""Activation functions and their derivatives.

A derivative ``*_grad(u)`` takes the PRE-activation ``u`` (the course's ``d_sigmoid(u[:, t])``)
and returns the elementwise slope f'(u).
"""

from __future__ import annotations

import numpy as np

from .conventions import DTYPE


def sigmoid(x):
    """1 / (1 + exp(-x)), evaluated through exp(-|x|) so that no exponent overflows."""
    x = np.asarray(x, dtype=DTYPE)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x):
    """sigmoid(x) * (1 - sigmoid(x)), written as sigmoid(x) * sigmoid(-x): the same number,
    without the cancellation in 1 - sigmoid(x) for large x."""
    x = np.asarray(x, dtype=DTYPE)
    return sigmoid(x) * sigmoid(-x)


def tanh(x):
    return np.tanh(np.asarray(x, dtype=DTYPE))


def tanh_grad(x):
    """1 - tanh(x)^2, written as 4 e / (1 + e)^2 with e = exp(-2|x|) so that large |x| keeps
    its relative precision instead of cancelling to a rounding error."""
    e = np.exp(-2.0 * np.abs(np.asarray(x, dtype=DTYPE)))
    return 4.0 * e / (1.0 + e) ** 2


def relu(x):
    x = np.asarray(x, dtype=DTYPE)
    return np.maximum(x, 0.0)


def relu_grad(x):
    """Slope 1 where x > 0 and 0 elsewhere (0 at x == 0, as PyTorch does)."""
    return (np.asarray(x, dtype=DTYPE) > 0).astype(DTYPE)


def identity(x):
    return np.asarray(x, dtype=DTYPE)


def identity_grad(x):
    return np.ones_like(np.asarray(x, dtype=DTYPE))


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along ``axis``, shifted by the max so [1000, 1000] gives [0.5, 0.5]."""
    x = np.asarray(x, dtype=DTYPE)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    x = np.asarray(x, dtype=DTYPE)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax_backward(dy, y, axis=-1):
    """Gradient through y = softmax(x): dx = y * (dy - sum(dy * y)), given the OUTPUT y."""
    dy = np.asarray(dy, dtype=DTYPE)
    y = np.asarray(y, dtype=DTYPE)
    return y * (dy - np.sum(dy * y, axis=axis, keepdims=True))


ACTIVATIONS = {
    "tanh": (tanh, tanh_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "relu": (relu, relu_grad),
    "identity": (identity, identity_grad),
}
"""Activation name -> (function, derivative of the pre-activation)."""


def get_activation(name):
    """The (function, derivative) pair for one of ``conventions.RNN_ACTIVATIONS``."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}"
        ) from None
