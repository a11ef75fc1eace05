"""Numerical gradients by central differences, and the error measure used to compare them."""

from __future__ import annotations

import numpy as np

from .conventions import DTYPE, GRADCHECK_EPS


def numerical_gradient(f, x, eps=GRADCHECK_EPS):
    """d f / d x by (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for every element i.

    ``f`` takes an array shaped like ``x`` and returns a scalar; it is called on perturbed
    copies, so ``x`` itself is never modified.
    """
    x = np.array(x, dtype=DTYPE)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        f_plus = float(f(x.copy()))
        x[i] = original - eps
        f_minus = float(f(x.copy()))
        x[i] = original
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def relative_error(a, b):
    """|a - b| / (|a| + |b|) with L2 norms over all elements; 0.0 when both are zero."""
    a = np.asarray(a, dtype=DTYPE)
    b = np.asarray(b, dtype=DTYPE)
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / denominator) if denominator > 0 else 0.0


def weighted_sum_loss(output, upstream):
    """sum(output * upstream): a scalar whose gradient with respect to ``output`` is ``upstream``,
    used to check a backward function against an arbitrary upstream gradient."""
    return float(np.sum(np.asarray(output, dtype=DTYPE) * np.asarray(upstream, dtype=DTYPE)))


def gradient_check(loss, params, analytic, eps=GRADCHECK_EPS):
    """Relative error per parameter name between ``analytic[name]`` and the numerical gradient
    of ``loss(**params)`` with respect to ``params[name]``, for every name in ``analytic``."""
    errors = {}
    for name, grad in analytic.items():
        def f(value, name=name):
            return loss(**{**params, name: value})

        errors[name] = relative_error(grad, numerical_gradient(f, params[name], eps))
    return errors
