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


def test_static_figures_carry_their_text_alternative():
    """The chapter's figures say what they show in their alt text (layout.meta.alt), not in the prose."""
    from bpcore import schedules
    from bpcore.figures import describe
    from bpcore.lr_range import lr_range_test
    hist = bpcore_train_small()
    scan = lr_range_test(fresh(), *small_moons(), lr_min=1e-2, lr_max=1e3, steps=40)
    figures = [ch09.regimes_figure(4.0, {"right": 0.2}, alt="A"), ch09.curves_figure({"run": hist}, "t", alt="B"),
               ch09.schedules_figure({"cosine": schedules.cosine(10)}, 10, alt="C"),
               ch09.range_test_figure(scan, alt="D")]
    assert [describe(f) for f in figures] == ["A", "B", "C", "D"]


def test_range_test_figure_marks_the_best_and_suggested_rates():
    from bpcore.lr_range import lr_range_test
    scan = lr_range_test(fresh(), *small_moons(), lr_min=1e-2, lr_max=1e3, steps=40)
    fig = ch09.range_test_figure(scan)
    assert fig.layout.xaxis.type == "log"
    np.testing.assert_array_equal(np.asarray(fig.data[0].x, float), scan.lrs)
    assert list(fig.data[1].x) == [scan.best_lr] * 2 and list(fig.data[2].x) == [scan.suggested_lr] * 2


def test_schedules_figure_draws_each_factor():
    from bpcore import schedules
    fig = ch09.schedules_figure({"warm-up": schedules.warmup(4), "step": schedules.step(0.5, 3)}, 8)
    np.testing.assert_allclose(fig.data[0].y, [0.25, 0.5, 0.75, 1, 1, 1, 1, 1])
    np.testing.assert_allclose(fig.data[1].y, [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25])


def small_moons():
    import bpcore
    return bpcore.datasets.moons(60, noise=0.2, seed=0)


def fresh():
    import bpcore
    return bpcore.Network([2, 8, 1], hidden="relu", output="sigmoid", seed=0)


def bpcore_train_small():
    import bpcore
    return bpcore.train(fresh(), *small_moons(), lr=0.5, epochs=5)
