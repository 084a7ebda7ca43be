"""Chapter 8: the per-sample curves and the confidently wrong start of bpcore.lessons.ch08."""
from __future__ import annotations

import base64

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import bpcore
from bpcore.activations import sigmoid
from bpcore.lessons import ch08
from bpcore.png import decode_rgba

pytestmark = pytest.mark.ch08


def per_sample_loss(name: str, z: float, y: float) -> float:
    """The per-sample losses written independently of bpcore (stable forms)."""
    if name == "mse":
        return 0.5 * (float(sigmoid(z)) - y) ** 2
    return max(z, 0.0) - y * z + np.log1p(np.exp(-abs(z)))


@settings(max_examples=100, deadline=None)
@given(z=st.floats(min_value=-12.0, max_value=12.0, allow_nan=False), y=st.sampled_from([0.0, 1.0]))
def test_per_sample_deltas_match_central_differences(z, y):
    curves = ch08.per_sample_curves(np.array([z]), y)
    h = 1e-6
    for name in ("mse", "bce"):
        numeric = (per_sample_loss(name, z + h, y) - per_sample_loss(name, z - h, y)) / (2 * h)
        assert curves[f"{name}_delta"][0] == pytest.approx(numeric, rel=1e-6, abs=1e-9)
        assert curves[f"{name}_loss"][0] == pytest.approx(per_sample_loss(name, z, y), rel=1e-12, abs=1e-15)


def test_delta_ratio_is_sigma_prime():
    z = np.linspace(-8, 8, 33)
    curves = ch08.per_sample_curves(z, 1.0)
    s = sigmoid(z)
    assert np.allclose(curves["mse_delta"] / curves["bce_delta"], s * (1 - s), rtol=1e-10, atol=0)


def test_confidently_wrong_start_flips_every_output():
    X, y = ch08.moons_data()
    solved = ch08.starting_network(1)
    solved.layers[-1].W *= -1.0
    solved.layers[-1].b *= -1.0            # undo the flip: the trained network
    out = solved.forward(X)[:, 0]
    assert np.mean((out >= 0.5) == (y == 1)) > 0.9
    for k in (1, 5):
        wrong = ch08.starting_network(k).forward(X)[:, 0]
        assert np.mean((wrong >= 0.5) == (y == 1)) < 0.1
    with pytest.raises(ValueError, match="k must be >= 0"):
        ch08.starting_network(-1)


@pytest.mark.parametrize("k, loss, lr", [(0, "mse", 1.0), (5, "mse", 3.0), (5, "bce", 1.0), (2, "bce", 10.0),
                                         (0, "bce", 1e4)])  # the last one diverges at epoch 3
def test_train_curves_is_bpcore_train_bit_for_bit(k, loss, lr):
    X, y = ch08.moons_data()
    reference, fast = ch08.starting_network(k), ch08.starting_network(k)
    history = bpcore.train(reference, X, y, loss=loss, lr=lr, epochs=ch08.EPOCHS, seed=0)
    losses, accuracies, diverged = ch08.train_curves(fast, loss, lr, ch08.EPOCHS)
    assert losses.tolist() == history.train_loss
    assert accuracies.tolist() == history.train_accuracy
    assert diverged == history.diverged_epoch
    for a, b in zip(reference.get_weights(), fast.get_weights()):
        assert np.array_equal(a, b, equal_nan=True)
    with pytest.raises(ValueError, match="learning rate"):
        ch08.train_curves(fast, loss, 0.0)


def test_cross_entropy_recovers_where_mse_stalls():
    runs = ch08.compare_losses(5, lr=1.0)
    assert runs["bce"][1].epochs_run == ch08.EPOCHS
    assert runs["bce"][1].train_accuracy[-1] > 0.85
    assert runs["mse"][1].train_accuracy[-1] < 0.6
    update = ch08.comparison_update(5, lr=1.0)
    assert len(update["traces"]) == len(ch08.comparison_figure().data)
    assert update["traces"][3]["y"].tolist() == runs["bce"][1].train_loss
    assert update["traces"][4]["y"].tolist() == runs["mse"][1].train_accuracy


def test_output_maps_are_pictures_of_the_network_output():
    net = ch08.starting_network(5)
    image = ch08.output_image(net, 2)
    assert (image["xref"], image["yref"]) == ("x2", "y2")
    pixels = decode_rgba(base64.b64decode(image["source"].split(",", 1)[1]))
    assert pixels.shape == (ch08.RESOLUTION, ch08.RESOLUTION, 4)
    x0, x1, y0, y1 = ch08.bounds()
    corner = net.forward(np.array([[x0, y0]]))[0, 0]            # bottom-left grid point: last row, first column
    blue, vermillion = np.array([0x00, 0x72, 0xB2]), np.array([0xD5, 0x5E, 0x00])
    nearest = blue if corner < 0.5 else vermillion
    assert np.abs(pixels[-1, 0, :3].astype(int) - nearest).sum() < np.abs(pixels[-1, 0, :3].astype(int)
                                                                          - (vermillion + blue - nearest)).sum()


