"""Dot-product attention of one decoder state over the encoder states.

    h_dec: (N, H)       hs_enc: (N, T, H)
    scores  a_t = hs_enc[:, t] . h_dec             (N, T), divided by sqrt(H) when scaled
    weights w   = softmax(scores) over T          (N, T), each row sums to 1
    context c   = sum_t w_t hs_enc[:, t]          (N, H)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._arrays import as_float64
from .activations import softmax, softmax_backward


class AttentionGrads(NamedTuple):
    dh_dec: np.ndarray  # (N, H)
    dhs_enc: np.ndarray  # (N, T, H)


def attention_scores(h_dec, hs_enc, scaled=False):
    h_dec, hs_enc = as_float64(h_dec, hs_enc)
    scores = np.einsum("nth,nh->nt", hs_enc, h_dec)
    return scores / np.sqrt(hs_enc.shape[-1]) if scaled else scores


def attention_weights(h_dec, hs_enc, scaled=False):
    return softmax(attention_scores(h_dec, hs_enc, scaled), axis=1)


def attention_forward(h_dec, hs_enc, scaled=False):
    """(context (N, H), weights (N, T))."""
    h_dec, hs_enc = as_float64(h_dec, hs_enc)
    weights = attention_weights(h_dec, hs_enc, scaled)
    context = np.einsum("nt,nth->nh", weights, hs_enc)
    return context, weights


def attention_backward(dcontext, h_dec, hs_enc, scaled=False):
    """Gradients of both inputs given dL/dcontext (N, H)."""
    dcontext, h_dec, hs_enc = as_float64(dcontext, h_dec, hs_enc)
    weights = attention_weights(h_dec, hs_enc, scaled)
    dweights = np.einsum("nh,nth->nt", dcontext, hs_enc)
    dscores = softmax_backward(dweights, weights, axis=1)
    if scaled:
        dscores = dscores / np.sqrt(hs_enc.shape[-1])
    dh_dec = np.einsum("nt,nth->nh", dscores, hs_enc)
    # hs_enc is used twice: as values summed into the context, and as keys in the scores
    dhs_enc = weights[:, :, None] * dcontext[:, None, :] + dscores[:, :, None] * h_dec[:, None, :]
    return AttentionGrads(dh_dec, dhs_enc)
