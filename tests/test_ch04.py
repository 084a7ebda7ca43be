"""Chapter 4: the sigmoid-stack computations of bpcore.lessons.ch04, checked against central differences,
the (|w|/4)^D bound, bpcore's own backward pass, and the chapter's panels at extreme control values."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bpcore import Network
from bpcore.activations import Sigmoid
from bpcore.lessons import ch04

pytestmark = pytest.mark.ch04

xs = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)
ws = st.floats(min_value=-8.0, max_value=8.0, allow_nan=False)
depths = st.integers(min_value=1, max_value=12)


def top_output(x: float, w: float, depth: int) -> float:
    return float(ch04.sigmoid_chain(x, w, depth).a[-1, 0])


@settings(max_examples=150, deadline=None)
@given(xs, ws, depths)
def test_chain_gradient_matches_central_differences(x, w, depth):
    h = 1e-5
    numeric = (top_output(x + h, w, depth) - top_output(x - h, w, depth)) / (2 * h)
    analytic = float(ch04.chain_gradient(x, w, depth)[()])
    # the central difference is exact to O(h^2 * f''') plus round-off ~1e-16 / h
    assert analytic == pytest.approx(numeric, rel=1e-6, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(xs, ws, depths)
def test_every_gradient_respects_the_bound(x, w, depth):
    chain = ch04.sigmoid_chain(x, w, depth)
    assert np.all(np.abs(chain.reaching[:, 0]) <= chain.bound * (1 + 1e-12))
    assert np.allclose(chain.factor, w * Sigmoid().derivative(chain.z), rtol=1e-12, atol=0)


@pytest.mark.parametrize("w", [1.0, -5.4, 2.5])
@pytest.mark.parametrize("depth", [1, 3, 6])
def test_chain_agrees_with_the_network_backward_pass(w, depth):
    """A [1]*(depth+1) sigmoid network with every weight w and zero biases is the same stack:
    with mse, delta^1 * w = dL/dx = (a_D - y) * d a_D/dx."""
    net = Network([1] * (depth + 1), hidden="sigmoid", output="sigmoid", init="zeros")
    for layer in net.layers:
        layer.W[...] = w
    x, y = 0.5, 0.0
    trace = net.trace(np.array([[x]]), np.array([[y]]), loss="mse")
    chain = ch04.sigmoid_chain(x, w, depth)
    assert trace.output[0, 0] == pytest.approx(chain.a[-1, 0], rel=1e-14)
    dL_dx = trace.layers[0].delta[0, 0] * w
    assert dL_dx == pytest.approx((chain.a[-1, 0] - y) * chain.reaching[0, 0], rel=1e-12)


def test_chain_gradient_keeps_the_shape_of_x():
    assert np.shape(ch04.chain_gradient(0.5, 1.0, 3)) == ()
    assert ch04.chain_gradient(np.zeros((2, 3)), 1.0, 3).shape == (2, 3)


@pytest.mark.parametrize("fraction", [0.01, 0.1, 0.5, 0.9])
def test_saturation_threshold_solves_its_equation(fraction):
    z_star = ch04.saturation_threshold(fraction)
    sig = Sigmoid()
    assert sig.derivative(z_star) == pytest.approx(fraction / 4, rel=1e-12)
    assert sig.derivative(z_star * 1.01) < fraction / 4 < sig.derivative(z_star * 0.99)


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 2.0])
def test_saturation_threshold_rejects_fractions_outside_0_1(bad):
    with pytest.raises(ValueError):
        ch04.saturation_threshold(bad)


@pytest.mark.parametrize("w", [1.0, 1.75, 2.0, 4.0, 8.0])
def test_saturated_fraction_matches_the_formula(w):
    z_star = ch04.saturation_threshold(0.1)
    expected = max(0.0, 1 - z_star / (4 * w))
    # 401 grid points over [-4, 4]: the share is exact up to one grid point at each end
    assert ch04.saturated_fraction(w, ch04.PANEL_X) == pytest.approx(expected, abs=2.5 / 401)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), True, "1"])
def test_sigmoid_chain_rejects_bad_weights(bad):
    with pytest.raises((ValueError, TypeError)):
        ch04.sigmoid_chain(0.5, bad, 3)


@pytest.mark.parametrize("depth", [0, 2.5])
def test_sigmoid_chain_rejects_bad_depths(depth):
    with pytest.raises((ValueError, TypeError)):
        ch04.sigmoid_chain(0.5, 1.0, depth)


@pytest.mark.parametrize("w", [0.25, 8.0])
def test_weight_scale_update_at_the_slider_ends(w):
    out = ch04.weight_scale_update(w)
    assert len(out["traces"]) == 3
    assert all(np.all(np.isfinite(t["y"])) for t in out["traces"][:2])
    assert "saturated" in out["status"]


@pytest.mark.parametrize("depth, w", [(1, -8.0), (12, 8.0), (12, 0.0), (12, 1.0)])
def test_depth_update_at_the_slider_ends(depth, w):
    out = ch04.depth_update(depth, w)
    bars, bound = out["traces"]
    assert len(bars["x"]) == len(bound["y"]) == depth
    assert np.all(np.isnan(bars["y"]) | (bars["y"] > 0))


def test_compare_update_trains_both_networks_alike():
    out = ch04.compare_update(1.0, 1, resolution=10)
    assert len(out["traces"]) == 6
    sig_loss, tanh_loss = out["traces"][0]["y"], out["traces"][1]["y"]
    assert len(sig_loss) == len(tanh_loss) == ch04.COMPARE_EPOCHS
    assert sig_loss[0] != tanh_loss[0]
    assert tanh_loss[-1] < sig_loss[-1]     # the chapter's claim at this setting


def test_compare_update_survives_the_largest_learning_rate():
    out = ch04.compare_update(10.0, 3, resolution=10)
    assert "sigmoid" in out["status"] and "tanh" in out["status"]


@pytest.mark.parametrize("make", [ch04.weight_scale_panel, ch04.depth_panel, ch04.compare_panel])
def test_every_panel_builds_its_static_twin(make):
    twin = make().static_figure()
    assert twin.frames and all("<sub>error:" not in frame.layout.title.text for frame in twin.frames)


# -- input standardisation: the linear unit's loss surface -------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 1000), shift=st.floats(-5.0, 5.0))
def test_linear_unit_hessian_matches_central_differences_of_bpcores_gradient(seed, shift):
    """H of eq-ch04-hessian against differences of the MSE gradient that bpcore back-propagates."""
    import bpcore
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(30, 2)) + shift, rng.normal(size=30)
    net = bpcore.Network([2, 1], output="linear", seed=seed)
    params = net.parameters()            # [W (2, 1), b (1,)]: theta = (w1, w2, b)

    def grad(theta):
        params[0][:, 0], params[1][0] = theta[:2], theta[2]
        g = net.gradients(X, y, loss="mse")[0]          # the only layer's {"W": (2, 1), "b": (1,)}
        return np.r_[g["W"][:, 0], g["b"]]

    theta0, h = rng.normal(size=3), 1e-5
    numeric = np.column_stack([(grad(theta0 + h * e) - grad(theta0 - h * e)) / (2 * h) for e in np.eye(3)])
    H = ch04.linear_unit_hessian(X)
    np.testing.assert_allclose(numeric, H, rtol=1e-7, atol=1e-7 * np.abs(H).max())


def test_standardising_shrinks_the_condition_number_and_the_steps():
    """The chapter's printed comparison: moons shifted to all-positive inputs, before and after standardise."""
    import bpcore
    from bpcore.preprocessing import standardise
    X, y = bpcore.datasets.moons(200, noise=0.2, seed=0)
    X_pos = X + ch04.POSITIVE_SHIFT
    assert X_pos.min() > 0
    X_std, _ = standardise(X_pos)
    k_pos, k_std = ch04.condition_number(X_pos), ch04.condition_number(X_std)
    assert k_pos > 100 * k_std
    # standardised: the bias decouples and the weight block is the correlation matrix [[1, r], [r, 1]], whose
    # eigenvalues are 1 + r and 1 - r (the bias adds 1): kappa = (1 + |r|) / (1 - |r|)
    r = np.corrcoef(X_pos.T)[0, 1]
    assert k_std == pytest.approx((1 + abs(r)) / (1 - abs(r)), rel=1e-9)
    slow, fast = ch04.steps_to_converge(X_pos, y), ch04.steps_to_converge(X_std, y)
    assert fast is not None and slow is not None and slow > 100 * fast


