"""Lab sine-prediction: the lab as data, and its trusted side (held-out wave, free-running check)."""

from __future__ import annotations

from typing import Any

import numpy as np

from quizzer.i18n.text import Text
from quizzer.labs.drivers import sine_prediction as drv
from quizzer.labs.spec import Experiment, Goal, Knob, Lab

MSE_BOUND = 0.003  # the noise alone costs ~0.0008; predicting "same as the last point" costs ~0.002
RMSE_BOUND = 0.3  # over one free-running period, against the clean wave (amplitude 1)
AMPLITUDE = (0.7, 1.3)  # the free-running prediction's spread against the wave's
_HELD_OUT_SEED = 31337

LAB = Lab(
    id="sine-prediction",
    title=Text(en="Predicting a sine wave", ja="sin 波の予測"),
    summary=Text(en="A simple RNN reads windows of a noisy sine wave and predicts the next point, then "
                    "continues the wave on its own; you write the recurrent step and the training loop.",
                 ja="単純な RNN がノイズを含む sin 波の区間を読んで次の点を予測し、その後は自分の出力だけで波形を"
                    "続けます。中間層の1ステップと学習ループを書きます。"),
    course="3_3_predict_sin",
    knobs=(
        Knob("maxlen", 25, Text(en="points in each input window", ja="1つの入力区間の点の数"), 2, 100),
        Knob("hidden_layer_size", 20, Text(en="units in the hidden layer", ja="中間層のユニット数"), 1, 256),
        Knob("learning_rate", 0.005, Text(en="learning rate (Adam)", ja="学習率 (Adam)"), 0.0, 1.0),
        Knob("iters_num", 3000, Text(en="training iterations", ja="学習回数"), 1, 100000),
        Knob("batch_size", 64, Text(en="windows per iteration", ja="1 回の学習で使う区間の数"), 1, 1024),
        Knob("seed", 0, Text(en="random seed (weights and data)", ja="乱数のシード (重みとデータ)"), 0, 2**31 - 1),
    ),
    goal=Goal("free_run_rmse", "<=", RMSE_BOUND, Text(
        en=f"held-out one-step MSE ≤ {MSE_BOUND} and a free-running prediction within RMSE {RMSE_BOUND} of the "
           f"wave over one period, keeping its amplitude",
        ja=f"未使用の波形で1ステップ先の MSE ≤ {MSE_BOUND}、かつ自走予測が1周期のあいだ RMSE {RMSE_BOUND} 以内で"
           f"振幅を保って波形に沿うこと")),
    pieces={
        "recurrent step": Text(en="h_t from x_t and h_{t-1}", ja="x_t と h_{t-1} から h_t"),
        "training loop": Text(en="batch, loss and gradients, update, log", ja="バッチ、損失と勾配、更新、記録"),
    },
    experiments=(
        Experiment("defaults", {}, Text(en="the prediction follows the wave", ja="予測が波形に沿う"), "pass"),
        Experiment("iters_num=100", {"iters_num": 100},
                   Text(en="the amplitude collapsed towards 0", ja="振幅が0に近づいてしまった"), "fail"),
        Experiment("maxlen=5 iters_num=500", {"maxlen": 5, "iters_num": 500},
                   Text(en="the period became shorter", ja="周期が短くなった"), "fail"),
        Experiment("maxlen=5 iters_num=3000", {"maxlen": 5, "iters_num": 3000},
                   Text(en="almost matched the original wave", ja="元の波形とほぼ一致した"), "pass"),
    ),
    questions=("applications-sine-maxlen", "applications-sine-windows", "applications-sine-experiments",
               "applications-autoregressive", "training-tanh-derivative-formula"),
    time_limit=60.0,
)


def data(settings: dict[str, Any]) -> dict[str, Any]:
    return {"probe": probe_case()}


def probe_case() -> dict[str, Any]:
    rng = np.random.default_rng(5)
    H = 3
    return {"X": rng.standard_normal((2, 4, 1)).tolist(), "Y": rng.standard_normal((2, 1)).tolist(),
            "h": rng.standard_normal((2, H)).tolist(), "W_in": rng.standard_normal((1, H)).tolist(),
            "W": (0.5 * rng.standard_normal((H, H))).tolist(), "b": rng.standard_normal(H).tolist(),
            "W_out": rng.standard_normal((H, 1)).tolist(), "c": [0.1]}


