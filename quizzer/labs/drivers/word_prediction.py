"""Word prediction (the course's predict_word): the trusted loop around the learner's pieces.

The learner writes the embedding lookup, the recurrent step and the softmax cross-entropy; this
driver runs them over windows of the corpus, back-propagates through them (its own BPTT, given
the learner's d(loss)/d(logits)) and updates with Adam.
"""

from __future__ import annotations

import numpy as np

PIECES = ("embed", "rnn_step", "softmax_cross_entropy")


class Diverged(Exception):
    """The loss stopped being a finite number at the given iteration."""


def init_weights(settings, vocab_size, rng):
    D, H, V = settings["embed_size"], settings["hidden_layer_size"], vocab_size
    return {"E": 0.1 * rng.standard_normal((V, D)), "W_in": rng.standard_normal((D, H)) / np.sqrt(D),
            "W": rng.standard_normal((H, H)) / np.sqrt(H), "b": np.zeros(H),
            "W_out": rng.standard_normal((H, V)) / np.sqrt(H), "c": np.zeros(V)}


def log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def cross_entropy_reference(params, ids):
    """Mean cross-entropy of predicting ids[:, t+1] from ids[:, :t+1] (trusted, for held-out text)."""
    N, T = ids.shape
    h = np.zeros((N, params["W"].shape[0]))
    total = 0.0
    for t in range(T - 1):
        h = np.tanh(params["E"][ids[:, t]] @ params["W_in"] + h @ params["W"] + params["b"])
        logp = log_softmax(h @ params["W_out"] + params["c"])
        total -= float(logp[np.arange(N), ids[:, t + 1]].sum())
    return total / (N * (T - 1))


def probe(ns, settings, case):
    E = np.asarray(case["E"])
    ids = np.asarray(case["ids"], dtype=np.int64)
    x = ns["embed"](ids, E)
    h = ns["rnn_step"](np.asarray(case["x"]), np.asarray(case["h"]), np.asarray(case["W_in"]),
                       np.asarray(case["W"]), np.asarray(case["b"]))
    loss, dlogits = ns["softmax_cross_entropy"](np.asarray(case["logits"]), np.asarray(case["targets"], dtype=np.int64))
    return {"x": x, "h": h, "loss": np.asarray(loss), "dlogits": dlogits}


def train(ns, settings, data, log):
    rng = np.random.default_rng(settings["seed"])
    tokens = np.asarray(data["train"], dtype=np.int64)
    params = init_weights(settings, int(data["vocab_size"]), rng)
    embed, step, loss_fn = ns["embed"], ns["rnn_step"], ns["softmax_cross_entropy"]
    N, T = settings["batch_size"], settings["maxlen"]
    lr = settings["learning_rate"]
    iters = settings["iters_num"]
    every = max(1, iters // 100)
    state = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}
    window = 0.0
    H = params["W"].shape[0]
    for i in range(1, iters + 1):
        starts = rng.integers(0, len(tokens) - T - 1, size=N)
        ids = tokens[starts[:, None] + np.arange(T + 1)]
        xs, hs = [], [np.zeros((N, H))]
        for t in range(T):
            xs.append(np.asarray(embed(ids[:, t], params["E"])))
            hs.append(np.asarray(step(xs[-1], hs[-1], params["W_in"], params["W"], params["b"])))
        hcat = np.stack(hs[1:], axis=1)  # (N, T, H)
        logits = hcat @ params["W_out"] + params["c"]
        loss, dlogits = loss_fn(logits.reshape(N * T, -1), ids[:, 1:].reshape(-1))
        dlogits = np.asarray(dlogits).reshape(N, T, -1)
        grads = {k: np.zeros_like(v) for k, v in params.items()}
        grads["W_out"] = np.einsum("nth,ntv->hv", hcat, dlogits)
        grads["c"] = dlogits.sum(axis=(0, 1))
        dh = np.zeros((N, H))
        for t in reversed(range(T)):
            dh = dh + dlogits[:, t] @ params["W_out"].T
            da = dh * (1.0 - hs[t + 1] ** 2)
            grads["W_in"] += xs[t].T @ da
            grads["W"] += hs[t].T @ da
            grads["b"] += da.sum(axis=0)
            np.add.at(grads["E"], ids[:, t], da @ params["W_in"].T)
            dh = da @ params["W"].T
        for k, g in grads.items():
            m, v = state[k]
            m[...] = 0.9 * m + 0.1 * g
            v[...] = 0.999 * v + 0.001 * g * g
            params[k] -= lr * (m / (1 - 0.9 ** i)) / (np.sqrt(v / (1 - 0.999 ** i)) + 1e-8)
        if not np.isfinite(float(loss)):
            log(i, float(loss))  # at once: the very iteration (log raises Diverged)
        window += float(loss)
        if i % every == 0 or i == iters:
            log(i, window / ((i - 1) % every + 1))
            window = 0.0
    return params
