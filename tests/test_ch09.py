"""Chapter 9: gradient descent on the quadratic of bpcore.lessons.ch09 against the closed form."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bpcore.lessons import ch09
from bpcore.experiments import TrainingSetup

pytestmark = pytest.mark.ch09


@settings(max_examples=100, deadline=None)
@given(lam=st.floats(min_value=0.1, max_value=10.0), eta_lam=st.floats(min_value=0.01, max_value=2.5),
       theta0=st.floats(min_value=-3.0, max_value=3.0))
def test_quadratic_path_is_the_power_law(lam, eta_lam, theta0):
    lr = eta_lam / lam
    path = ch09.quadratic_path(lam, lr, steps=12, theta0=theta0)
    expected = (1.0 - lr * lam) ** np.arange(13) * theta0
    assert np.allclose(path, expected, rtol=1e-9, atol=1e-12)


def test_regimes():
    lam = 4.0
    assert abs(ch09.quadratic_path(lam, 0.45, 60)[-1]) < 1e-2          # oscillating but converging
    assert abs(ch09.quadratic_path(lam, 0.55, 60)[-1]) > 1e3           # beyond 2 / lam
    assert ch09.quadratic_path(lam, 0.25, 1)[-1] == 0.0                 # one step at 1 / lam
    with pytest.raises(ValueError, match="curvature"):
        ch09.quadratic_path(0.0, 0.1)


def test_panel_setup_has_one_divergent_rate():
    lr = ch09.first_diverging(ch09.PANEL_LRS, **ch09.PANEL_SETUP)
    assert lr is not None and lr in ch09.PANEL_LRS and lr > 1.0


def test_panel_shows_the_regimes_the_chapter_describes():
    """The panel text and the solution of ex-ch09-3, at the panel's settings (PANEL_SETUP)."""
    def run(lr, batch_size=None):
        return TrainingSetup(**{**ch09.PANEL_SETUP, "lr": lr, "batch_size": batch_size}).run()[1]

    slow, good, bouncing = run(0.01), run(3.0), run(30.0)
    assert slow.final_loss > 2 * good.final_loss          # too small: far behind after the panel's epochs
    assert not bouncing.diverged and bouncing.train_accuracy[-1] <= 0.55   # bounces, no better than a coin
    assert run(100.0).diverged
    X_train = TrainingSetup(**ch09.PANEL_SETUP).dataset()[0]
    assert -(-len(X_train) // 8) == 19                    # batches of 8: 19 steps per epoch
    collapsed = run(10.0, 8)
    assert not collapsed.diverged and collapsed.val_accuracy[-1] <= 0.55
    assert run(30.0, 8).diverged
    assert run(100.0, 8).diverged_epoch == 1              # blows up within its first epoch