def test_panel_redraws_without_replotting_and_reports_divergence():
    from bpcore.widgets import IntSlider, LogSlider, panel

    p = panel(ch08.comparison_figure(), ch08.comparison_update,
              controls={"k": IntSlider(0, 8, value=5), "lr": LogSlider(0.1, 1e4, value=1.0)})
    p.figure_widget                                              # builds the widget and draws k = 5
    for k in (6, 0):
        p.set(k=k)
        assert p.error is None
    assert p.redraws["full"] == 1 and p.redraws["free"] == 2     # only the first draw re-plots
    assert {t.type for t in p.figure_widget.data} == {"scatter"}
    p.set(lr=1e4)
    assert p.error is None and "BCE: diverged at epoch 3" in p.status_text


# -- cross-entropy as a negative log-likelihood ------------------------------------------------------------
@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 30))
def test_bernoulli_nll_from_the_likelihood_is_bpcores_bce(seed, n):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(n, 2)), rng.integers(0, 2, n)
    net = bpcore.Network([2, 4, 1], hidden="tanh", output="sigmoid", seed=seed)
    a = net.forward(X)[:, 0]
    p = ch08.bernoulli_probability(a, y)
    assert np.allclose(p, np.where(y == 1, a, 1 - a), rtol=1e-15, atol=0)
    assert -np.log(np.prod(p)) / n == pytest.approx(net.loss(X, y, loss="bce"), rel=1e-12)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 30), k=st.integers(2, 5))
def test_categorical_nll_from_the_likelihood_is_bpcores_ce(seed, n, k):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(n, 2)), rng.integers(0, k, n)
    Y = bpcore.one_hot(y, k)
    net = bpcore.Network([2, 4, k], hidden="tanh", output="softmax", seed=seed)
    A = net.forward(X)
    p = ch08.categorical_probability(A, Y)
    assert np.array_equal(p, A[np.arange(n), y])
    assert -np.log(np.prod(p)) / n == pytest.approx(net.loss(X, Y, loss="ce"), rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(z=st.floats(min_value=-30.0, max_value=30.0, allow_nan=False), y=st.sampled_from([0.0, 1.0]))
def test_bernoulli_nll_is_minus_log_p_and_its_derivative_is_a_minus_y(z, y):
    """eq-ch08-bernoulli-z and eq-ch08-canonical: the canonical link's delta, against central differences."""
    if abs(z) < 15:   # where sigma(z)^y (1 - sigma(z))^(1 - y) is not rounded to 1 or 0
        p = float(ch08.bernoulli_probability(sigmoid(np.array([z])), np.array([y]))[0])
        assert float(ch08.bernoulli_nll(z, y)) == pytest.approx(-np.log(p), rel=1e-9, abs=1e-15)
    h = 1e-5
    numeric = (ch08.bernoulli_nll(z + h, y) - ch08.bernoulli_nll(z - h, y)) / (2 * h)
    exact = float(sigmoid(z)) - y
    # round-off of the difference quotient: about 1e-16 * |z| / h (the terms z and y z cancel), far below 1e-9
    assert numeric == pytest.approx(exact, rel=1e-7, abs=1e-9)


def test_likelihood_helpers_refuse_bad_labels():
    with pytest.raises(ValueError, match="0 or 1"):
        ch08.bernoulli_probability(np.array([0.3, 0.6]), np.array([-1, 1]))
    with pytest.raises(ValueError, match="same shape"):
        ch08.bernoulli_probability(np.array([0.3, 0.6]), np.array([1]))
    with pytest.raises(ValueError, match="one-hot"):
        ch08.categorical_probability(np.full((2, 2), 0.5), np.array([[1.0, 1.0], [0.0, 1.0]]))


def test_per_sample_figure_carries_its_text_alternative():
    from bpcore.figures import describe
    assert describe(ch08.per_sample_figure(1.0)) == ch08.PER_SAMPLE_ALT


def test_categorical_nll_key():
    from bpcore.selfcheck import check
    assert check("ch08.categorical_nll", lambda A, y: -np.mean(np.log(A[np.arange(len(A)), y])), quiet=True).ok
    wrong = check("ch08.categorical_nll", lambda A, y: -np.log(np.mean(A[np.arange(len(A)), y])), quiet=True)
    assert not wrong.ok and "mean of the logs" in wrong.message
