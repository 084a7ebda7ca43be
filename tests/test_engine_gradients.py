"""Every derivative in bpcore against central finite differences, in float64.

The backward pass must agree with the finite-difference estimate to a relative error of 1e-7 or
better, for every hidden activation x output x loss pair that makes sense and depths 1 to 4.
Deliberately broken backward passes (missing sigma', flipped sign) must fail the same check.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import bpcore
from bpcore.activations import HIDDEN, OUTPUT, get_hidden, get_output
from bpcore.gradcheck import TOL, backprop_gap
from bpcore.losses import LOSSES, get_loss, output_delta

pytestmark = pytest.mark.gradients


def assert_backprop_matches(net, X, Y, loss, **kw):
    """bpcore's standard (bpcore.gradcheck.backprop_gap): ||backprop - fd|| <= TOL (||backprop|| + ||fd||) + ATOL."""
    gap, allowed = backprop_gap(net, X, Y, loss, **kw)
    assert gap <= allowed, f"gap {gap:.2e} above the allowed {allowed:.2e}"


VALID = [(h, o, l) for h, o, l in itertools.product(HIDDEN, OUTPUT, LOSSES)
         if o in get_loss(l).outputs]


def make_problem(seed: int, sizes: list[int], hidden: str, output: str, loss: str, n: int = 6):
    rng = np.random.default_rng(seed)
    net = bpcore.Network(sizes, hidden=hidden, output=output, seed=seed)
    X = rng.normal(size=(n, sizes[0]))
    k = sizes[-1]
    if loss == "ce" or (loss == "bce" and rng.random() < 0.5):
        Y = np.eye(k)[rng.integers(0, k, n)] if loss == "ce" else rng.integers(0, 2, (n, k)).astype(float)
    elif loss == "bce":
        Y = rng.uniform(0, 1, (n, k))          # soft labels are fine for bce
    else:
        Y = rng.normal(size=(n, k)) if output == "linear" else rng.uniform(0, 1, (n, k))
    return net, X, Y


def away_from_kinks(net: bpcore.Network, X: np.ndarray) -> bool:
    """ReLU's derivative jumps at 0: finite differences across the kink measure nothing useful."""
    if net.hidden not in ("relu", "leaky_relu"):
        return True
    return all(np.min(np.abs(t.u)) > 2e-3 for t in net.forward_pass(X, train=True)[:-1])


@pytest.mark.parametrize("hidden,output,loss", VALID)
@given(seed=st.integers(0, 2**31 - 1), depth=st.integers(1, 4), data=st.data())
def test_backprop_matches_central_differences(hidden, output, loss, seed, depth, data):
    widths = data.draw(st.lists(st.integers(1, 5), min_size=depth - 1, max_size=depth - 1))
    n_out = data.draw(st.integers(2 if output == "softmax" else 1, 3))
    sizes = [data.draw(st.integers(1, 4))] + widths + [n_out]
    net, X, Y = make_problem(seed, sizes, hidden, output, loss)
    assume(away_from_kinks(net, X))
    assert_backprop_matches(net, X, Y, loss)


@pytest.mark.parametrize("hidden", list(HIDDEN))
@given(seed=st.integers(0, 2**31 - 1), l2=st.floats(0.0, 1.0))
def test_l2_penalty_gradient(hidden, seed, l2):
    net, X, Y = make_problem(seed, [3, 4, 2], hidden, "sigmoid", "bce")
    assume(away_from_kinks(net, X))
    assert_backprop_matches(net, X, Y, "bce", l2=l2)


@given(seed=st.integers(0, 2**31 - 1), keep=st.floats(0.3, 0.9))
def test_dropout_backward_with_fixed_masks(seed, keep):
    rng = np.random.default_rng(seed)
    net, X, Y = make_problem(seed, [3, 5, 4, 2], "tanh", "softmax", "ce")
    masks = [(rng.random((len(X), w)) < keep) / keep for w in net.sizes[1:-1]]
    assert_backprop_matches(net, X, Y, "ce", masks=masks)


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
@given(seed=st.integers(0, 2**31 - 1))
def test_batch_norm_backward(hidden, seed):
    net = bpcore.Network([3, 5, 4, 2], hidden=hidden, output="softmax", seed=seed, batch_norm=True)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(8, 3))
    Y = np.eye(2)[rng.integers(0, 2, 8)]
    for layer in net.layers[:-1]:
        layer.gamma[:] = rng.uniform(0.5, 1.5, layer.gamma.shape)
        layer.beta[:] = rng.normal(0, 0.3, layer.beta.shape)
    assume(away_from_kinks(net, X))
    grads = net.gradients(X, Y, loss="ce")
    assert set(grads[0]) == {"W", "b", "gamma", "beta"} and set(grads[-1]) == {"W", "b"}
    assert_backprop_matches(net, X, Y, "ce")


