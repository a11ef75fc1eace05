"""Lab word-prediction: a language model predicts the next word (the course's predict_word).

quizzer trains with the functions in this file (`quizzer lab run word-prediction FILE`) on a small
corpus shipped with quizzer, then measures the perplexity of your trained model on sentences your
code never saw. quizzer runs BPTT and the Adam updates; you write the three pieces below.

Names and shapes (V = vocabulary size, D = embed_size, H = hidden_layer_size, N = batch size):
    ids (N,) word ids;  E (V, D) the embedding matrix;  x (N, D);  h (N, H)
    W_in (D, H), W (H, H), b (H,);  logits (M, V) for M positions, targets (M,) the right next words
"""

import numpy as np


def embed(ids, E):
    """The embedding lookup: row ids[n] of E for each n, shape (N, D)."""
    # >>> embedding lookup
    # Each word id picks one row of E (a one-hot vector times E is the same row, without the product).
    return E[ids]
    # <<<


def rnn_step(x, h_prev, W_in, W, b):
    """One step of the recurrent layer: tanh(x W_in + h_prev W + b), shape (N, H)."""
    # >>> recurrent step
    # the same step as in the sine lab: tanh of x times W_in plus h_prev times W plus b
    return np.tanh(x @ W_in + h_prev @ W + b)
    # <<<


def softmax_cross_entropy(logits, targets):
    """Mean cross-entropy of softmax(logits) against the targets, and its gradient d(loss)/d(logits)."""
    # >>> softmax cross-entropy
    # Subtract each row's maximum before exp (the same softmax, without overflow). The loss is the
    # mean over the M rows of -log p[target]; its gradient is (softmax - one_hot(targets)) / M.
    M = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(shifted)
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(M), targets] + 1e-12))
    dlogits = p.copy()
    dlogits[np.arange(M), targets] -= 1.0
    dlogits /= M
    # <<<
    return loss, dlogits
