"""Chapter 8: the per-sample curves and the confidently wrong start of bpcore.lessons.ch08."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bpcore.activations import sigmoid
from bpcore.lessons import ch08

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
    assert ch08.output_on_grid(solved).shape == (ch08.GRID_N, ch08.GRID_N)
    out = solved.forward(X)[:, 0]
    assert np.mean((out >= 0.5) == (y == 1)) > 0.9
    for k in (1, 5):
        wrong = ch08.starting_network(k).forward(X)[:, 0]
        assert np.mean((wrong >= 0.5) == (y == 1)) < 0.1
    with pytest.raises(ValueError, match="k must be >= 0"):
        ch08.starting_network(-1)


def test_cross_entropy_recovers_where_mse_stalls():
    runs = ch08.compare_losses(5, lr=1.0, epochs=100)
    assert runs["bce"][1].train_accuracy[-1] > 0.85
    assert runs["mse"][1].train_accuracy[-1] < 0.6
    update = ch08.comparison_update(5, lr=1.0, epochs=100)
    assert len(update["traces"]) == len(ch08.comparison_figure(100).data)
