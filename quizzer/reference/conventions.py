"""Conventions of the hidden reference, as named constants that exercise prompts quote.

Every array is float64. Sequences are batch-major: ``xs`` has shape (N, T, D) and the hidden
states ``hs`` have shape (N, T, H), where

    N = batch size, T = time steps, D = input size, H = hidden size.

A weight matrix has one ROW per output unit and is applied from the right with a transpose, as
in the course exercises (``x.dot(W.T)``). This is also PyTorch's ``weight_ih`` / ``weight_hh``
layout, so weights copy across without transposing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DTYPE = np.float64
"""The reference computes in float64 only; inputs are converted on entry."""

SHAPE_LETTERS = "N = batch, T = time, D = input size, H = hidden size"

SEQUENCE_LAYOUT = "(N, T, D)"
"""Batch-major sequences: ``xs[:, t]`` is the (N, D) input at time t (PyTorch ``batch_first``)."""

WEIGHT_LAYOUT = (
    "W has shape (H, D) and is applied as x.dot(W.T); "
    "U has shape (H, H) and is applied as h.dot(U.T); b has shape (H,)"
)
"""Rows of a weight matrix are output units: ``u = x.dot(W.T) + h_prev.dot(U.T) + b``."""

INITIAL_STATE = "zeros of shape (N, H) unless h0 is given"

RNN_ACTIVATIONS = ("tanh", "sigmoid", "relu", "identity")
"""Names accepted wherever a function takes ``activation=``."""

# --- LSTM -----------------------------------------------------------------------------------

LSTM_GATE_ORDER = ("a", "i", "f", "o")
"""Course order of the four blocks stacked along the rows of W (4H, D), U (4H, H), b (4H,).

``lstm_in = x.dot(W.T) + prev_h.dot(U.T) + b``; ``a, i, f, o = np.hsplit(lstm_in, 4)``;
``a`` is the cell input (tanh), ``i``, ``f``, ``o`` the input, forget and output gates (sigmoid);
``c = i * a + f * prev_c``; ``h = o * tanh(c)``.
"""

TORCH_LSTM_GATE_ORDER = ("i", "f", "g", "o")
"""PyTorch's order for ``nn.LSTM``: ``g`` is the course's ``a``."""

LSTM_EQUATIONS = (
    "a = tanh(x W_a^T + h U_a^T + b_a); i = sigmoid(x W_i^T + h U_i^T + b_i); "
    "f = sigmoid(x W_f^T + h U_f^T + b_f); o = sigmoid(x W_o^T + h U_o^T + b_o); "
    "c_new = i * a + f * c; h_new = o * tanh(c_new)"
)

PEEPHOLE_CONVENTION = (
    "peephole weights p_i, p_f, p_o are vectors of shape (H,) (diagonal matrices), applied "
    "elementwise: i and f see the previous cell c_{t-1}, o sees the new cell c_t: "
    "i = sigmoid(... + p_i * c_prev), f = sigmoid(... + p_f * c_prev), "
    "o = sigmoid(... + p_o * c_new)"
)

# --- GRU ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GRUConvention:
    """One way of writing the GRU; the two in use differ in where reset applies and how z blends."""

    name: str
    reset: str
    """Where the reset gate r enters the candidate state."""
    blend: str
    """How the update gate z mixes the old state and the candidate."""
    equations: str


GRU_COURSE = GRUConvention(
    name="course",
    reset="before the recurrent product: (r * h) U^T",
    blend="h_new = (1 - z) * h + z * h_bar  (z = 1 takes the candidate)",
    equations=(
        "r = sigmoid(x W_r^T + h U_r^T + b_r); z = sigmoid(x W_z^T + h U_z^T + b_z); "
        "h_bar = tanh(x W^T + (r * h) U^T + b); h_new = (1 - z) * h + z * h_bar"
    ),
)
"""The course exercise ``gru(x, h, W_r, U_r, W_z, U_z, W, U)``; biases optional (default none)."""

GRU_PYTORCH = GRUConvention(
    name="pytorch",
    reset="after the recurrent product: r * (h W_hn^T + b_hn)",
    blend="h_new = (1 - z) * n + z * h  (z = 1 keeps the old state)",
    equations=(
        "r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr); "
        "z = sigmoid(x W_iz^T + b_iz + h W_hz^T + b_hz); "
        "n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn)); h_new = (1 - z) * n + z * h"
    ),
)
"""``torch.nn.GRU`` / ``nn.GRUCell``: stacked weight_ih (3H, D), weight_hh (3H, H), order r, z, n."""

TORCH_GRU_GATE_ORDER = ("r", "z", "n")

# --- Losses, BPTT, clipping, bidirectional --------------------------------------------------

SEQUENCE_LOSS_REDUCTION = "mean over the batch, sum over time"
"""Default reduction of a sequence loss (N, T, ...); ``time_reduction="mean"`` averages over
time too, which is PyTorch's ``F.cross_entropy`` over N * T positions."""

