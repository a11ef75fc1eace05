"""Lab binary-addition: the lab as data, and its trusted side (held-out check, gradient check)."""

from __future__ import annotations

from typing import Any

import numpy as np

from quizzer.i18n.text import Text
from quizzer.labs.drivers import binary_addition as drv
from quizzer.labs.spec import Experiment, Goal, Knob, Lab

_HELD_OUT = 1000
_HELD_OUT_SEED = 20240  # fixed: the same 1000 additions for every run, never drawn in training


def _knobs() -> tuple[Knob, ...]:
    return (
        Knob("hidden_layer_size", 16, Text(en="units in the hidden layer", ja="中間層のユニット数"), 1, 256),
        Knob("weight_init_std", 1.0, Text(en="standard deviation of the initial weights (init=std)",
                                          ja="重みの初期値の標準偏差 (init=std のとき)"), 0.0, 10.0),
        Knob("init", "std", Text(en="initialisation: std * randn, Xavier or He", ja="重みの初期化: std × randn, Xavier, He"),
             choices=("std", "xavier", "he")),
        Knob("learning_rate", 0.1, Text(en="learning rate", ja="学習率"), 0.0, 10.0),
        Knob("activation", "sigmoid", Text(en="hidden layer's activation function", ja="中間層の活性化関数"),
             choices=("sigmoid", "tanh", "relu")),
        Knob("iters_num", 10000, Text(en="training iterations", ja="学習回数"), 1, 200000),
        Knob("batch_size", 1, Text(en="additions per iteration (the course uses 1)",
                                   ja="1 回の学習で使う足し算の数 (講座は 1)"), 1, 1024),
        Knob("seed", 0, Text(en="random seed (weights and data)", ja="乱数のシード (重みとデータ)"), 0, 2**31 - 1),
    )


def _observed(en: str, ja: str) -> Text:
    return Text(en=en, ja=ja)


EXPERIMENTS = (
    Experiment("defaults", {}, _observed("converges (the notebook's run)", "収束する (ノートブックの実行結果)"),
               "pass"),
    Experiment("weight_init_std=0.1", {"weight_init_std": 0.1},
               _observed("diverged (did not learn)", "発散してしまった"), "fail"),
    Experiment("weight_init_std=0.5", {"weight_init_std": 0.5},
               _observed("converged, slowly", "ゆっくり収束した"), "pass"),
    Experiment("weight_init_std=0.9", {"weight_init_std": 0.9},
               _observed("converged after about 6000 iterations", "6000回を超えたあたりから収束"), "pass"),
    Experiment("weight_init_std=2", {"weight_init_std": 2.0},
               _observed("converged, slowly", "ゆっくり収束した"), "pass"),
    Experiment("weight_init_std=3", {"weight_init_std": 3.0},
               _observed("converged until about 6000 iterations, then drifted", "6000回あたりまで収束傾向、その後少し発散気味"),
               None),
    Experiment("learning_rate=0.5", {"learning_rate": 0.5},
               _observed("a larger learning rate: the gradient explodes", "学習率を大きくすると勾配爆発"), None),
    Experiment("learning_rate=0.01", {"learning_rate": 0.01},
               _observed("too slow to learn in 10000 iterations", "10000回では学習が進まない"), "fail"),
    Experiment("hidden_layer_size=80", {"hidden_layer_size": 80},
               _observed("more units: larger error at first, then more accurate", "ユニットを増やすと最初は誤差が大きいが精度は上がる"),
               "pass"),
    Experiment("hidden_layer_size=8", {"hidden_layer_size": 8},
               _observed("fewer units: learns less well", "ユニットを減らすと学習しにくい"), None),
    Experiment("init=xavier", {"init": "xavier"}, _observed("converges", "収束する"), "pass"),
    Experiment("init=he", {"init": "he"}, _observed("converges", "収束する"), "pass"),
    Experiment("activation=relu", {"activation": "relu"},
               _observed("the gradient explodes; learning does not proceed", "勾配爆発が起き、学習が進まない"), "fail"),
    Experiment("activation=tanh", {"activation": "tanh"},
               _observed("learning does not proceed (one learner's note)", "学習が進まない (受講者のノート)"), None),
)

LAB = Lab(
    id="binary-addition",
    title=Text(en="Binary addition with a simple RNN", ja="単純な RNN による2進数の足し算"),
    summary=Text(en="A simple RNN reads two 8-bit numbers bit by bit and writes their sum; you write the "
                    "forward step, the BPTT deltas and the gradient accumulation.",
                 ja="単純な RNN が2つの8ビットの数を1ビットずつ読み、その和を出力します。順伝播、BPTT のデルタ、"
                    "勾配の蓄積を書きます。"),
    course="3_1_simple_RNN",
    knobs=_knobs(),
    goal=Goal("accuracy", ">=", 0.99, Text(en="at least 99% of 1000 held-out additions exactly right",
                                           ja="未使用の足し算 1000 問の 99% 以上で全ビット正解")),
    pieces={
        "d_tanh": Text(en="the derivative of tanh", ja="tanh の導関数"),
        "forward step": Text(en="u, z and y at one time step", ja="1 時刻分の u, z, y"),
        "BPTT deltas": Text(en="delta_out and delta, from the last step back", ja="最後の時刻から遡る delta_out と delta"),
        "gradient accumulation": Text(en="W_in_grad, W_grad and W_out_grad", ja="W_in_grad, W_grad, W_out_grad"),
    },
    experiments=EXPERIMENTS,
    questions=(
        "applications-binary-addition-setup", "applications-binary-addition-lsb",
        "applications-binary-max-operand", "applications-binary-target-bit", "sigmoid-derivative-max",
        "training-sigmoid-derivative-value", "training-tanh-derivative-formula", "training-weight-init-std",
        "training-xavier-std", "training-he-std", "training-relu-in-recurrence", "training-exploding-remedies",
    ),
    time_limit=60.0,
    plot_accuracy=True,
)