@pytest.mark.parametrize("name", list(HIDDEN) + ["sigmoid_out", "linear_out"])
def test_activation_derivative_matches_central_difference(name):
    act = get_output(name[:-4]) if name.endswith("_out") else get_hidden(name)
    z = np.concatenate([np.linspace(-6, 6, 101)[np.abs(np.linspace(-6, 6, 101)) > 1e-3], [-30.0, 30.0]])
    eps = 1e-6
    numeric = (act.forward(z + eps) - act.forward(z - eps)) / (2 * eps)
    np.testing.assert_allclose(act.derivative(z), numeric, rtol=1e-7, atol=1e-10)
    a = act.forward(z)
    g = np.random.default_rng(0).normal(size=z.shape)
    np.testing.assert_allclose(act.backward(z, a, g), g * act.derivative(z), rtol=1e-12, atol=1e-15)


def test_softmax_jacobian_and_backward():
    sm = get_output("softmax")
    rng = np.random.default_rng(1)
    z = rng.normal(size=(4, 3)) * 3
    eps = 1e-6
    J = np.zeros((4, 3, 3))
    for j in range(3):
        dz = np.zeros(3)
        dz[j] = eps
        J[:, :, j] = (sm.forward(z + dz) - sm.forward(z - dz)) / (2 * eps)
    np.testing.assert_allclose(sm.derivative(z), J, rtol=1e-7, atol=1e-10)
    g = rng.normal(size=(4, 3))
    np.testing.assert_allclose(sm.backward(z, sm.forward(z), g), np.einsum("nk,nkj->nj", g, J), rtol=1e-7)


def test_sigmoid_derivative_identity_and_maximum():
    z = np.linspace(-10, 10, 2001)
    s = bpcore.activations.sigmoid(z)
    np.testing.assert_allclose(get_hidden("sigmoid").derivative(z), s * (1 - s), rtol=1e-15)
    assert get_hidden("sigmoid").derivative(np.array([0.0]))[0] == 0.25
    assert np.all(get_hidden("sigmoid").derivative(z) <= 0.25)


@pytest.mark.parametrize("output,loss", [("sigmoid", "bce"), ("softmax", "ce"), ("linear", "mse")])
def test_output_simplification_equals_general_chain_rule(output, loss):
    """sigmoid+bce, softmax+ce (and linear+mse) give delta = (a - y)/n: the identity behind it."""
    rng = np.random.default_rng(2)
    act, loss_fn = get_output(output), get_loss(loss)
    z = rng.normal(size=(5, 3)) * 2
    a = act.forward(z)
    y = np.eye(3)[rng.integers(0, 3, 5)] if loss == "ce" else rng.uniform(0, 1, (5, 3))
    general = act.backward(z, a, loss_fn.grad_a(a, y))
    np.testing.assert_allclose(output_delta(loss_fn, act, z, a, y), general, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(general, (a - y) / 5, rtol=1e-12, atol=1e-15)


def test_sigmoid_mse_keeps_sigma_prime():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(5, 1))
    a = bpcore.activations.sigmoid(z)
    y = rng.uniform(0, 1, (5, 1))
    delta = output_delta(get_loss("mse"), get_output("sigmoid"), z, a, y)
    np.testing.assert_allclose(delta, (a - y) * a * (1 - a) / 5, rtol=1e-14)


