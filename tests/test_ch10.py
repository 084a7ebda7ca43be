"""Chapter 10: the loss surfaces of bpcore.lessons.ch10 (gradients against central differences) and the paths."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bpcore import optimizers
from bpcore.lessons import ch10

pytestmark = pytest.mark.ch10

coord = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)
SURFACES = [ch10.QUADRATIC, ch10.VALLEY, ch10.Quadratic(h1=0.5, h2=7.0), ch10.CurvedValley(b=100.0)]


def central_gradient(f, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    g = np.zeros(2)
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        g[i] = (f(*(theta + e)) - f(*(theta - e))) / (2 * h)
    return g


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: f"{s.name}")
@settings(max_examples=100, deadline=None)
@given(t1=coord, t2=coord)
def test_gradient_matches_central_differences(surface, t1, t2):
    theta = np.array([t1, t2])
    analytic, numeric = surface.grad(theta), central_gradient(surface, theta)
    # central differences are exact up to h^2 * f''' / 6 plus round-off ~ 1e-16 * |f| / h
    scale = 1.0 + abs(float(surface(t1, t2)))
    assert np.allclose(analytic, numeric, rtol=1e-6, atol=1e-7 * scale)


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: f"{s.name}")
def test_minimum_is_a_stationary_point_with_value_zero(surface):
    assert float(surface(*surface.minimum)) == 0.0
    assert np.array_equal(surface.grad(surface.minimum), np.zeros(2))


def test_surfaces_are_vectorised():
    T1, T2 = np.meshgrid(np.linspace(-1, 1, 5), np.linspace(0, 2, 4))
    for s in SURFACES:
        Z = s(T1, T2)
        assert Z.shape == (4, 5)
        assert Z[2, 3] == pytest.approx(float(s(T1[2, 3], T2[2, 3])), rel=1e-15)


def test_gradient_descent_path_follows_the_update_rule():
    lr = 0.03
    p = ch10.path(ch10.QUADRATIC, "gradient descent", lr, steps=5)
    assert p.shape == (6, 2)
    assert np.array_equal(p[0], ch10.QUADRATIC.start)
    for t in range(5):
        assert np.allclose(p[t + 1], p[t] - lr * ch10.QUADRATIC.grad(p[t]), rtol=1e-14, atol=0)


def test_momentum_velocity_is_the_weighted_sum_of_past_gradients():
    # v_t = -lr * sum_k beta^(t-k) g_k, the unrolled form the chapter derives
    lr, beta, steps = 0.02, 0.8, 12
    p = ch10.path(ch10.VALLEY, "momentum", lr, beta, steps)
    grads = [ch10.VALLEY.grad(p[k]) for k in range(steps)]
    for t in range(1, steps + 1):
        v = -lr * sum(beta ** (t - 1 - k) * grads[k] for k in range(t))
        assert np.allclose(p[t] - p[t - 1], v, rtol=1e-12, atol=1e-15)


def test_momentum_beats_gradient_descent_on_the_ill_conditioned_quadratic():
    gd = ch10.steps_to_reach(ch10.QUADRATIC, "gradient descent", 0.02)
    mom = ch10.steps_to_reach(ch10.QUADRATIC, "momentum", 0.02, beta=0.8)
    assert gd is not None and mom is not None and mom < gd / 2


def test_divergence_is_reported_not_raised():
    assert ch10.steps_to_reach(ch10.QUADRATIC, "gradient descent", 0.2, max_steps=300) is None
    assert ch10.distance_after(ch10.QUADRATIC, "gradient descent", 0.2, steps=300) == float("inf")
    update = ch10.paths_update(ch10.QUADRATIC, lr=0.2, beta=0.9, steps=300)
    assert "diverged" in update["status"]


def test_make_optimizer():
    assert isinstance(ch10.make_optimizer("Nesterov", 0.1, 0.9), optimizers.Nesterov)
    assert isinstance(ch10.make_optimizer("Adam", 0.1, 0.9), optimizers.Adam)
    with pytest.raises(ValueError, match="unknown method"):
        ch10.make_optimizer("sgdd", 0.1, 0.9)


def test_paths_update_matches_the_figure():
    fig = ch10.paths_figure(ch10.VALLEY, 0.01, 0.9, steps=30)
    update = ch10.paths_update(ch10.VALLEY, 0.01, 0.9, steps=30)
    assert len(update["traces"]) == 1 + len(ch10.METHODS) <= len(fig.data)
    for i, method in enumerate(ch10.METHODS, start=1):
        assert fig.data[i].name == method
        assert np.allclose(np.asarray(fig.data[i].x, float), update["traces"][i]["x"], equal_nan=True)


def test_a_slider_step_redraws_the_paths_without_a_replot():
    """Every trace is a line (the contours too), so the live panel only redraws the paths."""
    from bpcore.widgets import LogSlider, Slider, panel
    p = panel(ch10.paths_figure(ch10.QUADRATIC, 0.02, 0.9, steps=40),
              lambda lr, beta: ch10.paths_update(ch10.QUADRATIC, lr, beta, steps=40),
              controls={"lr": LogSlider(0.002, 0.2, value=0.02), "beta": Slider(0.0, 0.99, value=0.9, step=0.01)})
    p.widget
    p.set(lr=0.03)
    p.set(beta=0.5)
    assert p.redraws == {"free": 3, "full": 0} and p.error is None   # the first drawing too
    expected = ch10.path(ch10.QUADRATIC, ch10.METHODS[1], 0.03, 0.5, 40)
    np.testing.assert_allclose(np.asarray(p.figure_widget.data[2].x, float), expected[:, 0], equal_nan=True)


# -- Adam, RMSProp and the adaptive panel ----------------------------------------------------------------
def adam_by_the_equations(grad, theta0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8):
    """eq-ch10-adam written out independently of bpcore (the chapter's exercise solution)."""
    theta = np.array(theta0, dtype=float)
    m, s = np.zeros(2), np.zeros(2)
    out = [theta.copy()]
    for t in range(1, steps + 1):
        g = grad(theta)
        m = beta1 * m + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        theta = theta - lr * (m / (1 - beta1 ** t)) / (np.sqrt(s / (1 - beta2 ** t)) + eps)
        out.append(theta.copy())
    return np.array(out)


@pytest.mark.parametrize("beta1", [0.0, 0.5, 0.9])
def test_adam_path_follows_the_chapter_equations(beta1):
    expected = adam_by_the_equations(ch10.VALLEY.grad, ch10.VALLEY.start, 0.1, 50, beta1)
    np.testing.assert_allclose(ch10.path(ch10.VALLEY, "Adam", 0.1, beta1, steps=50), expected, rtol=1e-12, atol=1e-14)


def test_adam_first_step_moves_every_coordinate_by_the_learning_rate():
    # bias-corrected: m_hat_1 / sqrt(s_hat_1) = g / |g|, whatever the size of g (the chapter's printed claim)
    for surface in (ch10.QUADRATIC, ch10.VALLEY):
        p = ch10.path(surface, "Adam", 0.1, steps=1)
        np.testing.assert_allclose(np.abs(p[1] - p[0]), [0.1, 0.1], rtol=1e-6)
        assert np.all(np.sign(p[0] - p[1]) == np.sign(surface.grad(np.array(surface.start))))


def test_make_optimizer_passes_beta_to_adam_as_beta1():
    adam = ch10.make_optimizer("Adam", 0.1, 0.5)
    assert isinstance(adam, optimizers.Adam) and adam.beta1 == 0.5 and adam.beta2 == 0.999 and adam.eps == 1e-8


def test_adaptive_panel_paths_and_status():
    fig = ch10.adaptive_figure(ch10.VALLEY, 0.1, 0.9, steps=60)
    update = ch10.adaptive_update(ch10.VALLEY, 0.3, 0.5, steps=60)
    assert [t.name for t in fig.data[1:1 + len(ch10.ADAPTIVE)]] == [name for _, name in ch10.ADAPTIVE]
    assert len(update["traces"]) == 1 + len(ch10.ADAPTIVE)
    expected = {"gradient descent": ch10.path(ch10.VALLEY, "gradient descent", ch10.REFERENCE_LR, steps=60),
                "momentum": ch10.path(ch10.VALLEY, "momentum", ch10.REFERENCE_LR, ch10.REFERENCE_BETA, 60),
                "RMSProp": ch10.path(ch10.VALLEY, "RMSProp", 0.3, steps=60),
                "Adam": ch10.path(ch10.VALLEY, "Adam", 0.3, 0.5, steps=60)}
    for (method, _), trace in zip(ch10.ADAPTIVE, update["traces"][1:]):
        np.testing.assert_allclose(trace["x"], expected[method][:, 0], equal_nan=True)
    # the cached reference paths are handed out as copies: changing one cannot change the next panel update
    paths = ch10.adaptive_paths(ch10.VALLEY, 0.3, 0.5, steps=60)
    next(iter(paths.values()))[:] = 0.0
    again = ch10.adaptive_paths(ch10.VALLEY, 0.3, 0.5, steps=60)
    np.testing.assert_array_equal(next(iter(again.values())), expected["gradient descent"])
    status = ch10.adaptive_update(ch10.VALLEY, 0.3, 0.9, steps=200)["status"]
    assert f"Adam: f < 1e-3 after {ch10.steps_to_reach(ch10.VALLEY, 'Adam', 0.3, 0.9)} steps" in status
    assert "RMSProp: " in status and "from the minimum" in status


def test_adaptive_panel_redraws_without_a_replot():
    from bpcore.widgets import LogSlider, Slider, panel
    p = panel(ch10.adaptive_figure(ch10.VALLEY, 0.1, 0.9, steps=50),
              lambda lr, beta1: ch10.adaptive_update(ch10.VALLEY, lr, beta1, steps=50),
              controls={"lr": LogSlider(0.01, 1.0, value=0.1), "beta1": Slider(0.0, 0.99, value=0.9, step=0.01)})
    p.widget
    p.set(lr=0.3)
    p.set(beta1=0.5)
    assert p.redraws == {"free": 3, "full": 0} and p.error is None


def test_adam_exercise_key_accepts_the_equations_and_names_a_missing_correction():
    from bpcore.selfcheck import check
    assert check("ch10.adam_path", adam_by_the_equations, quiet=True).ok

    def uncorrected(grad, theta0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8):
        theta, m, s = np.array(theta0, dtype=float), np.zeros(2), np.zeros(2)
        out = [theta.copy()]
        for _ in range(steps):
            g = grad(theta)
            m, s = beta1 * m + (1 - beta1) * g, beta2 * s + (1 - beta2) * g * g
            theta = theta - lr * m / (np.sqrt(s) + eps)
            out.append(theta.copy())
        return np.array(out)

    verdict = check("ch10.adam_path", uncorrected, quiet=True)
    assert not verdict.ok and "no bias correction" in verdict.message
