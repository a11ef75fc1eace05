"""Lab sine-prediction: a simple RNN learns a noisy sine wave and then continues it on its own
(the course's 3_3_predict_sin).

quizzer trains with the functions in this file (`quizzer lab run sine-prediction FILE`). It cuts
the wave into windows of maxlen points; the network reads a window and predicts the next point.
Afterwards quizzer checks, with your weights, the error on a wave your code never saw and a
free-running prediction: fed only its own outputs, does it follow the wave for one period?

Names and shapes (H = hidden_layer_size, N = batch size):
    X (N, maxlen, 1), Y (N, 1), h (N, H)
    params: W_in (1, H), W (H, H), b (H,), W_out (H, 1), c (1,)
    h_t = tanh(x_t W_in + h_{t-1} W + b);  prediction = h_last W_out + c;  loss = mean squared error

(ja) ノイズを含む sin 波を学習し、その後は自分の出力だけで波形を続けます (講座の 3_3_predict_sin)。
____ の部分 (中間層の1ステップと学習ループ) を書き、`quizzer lab run sine-prediction FILE` で学習させます。
"""

import numpy as np


def rnn_step(x, h_prev, W_in, W, b):
    """One step of the recurrent layer: the new hidden state (N, H) from x (N, 1) and h_prev (N, H)."""
    # >>> recurrent step
    # tanh of (the input times W_in) plus (the previous state times W) plus b
    # (ja) tanh(入力 × W_in + 1つ前の隠れ状態 × W + b)
    return np.tanh(x @ W_in + h_prev @ W + b)
    # <<<


def forward_backward(X, Y, params):
    """The loss on one batch and its gradients (BPTT through the window)."""
    N, T, _ = X.shape
    H = params["W"].shape[0]
    hs = [np.zeros((N, H))]
    for t in range(T):
        hs.append(rnn_step(X[:, t], hs[-1], params["W_in"], params["W"], params["b"]))
    pred = hs[-1] @ params["W_out"] + params["c"]
    loss = float(np.mean((pred - Y) ** 2))
    d_pred = 2.0 * (pred - Y) / N
    grads = {"W_out": hs[-1].T @ d_pred, "c": d_pred.sum(axis=0),
             "W_in": np.zeros_like(params["W_in"]), "W": np.zeros_like(params["W"]), "b": np.zeros_like(params["b"])}
    dh = d_pred @ params["W_out"].T
    for t in reversed(range(T)):
        da = dh * (1.0 - hs[t + 1] ** 2)  # tanh'(a) = 1 - tanh(a)^2
        grads["W_in"] += X[:, t].T @ da
        grads["W"] += hs[t].T @ da
        grads["b"] += da.sum(axis=0)
        dh = da @ params["W"].T
    return loss, grads


def adam_update(params, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam, as the course's notebook trains with; changes params in place."""
    state["t"] = state.get("t", 0) + 1
    for k in params:
        m = state.setdefault("m_" + k, np.zeros_like(params[k]))
        v = state.setdefault("v_" + k, np.zeros_like(params[k]))
        m[...] = beta1 * m + (1 - beta1) * grads[k]
        v[...] = beta2 * v + (1 - beta2) * grads[k] ** 2
        m_hat = m / (1 - beta1 ** state["t"])
        v_hat = v / (1 - beta2 ** state["t"])
        params[k] -= learning_rate * m_hat / (np.sqrt(v_hat) + eps)


def train(params, next_batch, learning_rate, iters_num, log):
    """The training loop: iters_num times, take a batch, compute loss and gradients, update."""
    state = {}
    # >>> training loop
    # for each iteration i (counting from 1): X, Y = next_batch(); loss, grads = forward_backward(...);
    # adam_update(params, grads, state, learning_rate); then log(i, loss) so quizzer can plot it.
    # (ja) 学習回数 iters_num だけ: バッチを取り、損失と勾配を求め、更新し、log(i, loss) で損失を記録します。
    for i in range(1, iters_num + 1):
        X, Y = next_batch()
        loss, grads = forward_backward(X, Y, params)
        adam_update(params, grads, state, learning_rate)
        log(i, loss)
    # <<<
    return params
