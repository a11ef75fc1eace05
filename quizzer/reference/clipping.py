"""Gradient clipping by norm (``conventions.CLIPPING_RULE``)."""

from __future__ import annotations

import numpy as np

from .conventions import DTYPE


def clip_grad_norm(grad, threshold):
    """grad * threshold / norm when the L2 norm exceeds threshold, else grad unchanged (a copy).
    A zero gradient has norm 0 and is returned as is, with no division."""
    grad = np.array(grad, dtype=DTYPE)
    norm = np.linalg.norm(grad)
    if norm > threshold:
        return grad * (threshold / norm)
    return grad


def global_norm(grads):
    """sqrt of the sum of squares of every element of every array."""
    return float(np.sqrt(sum(np.sum(np.asarray(g, dtype=DTYPE) ** 2) for g in grads)))


def clip_grads_by_global_norm(grads, max_norm, eps=0.0):
    """Scale every array by the same factor max_norm / (global norm + eps) when that factor is
    below 1. ``eps=conventions.TORCH_CLIP_EPS`` reproduces ``torch.nn.utils.clip_grad_norm_``."""
    grads = [np.array(g, dtype=DTYPE) for g in grads]
    total = global_norm(grads)
    rate = max_norm / (total + eps) if total + eps > 0 else 1.0
    if rate < 1.0:
        return [g * rate for g in grads]
    return grads
