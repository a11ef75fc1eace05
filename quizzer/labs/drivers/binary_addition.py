"""Binary addition (the course's 3_1_simple_RNN): the trusted loop around the learner's pieces.

Shapes (the course's, with a batch axis N in front so that a batch of additions is one NumPy
call instead of a Python loop): X (N, T, 2) holds the bits of a and b, least significant first;
u and z (N, T+1, H) with z[:, 0] = 0; y and D (N, T, 1).
"""

from __future__ import annotations

import numpy as np

PIECES = ("forward", "backward", "gradients", "update", "d_tanh")
BINARY_DIM = 8
MAX_OPERAND = 2 ** (BINARY_DIM - 1)  # a, b < 128 so that a + b fits in 8 bits


class Diverged(Exception):
    """The loss stopped being a finite number at the given iteration."""


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def d_sigmoid(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def relu(x):
    return np.maximum(x, 0.0)


def d_relu(x):
    return (x > 0).astype(np.float64)


def activation(name, d_tanh):
    """(f, f') of the hidden layer; the learner writes d_tanh (the course asks them to)."""
    if name == "tanh":
        return np.tanh, d_tanh
    if name == "relu":
        return relu, d_relu
    return sigmoid, d_sigmoid


def bits(numbers, dim=BINARY_DIM):
    """(len(numbers), dim) bits, least significant first (the order the RNN reads them)."""
    numbers = np.asarray(numbers, dtype=np.int64)
    return ((numbers[:, None] >> np.arange(dim)) & 1).astype(np.float64)


def encode(a, b):
    """X (N, T, 2) and D (N, T, 1) for the additions a + b."""
    X = np.stack([bits(a), bits(b)], axis=-1)
    D = bits(np.asarray(a) + np.asarray(b))[..., None]
    return X, D


def init_weights(settings, rng):
    """W_in, W, W_out drawn as the course does: std * randn, or Xavier (1/sqrt(n_in)), or He."""
    H = settings["hidden_layer_size"]
    shapes = {"W_in": (2, H), "W": (H, H), "W_out": (H, 1)}
    weights = {}
    for name, shape in shapes.items():
        if settings["init"] == "xavier":
            scale = 1.0 / np.sqrt(shape[0])
        elif settings["init"] == "he":
            scale = np.sqrt(2.0) / np.sqrt(shape[0])
        else:
            scale = settings["weight_init_std"]
        weights[name] = scale * rng.standard_normal(shape)
    return weights


def forward_reference(X, W_in, W, W_out, f):
    """The trusted forward pass: used by the parent on held-out data and for gradient checks."""
    N, T, _ = X.shape
    z = np.zeros((N, W.shape[0]))
    y = np.zeros((N, T, 1))
    for t in range(T):
        z = f(X[:, t] @ W_in + z @ W)
        y[:, t] = sigmoid(z @ W_out)
    return y


def loss_of(y, D):
    """Squared error summed over the bits, averaged over the batch (the course's loss per addition)."""
    return float(np.mean(np.sum(0.5 * (y - D) ** 2, axis=(1, 2))))


def probe(ns, settings, case):
    """The learner's forward output and gradients on a tiny fixed case, for the gradient check."""
    X = np.asarray(case["X"], dtype=np.float64)
    D = np.asarray(case["D"], dtype=np.float64)
    W_in, W, W_out = (np.asarray(case[k], dtype=np.float64) for k in ("W_in", "W", "W_out"))
    f, d_f = activation(settings["activation"], ns["d_tanh"])
    u, z, y = ns["forward"](X, W_in, W, W_out, f)
    delta_out, delta = ns["backward"](X, D, u, z, y, W, W_out, d_f)
    W_in_grad, W_grad, W_out_grad = ns["gradients"](X, z, delta, delta_out)
    new = ns["update"](W_in.copy(), W.copy(), W_out.copy(), W_in_grad, W_grad, W_out_grad, 0.5)
    return {"y": y, "W_in_grad": W_in_grad, "W_grad": W_grad, "W_out_grad": W_out_grad,
            "W_in_new": new[0], "W_new": new[1], "W_out_new": new[2]}


def _largest(*grads):
    """The largest gradient entry (how a gradient explosion shows before the loss goes nan)."""
    with np.errstate(all="ignore"):
        return float(max(np.max(np.abs(g)) for g in grads))


def train(ns, settings, data, log):
    rng = np.random.default_rng(settings["seed"])
    pool = np.asarray(data["pool"], dtype=np.int64)  # a * MAX_OPERAND + b, held-out pairs excluded
    weights = init_weights(settings, rng)
    W_in, W, W_out = weights["W_in"], weights["W"], weights["W_out"]
    f, d_f = activation(settings["activation"], ns["d_tanh"])
    lr = settings["learning_rate"]
    N = settings["batch_size"]
    iters = settings["iters_num"]
    every = max(1, iters // 100)
    X_pool, D_pool = encode(pool // MAX_OPERAND, pool % MAX_OPERAND)  # once, not once per iteration
    watch = rng.choice(len(pool), size=min(256, len(pool)), replace=False)
    Xw, Dw = X_pool[watch], D_pool[watch]
    window, gmax = 0.0, 0.0
    for i in range(iters):
        pick = rng.integers(0, len(pool), size=N)
        X, D = X_pool[pick], D_pool[pick]
        u, z, y = ns["forward"](X, W_in, W, W_out, f)
        delta_out, delta = ns["backward"](X, D, u, z, y, W, W_out, d_f)
        W_in_grad, W_grad, W_out_grad = ns["gradients"](X, z, delta, delta_out)
        gmax = max(gmax, _largest(W_in_grad, W_grad, W_out_grad))
        W_in, W, W_out = ns["update"](W_in, W, W_out, W_in_grad, W_grad, W_out_grad, lr)
        loss = loss_of(np.asarray(y), D)
        if not np.isfinite(loss):
            log(i + 1, loss)  # at once, so the learner sees the very iteration (log raises Diverged)
        window += loss
        if (i + 1) % every == 0 or i + 1 == iters:
            count = (i % every) + 1
            with np.errstate(all="ignore"):
                _, _, yw = ns["forward"](Xw, W_in, W, W_out, f)
                acc = float(np.mean(np.all(np.round(np.asarray(yw)) == Dw, axis=(1, 2))))
            log(i + 1, window / count, acc, gmax)
            window, gmax = 0.0, 0.0
    return {"W_in": W_in, "W": W, "W_out": W_out}