def weight_shapes(settings: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    H = settings["hidden_layer_size"]
    return {"W_in": (1, H), "W": (H, H), "b": (H,), "W_out": (H, 1), "c": (1,)}


def probe_shapes(settings: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    return {"h": (2, 3), "loss": (), "W_in_grad": (1, 3), "W_grad": (3, 3), "b_grad": (3,), "W_out_grad": (3, 1),
            "c_grad": (1,)}


def free_run(params: dict[str, np.ndarray], maxlen: int, steps: int = drv.PERIOD) -> tuple[np.ndarray, np.ndarray]:
    """Prime with maxlen points of the clean wave, then feed back the network's own predictions."""
    clean = np.sin(2.0 * np.pi * np.arange(maxlen + steps) / drv.PERIOD)
    seq = list(clean[:maxlen])
    out = []
    for _ in range(steps):
        window = np.array(seq[-maxlen:])[None, :, None]
        value = float(drv.predict_reference(params, window)[0, 0])
        out.append(value)
        seq.append(value)
    return np.array(out), clean[maxlen:]


def evaluate(weights: dict[str, np.ndarray], settings: dict[str, Any]) -> tuple[float | None, dict[str, Any]]:
    """Free-running RMSE over one period; ``conditions_met`` says whether the one-step error and the
    amplitude are within their bounds too (the goal needs all three)."""
    rng = np.random.default_rng(_HELD_OUT_SEED)
    X, Y = drv.windows(drv.wave(2, rng), settings["maxlen"])
    with np.errstate(all="ignore"):
        mse = drv.loss_reference(weights, X, Y)
        pred, true = free_run(weights, settings["maxlen"])
    rmse = float(np.sqrt(np.mean((pred - true) ** 2)))
    amplitude = float(np.std(pred) / np.std(true))
    detail = {"heldout_mse": mse, "free_run_rmse": rmse, "amplitude": amplitude,
              "free_run": [round(v, 4) for v in pred.tolist()], "wave": [round(v, 4) for v in true.tolist()],
              "max_error": float(np.max(np.abs(pred - true)))}
    detail["conditions_met"] = bool(mse <= MSE_BOUND and AMPLITUDE[0] <= amplitude <= AMPLITUDE[1])
    return (rmse if np.isfinite(rmse) else None), detail


def extra_diagnosis(report: Any, settings: dict[str, Any]) -> dict[str, Any] | None:
    if report.weights is None:
        return None
    _, detail = evaluate(report.weights, settings)
    if detail["heldout_mse"] <= MSE_BOUND:
        return {"key": "amplitude", "error": detail["max_error"]}
    return None


def check_probe(probe: dict[str, np.ndarray], settings: dict[str, Any]) -> dict[str, Any] | None:
    case = probe_case()
    params = {k: np.array(case[k], dtype=np.float64) for k in ("W_in", "W", "b", "W_out", "c")}
    X, Y, h = np.array(case["X"]), np.array(case["Y"]), np.array(case["h"])
    want = np.tanh(X[:, 0] @ params["W_in"] + h @ params["W"] + params["b"])
    err = float(np.max(np.abs(probe["h"] - want)))
    if not err <= 1e-6:
        return {"key": "forward-wrong", "piece": "rnn_step", "error": err}
    errors = {}
    for name in ("W_out", "c", "W", "W_in", "b"):
        num = np.zeros_like(params[name])
        for idx in np.ndindex(num.shape):
            saved = params[name][idx]
            params[name][idx] = saved + 1e-5
            up = drv.loss_reference(params, X, Y)
            params[name][idx] = saved - 1e-5
            down = drv.loss_reference(params, X, Y)
            params[name][idx] = saved
            num[idx] = (up - down) / 2e-5
        got = probe[f"{name}_grad"]
        scale = max(float(np.max(np.abs(num))), float(np.max(np.abs(got))), 1e-8)
        errors[name] = float(np.max(np.abs(got - num))) / scale
    wrong = [n for n, e in errors.items() if not e <= 1e-4]
    if wrong:
        return {"key": "grad-wrong", "matrix": wrong[0], "error": errors[wrong[0]], "others": wrong[1:],
                "hint": "hint-W" if wrong[0] in ("W", "W_in", "b") else "hint-sine-out"}
    return None
