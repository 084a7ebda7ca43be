"""Chapter 13: the batch-norm comparison of bpcore.lessons.ch13, and the identities the chapter derives."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import bpcore
from bpcore.batchnorm import batchnorm_backward, batchnorm_forward
from bpcore.lessons import ch13

pytestmark = pytest.mark.ch13

X, Y = bpcore.datasets.moons(n_samples=60, noise=0.2, seed=0)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 12), st.integers(1, 4), st.integers(0, 1000))
def test_gradient_wrt_z_has_no_shift_component(n, units, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 3.0, (n, units))
    gamma = rng.uniform(0.5, 2.0, units)
    _, cache = batchnorm_forward(z, gamma, np.zeros(units))
    dz, _, _ = batchnorm_backward(rng.normal(size=(n, units)), gamma, cache)
    np.testing.assert_allclose(dz.sum(axis=0), 0.0, atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 12), st.integers(0, 1000))
def test_backward_matches_the_jacobian_of_the_chapter(n, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 2.0, (n, 1))
    _, (z_hat, inv_std) = batchnorm_forward(z, np.ones(1), np.zeros(1))
    g = rng.normal(size=(n, 1))
    zh = z_hat[:, 0]
    jacobian = inv_std[0] * (np.eye(n) - 1.0 / n - np.outer(zh, zh) / n)   # d z_hat_i / d z_j
    dz, _, _ = batchnorm_backward(g, np.ones(1), (z_hat, inv_std))
    np.testing.assert_allclose(dz[:, 0], jacobian.T @ g[:, 0], rtol=1e-10, atol=1e-12)


def test_compare_starts_both_networks_from_the_same_weights():
    runs = ch13.compare(X, Y, depth=3, lr=0.5, epochs=3)
    assert not runs[False][0].batch_norm and runs[True][0].batch_norm
    fresh = [bpcore.Network([2, 16, 16, 16, 1], hidden="sigmoid", seed=0, batch_norm=bn) for bn in (False, True)]
    np.testing.assert_array_equal(fresh[0].layers[0].W, fresh[1].layers[0].W)


def test_batch_norm_rescues_the_deep_sigmoid_network():
    runs = ch13.compare(X, Y, depth=8, lr=0.5, epochs=60)
    plain, normed = runs[False][1], runs[True][1]
    assert normed.train_loss[-1] < 0.5 < plain.train_loss[-1]
    assert plain.grad_norms[0][0] / plain.grad_norms[0][-1] < 1e-3 < normed.grad_norms[0][0] / normed.grad_norms[0][-1]


def test_compare_returns_copies():
    a = ch13.compare(X, Y, depth=2, lr=0.5, epochs=3)
    a[True][0].layers[0].W[...] = 0.0
    b = ch13.compare(X, Y, depth=2, lr=0.5, epochs=3)
    assert np.any(b[True][0].layers[0].W != 0.0)


def test_compare_is_train_pair_remembered():
    a, b = ch13.compare(X, Y, depth=2, lr=0.5, epochs=3), ch13.train_pair(X, Y, depth=2, lr=0.5, epochs=3)
    for bn in (False, True):
        assert a[bn][1].train_loss == b[bn][1].train_loss


def test_panel_settings_still_show_the_lesson():
    """With the panel's short run (100 points, 15 epochs, 8 units), at its starting depth 5 the plain
    network stays at log 2 while the batch-norm network's loss falls well below it."""
    X100, Y100 = bpcore.datasets.moons(n_samples=100, noise=0.2, seed=0)
    p = ch13.batchnorm_panel(X100, Y100)
    result = p.update(**p.values)
    plain, normed = result["traces"][0]["y"], result["traces"][1]["y"]
    assert abs(plain[-1] - np.log(2)) < 0.01 and normed[-1] < 0.4
    norms = result["traces"][2]["y"]
    assert norms[0] / norms[-1] < 1e-3


def test_panel_steps_redraw_without_a_replot():
    p = ch13.batchnorm_panel(X, Y, epochs=3)
    p.widget
    for depth in (4, 3, 2):
        p.set(depth=depth)
    assert p.error is None and p.redraws["free"] == 3
