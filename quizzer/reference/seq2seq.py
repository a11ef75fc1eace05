"""Seq2seq encoder with a word embedding (``conventions.EMBEDDING_LAYOUT``).

E has shape (emb, vocab): column k is the vector of word k, so a one-hot word w embeds as
e = E.dot(w), which equals E[:, k] for the word's index k. The course writes the encoder on
single vectors (no batch axis), with W (H, emb) and U (H, H) applied from the left:

    e = E.dot(w);  h = act(W.dot(e) + U.dot(h) + b);  the encoding is h after the last word.

``W.dot(e)`` for a vector is the same number as ``e.dot(W.T)``, so the batched encoder is the
simple RNN of ``rnn.py`` run on embedded words.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import get_activation
from .conventions import DTYPE
from .rnn import rnn_backward, rnn_forward


class EncoderGrads(NamedTuple):
    dE: np.ndarray  # (emb, vocab)
    dW: np.ndarray  # (H, emb)
    dU: np.ndarray  # (H, H)
    db: np.ndarray | None  # (H,)
    dh0: np.ndarray  # (N, H)


def _activation_function(activation):
    return activation if callable(activation) else get_activation(activation)[0]


def one_hot(ids, vocab_size):
    """One-hot rows: ids of any shape -> shape + (vocab_size,)."""
    return np.eye(vocab_size, dtype=DTYPE)[np.asarray(ids, dtype=np.intp)]


def embed(ids, E):
    """Embedding lookup: ids of any shape -> shape + (emb,); equals one_hot(ids).dot(E.T)."""
    E = np.asarray(E, dtype=DTYPE)
    return E.T[np.asarray(ids, dtype=np.intp)]


def embedding_backward(dembs, ids, vocab_size):
    """dE (emb, vocab): each word's column collects the gradients of every place it was used."""
    dembs = np.asarray(dembs, dtype=DTYPE)
    ids = np.asarray(ids, dtype=np.intp)
    dE_T = np.zeros((vocab_size, dembs.shape[-1]), dtype=DTYPE)
    np.add.at(dE_T, ids.reshape(-1), dembs.reshape(-1, dembs.shape[-1]))
    return dE_T.T


def encode(words, E, W, U, b, activation="tanh"):
    """The course exercise, corrected: the final hidden state (H,) after reading every word.

    ``words`` is a sequence of one-hot vectors (vocab,) (or an array (T, vocab));
    ``activation`` is a name from conventions.RNN_ACTIVATIONS or a callable.
    """
    act = _activation_function(activation)
    E, W, U, b = (np.asarray(a, dtype=DTYPE) for a in (E, W, U, b))
    h = np.zeros(W.shape[0], dtype=DTYPE)
    for w in words:
        e = E.dot(np.asarray(w, dtype=DTYPE))
        h = act(W.dot(e) + U.dot(h) + b)
    return h


def encode_course_bug(words, E, W, U, b, activation="tanh"):
    """WRONG, as printed in the course: ``return h`` sits inside the loop, so only the first word
    is encoded. Kept so the grader can recognise that answer."""
    act = _activation_function(activation)
    E, W, U, b = (np.asarray(a, dtype=DTYPE) for a in (E, W, U, b))
    h = np.zeros(W.shape[0], dtype=DTYPE)
    for w in words:
        e = E.dot(np.asarray(w, dtype=DTYPE))
        h = act(W.dot(e) + U.dot(h) + b)
        return h
    return h


def encoder_forward(ids, E, W, U, b=None, h0=None, activation="tanh"):
    """Batched encoder over word indices ids (N, T): all hidden states (N, T, H).
    The encoding (the course's final state) is ``hs[:, -1]``."""
    return rnn_forward(embed(ids, E), W, U, b, h0, activation)


def encoder_backward(dhs, ids, E, W, U, b=None, h0=None, activation="tanh"):
    """Gradients given dL/dh_t (N, T, H); for a loss on the encoding alone, put the gradient in
    dhs[:, -1] and zeros elsewhere."""
    E = np.asarray(E, dtype=DTYPE)
    g = rnn_backward(dhs, embed(ids, E), W, U, b, h0, activation)
    return EncoderGrads(embedding_backward(g.dxs, ids, E.shape[1]), g.dW, g.dU, g.db, g.dh0)
