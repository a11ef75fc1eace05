"""word2vec helpers: skip-gram pairs, negative-sampling loss, cosine similarity.

Skip-gram with negative sampling, for one centre word with input vector v_c, its true context
word with output vector u_o, and K sampled negative words with output vectors u_k:

    loss = -log sigmoid(u_o . v_c) - sum_k log sigmoid(-u_k . v_c)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import sigmoid
from .conventions import DTYPE


class NegativeSamplingGrads(NamedTuple):
    dv_center: np.ndarray  # (d,)
    du_context: np.ndarray  # (d,)
    du_negatives: np.ndarray  # (K, d)


def skipgram_pairs(ids, window):
    """(centre, context) index pairs (P, 2): for each position in order, the neighbours at
    offsets -window ... -1, 1 ... window that fall inside the sequence."""
    ids = np.asarray(ids, dtype=np.intp)
    pairs = [
        (ids[i], ids[i + offset])
        for i in range(len(ids))
        for offset in range(-window, window + 1)
        if offset != 0 and 0 <= i + offset < len(ids)
    ]
    return np.array(pairs, dtype=np.intp).reshape(-1, 2)


def _log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


def negative_sampling_loss(v_center, u_context, u_negatives):
    """The loss of one (centre, context, negatives) set; u_negatives has shape (K, d)."""
    v = np.asarray(v_center, dtype=DTYPE)
    u_o = np.asarray(u_context, dtype=DTYPE)
    u_neg = np.asarray(u_negatives, dtype=DTYPE).reshape(-1, v.shape[0])
    return float(-_log_sigmoid(u_o.dot(v)) - np.sum(_log_sigmoid(-u_neg.dot(v))))


def negative_sampling_backward(v_center, u_context, u_negatives):
    """Gradients of ``negative_sampling_loss`` for the three inputs."""
    v = np.asarray(v_center, dtype=DTYPE)
    u_o = np.asarray(u_context, dtype=DTYPE)
    u_neg = np.asarray(u_negatives, dtype=DTYPE).reshape(-1, v.shape[0])
    d_pos = sigmoid(u_o.dot(v)) - 1.0  # d loss / d (u_o . v)
    d_neg = sigmoid(u_neg.dot(v))  # d loss / d (u_k . v), shape (K,)
    return NegativeSamplingGrads(
        dv_center=d_pos * u_o + d_neg.dot(u_neg),
        du_context=d_pos * v,
        du_negatives=np.outer(d_neg, v),
    )


def cosine_similarity(a, b):
    """a . b / (|a| |b|); 0.0 when either vector is zero."""
    a = np.asarray(a, dtype=DTYPE)
    b = np.asarray(b, dtype=DTYPE)
    norms = np.linalg.norm(a) * np.linalg.norm(b)
    return float(a.dot(b) / norms) if norms > 0 else 0.0