BPTT_GRADIENT_SCALE = "gradients divided by the batch size N"
"""The course BPTT divides every accumulated product by ``batch_size``: given ``do``, the
per-sample gradient of the loss summed over time, it returns the gradient of the batch MEAN."""

TRUNCATED_BPTT = (
    "window: each time step's loss gradient flows back through at most k steps "
    "(steps t, t-1, ..., t-k+1), the course's nested loop cut short; "
    "block: the sequence is cut into blocks of k steps and no gradient crosses a block boundary"
)

CLIPPING_RULE = "if norm > threshold: grad * threshold / norm, else grad unchanged"
"""Norm is the L2 (Frobenius) norm; for a list of arrays, the global norm over all of them."""

TORCH_CLIP_EPS = 1e-6
"""``torch.nn.utils.clip_grad_norm_`` scales by ``max_norm / (total_norm + 1e-6)``."""

BIDIRECTIONAL_MERGE = "np.concatenate([hs_f, hs_b[:, ::-1]], axis=2)"
"""Backward states are computed on time-reversed input, re-reversed in time, then joined on the
feature axis: (N, T, 2H), forward half first (PyTorch's ``bidirectional=True`` output)."""

STACKED_RNN = "layer 1 reads xs; layer 2 reads the states of layer 1 at every time step: W2 has shape (H2, H1)"
"""A deep RNN: each layer is a simple RNN whose input sequence is the state sequence of the layer below."""

HRED_CONTEXT = (
    "each utterance is encoded from a zero state and its final encoder state is its encoding; "
    "the context RNN reads one encoding per utterance and keeps its state across the dialogue"
)

VAE_LOG_VARIANCE = "log_var = log(sigma^2), so sigma = exp(0.5 * log_var); z = mu + sigma * eps"

KL_REDUCTION = "KL(N(mu, sigma^2) || N(0, I)) summed over the latent units: one value per sample"

GREEDY_DECODING = (
    "start from the begin token and the thought vector; at each step feed the previous token, take the "
    "argmax of the logits, append it; stop after appending the end token or after max_len tokens"
)

BEAM_SEARCH = (
    "extend every kept sequence by every token, score = sum of log-probabilities, keep the k best; "
    "equal scores keep the order (beam rank, then token id)"
)

EMBEDDING_LAYOUT = "E has shape (emb, vocab); a one-hot word w embeds as e = E.dot(w) = E[:, id]"

ATTENTION_SCORE = "score_t = h_dec . hs_enc[:, t]; divided by sqrt(H) when scaled"

GRADCHECK_EPS = 1e-6
"""Step of the central difference ``(f(x + eps) - f(x - eps)) / (2 eps)``."""

GRADCHECK_TOLERANCE = 1e-6
"""A float64 backward passes when ``relative_error`` against numerical gradients is below this."""


def reorder_gates(array, from_order, to_order, axis=0):
    """Reorder the equal blocks stacked along ``axis`` from one gate order to another."""
    array = np.asarray(array, dtype=DTYPE)
    blocks = np.split(array, len(from_order), axis=axis)
    by_name = dict(zip(from_order, blocks))
    return np.concatenate([by_name[name] for name in to_order], axis=axis)
