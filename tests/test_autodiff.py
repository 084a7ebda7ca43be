"""bpcore.autodiff: every vector-Jacobian product against float64 central differences, the engine against
bpcore.Network's backpropagation, accumulation with += (a mutant that overwrites must fail), and clear errors."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import bpcore
from bpcore import autodiff
from bpcore.autodiff import Tensor, topological_order, unbroadcast

pytestmark = [pytest.mark.ch16, pytest.mark.gradients]

RTOL = 1e-7          # relative error of the whole gradient against central differences
H = 1e-6             # central-difference step (float64)


def numeric_gradient(f: Callable[[], float], x: np.ndarray, h: float = H) -> np.ndarray:
    """Central differences of ``f()`` with respect to every entry of ``x`` (changed in place and restored)."""
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        up = f()
        x[idx] = old - h
        down = f()
        x[idx] = old
        g[idx] = (up - down) / (2 * h)
    return g


def assert_matches_differences(build: Callable[..., Tensor], *arrays: np.ndarray, terms: float = 0.0) -> None:
    """``build(*tensors)`` -> scalar Tensor; compare every input's grad with central differences.

    The relative error must be below RTOL. ``terms``: for a loss that is a sum of products, the sum of
    those products' absolute values. Central differences then carry a round-off of up to
    ``eps * terms / H`` per entry (each of the two sums is off by about ``eps * terms``), which no
    relative tolerance covers when a gradient entry is a sum that cancels (``2 * 0.05 - 1.998 * 0.05``):
    that much absolute difference is allowed on top. A wrong VJP is off by the gradient's own size.
    """
    leaves = [Tensor(a) for a in arrays]
    build(*leaves).backward()
    for leaf, a in zip(leaves, arrays):
        numeric = numeric_gradient(lambda: float(build(*map(Tensor, arrays)).data), a)
        roundoff = 4 * np.finfo(float).eps * terms / H * np.sqrt(a.size)
        gap = float(np.linalg.norm(leaf.grad - numeric))
        assert gap <= roundoff or bpcore.relative_error(leaf.grad, numeric, floor=1e-10) < RTOL, \
            (leaf.grad, numeric)


def arrays(shape: tuple[int, ...], lo: float = -2.0, hi: float = 2.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(lo, hi, allow_nan=False, width=64))


def away_from_zero(shape: tuple[int, ...]):
    """Entries with 0.05 <= |x| <= 2.05. As an input: a kink (ReLU, max) never lies within the difference step.
    As the upstream gradient C of ``(op(...) * C).sum()``: no gradient entry is so small against the loss that
    the differences' round-off (about 1e-16 |L| / h) swamps it."""
    return arrays(shape).map(lambda a: np.where(np.abs(a) < 0.05, 0.05 + np.abs(a), a))


# ---------------------------------------------------------------- each operation's VJP
@settings(max_examples=40, deadline=None)
@given(arrays((3, 4)), arrays((4, 2)), away_from_zero((3, 2)))
def test_matmul(X, W, C):
    assert_matches_differences(lambda x, w: ((x @ w) * C).sum(), X, W,
                               terms=float(((np.abs(X) @ np.abs(W)) * np.abs(C)).sum()))


@settings(max_examples=40, deadline=None)
@given(arrays((5, 3)), arrays((3,)), arrays((1, 3)), away_from_zero((5, 3)))
def test_add_with_broadcasting(A, b, row, C):
    assert_matches_differences(lambda a, v, r: ((a + v + r) * C).sum(), A, b, row,
                               terms=float(((np.abs(A) + np.abs(b) + np.abs(row)) * np.abs(C)).sum()))


@settings(max_examples=40, deadline=None)
@given(arrays((4, 3)), arrays((3,)), away_from_zero((4, 3)))
def test_mul_with_broadcasting(A, b, C):
    assert_matches_differences(lambda a, v: ((a * v) * C).sum(), A, b, terms=float(np.abs(A * b * C).sum()))


@settings(max_examples=40, deadline=None)
@given(arrays((4, 3)), away_from_zero((4, 3)))
def test_maximum_routes(A, C):
    B = A + np.where(np.arange(12).reshape(4, 3) % 2 == 0, 0.3, -0.3)   # never a tie
    assert_matches_differences(lambda a, b: (a.maximum(b) * C).sum(), A, B)


@pytest.mark.parametrize("op", ["tanh", "sigmoid", "relu"])
@settings(max_examples=40, deadline=None)
@given(A=away_from_zero((4, 3)), C=away_from_zero((4, 3)))
def test_elementwise(op, A, C):
    assert_matches_differences(lambda a: (getattr(a, op)() * C).sum(), A)


@settings(max_examples=40, deadline=None)
@given(arrays((4, 3)))
def test_mean(A):
    assert_matches_differences(lambda a: (a * a).mean(), A)


@settings(max_examples=40, deadline=None)
@given(arrays((6, 4), -5.0, 5.0), st.integers(0, 2**31 - 1))
def test_softmax_cross_entropy(Z, seed):
    Y = np.eye(4)[np.random.default_rng(seed).integers(0, 4, 6)]
    assert_matches_differences(lambda z: z.softmax_cross_entropy(Y), Z)


