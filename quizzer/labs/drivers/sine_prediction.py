"""Sine prediction (the course's 3_3_predict_sin): the trusted side of the loop.

The data is the course's toy problem: sin(2 pi x / T) with T = 100 plus uniform noise of amplitude
0.05, cut into windows of ``maxlen`` points, each labelled with the point that follows it. The
learner writes the recurrent step and the training loop; this driver hands the loop a batch source
and a ``log`` that forwards the loss every so many iterations.
"""

from __future__ import annotations

import numpy as np

PIECES = ("rnn_step", "forward_backward", "train")
PERIOD = 100
NOISE = 0.05
TRAIN_PERIODS = 10


class Diverged(Exception):
    """The loss stopped being a finite number at the given iteration."""


def wave(periods, rng, noise=NOISE):
    x = np.arange(0, periods * PERIOD + 1)
    return np.sin(2.0 * np.pi * x / PERIOD) + noise * rng.uniform(-1.0, 1.0, size=len(x))


def windows(series, maxlen):
    """X (N, maxlen, 1) and Y (N, 1): every window and the point right after it."""
    X = np.stack([series[i:i + maxlen] for i in range(len(series) - maxlen)])[..., None]
    return X, series[maxlen:, None]


def init_weights(settings, rng):
    H = settings["hidden_layer_size"]
    return {"W_in": 0.5 * rng.standard_normal((1, H)), "W": rng.standard_normal((H, H)) / np.sqrt(H),
            "b": np.zeros(H), "W_out": rng.standard_normal((H, 1)) / np.sqrt(H), "c": np.zeros(1)}


def predict_reference(params, X):
    """The trusted forward pass: the prediction after reading each window."""
    h = np.zeros((X.shape[0], params["W"].shape[0]))
    for t in range(X.shape[1]):
        h = np.tanh(X[:, t] @ params["W_in"] + h @ params["W"] + params["b"])
    return h @ params["W_out"] + params["c"]


def loss_reference(params, X, Y):
    return float(np.mean((predict_reference(params, X) - Y) ** 2))


def probe(ns, settings, case):
    params = {k: np.asarray(case[k], dtype=np.float64) for k in ("W_in", "W", "b", "W_out", "c")}
    X, Y = np.asarray(case["X"]), np.asarray(case["Y"])
    h = ns["rnn_step"](X[:, 0], np.asarray(case["h"]), params["W_in"], params["W"], params["b"])
    loss, grads = ns["forward_backward"](X, Y, params)
    out = {"h": h, "loss": np.asarray(loss)}
    out.update({f"{k}_grad": grads[k] for k in ("W_in", "W", "b", "W_out", "c")})
    return out


def train(ns, settings, data, log):
    rng = np.random.default_rng(settings["seed"])
    X, Y = windows(wave(TRAIN_PERIODS, rng), settings["maxlen"])
    params = init_weights(settings, rng)
    N = settings["batch_size"]
    iters = settings["iters_num"]
    every = max(1, iters // 100)
    window = [0.0, 0]

    def next_batch():
        pick = rng.integers(0, len(X), size=N)
        return X[pick], Y[pick]

    def learner_log(i, loss):
        if not np.isfinite(float(loss)):
            log(int(i), float(loss))  # at once: the very iteration (log raises Diverged)
        window[0] += float(loss)
        window[1] += 1
        if int(i) % every == 0 or int(i) == iters:
            log(int(i), window[0] / window[1])
            window[0], window[1] = 0.0, 0

    ns["train"](params, next_batch, settings["learning_rate"], iters, learner_log)
    return {k: params[k] for k in ("W_in", "W", "b", "W_out", "c")}
