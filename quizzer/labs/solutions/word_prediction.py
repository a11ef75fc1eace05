"""Lab word-prediction: a language model predicts the next word (the course's predict_word).

quizzer trains with the functions in this file (`quizzer lab run word-prediction FILE`) on a small
corpus shipped with quizzer, then measures the perplexity of your trained model on sentences your
code never saw. quizzer runs BPTT and the Adam updates; you write the three pieces below.

Names and shapes (V = vocabulary size, D = embed_size, H = hidden_layer_size, N = batch size):
    ids (N,) word ids;  E (V, D) the embedding matrix;  x (N, D);  h (N, H)
    W_in (D, H), W (H, H), b (H,);  logits (M, V) for M positions, targets (M,) the right next words

(ja) 次の単語を予測する言語モデルです (講座の predict_word)。____ の部分 (埋め込みの参照、中間層の1ステップ、
softmax 交差エントロピー) を書き、`quizzer lab run word-prediction FILE` で学習させます。
"""

import numpy as np


def embed(ids, E):
    """The embedding lookup: row ids[n] of E for each n, shape (N, D)."""
    # >>> embedding lookup
    # Each word id picks one row of E (a one-hot vector times E is the same row, without the product).
    # (ja) 単語 ID ごとに E の1行を取り出します (one-hot ベクトル × E と同じ結果を、積を計算せずに)。
    return E[ids]
    # <<<


def rnn_step(x, h_prev, W_in, W, b):
    """One step of the recurrent layer: tanh(x W_in + h_prev W + b), shape (N, H)."""
    # >>> recurrent step
    # the same step as in the sine lab: tanh of x times W_in plus h_prev times W plus b
    # (ja) sin 波のラボと同じ1ステップ: tanh(x × W_in + h_prev × W + b)
    return np.tanh(x @ W_in + h_prev @ W + b)
    # <<<


def softmax_cross_entropy(logits, targets):
    """Mean cross-entropy of softmax(logits) against the targets, and its gradient d(loss)/d(logits)."""
    # >>> softmax cross-entropy
    # Subtract each row's maximum before exp (the same softmax, without overflow). The loss is the
    # mean over the M rows of -log p[target]; its gradient is (softmax - one_hot(targets)) / M.
    # (ja) 各行の最大値を引いてから exp (オーバーフロー対策)。損失は M 行の -log p[正解] の平均、
    #      勾配は (softmax - one_hot(targets)) / M です。
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
