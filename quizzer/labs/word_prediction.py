"""Lab word-prediction: the lab as data, the corpus, and its trusted side (held-out perplexity)."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from quizzer.i18n.text import Text
from quizzer.labs.drivers import word_prediction as drv
from quizzer.labs.spec import Experiment, Goal, Knob, Lab

CORPUS = Path(__file__).parent / "data" / "corpus.txt"
HELD_OUT_SHARE = 0.1  # the corpus's last sentences: never sent to the child
PERPLEXITY_BOUND = 3.8  # held-out: word frequencies alone score 33.6, the best previous-word model 4.4

LAB = Lab(
    id="word-prediction",
    title=Text(en="Predicting the next word", ja="次の単語の予測"),
    summary=Text(en="A recurrent language model reads a small corpus word by word and learns to predict the "
                    "next word; you write the embedding lookup, the recurrent step and the softmax cross-entropy.",
                 ja="再帰型の言語モデルが小さなコーパスを1単語ずつ読み、次の単語を予測するように学習します。"
                    "埋め込み (Embedding) の参照、中間層の1ステップ、softmax 交差エントロピーを書きます。"),
    course="predict_word",
    knobs=(
        Knob("embed_size", 16, Text(en="size of a word vector", ja="単語ベクトルの次元"), 1, 256),
        Knob("hidden_layer_size", 32, Text(en="units in the hidden layer", ja="中間層のユニット数"), 1, 256),
        Knob("maxlen", 10, Text(en="words per training window (BPTT length)", ja="1つの学習区間の単語数 (BPTT の長さ)"),
             2, 64),
        Knob("learning_rate", 0.01, Text(en="learning rate (Adam)", ja="学習率 (Adam)"), 0.0, 1.0),
        Knob("iters_num", 1500, Text(en="training iterations", ja="学習回数"), 1, 100000),
        Knob("batch_size", 32, Text(en="windows per iteration", ja="1 回の学習で使う区間の数"), 1, 512),
        Knob("seed", 0, Text(en="random seed (weights and data)", ja="乱数のシード (重みとデータ)"), 0, 2**31 - 1),
    ),
    goal=Goal("perplexity", "<=", PERPLEXITY_BOUND, Text(
        en=f"perplexity at most {PERPLEXITY_BOUND:g} on held-out sentences",
        ja=f"未使用の文でのパープレキシティが {PERPLEXITY_BOUND:g} 以下")),
    pieces={
        "embedding lookup": Text(en="the rows of E for the word ids", ja="単語 ID に対応する E の行"),
        "recurrent step": Text(en="h_t from x_t and h_{t-1}", ja="x_t と h_{t-1} から h_t"),
        "softmax cross-entropy": Text(en="the loss and d(loss)/d(logits)", ja="損失と logits についての勾配"),
    },
    experiments=(
        Experiment("defaults", {}, Text(en="the model learns to predict the next word", ja="次の単語を予測できるようになる"),
                   "pass"),
        Experiment("iters_num=30", {"iters_num": 30}, Text(en="(not in the notes) too short to learn",
                                                          ja="(ノートに記載なし) 学習が足りない"), "fail"),
        Experiment("learning_rate=0.0005", {"learning_rate": 0.0005},
                   Text(en="(not in the notes) too small a learning rate", ja="(ノートに記載なし) 学習率が小さすぎる"), "fail"),
        Experiment("hidden_layer_size=8", {"hidden_layer_size": 8},
                   Text(en="(not in the notes) a smaller memory", ja="(ノートに記載なし) 記憶が小さい"), None),
    ),
    questions=("applications-text-generation", "applications-output-layer-params", "applications-autoregressive",
               "word2vec-onehot-times-matrix", "word2vec-embedding-params"),
    time_limit=60.0,
)


@lru_cache(maxsize=1)
def corpus() -> tuple[tuple[str, ...], list[list[int]]]:
    """(vocabulary, sentences as word ids); the vocabulary is sorted so ids never depend on order."""
    lines = [line.split() for line in CORPUS.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    vocab = tuple(sorted({w for line in lines for w in line}))
    index = {w: i for i, w in enumerate(vocab)}
    return vocab, [[index[w] for w in line] for line in lines]


def split() -> tuple[list[int], list[int]]:
    _, sentences = corpus()
    cut = len(sentences) - int(len(sentences) * HELD_OUT_SHARE)
    flat = lambda part: [i for s in part for i in s]
    return flat(sentences[:cut]), flat(sentences[cut:])


def data(settings: dict[str, Any]) -> dict[str, Any]:
    vocab, _ = corpus()
    train, _ = split()
    return {"train": train, "vocab_size": len(vocab), "probe": probe_case()}


def probe_case() -> dict[str, Any]:
    rng = np.random.default_rng(11)
    return {"E": rng.standard_normal((6, 3)).tolist(), "ids": [4, 0, 4, 2], "x": rng.standard_normal((2, 3)).tolist(),
            "h": rng.standard_normal((2, 4)).tolist(), "W_in": rng.standard_normal((3, 4)).tolist(),
            "W": (0.5 * rng.standard_normal((4, 4))).tolist(), "b": rng.standard_normal(4).tolist(),
            "logits": (2 * rng.standard_normal((3, 6))).tolist(), "targets": [1, 5, 1]}


def weight_shapes(settings: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    V = len(corpus()[0])
    D, H = settings["embed_size"], settings["hidden_layer_size"]
    return {"E": (V, D), "W_in": (D, H), "W": (H, H), "b": (H,), "W_out": (H, V), "c": (V,)}


def probe_shapes(settings: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    return {"x": (4, 3), "h": (2, 4), "loss": (), "dlogits": (3, 6)}


def evaluate(weights: dict[str, np.ndarray], settings: dict[str, Any]) -> tuple[float | None, dict[str, Any]]:
    """Perplexity on the held-out sentences, read in windows of maxlen + 1 words."""
    _, held = split()
    T = settings["maxlen"] + 1
    usable = (len(held) // T) * T
    ids = np.asarray(held[:usable], dtype=np.int64).reshape(-1, T)
    with np.errstate(all="ignore"):
        ce = drv.cross_entropy_reference(weights, ids)
    ppl = math.exp(ce) if math.isfinite(ce) and ce < 700 else None
    return ppl, {"cross_entropy": ce if math.isfinite(ce) else None, "held_out_words": int(ids.size)}


def check_probe(probe: dict[str, np.ndarray], settings: dict[str, Any]) -> dict[str, Any] | None:
    case = probe_case()
    E = np.array(case["E"])
    err = float(np.max(np.abs(probe["x"] - E[case["ids"]])))
    if not err <= 1e-9:
        return {"key": "forward-wrong", "piece": "embed", "error": err}
    x, h = np.array(case["x"]), np.array(case["h"])
    want = np.tanh(x @ np.array(case["W_in"]) + h @ np.array(case["W"]) + np.array(case["b"]))
    err = float(np.max(np.abs(probe["h"] - want)))
    if not err <= 1e-6:
        return {"key": "forward-wrong", "piece": "rnn_step", "error": err}
    logits, targets = np.array(case["logits"]), np.array(case["targets"])

    def ce(z: np.ndarray) -> float:
        return float(-np.mean(drv.log_softmax(z)[np.arange(len(targets)), targets]))

    err = abs(float(probe["loss"]) - ce(logits))
    if not err <= 1e-6:
        return {"key": "forward-wrong", "piece": "softmax_cross_entropy", "error": err}
    num = np.zeros_like(logits)
    for idx in np.ndindex(num.shape):
        saved = logits[idx]
        logits[idx] = saved + 1e-5
        up = ce(logits)
        logits[idx] = saved - 1e-5
        down = ce(logits)
        logits[idx] = saved
        num[idx] = (up - down) / 2e-5
    scale = max(float(np.max(np.abs(num))), 1e-8)
    rel = float(np.max(np.abs(probe["dlogits"] - num))) / scale
    if not rel <= 1e-4:
        return {"key": "grad-wrong", "matrix": "logits", "error": rel, "others": [], "hint": "hint-softmax"}
    return None
