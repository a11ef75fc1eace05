"""The NumPy reference checked without PyTorch: every backward against central differences,
and the behaviours exercise prompts rely on."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from quizzer import reference as ref
from quizzer.reference import course
from quizzer.reference.gradcheck import gradient_check, relative_error, weighted_sum_loss

N, T, D, H, O = 2, 4, 3, 5, 6  # all different, so a transposed weight cannot go unnoticed
TOL = 1e-6  # conventions.GRADCHECK_TOLERANCE


@pytest.fixture
def rng():
    return np.random.default_rng(20261122)


def randn(rng, *shape, scale=0.5):
    return rng.standard_normal(shape) * scale


def assert_gradients(loss, params, analytic):
    """Every analytic gradient in ``analytic`` (name -> array) matches central differences."""
    errors = gradient_check(loss, params, {k: v for k, v in analytic.items() if v is not None})
    worst = max(errors.items(), key=lambda kv: kv[1])
    assert worst[1] < TOL, f"gradient check failed: {errors}"


# --- conventions ---------------------------------------------------------------------------


def test_public_names_exist_and_conventions_hold_their_quoted_values():
    assert all(hasattr(ref, name) for name in ref.__all__)
    assert all(hasattr(course, name) for name in course.__all__)
    assert ref.LSTM_GATE_ORDER == ("a", "i", "f", "o")
    assert ref.TORCH_LSTM_GATE_ORDER == ("i", "f", "g", "o")
    assert ref.TORCH_GRU_GATE_ORDER == ("r", "z", "n")
    assert ref.DTYPE is np.float64
    assert set(ref.RNN_ACTIVATIONS) == set(ref.ACTIVATIONS)
    assert "(r * h) U^T" in ref.GRU_COURSE.equations
    assert "r * (h W_hn^T + b_hn)" in ref.GRU_PYTORCH.equations


def test_reorder_gates_moves_whole_blocks():
    stacked = np.repeat(np.arange(4.0), 2)[:, None] * np.ones((1, 3))  # rows 0,0,1,1,2,2,3,3
    moved = ref.reorder_gates(stacked, ("a", "i", "f", "o"), ("i", "f", "a", "o"))
    np.testing.assert_array_equal(moved[:, 0], [1, 1, 2, 2, 0, 0, 3, 3])


def test_float64_out_for_integer_and_list_inputs():
    hs = ref.rnn_forward([[[1, 2, 3]]], [[1, 0, 0], [0, 1, 0]], [[0, 1], [1, 0]])
    assert hs.dtype == np.float64 and hs.shape == (1, 1, 2)


# --- activations and losses ----------------------------------------------------------------


def test_softmax_of_huge_equal_logits_is_uniform_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(ref.softmax(np.array([1000.0, 1000.0])), [0.5, 0.5])
        assert np.all(np.isfinite(ref.log_softmax(np.array([1000.0, -1000.0]))))


def test_sigmoid_is_stable_for_large_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = ref.sigmoid(np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0]))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    assert s[1] == pytest.approx(1 / (1 + np.exp(30.0)), rel=1e-15)


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu", "identity"])
def test_activation_derivatives_match_numerical(rng, name):
    f, f_grad = ref.get_activation(name)
    x = randn(rng, 7, scale=2.0) + 0.05  # keep relu away from its kink
    upstream = randn(rng, 7)
    assert_gradients(
        lambda x: weighted_sum_loss(f(x), upstream), {"x": x}, {"x": upstream * f_grad(x)}
    )


def test_sigmoid_slope_peaks_at_a_quarter():
    assert ref.sigmoid_grad(0.0) == 0.25


def test_softmax_backward_matches_numerical(rng):
    x = randn(rng, N, O)
    dy = randn(rng, N, O)
    assert_gradients(
        lambda x: weighted_sum_loss(ref.softmax(x, axis=1), dy),
        {"x": x},
        {"x": ref.softmax_backward(dy, ref.softmax(x, axis=1), axis=1)},
    )


@pytest.mark.parametrize("time_reduction", ["sum", "mean"])
def test_sequence_cross_entropy_reduction_and_gradient(rng, time_reduction):
    logits = randn(rng, N, T, O, scale=2.0)
    targets = rng.integers(0, O, size=(N, T))
    per_position = -np.log(ref.softmax(logits)[np.arange(N)[:, None], np.arange(T), targets])
    expected = per_position.sum(axis=1).mean() if time_reduction == "sum" else per_position.mean()
    assert ref.softmax_cross_entropy(logits, targets, time_reduction) == pytest.approx(expected)
    assert ref.cross_entropy(ref.softmax(logits), targets, time_reduction) == pytest.approx(expected)
    onehot = ref.one_hot(targets, O)
    assert ref.softmax_cross_entropy(logits, onehot, time_reduction) == pytest.approx(expected)
    assert_gradients(
        lambda z: ref.softmax_cross_entropy(z, targets, time_reduction),
        {"z": logits},
        {"z": ref.softmax_cross_entropy_grad(logits, targets, time_reduction)},
    )
    probs = ref.softmax(logits / 4)  # log p curves sharply near 0; keep p where differences are exact
    assert_gradients(
        lambda p: ref.cross_entropy(p, targets, time_reduction),
        {"p": probs},
        {"p": ref.cross_entropy_grad(probs, targets, time_reduction)},
    )


def test_squared_errors_and_gradients(rng):
    y, t = randn(rng, N, O), randn(rng, N, O)
    assert ref.mean_squared_error(y, t) == pytest.approx(np.mean((y - t) ** 2))
    assert ref.sum_squared_error(y, t) == pytest.approx(0.5 * np.sum((y - t) ** 2))
    assert_gradients(lambda y: ref.mean_squared_error(y, t), {"y": y},
                     {"y": ref.mean_squared_error_grad(y, t)})
    assert_gradients(lambda y: ref.sum_squared_error(y, t), {"y": y},
                     {"y": ref.sum_squared_error_grad(y, t)})


# --- simple RNN ----------------------------------------------------------------------------


def rnn_params(rng):
    return dict(W=randn(rng, H, D), U=randn(rng, H, H), b=randn(rng, H))


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "identity"])
@pytest.mark.parametrize("with_bias", [True, False])
def test_rnn_step_backward(rng, activation, with_bias):
    p = rnn_params(rng)
    if not with_bias:
        p["b"] = None
    params = dict(x=randn(rng, N, D), h_prev=randn(rng, N, H), **p)
    dh = randn(rng, N, H)

    def loss(**kw):
        return weighted_sum_loss(ref.rnn_step_forward(**kw, activation=activation), dh)

    g = ref.rnn_step_backward(dh, **params, activation=activation)
    assert (g.db is None) == (not with_bias)
    assert_gradients(loss, params, dict(x=g.dx, h_prev=g.dh_prev, W=g.dW, U=g.dU, b=g.db))


def test_rnn_step_forward_shape_and_formula(rng):
    p = rnn_params(rng)
    x, h = randn(rng, N, D), randn(rng, N, H)
    h_next = ref.rnn_step_forward(x, h, **p)
    assert h_next.shape == (N, H) and h_next.dtype == np.float64
    np.testing.assert_allclose(h_next, np.tanh(x @ p["W"].T + h @ p["U"].T + p["b"]))


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_rnn_sequence_backward(rng, activation):
    params = dict(xs=randn(rng, N, T, D), h0=randn(rng, N, H), **rnn_params(rng))
    dhs = randn(rng, N, T, H)

    def loss(**kw):
        return weighted_sum_loss(ref.rnn_forward(**kw, activation=activation), dhs)

    g = ref.rnn_backward(dhs, **params, activation=activation)
    assert_gradients(loss, params, dict(xs=g.dxs, W=g.dW, U=g.dU, b=g.db, h0=g.dh0))


def test_rnn_initial_state_defaults_to_zeros(rng):
    p = rnn_params(rng)
    xs = randn(rng, N, T, D)
    np.testing.assert_array_equal(ref.rnn_forward(xs, **p), ref.rnn_forward(xs, **p, h0=np.zeros((N, H))))


def test_rnn_with_output_layer_backward(rng):
    params = dict(
        xs=randn(rng, N, T, D), V=randn(rng, O, H), c=randn(rng, O), h0=randn(rng, N, H),
        **rnn_params(rng),
    )
    dys = randn(rng, N, T, O)

    def loss(**kw):
        return weighted_sum_loss(ref.rnn_with_output_forward(**kw)[1], dys)

    g = ref.rnn_with_output_backward(dys, **params)
    assert_gradients(loss, params, dict(xs=g.dxs, W=g.dW, U=g.dU, b=g.db, V=g.dV, c=g.dc, h0=g.dh0))


def test_truncated_bptt_window_and_block(rng):
    p = rnn_params(rng)
    xs, dhs = randn(rng, N, T, D), randn(rng, N, T, H)
    full = ref.rnn_backward(dhs, xs, **p)
    # a window or a block as long as the sequence is full BPTT
    for mode in ("window", "block"):
        same = ref.rnn_backward(dhs, xs, **p, truncate=T, truncate_mode=mode)
        np.testing.assert_allclose(same.dW, full.dW, rtol=1e-12)
    # a window of one step keeps only each step's own contribution
    one = ref.rnn_backward(dhs, xs, **p, truncate=1)
    hs = ref.rnn_forward(xs, **p)
    h_prevs = np.concatenate([np.zeros((N, 1, H)), hs[:, :-1]], axis=1)
    expected = sum(
        ref.rnn_step_backward(dhs[:, t], xs[:, t], h_prevs[:, t], **p).dW for t in range(T)
    )
    np.testing.assert_allclose(one.dW, expected, rtol=1e-12)
    # a window of two: each loss term is full BPTT over the two steps ending at it
    two = ref.rnn_backward(dhs, xs, **p, truncate=2)
    expected = np.zeros_like(two.dU)
    for t in range(T):
        s = max(t - 1, 0)
        upstream = np.zeros((N, t + 1 - s, H))
        upstream[:, -1] = dhs[:, t]
        expected += ref.rnn_backward(upstream, xs[:, s:t + 1], **p, h0=h_prevs[:, s]).dU
    np.testing.assert_allclose(two.dU, expected, rtol=1e-12)
    # blocks of two: full BPTT inside each block, started from the state the forward pass carried
    blocks = ref.rnn_backward(dhs, xs, **p, truncate=2, truncate_mode="block")
    first = ref.rnn_backward(dhs[:, :2], xs[:, :2], **p)
    second = ref.rnn_backward(dhs[:, 2:], xs[:, 2:], **p, h0=hs[:, 1])
    np.testing.assert_allclose(blocks.dW, first.dW + second.dW, rtol=1e-12)
    np.testing.assert_allclose(blocks.dU, first.dU + second.dU, rtol=1e-12)
    np.testing.assert_allclose(blocks.dxs, np.concatenate([first.dxs, second.dxs], axis=1))
    np.testing.assert_allclose(blocks.dh0, first.dh0, rtol=1e-12)
    assert relative_error(blocks.dW, full.dW) > 1e-6
    with pytest.raises(ValueError):
        ref.rnn_backward(dhs, xs, **p, truncate=2, truncate_mode="sideways")


def test_linear_bptt_matches_numerical_gradient_of_batch_mean_loss(rng):
    W, U, V = randn(rng, H, D), randn(rng, H, H), randn(rng, O, H)
    xs, ys = randn(rng, N, T, D), randn(rng, N, T, O)

    def loss(W, U, V):  # mean over the batch of 0.5 * sum over time of squared error
        _, outputs = ref.linear_rnn_forward(xs, W, U, V)
        return ref.sum_squared_error(outputs, ys) / N

    _, outputs = ref.linear_rnn_forward(xs, W, U, V)
    g = ref.bptt_linear(xs, ref.linear_rnn_do(outputs, ys), W, U, V)
    assert_gradients(loss, dict(W=W, U=U, V=V), dict(W=g.dW, U=g.dU, V=g.dV))
    np.testing.assert_allclose(course.bptt(xs, ys, W, U, V).dU, g.dU, rtol=1e-12)


def test_course_bug_bptt_differs_only_in_dU(rng):
    W, U, V = randn(rng, H, D), randn(rng, H, H), randn(rng, O, H)
    xs, ys = randn(rng, N, T, D), randn(rng, N, T, O)
    right = course.bptt(xs, ys, W, U, V)
    wrong = course.bptt_course_bug(xs, ys, W, U, V)
    np.testing.assert_allclose(wrong.dW, right.dW, rtol=1e-12)
    np.testing.assert_allclose(wrong.dV, right.dV, rtol=1e-12)
    assert relative_error(wrong.dU, right.dU) > 1e-3


# --- LSTM ----------------------------------------------------------------------------------


def lstm_params(rng):
    return dict(W=randn(rng, 4 * H, D), U=randn(rng, 4 * H, H), b=randn(rng, 4 * H))


def test_lstm_step_follows_course_equations(rng):
    p = lstm_params(rng)
    x, h, c = randn(rng, N, D), randn(rng, N, H), randn(rng, N, H)
    a, i, f, o = np.hsplit(x @ p["W"].T + h @ p["U"].T + p["b"], 4)
    sig = lambda v: 1 / (1 + np.exp(-v))
    c_new = sig(i) * np.tanh(a) + sig(f) * c
    h_new, c_ref = ref.lstm_step_forward(x, h, c, **p)
    np.testing.assert_allclose(c_ref, c_new, rtol=1e-13)
    np.testing.assert_allclose(h_new, sig(o) * np.tanh(c_new), rtol=1e-13)
    c_course, h_course = course.lstm(x, h, c, **p)
    np.testing.assert_array_equal(c_course, c_ref)
    np.testing.assert_array_equal(h_course, h_new)


def test_lstm_step_backward(rng):
    params = dict(x=randn(rng, N, D), h_prev=randn(rng, N, H), c_prev=randn(rng, N, H),
                  **lstm_params(rng))
    dh, dc = randn(rng, N, H), randn(rng, N, H)

    def loss(**kw):
        h, c = ref.lstm_step_forward(**kw)
        return weighted_sum_loss(h, dh) + weighted_sum_loss(c, dc)

    g = ref.lstm_step_backward(dh, dc, **params)
    assert_gradients(loss, params, dict(x=g.dx, h_prev=g.dh_prev, c_prev=g.dc_prev,
                                        W=g.dW, U=g.dU, b=g.db))


def test_lstm_sequence_backward(rng):
    params = dict(xs=randn(rng, N, T, D), h0=randn(rng, N, H), c0=randn(rng, N, H),
                  **lstm_params(rng))
    dhs, dcs = randn(rng, N, T, H), randn(rng, N, T, H)

    def loss(**kw):
        hs, cs = ref.lstm_forward(**kw)
        return weighted_sum_loss(hs, dhs) + weighted_sum_loss(cs, dcs)

    g = ref.lstm_backward(dhs, **params, dcs=dcs)
    assert_gradients(loss, params, dict(xs=g.dxs, W=g.dW, U=g.dU, b=g.db, h0=g.dh0, c0=g.dc0))


def test_peephole_lstm_step_backward_and_reduction(rng):
    p = lstm_params(rng)
    params = dict(x=randn(rng, N, D), h_prev=randn(rng, N, H), c_prev=randn(rng, N, H),
                  p_i=randn(rng, H), p_f=randn(rng, H), p_o=randn(rng, H), **p)
    dh, dc = randn(rng, N, H), randn(rng, N, H)

    def loss(**kw):
        h, c = ref.peephole_lstm_step_forward(**kw)
        return weighted_sum_loss(h, dh) + weighted_sum_loss(c, dc)

    g = ref.peephole_lstm_step_backward(dh, dc, **params)
    assert_gradients(loss, params, dict(x=g.dx, h_prev=g.dh_prev, c_prev=g.dc_prev, W=g.dW,
                                        U=g.dU, p_i=g.dp_i, p_f=g.dp_f, p_o=g.dp_o, b=g.db))
    zeros = np.zeros(H)
    x, h, c = params["x"], params["h_prev"], params["c_prev"]
    plain = ref.lstm_step_forward(x, h, c, **p)
    peep0 = ref.peephole_lstm_step_forward(x, h, c, p_i=zeros, p_f=zeros, p_o=zeros, **p)
    np.testing.assert_allclose(peep0[0], plain[0], rtol=1e-14)


def test_lstm_torch_layout_round_trip(rng):
    p = lstm_params(rng)
    W_t, U_t, b_t = ref.lstm_params_to_torch(p["W"], p["U"], p["b"])
    # PyTorch's first block is the input gate, the course's second
    np.testing.assert_array_equal(W_t[:H], p["W"][H:2 * H])
    np.testing.assert_array_equal(W_t[2 * H:3 * H], p["W"][:H])  # g is the course's a
    W2, U2, b2 = ref.lstm_params_from_torch(W_t, U_t, b_t, np.zeros(4 * H))
    for got, want in ((W2, p["W"]), (U2, p["U"]), (b2, p["b"])):
        np.testing.assert_array_equal(got, want)


# --- GRU -----------------------------------------------------------------------------------


def gru_course_params(rng, with_bias=True):
    p = dict(W_r=randn(rng, H, D), U_r=randn(rng, H, H), W_z=randn(rng, H, D),
             U_z=randn(rng, H, H), W=randn(rng, H, D), U=randn(rng, H, H))
    if with_bias:
        p.update(b_r=randn(rng, H), b_z=randn(rng, H), b=randn(rng, H))
    return p


def test_course_gru_follows_course_equations(rng):
    p = gru_course_params(rng, with_bias=False)
    x, h = randn(rng, N, D), randn(rng, N, H)
    sig = lambda v: 1 / (1 + np.exp(-v))
    r = sig(x @ p["W_r"].T + h @ p["U_r"].T)
    z = sig(x @ p["W_z"].T + h @ p["U_z"].T)
    h_bar = np.tanh(x @ p["W"].T + (r * h) @ p["U"].T)
    np.testing.assert_allclose(course.gru(x, h, **p), (1 - z) * h + z * h_bar, rtol=1e-13)


@pytest.mark.parametrize("with_bias", [True, False])
def test_course_gru_step_backward(rng, with_bias):
    params = dict(x=randn(rng, N, D), h_prev=randn(rng, N, H), **gru_course_params(rng, with_bias))
    dh = randn(rng, N, H)
    g = ref.gru_step_backward(dh, **params)
    assert_gradients(
        lambda **kw: weighted_sum_loss(ref.gru_step_forward(**kw), dh),
        params,
        dict(x=g.dx, h_prev=g.dh_prev, W_r=g.dW_r, U_r=g.dU_r, W_z=g.dW_z, U_z=g.dU_z,
             W=g.dW, U=g.dU, b_r=g.db_r, b_z=g.db_z, b=g.db),
    )


def test_course_gru_sequence_backward(rng):
    params = dict(xs=randn(rng, N, T, D), h0=randn(rng, N, H), **gru_course_params(rng))
    dhs = randn(rng, N, T, H)
    g = ref.gru_backward(dhs, **params)
    assert_gradients(
        lambda **kw: weighted_sum_loss(ref.gru_forward(**kw), dhs),
        params,
        dict(xs=g.dxs, W_r=g.dW_r, U_r=g.dU_r, W_z=g.dW_z, U_z=g.dU_z, W=g.dW, U=g.dU,
             b_r=g.db_r, b_z=g.db_z, b=g.db, h0=g.dh0),
    )


def gru_torch_params(rng):
    return dict(W_ih=randn(rng, 3 * H, D), W_hh=randn(rng, 3 * H, H),
                b_ih=randn(rng, 3 * H), b_hh=randn(rng, 3 * H))


def test_pytorch_gru_step_and_sequence_backward(rng):
    params = dict(x=randn(rng, N, D), h_prev=randn(rng, N, H), **gru_torch_params(rng))
    dh = randn(rng, N, H)
    g = ref.gru_torch_step_backward(dh, **params)
    assert_gradients(
        lambda **kw: weighted_sum_loss(ref.gru_torch_step_forward(**kw), dh),
        params,
        dict(x=g.dx, h_prev=g.dh_prev, W_ih=g.dW_ih, W_hh=g.dW_hh, b_ih=g.db_ih, b_hh=g.db_hh),
    )
    params = dict(xs=randn(rng, N, T, D), h0=randn(rng, N, H), **gru_torch_params(rng))
    dhs = randn(rng, N, T, H)
    g = ref.gru_torch_backward(dhs, **params)
    assert_gradients(
        lambda **kw: weighted_sum_loss(ref.gru_torch_forward(**kw), dhs),
        params,
        dict(xs=g.dxs, W_ih=g.dW_ih, W_hh=g.dW_hh, b_ih=g.db_ih, b_hh=g.db_hh, h0=g.dh0),
    )


def test_course_gru_differs_from_pytorch_gru_on_the_same_weights(rng):
    p = gru_course_params(rng, with_bias=False)
    W_ih, W_hh = ref.gru_course_params_to_torch(**p)
    x, h = randn(rng, N, D), randn(rng, N, H)
    course_h = ref.gru_step_forward(x, h, **p)
    torch_h = ref.gru_torch_step_forward(x, h, W_ih, W_hh)
    assert relative_error(course_h, torch_h) > 1e-2
    assert ref.GRU_COURSE != ref.GRU_PYTORCH


# --- bidirectional -------------------------------------------------------------------------


def bidi_params(rng):
    return dict(W_f=randn(rng, H, D), U_f=randn(rng, H, H), W_b=randn(rng, H, D),
                U_b=randn(rng, H, H), b_f=randn(rng, H), b_b=randn(rng, H))


def test_bidirectional_pairs_states_of_the_same_time_step(rng):
    p = bidi_params(rng)
    xs = randn(rng, N, T, D)
    hs = ref.bidirectional_rnn_forward(xs, **p)
    assert hs.shape == (N, T, 2 * H)
    # the backward half at t = T-1 has read only x_{T-1}
    last = ref.rnn_step_forward(xs[:, -1], np.zeros((N, H)), p["W_b"], p["U_b"], p["b_b"])
    np.testing.assert_allclose(hs[:, -1, H:], last, rtol=1e-14)
    np.testing.assert_allclose(hs[:, :, :H], ref.rnn_forward(xs, p["W_f"], p["U_f"], p["b_f"]))


def test_bidirectional_wrong_merges_are_different(rng):
    p = bidi_params(rng)
    xs = randn(rng, N, T, D)
    right = ref.bidirectional_rnn_forward(xs, **p)
    for name, merge in ref.WRONG_MERGES.items():
        wrong = ref.bidirectional_rnn_forward(xs, **p, merge=merge)
        assert wrong.shape != right.shape or not np.allclose(wrong, right), name
    assert ref.merge_directions_time_axis(right[..., :H], right[..., H:]).shape == (N, 2 * T, H)


def test_bidirectional_backward_and_course_net(rng):
    params = dict(xs=randn(rng, N, T, D), h0_f=randn(rng, N, H), h0_b=randn(rng, N, H),
                  **bidi_params(rng))
    dhs = randn(rng, N, T, 2 * H)
    g = ref.bidirectional_rnn_backward(dhs, **params)
    assert_gradients(
        lambda **kw: weighted_sum_loss(ref.bidirectional_rnn_forward(**kw), dhs),
        params,
        dict(xs=g.dxs, W_f=g.dW_f, U_f=g.dU_f, b_f=g.db_f, W_b=g.dW_b, U_b=g.dU_b,
             b_b=g.db_b, h0_f=g.dh0_f, h0_b=g.dh0_b),
    )
    p = bidi_params(rng)
    V = randn(rng, O, 2 * H)
    ys = course.bidirectional_rnn_net(params["xs"], p["W_f"], p["U_f"], p["W_b"], p["U_b"], V)
    hs = ref.bidirectional_rnn_forward(params["xs"], p["W_f"], p["U_f"], p["W_b"], p["U_b"])
    np.testing.assert_allclose(ys, hs @ V.T)
    assert ys.shape == (N, T, O)


# --- seq2seq, tree, attention --------------------------------------------------------------

VOCAB, EMB = 7, 4


def test_embedding_lookup_equals_matrix_times_one_hot(rng):
    E = randn(rng, EMB, VOCAB)
    ids = rng.integers(0, VOCAB, size=(N, T))
    np.testing.assert_allclose(ref.embed(ids, E), ref.one_hot(ids, VOCAB) @ E.T, rtol=1e-15)
    np.testing.assert_array_equal(E.dot(ref.one_hot(3, VOCAB)), E[:, 3])


def test_encode_matches_batched_encoder_and_course_bug_differs(rng):
    E, W, U, b = randn(rng, EMB, VOCAB), randn(rng, H, EMB), randn(rng, H, H), randn(rng, H)
    ids = rng.integers(0, VOCAB, size=(N, T))
    hs = ref.encoder_forward(ids, E, W, U, b)
    for n in range(N):
        words = ref.one_hot(ids[n], VOCAB)
        np.testing.assert_allclose(course.encode(words, E, W, U, b), hs[n, -1], rtol=1e-13)
        np.testing.assert_allclose(ref.encode_course_bug(words, E, W, U, b), hs[n, 0], rtol=1e-13)
    np.testing.assert_allclose(ref.encode(ref.one_hot(ids[0], VOCAB), E, W, U, b, np.tanh), hs[0, -1])


def test_encoder_backward(rng):
    ids = rng.integers(0, VOCAB, size=(N, T))
    params = dict(E=randn(rng, EMB, VOCAB), W=randn(rng, H, EMB), U=randn(rng, H, H),
                  b=randn(rng, H), h0=randn(rng, N, H))
    dhs = randn(rng, N, T, H)
    g = ref.encoder_backward(dhs, ids, **params)
    assert_gradients(
        lambda **kw: weighted_sum_loss(ref.encoder_forward(ids, **kw), dhs),
        params, dict(E=g.dE, W=g.dW, U=g.dU, b=g.db, h0=g.dh0),
    )


def test_tree_traverse_and_backward(rng):
    leaves = [randn(rng, H) for _ in range(4)]
    tree = {"left": {"left": leaves[0], "right": leaves[1]},
            "right": {"left": leaves[2], "right": {"left": leaves[3], "right": leaves[0]}}}
    W, b = randn(rng, H, 2 * H), randn(rng, H)
    left = np.tanh(W @ np.concatenate([leaves[0], leaves[1]]))
    inner = np.tanh(W @ np.concatenate([leaves[3], leaves[0]]))
    right = np.tanh(W @ np.concatenate([leaves[2], inner]))
    np.testing.assert_allclose(ref.traverse(tree, W), np.tanh(W @ np.concatenate([left, right])))
    np.testing.assert_allclose(course.traverse(tree, W, np.tanh), ref.traverse(tree, W))
    dv = randn(rng, H)
    g = ref.traverse_backward(dv, tree, W, b=b)
    assert_gradients(lambda W, b: weighted_sum_loss(ref.traverse(tree, W, b=b), dv),
                     dict(W=W, b=b), dict(W=g.dW, b=g.db))

    def with_leaf(value):
        changed = {**tree, "left": {**tree["left"], "right": value}}
        return weighted_sum_loss(ref.traverse(changed, W, b=b), dv)

    assert_gradients(lambda leaf: with_leaf(leaf), dict(leaf=leaves[1]),
                     dict(leaf=g.dleaves["left"]["right"]))


@pytest.mark.parametrize("scaled", [False, True])
def test_attention(rng, scaled):
    h_dec, hs_enc = randn(rng, N, H), randn(rng, N, T, H)
    context, weights = ref.attention_forward(h_dec, hs_enc, scaled)
    assert context.shape == (N, H) and weights.shape == (N, T)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)
    n, t = 1, 2
    score = hs_enc[n, t] @ h_dec[n] / (np.sqrt(H) if scaled else 1.0)
    assert ref.attention_scores(h_dec, hs_enc, scaled)[n, t] == pytest.approx(score)
    dcontext = randn(rng, N, H)
    g = ref.attention_backward(dcontext, h_dec, hs_enc, scaled)
    assert_gradients(
        lambda h_dec, hs_enc: weighted_sum_loss(ref.attention_forward(h_dec, hs_enc, scaled)[0], dcontext),
        dict(h_dec=h_dec, hs_enc=hs_enc), dict(h_dec=g.dh_dec, hs_enc=g.dhs_enc),
    )


# --- clipping, word2vec, gradient check ----------------------------------------------------


def test_clipping_leaves_small_gradients_and_scales_large_ones(rng):
    small = np.array([0.3, -0.4])  # norm 0.5
    np.testing.assert_array_equal(ref.clip_grad_norm(small, 1.0), small)
    large = randn(rng, H, D, scale=10.0)
    clipped = ref.clip_grad_norm(large, 1.0)
    assert np.linalg.norm(clipped) == pytest.approx(1.0, rel=1e-14)
    np.testing.assert_allclose(clipped / np.linalg.norm(clipped), large / np.linalg.norm(large))
    np.testing.assert_array_equal(course.gradient_clipping(large, 1.0), clipped)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(ref.clip_grad_norm(np.zeros(3), 1.0), np.zeros(3))
        assert ref.clip_grads_by_global_norm([np.zeros(2)], 1.0)[0].tolist() == [0.0, 0.0]


def test_global_norm_clipping_scales_every_array_alike(rng):
    grads = [randn(rng, H, D, scale=3.0), randn(rng, H, scale=3.0)]
    total = np.sqrt(sum(np.sum(g**2) for g in grads))
    assert ref.global_norm(grads) == pytest.approx(total)
    clipped = ref.clip_grads_by_global_norm(grads, 1.0)
    assert ref.global_norm(clipped) == pytest.approx(1.0, rel=1e-14)
    for g, c in zip(grads, clipped):
        np.testing.assert_allclose(c, g / total, rtol=1e-14)
    unchanged = ref.clip_grads_by_global_norm(grads, 2 * total)
    for g, c in zip(grads, unchanged):
        np.testing.assert_array_equal(c, g)


def test_skipgram_pairs():
    pairs = ref.skipgram_pairs([10, 11, 12, 13], window=1)
    assert pairs.tolist() == [[10, 11], [11, 10], [11, 12], [12, 11], [12, 13], [13, 12]]
    assert len(ref.skipgram_pairs([1, 2, 3, 4, 5], window=2)) == 2 + 3 + 4 + 3 + 2


def test_negative_sampling_loss_and_gradients(rng):
    v, u_o, u_neg = randn(rng, EMB), randn(rng, EMB), randn(rng, 3, EMB)
    sig = lambda a: 1 / (1 + np.exp(-a))
    expected = -np.log(sig(u_o @ v)) - np.sum(np.log(sig(-u_neg @ v)))
    assert ref.negative_sampling_loss(v, u_o, u_neg) == pytest.approx(expected, rel=1e-13)
    g = ref.negative_sampling_backward(v, u_o, u_neg)
    assert_gradients(
        lambda **kw: ref.negative_sampling_loss(**kw),
        dict(v_center=v, u_context=u_o, u_negatives=u_neg),
        dict(v_center=g.dv_center, u_context=g.du_context, u_negatives=g.du_negatives),
    )


def test_cosine_similarity():
    assert ref.cosine_similarity([1.0, 0.0], [0.0, 2.0]) == 0.0
    assert ref.cosine_similarity([1.0, 2.0], [2.0, 4.0]) == pytest.approx(1.0)
    assert ref.cosine_similarity([1.0, 2.0], [-1.0, -2.0]) == pytest.approx(-1.0)
    assert ref.cosine_similarity([0.0, 0.0], [1.0, 2.0]) == 0.0


def test_numerical_gradient_does_not_modify_its_input_and_is_accurate():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    grad = ref.numerical_gradient(lambda a: np.sum(a**3), x)
    np.testing.assert_array_equal(x, before)
    assert ref.relative_error(grad, 3 * x**2) < 1e-9
    assert ref.relative_error(np.zeros(2), np.zeros(2)) == 0.0


def test_reference_never_prints(capsys, rng):
    p = rnn_params(rng)
    ref.rnn_backward(randn(rng, N, T, H), randn(rng, N, T, D), **p)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


# --- the model exercises: VAE, decoding, stacked RNN, HRED -----------------------------------


def test_vae_backward_matches_numerical(rng):
    Z = 7
    mu, log_var, eps, dz, dkl = randn(rng, N, Z), randn(rng, N, Z, scale=1.5), randn(rng, N, Z), \
        randn(rng, N, Z), randn(rng, N)
    g = ref.reparameterize_backward(dz, mu, log_var, eps)
    assert_gradients(lambda mu, log_var: weighted_sum_loss(ref.reparameterize(mu, log_var, eps), dz),
                     {"mu": mu, "log_var": log_var}, {"mu": g.dmu, "log_var": g.dlog_var})
    g = ref.kl_standard_normal_backward(dkl, mu, log_var)
    assert_gradients(lambda mu, log_var: weighted_sum_loss(ref.kl_standard_normal(mu, log_var), dkl),
                     {"mu": mu, "log_var": log_var}, {"mu": g.dmu, "log_var": g.dlog_var})


def test_kl_is_zero_only_at_the_standard_normal(rng):
    assert np.allclose(ref.kl_standard_normal(np.zeros((N, 4)), np.zeros((N, 4))), 0.0)
    assert (ref.kl_standard_normal(randn(rng, N, 4), randn(rng, N, 4)) > 0).all()


def test_beam_search_spans_greedy_to_exhaustive(rng):
    V, steps = 4, 3
    for _ in range(20):
        logp = ref.log_softmax(randn(rng, V, V, scale=2.0), axis=1)
        greedy, prev, score = [], 0, 0.0
        for _ in range(steps):
            v = int(np.argmax(logp[prev]))
            greedy.append(v)
            score += logp[prev, v]
            prev = v
        assert ref.beam_search(logp, 1, steps) == (tuple(greedy), score)
        full = ref.beam_search(logp, V**steps, steps)
        assert full.tokens == ref.exhaustive_best(logp, steps).tokens
        assert np.isclose(full.score, ref.exhaustive_best(logp, steps).score)
        # no width finds a better sentence than the exhaustive search (a wider beam is not always better)
        for k in (1, 2, 3):
            assert ref.beam_search(logp, k, steps).score <= full.score + 1e-12


def test_beam_search_breaks_ties_by_beam_rank_then_token_id():
    # every first word equally likely; from each, its own id is the only likely next word
    logp = np.log(np.full((3, 3), 0.01))
    logp[0] = np.log(1 / 3)
    for v in (1, 2):
        logp[v] = np.log(0.01)
        logp[v, v] = np.log(0.98)
    # k = 1: words 0, 1 and 2 tie at the first step; the smallest id wins, then 0 -> 0 at log(1/3)
    assert ref.beam_search(logp, 1, 2).tokens == (0, 0)
    # k = 2: 0 and 1 are kept (2 loses the tie); 1 -> 1 at log(0.98) is best
    assert ref.beam_search(logp, 2, 2).tokens == (1, 1)


def test_greedy_decode_stops_on_eos_and_at_max_len(rng):
    vocab, emb, Hd = 5, 3, 4
    E, W, U, b = randn(rng, emb, vocab), randn(rng, Hd, emb), randn(rng, Hd, Hd), randn(rng, Hd)
    V = np.zeros((vocab, Hd))
    c = np.array([0.0, 0.0, 1.0, 0.0, 0.0])  # always word 2
    assert ref.greedy_decode(np.zeros(Hd), E, W, U, b, V, c, 0, 1, 4).tolist() == [2, 2, 2, 2]
    c[1] = 5.0  # the end token wins at once and is kept
    assert ref.greedy_decode(np.zeros(Hd), E, W, U, b, V, c, 0, 1, 4).tolist() == [1]


def test_stacked_rnn_backward_matches_numerical(rng):
    H2 = 4
    W1, U1, b1 = randn(rng, H, D), randn(rng, H, H), randn(rng, H)
    W2, U2, b2 = randn(rng, H2, H), randn(rng, H2, H2), randn(rng, H2)
    xs, dhs = randn(rng, N, T, D), randn(rng, N, T, H2)

    def loss(xs, W1, U1, b1, W2, U2, b2):
        return weighted_sum_loss(ref.stacked_rnn_forward(xs, [(W1, U1, b1), (W2, U2, b2)])[-1], dhs)

    g1, g2 = ref.stacked_rnn_backward(dhs, xs, [(W1, U1, b1), (W2, U2, b2)])
    params = {"xs": xs, "W1": W1, "U1": U1, "b1": b1, "W2": W2, "U2": U2, "b2": b2}
    assert_gradients(loss, params, {"xs": g1.dxs, "W1": g1.dW, "U1": g1.dU, "b1": g1.db, "W2": g2.dW, "U2": g2.dU, "b2": g2.db})


def test_hred_context_backward_matches_numerical(rng):
    K, L, C = 3, 4, 6
    p = {"utts": randn(rng, N, K, L, D), "W_e": randn(rng, H, D), "U_e": randn(rng, H, H), "b_e": randn(rng, H),
         "W_c": randn(rng, C, H), "U_c": randn(rng, C, C), "b_c": randn(rng, C)}
    dctx = randn(rng, N, K, C)
    g = ref.hred_context_backward(dctx, **p)
    assert_gradients(lambda **q: weighted_sum_loss(ref.hred_context_forward(**q), dctx), p,
                     {"utts": g.dutts, "W_e": g.dW_e, "U_e": g.dU_e, "b_e": g.db_e, "W_c": g.dW_c, "U_c": g.dU_c, "b_c": g.db_c})


def test_hred_encoder_restarts_at_every_utterance(rng):
    K, L = 3, 4
    utts = randn(rng, N, K, L, D)
    W_e, U_e, b_e = randn(rng, H, D), randn(rng, H, H), randn(rng, H)
    changed = utts.copy()
    changed[:, 0] += 1.0  # the first utterance changes: the later encodings must not
    before = ref.utterance_encodings(utts, W_e, U_e, b_e)
    after = ref.utterance_encodings(changed, W_e, U_e, b_e)
    assert not np.allclose(before[:, 0], after[:, 0])
    assert np.array_equal(before[:, 1:], after[:, 1:])
