"""Losses and their gradients.

Targets for cross-entropy are either integer class indices (shape of the scores without the
last axis) or one-hot / soft label arrays (same shape as the scores).

Reduction (``conventions.SEQUENCE_LOSS_REDUCTION``): a single vector (C,) gives a scalar loss;
a batch (N, C) is averaged over N; a sequence batch (N, T, C) is averaged over N and SUMMED over
T, or averaged over T too with ``time_reduction="mean"`` (PyTorch's ``F.cross_entropy`` on
N * T positions).
"""

from __future__ import annotations

import numpy as np

from .activations import log_softmax, softmax
from .conventions import DTYPE

_TINY = 1e-300  # keeps log(0) finite for probabilities that underflowed to zero


def _as_target_distribution(targets, scores):
    targets = np.asarray(targets)
    if targets.shape == scores.shape:
        return targets.astype(DTYPE)
    if targets.shape != scores.shape[:-1]:
        raise ValueError(
            f"targets of shape {targets.shape} fit neither scores {scores.shape} "
            f"nor their leading axes {scores.shape[:-1]}"
        )
    return np.eye(scores.shape[-1], dtype=DTYPE)[targets.astype(np.intp)]


def _reduce(per_position, time_reduction):
    """Apply the documented reduction to losses of shape (), (N,) or (N, T)."""
    if per_position.ndim == 0:
        return float(per_position)
    if per_position.ndim == 1:
        return float(np.mean(per_position))
    if time_reduction == "sum":
        return float(np.mean(np.sum(per_position, axis=1)))
    if time_reduction == "mean":
        return float(np.mean(per_position))
    raise ValueError(f"time_reduction must be 'sum' or 'mean', not {time_reduction!r}")


def _reduction_scale(shape, time_reduction):
    """d(reduced loss) / d(one position's loss)."""
    if len(shape) == 1:
        return 1.0
    if len(shape) == 2:
        return 1.0 / shape[0]
    N, T = shape[:2]
    return 1.0 / N if time_reduction == "sum" else 1.0 / (N * T)


def cross_entropy(probs, targets, time_reduction="sum"):
    """-sum(t * log p) from PROBABILITIES, reduced as in the module docstring."""
    probs = np.asarray(probs, dtype=DTYPE)
    t = _as_target_distribution(targets, probs)
    per_position = -np.sum(t * np.log(np.maximum(probs, _TINY)), axis=-1)
    return _reduce(per_position, time_reduction)


def cross_entropy_grad(probs, targets, time_reduction="sum"):
    """d cross_entropy / d probs = -t / p, times the reduction scale."""
    probs = np.asarray(probs, dtype=DTYPE)
    t = _as_target_distribution(targets, probs)
    return -t / np.maximum(probs, _TINY) * _reduction_scale(probs.shape, time_reduction)


def softmax_cross_entropy(logits, targets, time_reduction="sum"):
    """Cross-entropy of softmax(logits), through log-softmax so large logits do not overflow."""
    logits = np.asarray(logits, dtype=DTYPE)
    t = _as_target_distribution(targets, logits)
    per_position = -np.sum(t * log_softmax(logits), axis=-1)
    return _reduce(per_position, time_reduction)


def softmax_cross_entropy_grad(logits, targets, time_reduction="sum"):
    """d loss / d logits = (softmax(logits) - t) times the reduction scale.

    Written as ``softmax * sum(t) - t`` so that soft labels not summing to one stay exact.
    """
    logits = np.asarray(logits, dtype=DTYPE)
    t = _as_target_distribution(targets, logits)
    scale = _reduction_scale(logits.shape, time_reduction)
    return (softmax(logits) * np.sum(t, axis=-1, keepdims=True) - t) * scale


def mean_squared_error(y, t):
    """mean((y - t)^2) over every element, as PyTorch's ``F.mse_loss``."""
    y = np.asarray(y, dtype=DTYPE)
    t = np.asarray(t, dtype=DTYPE)
    return float(np.mean((y - t) ** 2))


def mean_squared_error_grad(y, t):
    y = np.asarray(y, dtype=DTYPE)
    t = np.asarray(t, dtype=DTYPE)
    return 2.0 * (y - t) / y.size


def sum_squared_error(y, t):
    """0.5 * sum((y - t)^2), the textbook loss whose gradient is simply y - t."""
    y = np.asarray(y, dtype=DTYPE)
    t = np.asarray(t, dtype=DTYPE)
    return float(0.5 * np.sum((y - t) ** 2))


def sum_squared_error_grad(y, t):
    return np.asarray(y, dtype=DTYPE) - np.asarray(t, dtype=DTYPE)
