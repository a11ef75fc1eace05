"""Lab binary-addition: a simple RNN learns 8-bit binary addition (the course's 3_1_simple_RNN).

quizzer trains with the functions in this file (`quizzer lab run binary-addition FILE`): it draws
the additions, initialises W_in, W and W_out, calls forward, backward, gradients and update once
per iteration, and checks the trained weights on 1000 additions your code never sees.

The course's names, with a batch axis N in front (N additions at once, so NumPy does the work the
course's per-sample loop did):
    X        (N, T, 2)    the bits of a and b at each time step, least significant bit first
    D        (N, T, 1)    the bits of d = a + b (the right answer)
    u, z     (N, T+1, H)  the hidden layer's input and output; z[:, 0] is the initial state (zeros)
    y        (N, T, 1)    the output, y[:, t] = sigmoid(z[:, t+1] @ W_out)
    W_in (2, H), W (H, H), W_out (H, 1)
The loss of one addition is sum over t of 0.5 * (y - d)^2; gradients are averaged over the N additions.

(ja) 単純な RNN に8ビットの2進数の足し算を学習させます (講座の 3_1_simple_RNN)。____ の部分
(d_tanh、順伝播、BPTT のデルタ、勾配の蓄積) を書き、`quizzer lab run binary-addition FILE` で学習させます。
学習後の重みは、学習に使わなかった 1000 問の足し算で判定されます。
"""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def d_tanh(x):
    """Derivative of tanh (the course asks you to write it as d_tanh for the tanh experiment)."""
    # >>> d_tanh
    # tanh'(x) = 1 / cosh(x)^2 = 1 - tanh(x)^2
    # (ja) tanh の導関数: 1 / cosh(x)^2 = 1 - tanh(x)^2
    return 1.0 - np.tanh(x) ** 2
    # <<<


def forward(X, W_in, W, W_out, f):
    """Run the RNN over the T time steps; f is the hidden layer's activation function."""
    N, T, _ = X.shape
    H = W.shape[0]
    u = np.zeros((N, T + 1, H))
    z = np.zeros((N, T + 1, H))
    y = np.zeros((N, T, 1))
    for t in range(T):
        # >>> forward step
        # u[:, t+1] = input at t times W_in plus the previous hidden state z[:, t] times W
        # z[:, t+1] = f(u[:, t+1]);  y[:, t] = sigmoid(z[:, t+1] times W_out)
        # (ja) u[:, t+1] = 時刻 t の入力 × W_in + 1つ前の中間層の出力 z[:, t] × W、z[:, t+1] = f(u[:, t+1])、
        #      y[:, t] = sigmoid(z[:, t+1] × W_out)
        u[:, t + 1] = X[:, t] @ W_in + z[:, t] @ W
        z[:, t + 1] = f(u[:, t + 1])
        y[:, t] = sigmoid(z[:, t + 1] @ W_out)
        # <<<
    return u, z, y


def backward(X, D, u, z, y, W, W_out, d_f):
    """BPTT: delta_out[:, t] = dE/d(output pre-activation), delta[:, t] = dE/du[:, t+1]."""
    T = X.shape[1]
    delta = np.zeros_like(u)  # delta[:, T] stays 0: nothing flows back from after the last step
    # >>> BPTT deltas
    # The output delta is (y - D) times the sigmoid's derivative. y is ALREADY sigmoid(...), so
    # that derivative is y * (1 - y). The course's notebook writes d_sigmoid(y), which applies
    # the sigmoid a second time: a bug that slows learning. Do not copy it.
    # Then, from the last step back: delta[:, t] = (delta[:, t+1] @ W.T + delta_out[:, t] @ W_out.T) * d_f(u[:, t+1])
    # (ja) 出力層のデルタは (y - D) × シグモイド関数の微分。y はすでにシグモイド関数の出力なので微分は
    #      y * (1 - y)。講座のコードの d_sigmoid(y) はシグモイドを二重にかけてしまう誤りです。
    #      そのあと最後の時刻から遡って delta[:, t] を上の式で求めます。
    delta_out = (y - D) * y * (1.0 - y)
    for t in reversed(range(T)):
        delta[:, t] = (delta[:, t + 1] @ W.T + delta_out[:, t] @ W_out.T) * d_f(u[:, t + 1])
    # <<<
    return delta_out, delta


def gradients(X, z, delta, delta_out):
    """dE/dW_in, dE/dW, dE/dW_out: summed over the time steps, averaged over the N additions."""
    N = X.shape[0]
    # >>> gradient accumulation
    # W_out_grad: z[:, t+1] against delta_out[:, t]; W_grad: z[:, t] against delta[:, t];
    # W_in_grad: X[:, t] against delta[:, t]; sum over n and t (np.einsum does both), divide by N.
    # (ja) 各勾配を n と t について足し合わせ (np.einsum で一度にできます)、N で割ります。
    W_out_grad = np.einsum("nth,nto->ho", z[:, 1:], delta_out) / N
    W_grad = np.einsum("nth,ntk->hk", z[:, :-1], delta[:, :-1]) / N
    W_in_grad = np.einsum("nti,ntk->ik", X, delta[:, :-1]) / N
    # <<<
    return W_in_grad, W_grad, W_out_grad


def update(W_in, W, W_out, W_in_grad, W_grad, W_out_grad, learning_rate):
    """One step of gradient descent; returns the new weights."""
    W_in = W_in - learning_rate * W_in_grad
    W = W - learning_rate * W_grad
    W_out = W_out - learning_rate * W_out_grad
    return W_in, W, W_out
