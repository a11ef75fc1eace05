"""The course's code exercises with their printed signatures, corrected.

Each function here takes exactly the arguments of the exercise (plus optional extras with
defaults) so that a learner's answer and the reference can be called the same way. The
exercises' own mistakes are fixed here; the ``*_course_bug`` functions elsewhere keep them.
"""

from __future__ import annotations

from .bidirectional import bidirectional_rnn_net
from .clipping import clip_grad_norm
from .gru import gru_step_forward
from .lstm import lstm_step_forward
from .rnn import bptt_linear, bptt_linear_course_bug, linear_rnn_do, linear_rnn_forward
from .seq2seq import encode
from .tree import traverse

__all__ = [
    "bidirectional_rnn_net",
    "bptt",
    "bptt_course_bug",
    "encode",
    "gradient_clipping",
    "gru",
    "lstm",
    "rnn_net",
    "traverse",
]


def rnn_net(xs, W, U, V):
    """(hiddens (N, T, H), outputs (N, T, O)) of the linear RNN the BPTT exercise differentiates."""
    return linear_rnn_forward(xs, W, U, V)


def bptt(xs, ys, W, U, V, calculate_do=linear_rnn_do):
    """(dW, dU, dV) of the linear RNN; ``do = calculate_do(outputs, ys)``; divided by the batch
    size as in the course; the first step reads a zero initial state."""
    _, outputs = linear_rnn_forward(xs, W, U, V)
    return bptt_linear(xs, calculate_do(outputs, ys), W, U, V)


def bptt_course_bug(xs, ys, W, U, V, calculate_do=linear_rnn_do):
    """As ``bptt`` but with the course's wrap-around ``hiddens[:, -1]`` at the first step."""
    _, outputs = linear_rnn_forward(xs, W, U, V)
    return bptt_linear_course_bug(xs, calculate_do(outputs, ys), W, U, V)


def gradient_clipping(grad, threshold):
    """grad * (threshold / norm) when the norm exceeds threshold; safe for a zero gradient."""
    return clip_grad_norm(grad, threshold)


def lstm(x, prev_h, prev_c, W, U, b):
    """(c, h) in the course's return order. The printed exercise also wraps ``lstm_in`` in an
    extra ``_activation`` and writes ``forget_gate * c``; here there is no extra activation and
    the forget gate multiplies ``prev_c``."""
    h, c = lstm_step_forward(x, prev_h, prev_c, W, U, b)
    return c, h


def gru(x, h, W_r, U_r, W_z, U_z, W, U):
    """h_new = (1 - z) * h + z * h_bar in the course convention (``conventions.GRU_COURSE``)."""
    return gru_step_forward(x, h, W_r, U_r, W_z, U_z, W, U)