def test_condition_number_does_not_depend_on_the_targets_or_the_order():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3)) + 3.0
    assert ch04.condition_number(X) == pytest.approx(ch04.condition_number(X[::-1]), rel=1e-10)
    H = ch04.linear_unit_hessian(X)
    assert H.shape == (4, 4) and H[3, 3] == 1.0
    np.testing.assert_allclose(H[:3, 3], X.mean(axis=0), rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 1000), shift=st.floats(-4.0, 4.0), w=st.floats(-3, 3), b=st.floats(-3, 3))
def test_linear_unit_loss_is_bpcores_mse_and_its_gradient_matches_central_differences(seed, shift, w, b):
    import bpcore
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=20) + shift, rng.normal(size=20)
    surface = ch04.LinearUnitLoss(x, y)
    net = bpcore.Network([1, 1], output="linear", seed=0)
    net.parameters()[0][0, 0], net.parameters()[1][0] = w, b
    assert float(surface(w, b)) == pytest.approx(net.loss(x[:, None], y, loss="mse"), rel=1e-10, abs=1e-12)
    h = 1e-6
    numeric = [(surface(w + h, b) - surface(w - h, b)) / (2 * h), (surface(w, b + h) - surface(w, b - h)) / (2 * h)]
    np.testing.assert_allclose(surface.grad(np.array([w, b])), numeric, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(surface.grad(surface.minimum), 0.0, atol=1e-10)


def test_the_standardised_bowl_is_round_and_the_raw_one_is_not():
    import bpcore
    from bpcore.figures import describe
    X, y = bpcore.datasets.moons(200, noise=0.2, seed=0)
    raw = ch04.LinearUnitLoss(X[:, 0] + ch04.POSITIVE_SHIFT, y)
    path = ch04.bowl_path(raw)
    assert np.hypot(*(path[-1] - raw.minimum)) > 0.25 * np.hypot(*ch04.BOWL_START)    # still creeping
    fig = ch04.standardisation_figure(X[:, 0] + ch04.POSITIVE_SHIFT, y, alt="the two bowls")
    assert describe(fig) == "the two bowls"
    std_path = np.column_stack([fig.data[4].x, fig.data[4].y])             # the second panel's path
    std_min = np.array([fig.data[5].x[0], fig.data[5].y[0]])
    np.testing.assert_allclose(std_path[1], std_min, atol=1e-12)          # one step of 1/h reaches the minimum
