"""Chapter 3: the scalar autodiff of bpcore.lessons.ch03 against central finite differences."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from bpcore.lessons.ch03 import (EDGES, NODE_NAMES, Value, central_difference, example_graph, example_value,
                                 graph_figure, graph_update, local_derivatives)

pytestmark = pytest.mark.ch03

coords = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)
RTOL, ATOL = 1e-7, 1e-9   # central differences with h=1e-6 are good to ~1e-10 here


def close(analytic: float, numeric: float) -> bool:
    return abs(analytic - numeric) <= RTOL * max(abs(analytic), abs(numeric)) + ATOL


@settings(max_examples=200, deadline=None)
@given(coords, coords)
def test_example_gradients_match_central_differences(x, y):
    nodes = example_graph(x, y)
    for i, name in enumerate("xy"):
        assert close(nodes[name].grad, central_difference(example_value, (x, y), i)), name


@settings(max_examples=100, deadline=None)
@given(coords, coords)
def test_example_gradients_match_the_formula(x, y):
    s = 1.0 / (1.0 + math.exp(-y))
    q = x * y + math.sin(x)
    nodes = example_graph(x, y)
    assert nodes["x"].grad == pytest.approx((y + math.cos(x)) * s, rel=1e-12, abs=1e-15)
    assert nodes["y"].grad == pytest.approx(x * s + q * s * (1 - s), rel=1e-12, abs=1e-15)
    assert nodes["f"].data == pytest.approx(q * s, rel=1e-12, abs=1e-15)


@settings(max_examples=100, deadline=None)
@given(coords)
def test_a_node_used_twice_accumulates(x):
    v = Value(x)
    (v * v).backward()                       # d(x^2)/dx = 2x: two contributions of x each
    assert v.grad == pytest.approx(2 * x, rel=1e-15, abs=0)
    w = Value(x)
    (w + w + w).backward()
    assert w.grad == 3.0


@settings(max_examples=100, deadline=None)
@given(coords, coords, coords)
def test_reused_nodes_in_a_deeper_expression(a, b, c):
    def f(a, b, c):
        va, vb, vc = Value(a), Value(b), Value(c)
        t = (va * vb).tanh()
        out = (t * t + va.sin() * t - vc * va).sigmoid() * vb - 2.0
        out.backward()
        return out, (va, vb, vc)

    def value(a, b, c):
        return f(a, b, c)[0].data

    _, leaves = f(a, b, c)
    for i, leaf in enumerate(leaves):
        assert close(leaf.grad, central_difference(value, (a, b, c), i)), i


def test_overwriting_instead_of_accumulating_would_be_wrong():
    """With `=` instead of `+=` the gradient of x in x*y + sin x would keep only the last branch."""
    nodes = example_graph(1.0, 0.5)
    one_branch = math.cos(1.0) * nodes["s"].grad
    assert not math.isclose(nodes["x"].grad, one_branch)
    assert nodes["x"].grad == pytest.approx(0.5 * nodes["p"].grad + one_branch, rel=1e-15)


def test_backward_twice_gives_the_same_gradients():
    nodes = example_graph(0.3, -1.2)
    before = [nodes[k].grad for k in NODE_NAMES]
    nodes["f"].backward()
    assert [nodes[k].grad for k in NODE_NAMES] == before


def test_local_derivatives_times_child_gradients_give_parent_gradients():
    nodes = example_graph(-0.7, 1.9)
    local = local_derivatives(nodes)
    for parent in ("x", "y", "p", "s", "q", "r"):
        total = sum(local[e][1] * nodes[e[1]].grad for e in EDGES if e[0] == parent)
        assert nodes[parent].grad == pytest.approx(total, rel=1e-14)


def test_central_difference_rejects_bad_step():
    with pytest.raises(ValueError, match="step h"):
        central_difference(example_value, (0.0, 0.0), 0, h=0.0)


def test_value_rejects_non_numbers():
    with pytest.raises(TypeError, match="one number"):
        Value([1.0, 2.0])


def test_figure_and_update_agree():
    fig = graph_figure(1.0, 0.5)
    assert len(fig.data) == 3
    upd = graph_update(1.0, 0.5)
    assert list(fig.data[2].text) == upd["traces"][2]["text"]
    assert list(fig.data[1].text) == upd["traces"][1]["text"]
    assert "∂f/∂x = 0.6475" in upd["status"]
    for extreme in (-1e6, 1e6):
        assert "nan" not in graph_update(extreme, extreme)["status"]
