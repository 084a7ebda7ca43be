"""Chapter 16: dual numbers (forward mode) against central differences and against reverse mode, the pass
counts, the engine against Network, and the gate graph's patterns, figure and panel update."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import bpcore
from bpcore.lessons import ch16
from bpcore.lessons.ch16 import Dual

pytestmark = pytest.mark.ch16

coords = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)


def central(f, x: float, h: float = 1e-6) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


@settings(max_examples=100, deadline=None)
@given(coords)
def test_dual_numbers_against_central_differences(x):
    def f(v: float) -> float:
        return math.tanh(v * v + 1.0) * v + 1 / (1 + math.exp(-0.5 * v))
    d = Dual(x, 1.0)
    derivative = float(((d * d + 1.0).tanh() * d + (d * 0.5).sigmoid()).tangent)
    numeric = central(f, x)
    assert abs(derivative - numeric) <= 1e-7 * max(abs(derivative), abs(numeric)) + 1e-9


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 6), st.integers(0, 1000))
def test_forward_and_reverse_mode_agree_and_count_passes(hidden, seed):
    params, X, Y = ch16.mlp_problem(hidden, n_samples=8, seed=seed)
    forward, n_forward = ch16.forward_mode_gradient(ch16.mlp_loss, params, X, Y)
    reverse, n_reverse = ch16.reverse_mode_gradient(ch16.mlp_loss, params, X, Y)
    assert n_forward == sum(p.size for p in params) and n_reverse == 2
    for f, r in zip(forward, reverse):
        np.testing.assert_allclose(f, r, rtol=1e-11, atol=1e-15)


def test_forward_mode_against_central_differences():
    params, X, Y = ch16.mlp_problem(3, n_samples=6, seed=2)
    grads, _ = ch16.forward_mode_gradient(ch16.mlp_loss, params, X, Y)
    for p, g in zip(params, grads):
        numeric = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + 1e-6
            up = float(ch16.mlp_loss([bpcore.autodiff.Tensor(q) for q in params], X, Y).data)
            p[idx] = old - 1e-6
            down = float(ch16.mlp_loss([bpcore.autodiff.Tensor(q) for q in params], X, Y).data)
            p[idx] = old
            numeric[idx] = (up - down) / 2e-6
        assert bpcore.relative_error(g, numeric) < 1e-7


def test_dual_with_an_array_on_the_left_and_a_constant():
    d = np.ones((2, 2)) @ Dual(np.eye(2), np.ones((2, 2)))
    assert isinstance(d, Dual)
    np.testing.assert_array_equal(d.tangent, np.full((2, 2), 2.0))
    assert float(Dual(2.0).relu().tangent) == 0.0


def test_cost_rows_count_passes_exactly():
    rows = ch16.cost_rows(widths=(1, 3), repeats=1)
    assert [(r.n_params, r.forward_passes, r.reverse_passes) for r in rows] == [(11, 11, 2), (27, 27, 2)]
    assert all(r.max_difference < 1e-12 and r.forward_seconds > 0 and r.reverse_seconds > 0 for r in rows)
    assert len(ch16.cost_figure(rows).data) == 2


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_engine_gradients_equal_network_gradients(hidden):
    X, y = bpcore.datasets.moons(30, seed=1)
    Y = bpcore.one_hot(y, 2)
    net = bpcore.Network([2, 6, 4, 2], hidden=hidden, output="softmax", seed=2)
    for mine, theirs in zip(ch16.engine_gradients(net, X, Y), net.gradients(X, Y, loss="ce")):
        for k in ("W", "b"):
            np.testing.assert_allclose(mine[k], theirs[k], rtol=1e-12, atol=1e-15)
    assert bpcore.gradient_check(net, X, Y, loss="ce", gradients=ch16.engine_gradients(net, X, Y)) < 1e-7


def test_engine_gradients_rejects_other_networks():
    with pytest.raises(ValueError, match="softmax output"):
        ch16.engine_gradients(bpcore.Network([2, 3, 1]), np.zeros((2, 2)), np.zeros((2, 1)))


# ---------------------------------------------------------------- the gate graph
@settings(max_examples=100, deadline=None)
@given(st.floats(-1.0, 5.0), st.floats(-1.0, 5.0))
def test_gate_patterns(x, w):
    n = ch16.gate_graph(x, w)
    g = {k: float(v.grad) for k, v in n.items()}
    s = x * ch16.Y_INPUT + max(ch16.Z_INPUT, w)
    assert g["s"] == (1.0 if s > 0 else 0.0)                                  # ReLU gates
    assert g["p"] == g["m"] == g["s"]                                         # add distributes
    assert g["x"] == pytest.approx(ch16.Y_INPUT * g["p"])                     # multiply swaps
    assert g["y"] == pytest.approx(x * g["p"])
    winner, loser = ("z", "w") if ch16.Z_INPUT >= w else ("w", "z")           # max routes
    assert g[winner] == g["m"] and g[loser] == 0.0


@pytest.mark.parametrize("x, w", [(2.0, 1.0), (2.5, 4.0), (-0.7, 0.3)])
def test_gate_gradients_against_central_differences(x, w):
    def f(**kw):
        args = {"x": x, "w": w, "y": ch16.Y_INPUT, "z": ch16.Z_INPUT, **kw}
        return float(ch16.gate_graph(args["x"], args["w"], args["y"], args["z"])["f"].data)
    n = ch16.gate_graph(x, w)
    base = {"x": x, "w": w, "y": ch16.Y_INPUT, "z": ch16.Z_INPUT}
    for name in "xyzw":
        numeric = central(lambda v, name=name: f(**{name: v}), base[name])
        assert float(n[name].grad) == pytest.approx(numeric, rel=1e-7, abs=1e-9), name


def test_local_derivatives_times_child_gradients_give_parent_gradients():
    for x, w in [(2.0, 1.0), (1.0, 4.0), (4.0, 1.0)]:
        n = ch16.gate_graph(x, w)
        local = ch16.gate_local_derivatives(n)
        for parent in ("x", "y", "z", "w", "p", "m", "s"):
            total = sum(local[e] * float(n[e[1]].grad) for e in ch16.GATE_EDGES if e[0] == parent)
            assert float(n[parent].grad) == pytest.approx(total, rel=1e-14, abs=0)


def test_gate_figure_and_update_agree():
    fig = ch16.gate_figure(2.0, 1.0)
    assert len(fig.data) == 3
    update = ch16.gate_update(2.0, 1.0)
    assert list(fig.data[1].text) == update["traces"][1]["text"]
    assert list(fig.data[2].text) == update["traces"][2]["text"]
    assert update["status"] == ("x=2.00, w=1.00 · f = 1.00 · ∂f/∂x = -1.00 · ∂f/∂y = 2.00 · ∂f/∂z = 1.00 · "
                                "∂f/∂w = 0.00")
    assert "∂f/∂y = 0.00" in ch16.gate_update(3.5, 1.0)["status"]        # the ReLU gate is shut


def test_the_panel_builds_its_static_twin():
    p = ch16.gate_panel()
    twin = p.static_figure()
    assert len(twin.frames) == 8 * 6
    assert all("<sub>error:" not in frame.layout.title.text for frame in twin.frames)
    assert len(p.static_html()) < 1_500_000
    p.set(x=3.5)                                   # the ReLU gate shuts: every gradient is zero
    assert not p.error and "∂f/∂x = 0.00" in ch16.gate_status(3.5, 1.0)
