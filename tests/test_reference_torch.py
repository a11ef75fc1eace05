"""The NumPy reference against PyTorch in float64, weights copied across, to 1e-10 relative.

PyTorch is a test-only dependency (CI installs it); quizzer itself never imports it.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from quizzer import reference as ref
from quizzer.reference.conventions import TORCH_CLIP_EPS

N, T, D, H, O = 2, 4, 3, 5, 6
RTOL = 1e-10


@pytest.fixture
def rng():
    return np.random.default_rng(1122)


def randn(rng, *shape, scale=0.5):
    return rng.standard_normal(shape) * scale


def tt(a, grad=False):
    """A float64 torch tensor copied from ``a``."""
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def npy(t):
    return t.detach().numpy()


def assert_close(ours, theirs, what=""):
    theirs = npy(theirs) if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert np.shape(ours) == theirs.shape, what
    err = ref.relative_error(ours, theirs)
    assert err < RTOL, f"{what}: relative error {err:.3g}"


def set_params(module, **values):
    with torch.no_grad():
        for name, value in values.items():
            getattr(module, name).copy_(tt(value))


def backprop(output, upstream):
    """Run autograd on sum(output * upstream)."""
    (output * tt(upstream)).sum().backward()


# --- activations and losses ----------------------------------------------------------------


def test_activations_and_derivatives(rng):
    x = randn(rng, 50, scale=10.0)
    x[0] = 800.0
    x[1] = -800.0
    for ours, ours_grad, theirs in (
        (ref.sigmoid, ref.sigmoid_grad, torch.sigmoid),
        (ref.tanh, ref.tanh_grad, torch.tanh),
        (ref.relu, ref.relu_grad, torch.relu),
    ):
        xt = tt(x, grad=True)
        y = theirs(xt)
        y.sum().backward()
        assert_close(ours(x), y, ours.__name__)
        assert_close(ours_grad(x), xt.grad, ours_grad.__name__)


def test_softmax_and_log_softmax(rng):
    x = randn(rng, N, T, O, scale=5.0)
    x[0, 0] = [1000.0, 1000.0, -1000.0, 3.0, 0.0, 1000.0]
    for axis in (0, 1, 2):
        assert_close(ref.softmax(x, axis=axis), F.softmax(tt(x), dim=axis), f"softmax {axis}")
        assert_close(ref.log_softmax(x, axis=axis), F.log_softmax(tt(x), dim=axis))
    y = randn(rng, N, T, O)
    xt = tt(x, grad=True)
    backprop(F.softmax(xt, dim=2), y)
    assert_close(ref.softmax_backward(y, ref.softmax(x, axis=2), axis=2), xt.grad, "softmax grad")


@pytest.mark.parametrize("time_reduction", ["sum", "mean"])
def test_cross_entropy_from_logits_and_probabilities(rng, time_reduction):
    logits = randn(rng, N, T, O, scale=3.0)
    targets = rng.integers(0, O, size=(N, T))
    lt = tt(logits, grad=True)
    flat = F.cross_entropy(lt.reshape(N * T, O), torch.tensor(targets.reshape(-1)),
                           reduction="mean" if time_reduction == "mean" else "sum")
    loss = flat if time_reduction == "mean" else flat / N  # sum over time, mean over batch
    loss.backward()
    assert_close(ref.softmax_cross_entropy(logits, targets, time_reduction), loss, "loss")
    assert_close(ref.softmax_cross_entropy_grad(logits, targets, time_reduction), lt.grad)

    probs = ref.softmax(logits)
    pt = tt(probs, grad=True)
    flat = F.nll_loss(torch.log(pt).reshape(N * T, O), torch.tensor(targets.reshape(-1)),
                      reduction="mean" if time_reduction == "mean" else "sum")
    loss = flat if time_reduction == "mean" else flat / N
    loss.backward()
    assert_close(ref.cross_entropy(probs, targets, time_reduction), loss, "loss from probs")
    assert_close(ref.cross_entropy_grad(probs, targets, time_reduction), pt.grad)

    batch_logits = logits[:, 0]
    assert_close(ref.softmax_cross_entropy(batch_logits, targets[:, 0]),
                 F.cross_entropy(tt(batch_logits), torch.tensor(targets[:, 0])), "(N, C)")


def test_mean_squared_error(rng):
    y, t = randn(rng, N, T, O), randn(rng, N, T, O)
    yt = tt(y, grad=True)
    loss = F.mse_loss(yt, tt(t))
    loss.backward()
    assert_close(ref.mean_squared_error(y, t), loss)
    assert_close(ref.mean_squared_error_grad(y, t), yt.grad)


# --- simple RNN ----------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_nn_rnn_forward_and_backward(rng, activation):
    W, U, b_ih, b_hh = randn(rng, H, D), randn(rng, H, H), randn(rng, H), randn(rng, H)
    xs, h0, dhs = randn(rng, N, T, D), randn(rng, N, H), randn(rng, N, T, H)
    rnn = torch.nn.RNN(D, H, nonlinearity=activation, batch_first=True, dtype=torch.float64)
    set_params(rnn, weight_ih_l0=W, weight_hh_l0=U, bias_ih_l0=b_ih, bias_hh_l0=b_hh)
    xt, h0t = tt(xs, grad=True), tt(h0[None], grad=True)
    out, h_n = rnn(xt, h0t)
    hs = ref.rnn_forward(xs, W, U, b_ih + b_hh, h0, activation)
    assert_close(hs, out, "hs")
    assert_close(hs[:, -1], h_n[0], "h_n")

    backprop(out, dhs)
    g = ref.rnn_backward(dhs, xs, W, U, b_ih + b_hh, h0, activation)
    assert_close(g.dxs, xt.grad, "dxs")
    assert_close(g.dW, rnn.weight_ih_l0.grad, "dW")
    assert_close(g.dU, rnn.weight_hh_l0.grad, "dU")
    assert_close(g.db, rnn.bias_ih_l0.grad, "db")
    assert_close(g.db, rnn.bias_hh_l0.grad, "db (hh)")
    assert_close(g.dh0, h0t.grad[0], "dh0")


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_nn_rnn_cell(rng, activation):
    W, U, b = randn(rng, H, D), randn(rng, H, H), randn(rng, H)
    x, h, dh = randn(rng, N, D), randn(rng, N, H), randn(rng, N, H)
    cell = torch.nn.RNNCell(D, H, nonlinearity=activation, dtype=torch.float64)
    set_params(cell, weight_ih=W, weight_hh=U, bias_ih=b, bias_hh=np.zeros(H))
    xt, ht = tt(x, grad=True), tt(h, grad=True)
    out = cell(xt, ht)
    assert_close(ref.rnn_step_forward(x, h, W, U, b, activation), out)
    backprop(out, dh)
    g = ref.rnn_step_backward(dh, x, h, W, U, b, activation)
    for ours, theirs in ((g.dx, xt.grad), (g.dh_prev, ht.grad), (g.dW, cell.weight_ih.grad),
                         (g.dU, cell.weight_hh.grad), (g.db, cell.bias_ih.grad)):
        assert_close(ours, theirs)


def torch_rnn_loop(xt, Wt, Ut, bt, h0t, act):
    h, hs = h0t, []
    for t in range(xt.shape[1]):
        h = act(xt[:, t] @ Wt.T + h @ Ut.T + bt)
        hs.append(h)
    return torch.stack(hs, dim=1)


def test_sigmoid_rnn_against_a_torch_loop(rng):
    W, U, b = randn(rng, H, D), randn(rng, H, H), randn(rng, H)
    xs, h0, dhs = randn(rng, N, T, D), randn(rng, N, H), randn(rng, N, T, H)
    leaves = [tt(a, grad=True) for a in (xs, W, U, b, h0)]
    out = torch_rnn_loop(*leaves, torch.sigmoid)
    assert_close(ref.rnn_forward(xs, W, U, b, h0, "sigmoid"), out)
    backprop(out, dhs)
    g = ref.rnn_backward(dhs, xs, W, U, b, h0, "sigmoid")
    for ours, leaf in zip((g.dxs, g.dW, g.dU, g.db, g.dh0), leaves):
        assert_close(ours, leaf.grad)


def test_rnn_with_output_layer_against_autograd(rng):
    W, U, b, V, c = randn(rng, H, D), randn(rng, H, H), randn(rng, H), randn(rng, O, H), randn(rng, O)
    xs, dys = randn(rng, N, T, D), randn(rng, N, T, O)
    leaves = [tt(a, grad=True) for a in (xs, W, U, b, V, c)]
    hs = torch_rnn_loop(*leaves[:4], torch.zeros(N, H, dtype=torch.float64), torch.tanh)
    ys = hs @ leaves[4].T + leaves[5]
    assert_close(ref.rnn_with_output_forward(xs, W, U, V, b, c)[1], ys)
    backprop(ys, dys)
    g = ref.rnn_with_output_backward(dys, xs, W, U, V, b, c)
    for ours, leaf in zip((g.dxs, g.dW, g.dU, g.db, g.dV, g.dc), leaves):
        assert_close(ours, leaf.grad)


def test_linear_bptt_against_autograd(rng):
    W, U, V = randn(rng, H, D), randn(rng, H, H), randn(rng, O, H)
    xs, ys = randn(rng, N, T, D), randn(rng, N, T, O)
    Wt, Ut, Vt = (tt(a, grad=True) for a in (W, U, V))
    hs = torch_rnn_loop(tt(xs), Wt, Ut, torch.zeros(H, dtype=torch.float64),
                        torch.zeros(N, H, dtype=torch.float64), lambda u: u)
    outputs = hs @ Vt.T
    loss = 0.5 * ((outputs - tt(ys)) ** 2).sum() / N  # batch mean of the per-sample loss
    loss.backward()
    _, ours_out = ref.linear_rnn_forward(xs, W, U, V)
    g = ref.bptt_linear(xs, ref.linear_rnn_do(ours_out, ys), W, U, V)
    assert_close(g.dW, Wt.grad, "dW")
    assert_close(g.dU, Ut.grad, "dU")
    assert_close(g.dV, Vt.grad, "dV")
    bug = ref.bptt_linear_course_bug(xs, ref.linear_rnn_do(ours_out, ys), W, U, V)
    assert ref.relative_error(bug.dU, npy(Ut.grad)) > 1e-3


# --- LSTM ----------------------------------------------------------------------------------


def test_nn_lstm_with_gate_order_conversion(rng):
    W, U, b = randn(rng, 4 * H, D), randn(rng, 4 * H, H), randn(rng, 4 * H)
    xs, h0, c0 = randn(rng, N, T, D), randn(rng, N, H), randn(rng, N, H)
    dhs, dc_last = randn(rng, N, T, H), randn(rng, N, H)
    W_t, U_t, b_t = ref.lstm_params_to_torch(W, U, b)
    b_hh = randn(rng, 4 * H)
    lstm = torch.nn.LSTM(D, H, batch_first=True, dtype=torch.float64)
    set_params(lstm, weight_ih_l0=W_t, weight_hh_l0=U_t, bias_ih_l0=b_t - b_hh, bias_hh_l0=b_hh)
    xt, h0t, c0t = tt(xs, grad=True), tt(h0[None], grad=True), tt(c0[None], grad=True)
    out, (h_n, c_n) = lstm(xt, (h0t, c0t))
    hs, cs = ref.lstm_forward(xs, W, U, b, h0, c0)
    assert_close(hs, out, "hs")
    assert_close(hs[:, -1], h_n[0], "h_n")
    assert_close(cs[:, -1], c_n[0], "c_n")

    ((out * tt(dhs)).sum() + (c_n[0] * tt(dc_last)).sum()).backward()
    dcs = np.zeros((N, T, H))
    dcs[:, -1] = dc_last
    g = ref.lstm_backward(dhs, xs, W, U, b, h0, c0, dcs=dcs)
    dW, dU, db = ref.lstm_params_from_torch(
        npy(lstm.weight_ih_l0.grad), npy(lstm.weight_hh_l0.grad), npy(lstm.bias_ih_l0.grad)
    )
    assert_close(g.dxs, xt.grad, "dxs")
    assert_close(g.dW, dW, "dW")
    assert_close(g.dU, dU, "dU")
    assert_close(g.db, db, "db")
    assert_close(g.dh0, h0t.grad[0], "dh0")
    assert_close(g.dc0, c0t.grad[0], "dc0")


def test_nn_lstm_cell(rng):
    W, U, b = randn(rng, 4 * H, D), randn(rng, 4 * H, H), randn(rng, 4 * H)
    x, h, c, dh, dc = (randn(rng, N, k) for k in (D, H, H, H, H))
    W_t, U_t, b_t = ref.lstm_params_to_torch(W, U, b)
    cell = torch.nn.LSTMCell(D, H, dtype=torch.float64)
    set_params(cell, weight_ih=W_t, weight_hh=U_t, bias_ih=b_t, bias_hh=np.zeros(4 * H))
    xt, ht, ct = tt(x, grad=True), tt(h, grad=True), tt(c, grad=True)
    h_new, c_new = cell(xt, (ht, ct))
    ours_h, ours_c = ref.lstm_step_forward(x, h, c, W, U, b)
    assert_close(ours_h, h_new)
    assert_close(ours_c, c_new)
    ((h_new * tt(dh)).sum() + (c_new * tt(dc)).sum()).backward()
    g = ref.lstm_step_backward(dh, dc, x, h, c, W, U, b)
    dW, dU, db = ref.lstm_params_from_torch(
        npy(cell.weight_ih.grad), npy(cell.weight_hh.grad), npy(cell.bias_ih.grad)
    )
    for ours, theirs in ((g.dx, xt.grad), (g.dh_prev, ht.grad), (g.dc_prev, ct.grad),
                         (g.dW, dW), (g.dU, dU), (g.db, db)):
        assert_close(ours, theirs)


def test_peephole_lstm_against_autograd(rng):
    arrays = dict(x=randn(rng, N, D), h_prev=randn(rng, N, H), c_prev=randn(rng, N, H),
                  W=randn(rng, 4 * H, D), U=randn(rng, 4 * H, H), p_i=randn(rng, H),
                  p_f=randn(rng, H), p_o=randn(rng, H), b=randn(rng, 4 * H))
    dh, dc = randn(rng, N, H), randn(rng, N, H)
    t = {k: tt(v, grad=True) for k, v in arrays.items()}
    a, i, f, o = torch.chunk(t["x"] @ t["W"].T + t["h_prev"] @ t["U"].T + t["b"], 4, dim=1)
    i = torch.sigmoid(i + t["p_i"] * t["c_prev"])
    f = torch.sigmoid(f + t["p_f"] * t["c_prev"])
    c = i * torch.tanh(a) + f * t["c_prev"]
    h = torch.sigmoid(o + t["p_o"] * c) * torch.tanh(c)
    ours_h, ours_c = ref.peephole_lstm_step_forward(**arrays)
    assert_close(ours_h, h)
    assert_close(ours_c, c)
    ((h * tt(dh)).sum() + (c * tt(dc)).sum()).backward()
    g = ref.peephole_lstm_step_backward(dh, dc, **arrays)
    names = dict(x="dx", h_prev="dh_prev", c_prev="dc_prev", W="dW", U="dU", p_i="dp_i",
                 p_f="dp_f", p_o="dp_o", b="db")
    for name, field in names.items():
        assert_close(getattr(g, field), t[name].grad, name)


# --- GRU -----------------------------------------------------------------------------------


def test_nn_gru_against_pytorch_convention(rng):
    W_ih, W_hh, b_ih, b_hh = (randn(rng, 3 * H, D), randn(rng, 3 * H, H),
                              randn(rng, 3 * H), randn(rng, 3 * H))
    xs, h0, dhs = randn(rng, N, T, D), randn(rng, N, H), randn(rng, N, T, H)
    gru = torch.nn.GRU(D, H, batch_first=True, dtype=torch.float64)
    set_params(gru, weight_ih_l0=W_ih, weight_hh_l0=W_hh, bias_ih_l0=b_ih, bias_hh_l0=b_hh)
    xt, h0t = tt(xs, grad=True), tt(h0[None], grad=True)
    out, h_n = gru(xt, h0t)
    hs = ref.gru_torch_forward(xs, W_ih, W_hh, b_ih, b_hh, h0)
    assert_close(hs, out, "hs")
    assert_close(hs[:, -1], h_n[0], "h_n")
    backprop(out, dhs)
    g = ref.gru_torch_backward(dhs, xs, W_ih, W_hh, b_ih, b_hh, h0)
    for ours, theirs, what in ((g.dxs, xt.grad, "dxs"), (g.dW_ih, gru.weight_ih_l0.grad, "dW_ih"),
                               (g.dW_hh, gru.weight_hh_l0.grad, "dW_hh"),
                               (g.db_ih, gru.bias_ih_l0.grad, "db_ih"),
                               (g.db_hh, gru.bias_hh_l0.grad, "db_hh"),
                               (g.dh0, h0t.grad[0], "dh0")):
        assert_close(ours, theirs, what)


def test_nn_gru_cell(rng):
    W_ih, W_hh, b_ih, b_hh = (randn(rng, 3 * H, D), randn(rng, 3 * H, H),
                              randn(rng, 3 * H), randn(rng, 3 * H))
    x, h, dh = randn(rng, N, D), randn(rng, N, H), randn(rng, N, H)
    cell = torch.nn.GRUCell(D, H, dtype=torch.float64)
    set_params(cell, weight_ih=W_ih, weight_hh=W_hh, bias_ih=b_ih, bias_hh=b_hh)
    xt, ht = tt(x, grad=True), tt(h, grad=True)
    out = cell(xt, ht)
    assert_close(ref.gru_torch_step_forward(x, h, W_ih, W_hh, b_ih, b_hh), out)
    backprop(out, dh)
    g = ref.gru_torch_step_backward(dh, x, h, W_ih, W_hh, b_ih, b_hh)
    for ours, theirs in ((g.dx, xt.grad), (g.dh_prev, ht.grad), (g.dW_ih, cell.weight_ih.grad),
                         (g.dW_hh, cell.weight_hh.grad), (g.db_ih, cell.bias_ih.grad),
                         (g.db_hh, cell.bias_hh.grad)):
        assert_close(ours, theirs)


def test_course_gru_against_a_torch_loop_and_unlike_nn_gru(rng):
    names = ("W_r", "U_r", "W_z", "U_z", "W", "U", "b_r", "b_z", "b")
    shapes = ((H, D), (H, H), (H, D), (H, H), (H, D), (H, H), (H,), (H,), (H,))
    arrays = {n: randn(rng, *s) for n, s in zip(names, shapes)}
    xs, h0, dhs = randn(rng, N, T, D), randn(rng, N, H), randn(rng, N, T, H)
    t = {k: tt(v, grad=True) for k, v in arrays.items()}
    xt, h0t = tt(xs, grad=True), tt(h0, grad=True)
    h, states = h0t, []
    for step in range(T):
        x = xt[:, step]
        r = torch.sigmoid(x @ t["W_r"].T + h @ t["U_r"].T + t["b_r"])
        z = torch.sigmoid(x @ t["W_z"].T + h @ t["U_z"].T + t["b_z"])
        h_bar = torch.tanh(x @ t["W"].T + (r * h) @ t["U"].T + t["b"])
        h = (1 - z) * h + z * h_bar
        states.append(h)
    out = torch.stack(states, dim=1)
    assert_close(ref.gru_forward(xs, **arrays, h0=h0), out)
    backprop(out, dhs)
    g = ref.gru_backward(dhs, xs, **arrays, h0=h0)
    assert_close(g.dxs, xt.grad, "dxs")
    assert_close(g.dh0, h0t.grad, "dh0")
    for name in names:
        assert_close(getattr(g, "d" + name), t[name].grad, name)

    # the same weights in nn.GRU give other states
    W_ih, W_hh = ref.gru_course_params_to_torch(*(arrays[n] for n in names[:6]))
    gru = torch.nn.GRU(D, H, batch_first=True, bias=False, dtype=torch.float64)
    set_params(gru, weight_ih_l0=W_ih, weight_hh_l0=W_hh)
    course = ref.gru_forward(xs, *(arrays[n] for n in names[:6]))
    theirs = npy(gru(tt(xs))[0])
    assert_close(ref.gru_torch_forward(xs, W_ih, W_hh), theirs)
    assert ref.relative_error(course, theirs) > 1e-2


# --- bidirectional -------------------------------------------------------------------------


def test_bidirectional_nn_rnn(rng):
    p = dict(W_f=randn(rng, H, D), U_f=randn(rng, H, H), b_f=randn(rng, H),
             W_b=randn(rng, H, D), U_b=randn(rng, H, H), b_b=randn(rng, H))
    xs, h0, dhs = randn(rng, N, T, D), randn(rng, 2, N, H), randn(rng, N, T, 2 * H)
    rnn = torch.nn.RNN(D, H, batch_first=True, bidirectional=True, dtype=torch.float64)
    set_params(rnn, weight_ih_l0=p["W_f"], weight_hh_l0=p["U_f"], bias_ih_l0=p["b_f"],
               bias_hh_l0=np.zeros(H), weight_ih_l0_reverse=p["W_b"],
               weight_hh_l0_reverse=p["U_b"], bias_ih_l0_reverse=p["b_b"],
               bias_hh_l0_reverse=np.zeros(H))
    xt, h0t = tt(xs, grad=True), tt(h0, grad=True)
    out, h_n = rnn(xt, h0t)
    hs = ref.bidirectional_rnn_forward(xs, **p, h0_f=h0[0], h0_b=h0[1])
    assert_close(hs, out, "hs")
    assert_close(hs[:, -1, :H], h_n[0], "forward h_n")
    assert_close(hs[:, 0, H:], h_n[1], "backward h_n is at t = 0")
    for name, merge in ref.WRONG_MERGES.items():
        wrong = ref.bidirectional_rnn_forward(xs, **p, h0_f=h0[0], h0_b=h0[1], merge=merge)
        assert wrong.shape != hs.shape or ref.relative_error(wrong, npy(out)) > 1e-3, name

    backprop(out, dhs)
    g = ref.bidirectional_rnn_backward(dhs, xs, **p, h0_f=h0[0], h0_b=h0[1])
    for ours, theirs, what in (
        (g.dxs, xt.grad, "dxs"), (g.dW_f, rnn.weight_ih_l0.grad, "dW_f"),
        (g.dU_f, rnn.weight_hh_l0.grad, "dU_f"), (g.db_f, rnn.bias_ih_l0.grad, "db_f"),
        (g.dW_b, rnn.weight_ih_l0_reverse.grad, "dW_b"),
        (g.dU_b, rnn.weight_hh_l0_reverse.grad, "dU_b"),
        (g.db_b, rnn.bias_ih_l0_reverse.grad, "db_b"),
        (g.dh0_f, h0t.grad[0], "dh0_f"), (g.dh0_b, h0t.grad[1], "dh0_b"),
    ):
        assert_close(ours, theirs, what)


# --- seq2seq, tree, attention, word2vec ----------------------------------------------------


def test_encoder_against_nn_embedding_and_nn_rnn(rng):
    vocab, emb = 7, 4
    E, W, U, b = randn(rng, emb, vocab), randn(rng, H, emb), randn(rng, H, H), randn(rng, H)
    ids, dhs = rng.integers(0, vocab, size=(N, T)), randn(rng, N, T, H)
    embedding = torch.nn.Embedding(vocab, emb, dtype=torch.float64)
    rnn = torch.nn.RNN(emb, H, batch_first=True, dtype=torch.float64)
    set_params(embedding, weight=E.T)
    set_params(rnn, weight_ih_l0=W, weight_hh_l0=U, bias_ih_l0=b, bias_hh_l0=np.zeros(H))
    out, _ = rnn(embedding(torch.tensor(ids)))
    assert_close(ref.encoder_forward(ids, E, W, U, b), out)
    backprop(out, dhs)
    g = ref.encoder_backward(dhs, ids, E, W, U, b)
    assert_close(g.dE, embedding.weight.grad.T, "dE")
    assert_close(g.dW, rnn.weight_ih_l0.grad, "dW")
    assert_close(g.dU, rnn.weight_hh_l0.grad, "dU")
    assert_close(g.db, rnn.bias_ih_l0.grad, "db")


def test_tree_against_autograd(rng):
    leaves = [randn(rng, H) for _ in range(3)]
    tree = {"left": leaves[0], "right": {"left": leaves[1], "right": leaves[2]}}
    W, b, dv = randn(rng, H, 2 * H), randn(rng, H), randn(rng, H)
    Wt, bt = tt(W, grad=True), tt(b, grad=True)
    lt = [tt(leaf, grad=True) for leaf in leaves]
    right = torch.tanh(Wt @ torch.cat([lt[1], lt[2]]) + bt)
    v = torch.tanh(Wt @ torch.cat([lt[0], right]) + bt)
    assert_close(ref.traverse(tree, W, b=b), v)
    backprop(v, dv)
    g = ref.traverse_backward(dv, tree, W, b=b)
    assert_close(g.dW, Wt.grad, "dW")
    assert_close(g.db, bt.grad, "db")
    assert_close(g.dleaves["left"], lt[0].grad, "left leaf")
    assert_close(g.dleaves["right"]["right"], lt[2].grad, "right-right leaf")


@pytest.mark.parametrize("scaled", [False, True])
def test_attention_against_torch(rng, scaled):
    h_dec, hs_enc, dcontext = randn(rng, N, H), randn(rng, N, T, H), randn(rng, N, H)
    ht, hst = tt(h_dec, grad=True), tt(hs_enc, grad=True)
    scores = torch.einsum("nth,nh->nt", hst, ht)
    if scaled:
        scores = scores / H**0.5
    weights = F.softmax(scores, dim=1)
    context = torch.einsum("nt,nth->nh", weights, hst)
    ours_context, ours_weights = ref.attention_forward(h_dec, hs_enc, scaled)
    assert_close(ours_context, context, "context")
    assert_close(ours_weights, weights, "weights")
    if scaled:  # scaled dot-product attention with one query per batch row
        sdpa = F.scaled_dot_product_attention(tt(h_dec)[:, None], tt(hs_enc), tt(hs_enc))
        assert_close(ours_context, sdpa[:, 0], "F.scaled_dot_product_attention")
    backprop(context, dcontext)
    g = ref.attention_backward(dcontext, h_dec, hs_enc, scaled)
    assert_close(g.dh_dec, ht.grad, "dh_dec")
    assert_close(g.dhs_enc, hst.grad, "dhs_enc")


def test_negative_sampling_against_autograd(rng):
    v, u_o, u_neg = randn(rng, 4), randn(rng, 4), randn(rng, 3, 4)
    vt, ut, nt = tt(v, grad=True), tt(u_o, grad=True), tt(u_neg, grad=True)
    loss = -F.logsigmoid(ut @ vt) - F.logsigmoid(-(nt @ vt)).sum()
    loss.backward()
    assert_close(ref.negative_sampling_loss(v, u_o, u_neg), loss)
    g = ref.negative_sampling_backward(v, u_o, u_neg)
    assert_close(g.dv_center, vt.grad)
    assert_close(g.du_context, ut.grad)
    assert_close(g.du_negatives, nt.grad)
    assert_close(ref.cosine_similarity(v, u_o), F.cosine_similarity(vt, ut, dim=0))


# --- clipping ------------------------------------------------------------------------------


@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(rng, max_norm):
    grads = [randn(rng, H, D, scale=2.0), randn(rng, H, scale=2.0), randn(rng, O, H, scale=2.0)]
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = tt(g)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    assert_close(ref.global_norm(grads), total, "total norm")
    ours = ref.clip_grads_by_global_norm(grads, max_norm, eps=TORCH_CLIP_EPS)
    for o, p in zip(ours, params):
        assert_close(o, p.grad)
    single = grads[0] * 10
    p = torch.zeros(single.shape, dtype=torch.float64, requires_grad=True)
    p.grad = tt(single)
    torch.nn.utils.clip_grad_norm_([p], max_norm)
    assert_close(ref.clip_grads_by_global_norm([single], max_norm, eps=TORCH_CLIP_EPS)[0], p.grad)
    # without torch's eps, the single-array rule is exact: norm == threshold
    assert np.linalg.norm(ref.clip_grad_norm(single, max_norm)) == pytest.approx(
        min(max_norm, np.linalg.norm(single)), rel=1e-14)


# --- the model exercises: VAE, decoding, stacked RNN, HRED -----------------------------------


def test_vae_reparameterization_and_kl_against_torch_distributions(rng):
    Z = 7
    mu, log_var, eps = randn(rng, N, Z, scale=1.2), randn(rng, N, Z, scale=1.5), randn(rng, N, Z, scale=1.0)
    dz, dkl = randn(rng, N, Z), randn(rng, N)
    mut, lvt = tt(mu, grad=True), tt(log_var, grad=True)
    std = torch.exp(0.5 * lvt)
    z = mut + std * tt(eps)
    kl = torch.distributions.kl_divergence(torch.distributions.Normal(mut, std),
                                           torch.distributions.Normal(torch.zeros_like(mut), torch.ones_like(mut))).sum(-1)
    assert_close(ref.reparameterize(mu, log_var, eps), z, "z")
    assert_close(ref.kl_standard_normal(mu, log_var), kl, "kl")
    ((z * tt(dz)).sum() + (kl * tt(dkl)).sum()).backward()
    g_z = ref.reparameterize_backward(dz, mu, log_var, eps)
    g_kl = ref.kl_standard_normal_backward(dkl, mu, log_var)
    assert_close(g_z.dmu + g_kl.dmu, mut.grad, "dmu")
    assert_close(g_z.dlog_var + g_kl.dlog_var, lvt.grad, "dlog_var")


def test_greedy_decode_against_a_torch_decoder():
    from quizzer.engine.tasks import get_task

    for case in get_task("seq2seq-greedy-decode").cases((1, 2, 3, 4)):
        a = case.args
        vocab, emb = a["E"].shape[1], a["E"].shape[0]
        H_dec = a["W"].shape[0]
        embedding = torch.nn.Embedding(vocab, emb, dtype=torch.float64)
        cell = torch.nn.RNNCell(emb, H_dec, dtype=torch.float64)
        readout = torch.nn.Linear(H_dec, vocab, dtype=torch.float64)
        set_params(embedding, weight=a["E"].T)
        set_params(cell, weight_ih=a["W"], weight_hh=a["U"], bias_ih=a["b"], bias_hh=np.zeros(H_dec))
        set_params(readout, weight=a["V"], bias=a["c"])
        tokens, prev, h = [], a["bos"], tt(a["h"])[None]
        with torch.no_grad():
            while len(tokens) < a["max_len"]:
                h = cell(embedding(torch.tensor([prev])), h)
                prev = int(readout(h).argmax())
                tokens.append(prev)
                if prev == a["eos"]:
                    break
        assert ref.greedy_decode(**a).tolist() == tokens, case.name
        assert case.expected[0].tolist() == tokens, case.name


def test_stacked_rnn_against_a_two_layer_nn_rnn(rng):
    H2 = 4
    layers = [(randn(rng, H, D), randn(rng, H, H), randn(rng, H)),
              (randn(rng, H2, H), randn(rng, H2, H2), randn(rng, H2))]
    xs, h0s, dhs = randn(rng, N, T, D), [randn(rng, N, H), randn(rng, N, H2)], randn(rng, N, T, H2)
    # nn.RNN needs equal hidden sizes in all layers; two single-layer modules chained are the same model
    rnns = [torch.nn.RNN(D, H, batch_first=True, dtype=torch.float64),
            torch.nn.RNN(H, H2, batch_first=True, dtype=torch.float64)]
    for rnn, (W, U, b) in zip(rnns, layers):
        set_params(rnn, weight_ih_l0=W, weight_hh_l0=U, bias_ih_l0=b, bias_hh_l0=np.zeros(W.shape[0]))
    xt = tt(xs, grad=True)
    h0t = [tt(h0[None], grad=True) for h0 in h0s]
    out1, _ = rnns[0](xt, h0t[0])
    out2, _ = rnns[1](out1, h0t[1])
    hs1, hs2 = ref.stacked_rnn_forward(xs, layers, h0s)
    assert_close(hs1, out1, "layer 1")
    assert_close(hs2, out2, "layer 2")
    backprop(out2, dhs)
    grads = ref.stacked_rnn_backward(dhs, xs, layers, h0s)
    assert_close(grads[0].dxs, xt.grad, "dxs")
    for depth, (rnn, g) in enumerate(zip(rnns, grads)):
        assert_close(g.dW, rnn.weight_ih_l0.grad, f"dW{depth + 1}")
        assert_close(g.dU, rnn.weight_hh_l0.grad, f"dU{depth + 1}")
        assert_close(g.db, rnn.bias_ih_l0.grad, f"db{depth + 1}")
        assert_close(g.dh0, h0t[depth].grad[0], f"dh0 {depth + 1}")


def test_stacked_rnn_equals_nn_rnn_with_two_layers(rng):
    layers = [(randn(rng, H, D), randn(rng, H, H), randn(rng, H)),
              (randn(rng, H, H), randn(rng, H, H), randn(rng, H))]
    xs = randn(rng, N, T, D)
    rnn = torch.nn.RNN(D, H, num_layers=2, batch_first=True, dtype=torch.float64)
    for depth, (W, U, b) in enumerate(layers):
        set_params(rnn, **{f"weight_ih_l{depth}": W, f"weight_hh_l{depth}": U, f"bias_ih_l{depth}": b,
                           f"bias_hh_l{depth}": np.zeros(H)})
    out, h_n = rnn(tt(xs))
    states = ref.stacked_rnn_forward(xs, layers)
    assert_close(states[-1], out, "top layer")
    assert_close(np.stack([s[:, -1] for s in states]), h_n, "final states of both layers")


def test_hred_context_against_nn_rnn(rng):
    K, L, C = 3, 4, 6
    utts, dctx = randn(rng, N, K, L, D), randn(rng, N, K, C)
    p = {"W_e": randn(rng, H, D), "U_e": randn(rng, H, H), "b_e": randn(rng, H),
         "W_c": randn(rng, C, H), "U_c": randn(rng, C, C), "b_c": randn(rng, C)}
    encoder = torch.nn.RNN(D, H, batch_first=True, dtype=torch.float64)
    context = torch.nn.RNN(H, C, batch_first=True, dtype=torch.float64)
    set_params(encoder, weight_ih_l0=p["W_e"], weight_hh_l0=p["U_e"], bias_ih_l0=p["b_e"], bias_hh_l0=np.zeros(H))
    set_params(context, weight_ih_l0=p["W_c"], weight_hh_l0=p["U_c"], bias_ih_l0=p["b_c"], bias_hh_l0=np.zeros(C))
    ut = tt(utts, grad=True)
    # every utterance from a zero state: the K utterances as K * N independent sequences
    _, h_last = encoder(ut.reshape(N * K, L, D))
    encodings = h_last[0].reshape(N, K, H)
    out, _ = context(encodings)
    assert_close(ref.utterance_encodings(utts, p["W_e"], p["U_e"], p["b_e"]), encodings, "encodings")
    assert_close(ref.hred_context_forward(utts, **p), out, "contexts")
    backprop(out, dctx)
    g = ref.hred_context_backward(dctx, utts, **p)
    for ours, theirs, what in ((g.dutts, ut.grad, "dutts"),
                               (g.dW_e, encoder.weight_ih_l0.grad, "dW_e"), (g.dU_e, encoder.weight_hh_l0.grad, "dU_e"),
                               (g.db_e, encoder.bias_ih_l0.grad, "db_e"), (g.dW_c, context.weight_ih_l0.grad, "dW_c"),
                               (g.dU_c, context.weight_hh_l0.grad, "dU_c"), (g.db_c, context.bias_ih_l0.grad, "db_c")):
        assert_close(ours, theirs, what)


def test_model_exercise_references_against_autograd():
    """Each new task's expected outputs, recomputed by autograd or torch ops from the case's own inputs."""
    from quizzer.engine.tasks import get_task

    for case in get_task("lstm-backward-step").cases((1, 2, 3)):
        a = {k: tt(v, grad=True) for k, v in case.args.items()}
        pre = a["x"] @ a["W"].T + a["h_prev"] @ a["U"].T + a["b"]
        ga, gi, gf, go = torch.chunk(pre, 4, dim=1)
        c = torch.sigmoid(gi) * torch.tanh(ga) + torch.sigmoid(gf) * a["c_prev"]
        h = torch.sigmoid(go) * torch.tanh(c)
        ((h * a["dh_next"].detach()).sum() + (c * a["dc_next"].detach()).sum()).backward()
        for name, got in zip(("x", "h_prev", "c_prev", "W", "U", "b"), case.expected):
            assert_close(got, a[name].grad, f"lstm {case.name} d{name}")
    for case in get_task("gru-backward-step").cases((1, 2, 3)):
        a = {k: tt(v, grad=True) for k, v in case.args.items()}
        x, hp = a["x"], a["h_prev"]
        r = torch.sigmoid(x @ a["W_r"].T + hp @ a["U_r"].T)
        z = torch.sigmoid(x @ a["W_z"].T + hp @ a["U_z"].T)
        h_bar = torch.tanh(x @ a["W"].T + (r * hp) @ a["U"].T)
        ((((1 - z) * hp + z * h_bar) * a["dh_next"].detach()).sum()).backward()
        for name, got in zip(("x", "h_prev", "W_r", "U_r", "W_z", "U_z", "W", "U"), case.expected):
            assert_close(got, a[name].grad, f"gru {case.name} d{name}")
    for case in get_task("bidirectional-forward").cases((1, 2, 3)):
        a = case.args
        H_ = a["W_f"].shape[0]
        rnn = torch.nn.RNN(a["xs"].shape[2], H_, batch_first=True, bidirectional=True, dtype=torch.float64)
        set_params(rnn, weight_ih_l0=a["W_f"], weight_hh_l0=a["U_f"], bias_ih_l0=a["b_f"], bias_hh_l0=np.zeros(H_),
                   weight_ih_l0_reverse=a["W_b"], weight_hh_l0_reverse=a["U_b"], bias_ih_l0_reverse=a["b_b"],
                   bias_hh_l0_reverse=np.zeros(H_))
        assert_close(case.expected[0], rnn(tt(a["xs"]))[0], f"bidirectional {case.name}")
    for case in get_task("vae-reparameterize").cases((1, 2, 3)):
        mu, log_var, eps = (tt(case.args[k]) for k in ("mu", "log_var", "eps"))
        std = torch.exp(0.5 * log_var)
        kl = torch.distributions.kl_divergence(torch.distributions.Normal(mu, std),
                                               torch.distributions.Normal(0.0, 1.0)).sum(-1)
        assert_close(case.expected[0], mu + std * eps, f"vae z {case.name}")
        assert_close(case.expected[1], kl, f"vae kl {case.name}")