def test_softmax_cross_entropy_is_the_general_chain_rule():
    """The fused VJP equals softmax's Jacobian applied to -Y/(n p), row by row."""
    rng = np.random.default_rng(1)
    Z, Y = rng.normal(size=(5, 3)), np.eye(3)[[0, 2, 1, 1, 0]]
    z = Tensor(Z)
    z.softmax_cross_entropy(Y).backward()
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    for i in range(5):
        jacobian = np.diag(P[i]) - np.outer(P[i], P[i])
        np.testing.assert_allclose(z.grad[i], jacobian.T @ (-Y[i] / P[i] / 5), rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- the engine on whole networks
@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_mlp_against_central_differences(seed):
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(6, 3)), np.eye(2)[rng.integers(0, 2, 6)]
    params = [rng.normal(size=s) for s in [(3, 4), (4,), (4, 2), (2,)]]

    def loss(W1, b1, W2, b2):
        return ((X @ W1 + b1).tanh() @ W2 + b2).softmax_cross_entropy(Y)
    assert_matches_differences(loss, *params)


@pytest.mark.parametrize("hidden, node", [("tanh", Tensor.tanh), ("sigmoid", Tensor.sigmoid),
                                          ("relu", Tensor.relu)])
def test_same_gradients_as_bpcore_network(hidden, node):
    X, y = bpcore.datasets.moons(40, seed=3)
    Y = bpcore.one_hot(y, 2)
    net = bpcore.Network([2, 7, 5, 2], hidden=hidden, output="softmax", seed=4)
    leaves = [Tensor(p.copy()) for p in net.parameters()]
    a = Tensor(X)
    for i in range(0, len(leaves) - 2, 2):
        a = node(a @ leaves[i] + leaves[i + 1])
    (a @ leaves[-2] + leaves[-1]).softmax_cross_entropy(Y).backward()
    expected = [g for layer in net.gradients(X, Y, loss="ce") for g in (layer["W"], layer["b"])]
    for leaf, g in zip(leaves, expected):
        np.testing.assert_allclose(leaf.grad, g, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- accumulation
def reused_node_gradient(T: type) -> tuple[np.ndarray, np.ndarray]:
    """h = tanh(X W) feeds two branches; returns (engine's dL/dW, central differences)."""
    rng = np.random.default_rng(0)
    X, W0, V = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=(2, 2))

    def build(w):
        h = (T(X) @ w).tanh()
        return ((h @ T(V)) * h).sum() + h.sum()
    W = T(W0)
    build(W).backward()
    return W.grad, numeric_gradient(lambda: float(build(T(W0)).data), W0)


def test_a_reused_node_receives_every_contribution():
    grad, numeric = reused_node_gradient(Tensor)
    assert bpcore.relative_error(grad, numeric) < RTOL
    x = Tensor(3.0)
    (x * x + x).backward()
    assert float(x.grad) == 7.0


def test_overwriting_instead_of_accumulating_fails():
    """A copy of the engine with every ``.grad +=`` turned into ``.grad =`` gets the reused node wrong."""
    source = Path(autodiff.__file__).read_text()
    assert source.count(".grad += ") >= 10
    spec = importlib.util.spec_from_loader("bpcore.autodiff_mutant", loader=None)
    mutant = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mutant
    try:
        exec(compile(source.replace(".grad += ", ".grad = "), "autodiff_mutant", "exec"), mutant.__dict__)
        grad, numeric = reused_node_gradient(mutant.Tensor)
    finally:
        del sys.modules[spec.name]
    assert bpcore.relative_error(grad, numeric) > 1e-2


def test_backward_twice_gives_the_same_gradients():
    W = Tensor(np.arange(6.0).reshape(3, 2) / 10)
    loss = (Tensor(np.ones((2, 3))) @ W).sigmoid().mean()
    loss.backward()
    first = W.grad.copy()
    loss.backward()
    np.testing.assert_array_equal(W.grad, first)


# ---------------------------------------------------------------- helpers and errors
def test_unbroadcast_sums_over_broadcast_axes():
    g = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(unbroadcast(g, (3,)), [3.0, 5.0, 7.0])
    np.testing.assert_array_equal(unbroadcast(g, (2, 1)), [[3.0], [12.0]])
    np.testing.assert_array_equal(unbroadcast(g, ()), 15.0)
    np.testing.assert_array_equal(unbroadcast(g, (2, 3)), g)


def test_topological_order_lists_parents_first():
    a, b = Tensor(1.0), Tensor(2.0)
    c = a * b
    d = c + a
    order = topological_order(d)
    assert order[-1] is d and order.index(c) > order.index(a) and order.index(c) > order.index(b)
    assert len(order) == 4


def test_ndarray_on_the_left_of_a_tensor():
    W = Tensor(np.ones((2, 2)))
    out = np.ones((3, 2)) @ W
    assert isinstance(out, Tensor) and out.shape == (3, 2)
    assert isinstance(np.ones(2) + Tensor(np.ones(2)), Tensor)


def test_clear_errors():
    with pytest.raises(ValueError, match=r"\(n, k\) @ \(k, m\), got \(2, 3\) @ \(2, 3\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="scalar"):
        Tensor(np.ones(3)).tanh().backward()
    with pytest.raises(ValueError, match=r"logits \(2, 3\) and targets \(2, 2\)"):
        Tensor(np.ones((2, 3))).softmax_cross_entropy(np.ones((2, 2)))
    with pytest.raises(TypeError, match="holds numbers"):
        Tensor("abc")


def test_a_graph_thousands_of_operations_deep_backpropagates():
    """topological_order keeps its own stack: depth is not limited by Python's recursion limit."""
    x = Tensor(np.array([2.0]))
    y = x
    for _ in range(5000):
        y = y + x
    y.sum().backward()
    assert x.grad[0] == 5001.0
    order = topological_order(y)
    assert order[0] is x and order[-1] is y and len(order) == 5001