def _broken_gradients(net, X, Y, loss, mistake):
    """Backprop by hand for a 1-hidden-layer net, with one classic mistake."""
    tr = net.trace(X, Y, loss=loss)
    out, hid = tr.layers[-1], tr.layers[0]
    n = len(X)
    if mistake == "missing sigma'":
        d2 = (out.a - tr.targets) / n                      # the sigmoid+MSE sigma' dropped
    else:
        d2 = -out.delta                                   # sign flipped
    d1 = (d2 @ net.layers[1].W.T) * hid.a * (1 - hid.a)
    return [{"W": hid.a_in.T @ d1, "b": d1.sum(0)}, {"W": out.a_in.T @ d2, "b": d2.sum(0)}]


@pytest.mark.parametrize("mistake", ["missing sigma'", "flipped sign"])
def test_gradient_check_catches_classic_mistakes(mistake):
    net, X, Y = make_problem(0, [2, 3, 1], "sigmoid", "sigmoid", "mse", n=10)
    wrong = _broken_gradients(net, X, Y, "mse", mistake)
    assert bpcore.gradient_check(net, X, Y, loss="mse", gradients=wrong) > 1e-2
    right = [{"W": t.dW, "b": t.db} for t in net.trace(X, Y, loss="mse").layers]
    assert bpcore.gradient_check(net, X, Y, loss="mse", gradients=right) < TOL


def test_reused_input_accumulates_across_units():
    """x feeds every hidden unit: dL/dx must sum all their contributions (checked through W of a
    linear layer whose input is the only variable)."""
    net = bpcore.Network([1, 3, 1], hidden="tanh", output="linear", seed=4)
    X, Y = np.array([[0.7]]), np.array([[0.2]])
    tr = net.trace(X, Y, loss="mse")
    dx = tr.layers[0].delta @ net.layers[0].W.T
    eps = 1e-6
    numeric = (net.loss(X + eps, Y, "mse") - net.loss(X - eps, Y, "mse")) / (2 * eps)
    assert abs(dx[0, 0] - numeric) < 1e-9 * max(1, abs(numeric))


def test_five_point_stencil_is_more_accurate():
    net, X, Y = make_problem(5, [2, 4, 1], "tanh", "sigmoid", "bce")
    assert bpcore.gradient_check(net, X, Y, loss="bce", eps=1e-3, order=4) < 1e-10
    with pytest.raises(ValueError, match="order"):
        bpcore.numerical_gradients(net, X, Y, loss="bce", order=3)


@given(alpha=st.floats(1e-3, 0.99), z=st.lists(st.floats(-50.0, 50.0).filter(lambda v: abs(v) > 1e-3),
                                                min_size=1, max_size=20))
def test_leaky_relu_derivative_matches_central_differences(alpha, z):
    act = bpcore.activations.LeakyReLU(alpha)
    z = np.array(z)
    eps = 1e-6
    numeric = (act.forward(z + eps) - act.forward(z - eps)) / (2 * eps)
    np.testing.assert_allclose(act.derivative(z), numeric, rtol=1e-7, atol=0)
    np.testing.assert_array_equal(act.derivative(z), np.where(z > 0, 1.0, alpha))   # 1 or alpha, nothing else
    g = np.random.default_rng(0).normal(size=z.shape)
    np.testing.assert_allclose(act.backward(z, act.forward(z), g), g * act.derivative(z), rtol=1e-15, atol=0)


@given(seed=st.integers(0, 2**31 - 1), alpha=st.floats(1e-3, 0.5), depth=st.integers(1, 4))
def test_network_with_leaky_relu_of_any_slope_matches_central_differences(seed, alpha, depth):
    sizes = [3] + [4] * depth + [2]
    net = bpcore.Network(sizes, hidden=bpcore.activations.LeakyReLU(alpha), output="softmax", seed=seed)
    X = np.random.default_rng(seed).normal(size=(6, 3))
    Y = np.eye(2)[np.random.default_rng(seed + 1).integers(0, 2, 6)]
    assume(away_from_kinks(net, X))
    assert all(layer.activation.alpha == alpha for layer in net.layers[:-1])
    assert_backprop_matches(net, X, Y, "ce")


@pytest.mark.parametrize("alpha", [0.0, -0.1, 1.0, 2.0, float("nan"), "0.1", True])
def test_leaky_relu_slope_must_lie_between_0_and_1(alpha):
    with pytest.raises(ValueError, match="alpha"):
        bpcore.activations.LeakyReLU(alpha)
