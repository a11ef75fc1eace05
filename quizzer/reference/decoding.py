"""Decoding a seq2seq decoder: greedy decoding and beam search (``conventions.GREEDY_DECODING``,
``conventions.BEAM_SEARCH``).

The decoder of ``greedy_decode`` is the simple RNN of ``rnn.py`` fed with the embedding of the
previous token, E (emb, vocab) as in ``conventions.EMBEDDING_LAYOUT``, and read out by V (vocab, H):

    e      = E[:, prev]                                  (emb,)
    h      = tanh(e W^T + h U^T + b)                     starts from the thought vector
    logits = h V^T + c                                   (vocab,)
    token  = argmax(logits)                              the smallest id among equal maxima

Beam search runs on a bigram model: ``logp[prev, nxt]`` is log P(nxt | prev), so a sequence's score is
the sum of the log-probabilities of its tokens.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np

from ._arrays import as_float64
from .rnn import rnn_step_forward


class Beam(NamedTuple):
    tokens: tuple[int, ...]
    score: float


def decoder_step(prev, h, E, W, U, b, V, c):
    """One decoder step from token id ``prev`` and state h (H,): (h_next (H,), logits (vocab,))."""
    E, V, c = as_float64(E, V, c)
    e = E[:, int(prev)]
    h_next = rnn_step_forward(e, h, W, U, b)
    return h_next, h_next.dot(V.T) + c


def greedy_decode(h, E, W, U, b, V, c, bos, eos, max_len):
    """Token ids from the thought vector h (H,): start from ``bos``, feed back the argmax of every
    step, stop after emitting ``eos`` (which is kept) or after ``max_len`` tokens. ``bos`` is not
    part of the output."""
    (h,) = as_float64(h)
    tokens: list[int] = []
    prev = int(bos)
    while len(tokens) < int(max_len):
        h, logits = decoder_step(prev, h, E, W, U, b, V, c)
        prev = int(np.argmax(logits))
        tokens.append(prev)
        if prev == int(eos):
            break
    return np.array(tokens, dtype=np.int64)


def beam_search(logp, k, T, start=0):
    """The best sequence of T tokens after ``start`` under the bigram log-probabilities ``logp``
    (vocab, vocab), keeping the ``k`` best partial sequences at every step.

    At each step every kept beam is extended by every token; the candidates are ranked by score,
    highest first, and equal scores keep the order (beam rank, then token id): a stable sort of the
    candidates listed beam by beam, token by token. Returns the best Beam (tokens, score).
    """
    (logp,) = as_float64(logp)
    beams = [Beam((), 0.0)]
    for _ in range(int(T)):
        candidates = [Beam(beam.tokens + (v,), beam.score + logp[beam.tokens[-1] if beam.tokens else start, v])
                      for beam in beams for v in range(logp.shape[1])]
        order = np.argsort(-np.array([cand.score for cand in candidates]), kind="stable")
        beams = [candidates[i] for i in order[: int(k)]]
    return beams[0]


def exhaustive_best(logp, T, start=0):
    """The highest-scoring sequence of T tokens over every one of the vocab**T sequences (the
    smallest in lexicographic order among equals): what an unbounded beam finds."""
    (logp,) = as_float64(logp)
    seqs = np.array(list(itertools.product(range(logp.shape[1]), repeat=int(T))), dtype=np.intp)  # lexicographic
    scores = logp[start, seqs[:, 0]]
    for t in range(1, int(T)):
        scores = scores + logp[seqs[:, t - 1], seqs[:, t]]  # summed left to right, as the beam does
    best = int(np.argmax(scores))  # the first maximum
    return Beam(tuple(int(v) for v in seqs[best]), float(scores[best]))
