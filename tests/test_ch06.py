"""Chapter 6's lesson module: the hand example's numbers and the deliberately wrong backward passes.

The mistakes must be wrong in exactly the documented way (and caught by a gradient check), and the
shared backward recursion they use must reproduce bpcore's gradients when it is given the right
output error signal.
"""
from __future__ import annotations

import numpy as np
import pytest

import bpcore
from bpcore.lessons import ch06

pytestmark = pytest.mark.ch06


def _flat(grads):
    return np.concatenate([g.ravel() for layer in grads for g in (layer["W"], layer["b"])])


def test_hand_example_numbers_match_the_text():
    net, X, Y = ch06.hand_example()
    tr = net.trace(X, Y, loss="mse")
    np.testing.assert_allclose(tr.layers[0].z, [[0.4, -0.4]], atol=1e-15)
    a1 = bpcore.activations.sigmoid(np.array([0.4, -0.4]))
    z2 = a1 @ np.array(ch06.HAND_W2) + ch06.HAND_B2
    a2 = bpcore.activations.sigmoid(z2)
    np.testing.assert_allclose(tr.layers[1].a[0], a2, rtol=1e-14)
    assert tr.loss == pytest.approx(0.5 * np.sum((np.array(ch06.HAND_Y[0]) - a2) ** 2), rel=1e-14)
    assert round(tr.loss, 6) == 0.220546


@pytest.mark.parametrize("loss", ["mse", "bce"])
def test_backward_from_the_right_output_delta_is_bpcore(loss):
    net, X, Y = ch06.hand_example()
    tr = net.trace(X, Y, loss=loss)
    mine = ch06.backward_from_output_delta(net, tr, tr.layers[-1].delta)
    np.testing.assert_allclose(_flat(mine), _flat(tr.gradients), rtol=1e-14, atol=1e-17)


def test_missing_sigma_prime_is_the_cross_entropy_gradient_and_fails_the_mse_check():
    net, X, Y = ch06.hand_example()
    wrong = ch06.mistake_no_sigma_prime(net, X, Y)
    np.testing.assert_allclose(_flat(wrong), _flat(net.gradients(X, Y, loss="bce")), rtol=1e-13)
    np.testing.assert_allclose(_flat(wrong), _flat(ch06.mistake_ce_gradient_for_mse(net, X, Y)), rtol=1e-13)
    assert bpcore.gradient_check(net, X, Y, loss="mse", gradients=wrong) > 0.1
    assert bpcore.gradient_check(net, X, Y, loss="bce", gradients=wrong) < 1e-7


def test_flipped_sign_is_exactly_minus_the_gradient_and_the_loss_rises():
    net, X, Y = ch06.hand_example()
    wrong = ch06.mistake_flipped_sign(net, X, Y)
    np.testing.assert_allclose(_flat(wrong), -_flat(net.gradients(X, Y, loss="mse")), rtol=1e-13)
    assert bpcore.gradient_check(net, X, Y, loss="mse", gradients=wrong) == pytest.approx(1.0, abs=1e-6)
    losses = ch06.sgd_losses(net, X, Y, ch06.mistake_flipped_sign, lr=0.5, steps=50)
    assert np.all(np.diff(losses) > 0)


def test_sgd_losses_with_bpcore_gradients_equals_bpcore_train():
    net, X, Y = ch06.hand_example()
    losses = ch06.sgd_losses(net.copy(), X, Y, ch06.bpcore_gradients("mse"), lr=0.5, steps=30)
    history = bpcore.train(net, X, Y, loss="mse", lr=0.5, epochs=30)
    np.testing.assert_allclose(losses[:-1], history.train_loss, rtol=1e-13)
    assert losses[-1] == pytest.approx(net.loss(X, Y, loss="mse"), rel=1e-13)
    with pytest.raises(ValueError, match="steps"):
        ch06.sgd_losses(net, X, Y, ch06.bpcore_gradients("mse"), lr=0.5, steps=-1)


def test_finite_difference_direction_measures_the_slope():
    net, X, Y = ch06.hand_example()
    right = net.gradients(X, Y, loss="mse")
    before = net.get_weights()
    assert ch06.finite_difference_direction(net, X, Y, right, "mse") == pytest.approx(
        np.linalg.norm(_flat(right)), rel=1e-7)
    wrong = ch06.mistake_ce_gradient_for_mse(net, X, Y)
    assert ch06.finite_difference_direction(net, X, Y, wrong, "mse") < 0.5 * np.linalg.norm(_flat(wrong))
    assert all(np.array_equal(a, b) for a, b in zip(before, net.get_weights()))


#: the panel's gradient variants as public gradient functions (net, X, Y) -> gradients
PUBLIC_VARIANTS = {"correct (bpcore)": ch06.bpcore_gradients("mse"),
                   "mistake: missing σ'": ch06.mistake_no_sigma_prime,
                   "mistake: flipped sign": ch06.mistake_flipped_sign}


def test_every_variant_has_its_public_gradient_function():
    assert set(ch06.VARIANTS) == set(PUBLIC_VARIANTS)


@pytest.mark.parametrize("variant", list(ch06.VARIANTS))
@pytest.mark.parametrize("lr, iterations", [(0.5, 100), (100.0, 300), (0.01, 0)])
def test_the_panels_training_loop_is_sgd_losses_bit_for_bit(variant, lr, iterations):
    """The panel's loop (internal paths, one pass per step) computes exactly what sgd_losses does with
    the public gradient function: the same losses, weights and final gradients, to the last bit."""
    net, X, Y = ch06.hand_example()
    with np.errstate(over="ignore", under="ignore"):
        expected = ch06.sgd_losses(net, X, Y, PUBLIC_VARIANTS[variant], lr=lr, steps=iterations)
    trained, losses, grads = ch06.train_hand_example(lr, iterations, variant)
    assert np.array_equal(losses, expected)
    assert all(np.array_equal(p, q) for p, q in zip(trained.parameters(), net.parameters()))
    assert np.array_equal(_flat(grads), _flat(net.gradients(X, Y, loss="mse")))


def test_wrong_output_deltas_are_what_the_mistakes_backpropagate():
    net, X, Y = ch06.hand_example()
    tr = net.trace(X, Y, loss="mse")
    out = tr.layers[-1]
    np.testing.assert_allclose(ch06.wrong_delta_no_sigma_prime(tr), (out.a - tr.targets) / len(X), rtol=1e-15)
    np.testing.assert_allclose(ch06.wrong_delta_flipped_sign(tr), -out.delta, rtol=1e-15)


@pytest.mark.parametrize("variant", list(ch06.VARIANTS))
def test_panel_update_at_extreme_settings(variant):
    for lr, iterations in ((0.01, 10), (100.0, 1000)):
        result = ch06.hand_update(lr, iterations, variant)
        assert len(result["traces"]) == len(ch06.hand_figure().data)
        assert np.all(np.isfinite(result["traces"][0]["y"]))
        assert variant in result["status"]
    with pytest.raises(ValueError, match="variant"):
        ch06.train_hand_example(0.5, 10, "no such variant")
    with pytest.raises(ValueError, match="iterations"):
        ch06.train_hand_example(0.5, -1, variant)