def held_out() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(_HELD_OUT_SEED)
    codes = rng.choice(drv.MAX_OPERAND * drv.MAX_OPERAND, size=_HELD_OUT, replace=False)
    return codes // drv.MAX_OPERAND, codes % drv.MAX_OPERAND


def data(settings: dict[str, Any]) -> dict[str, Any]:
    a, b = held_out()
    banned = set((a * drv.MAX_OPERAND + b).tolist())
    pool = [c for c in range(drv.MAX_OPERAND * drv.MAX_OPERAND) if c not in banned]
    return {"pool": pool, "probe": probe_case()}


def probe_case() -> dict[str, Any]:
    rng = np.random.default_rng(7)
    a, b = rng.integers(0, drv.MAX_OPERAND, size=3), rng.integers(0, drv.MAX_OPERAND, size=3)
    X, D = drv.encode(a, b)
    X, D = X[:, :4], D[:, :4]  # four steps are enough to exercise the recurrence
    return {"X": X.tolist(), "D": D.tolist(), "W_in": (0.8 * rng.standard_normal((2, 3))).tolist(),
            "W": (0.8 * rng.standard_normal((3, 3))).tolist(), "W_out": (0.8 * rng.standard_normal((3, 1))).tolist()}


def weight_shapes(settings: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    H = settings["hidden_layer_size"]
    return {"W_in": (2, H), "W": (H, H), "W_out": (H, 1)}


def probe_shapes(settings: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    return {"y": (3, 4, 1), "W_in_grad": (2, 3), "W_grad": (3, 3), "W_out_grad": (3, 1),
            "W_in_new": (2, 3), "W_new": (3, 3), "W_out_new": (3, 1)}


def _trusted_f(settings: dict[str, Any]):
    name = settings["activation"]
    if name == "tanh":
        return np.tanh
    return drv.relu if name == "relu" else drv.sigmoid


def evaluate(weights: dict[str, np.ndarray], settings: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """The share of held-out additions whose 8 output bits are all right (trusted forward pass)."""
    a, b = held_out()
    X, D = drv.encode(a, b)
    with np.errstate(all="ignore"):
        y = drv.forward_reference(X, weights["W_in"], weights["W"], weights["W_out"], _trusted_f(settings))
    exact = np.all(np.round(y) == D, axis=(1, 2))
    bad = np.flatnonzero(~exact)[:3]
    return float(np.mean(exact)), {"examples": [f"{a[k]} + {b[k]}" for k in bad]}


def check_probe(probe: dict[str, np.ndarray], settings: dict[str, Any]) -> dict[str, Any] | None:
    """Compare the learner's pieces on the tiny case with the trusted forward pass and numerical
    gradients; the first problem found, as a diagnosis key and its parameters."""
    case = probe_case()
    X, D = np.array(case["X"]), np.array(case["D"])
    ws = {k: np.array(case[k]) for k in ("W_in", "W", "W_out")}
    f = _trusted_f(settings)
    y = drv.forward_reference(X, ws["W_in"], ws["W"], ws["W_out"], f)
    err = float(np.max(np.abs(probe["y"] - y)))
    if not err <= 1e-6:
        return {"key": "forward-wrong", "piece": "forward", "error": err}
    errors = {}
    for name in ("W_out", "W", "W_in"):
        num = np.zeros_like(ws[name])
        for idx in np.ndindex(num.shape):
            saved = ws[name][idx]
            ws[name][idx] = saved + 1e-5
            up = drv.loss_of(drv.forward_reference(X, ws["W_in"], ws["W"], ws["W_out"], f), D)
            ws[name][idx] = saved - 1e-5
            down = drv.loss_of(drv.forward_reference(X, ws["W_in"], ws["W"], ws["W_out"], f), D)
            ws[name][idx] = saved
            num[idx] = (up - down) / 2e-5
        got = probe[f"{name}_grad"]
        scale = max(float(np.max(np.abs(num))), float(np.max(np.abs(got))), 1e-8)
        errors[name] = float(np.max(np.abs(got - num))) / scale
    wrong = [n for n, e in errors.items() if not e <= 1e-4]
    if wrong:
        # W_out's gradient only depends on the output delta; W's on BPTT; W_in's on both.
        first = wrong[0]
        return {"key": "grad-wrong", "matrix": first, "error": errors[first], "others": wrong[1:],
                "hint": f"hint-{first}"}
    for name in ("W_in", "W", "W_out"):
        step = probe[f"{name}_new"] - ws[name]
        grad = probe[f"{name}_grad"]
        if float(np.sum(step * grad)) > 0:
            return {"key": "update-sign"}
    return None
