r"""Answer keys of chapter 16, backpropagation as reverse-mode automatic differentiation (ids ``ch16.*``).

* ``ch16.matmul_dw`` -- derive: :math:`\bar W = X^\top\bar Y` of the matmul gate :math:`Y = XW` for the data in
  ``given("ch16.matmul_dw")``.
* ``ch16.bias_grad`` -- derive: the gradient of a bias broadcast over the rows, :math:`\bar b = \sum_i \bar Z_{i:}`.
* ``ch16.softmax_ce_vjp`` -- implement: ``softmax_ce_grad(Z, Y)``, the fused VJP :math:`(\mathrm{softmax}(Z) - Y)/n`.
* ``ch16.forward_passes`` -- count: forward-mode passes for the full gradient of a 784-100-10 network.
* ``ch16.gate_dy`` -- explore: :math:`\partial f/\partial y` on the live gate graph at ``x = 2.5, w = 1``.

Every reference is computed with :mod:`bpcore.autodiff` or :mod:`bpcore.lessons.ch16`.
"""
from __future__ import annotations

import numpy as np

from bpcore.activations import sigmoid
from bpcore.autodiff import Tensor
from bpcore.lessons.ch16 import gate_graph
from bpcore.selfcheck.keytypes import ArrayKey, FunctionKey, NumberKey, Wrong, args

Array = np.ndarray


def _matmul_data() -> dict[str, Array]:
    rng = np.random.default_rng(16)
    return {"X": rng.integers(-3, 4, (4, 3)).astype(float), "W": rng.integers(-2, 3, (3, 2)).astype(float),
            "dY": rng.integers(-2, 3, (4, 2)).astype(float)}


def _matmul_grads() -> tuple[Array, Array]:
    """(dX, dW) of Y = X W for the given upstream gradient dY, by the engine."""
    d = _matmul_data()
    X, W = Tensor(d["X"]), Tensor(d["W"])
    ((X @ W) * d["dY"]).sum().backward()      # L = sum(Y * dY), so dL/dY = dY
    return X.grad, W.grad


def _bias_data() -> dict[str, Array]:
    rng = np.random.default_rng(61)
    return {"dZ": np.round(rng.normal(size=(5, 3)), 2)}


def _bias_grad() -> Array:
    dZ = _bias_data()["dZ"]
    b = Tensor(np.zeros(3))
    ((Tensor(np.zeros((5, 3))) + b) * dZ).sum().backward()
    return b.grad


def _softmax_ce_grad(Z: Array, Y: Array) -> Array:
    z = Tensor(Z)
    z.softmax_cross_entropy(Y).backward()
    return z.grad


def _softmax(Z: Array) -> Array:
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _ce_inputs() -> dict[str, object]:
    rng = np.random.default_rng(7)
    out: dict[str, object] = {}
    for label, n, k, scale in (("4 samples, 3 classes", 4, 3, 1.0), ("1 sample, 2 classes", 1, 2, 1.0),
                               ("6 samples, 5 classes", 6, 5, 2.0), ("large logits (3 samples, 3 classes)", 3, 3, 30.0)):
        out[label] = args(rng.normal(0.0, scale, (n, k)), np.eye(k)[rng.integers(0, k, n)])
    return out


#: sizes of the network of ``ch16.forward_passes``
PASS_SIZES = (784, 100, 10)


def _n_params(weights: bool = True, biases: bool = True) -> int:
    pairs = list(zip(PASS_SIZES[:-1], PASS_SIZES[1:]))
    return sum(a * b for a, b in pairs) * weights + sum(b for _, b in pairs) * biases


def _gate(name: str, x: float = 2.5, w: float = 1.0) -> float:
    return float(gate_graph(x, w)[name].grad)


KEYS = {
    "ch16.matmul_dw": ArrayKey(
        lambda: _matmul_grads()[1],
        given=_matmul_data,
        wrong={
            "this is the gradient of X (dY Wᵀ), not of W": Wrong(lambda: _matmul_grads()[0],
                                                                hint="W's gradient has W's shape (3, 2)"),
            "dYᵀ X is the product the wrong way round: it has the shape of Wᵀ": Wrong(
                lambda: _matmul_data()["dY"].T @ _matmul_data()["X"],
                hint="which product of X and dY has the shape of W?"),
        },
    ),
    "ch16.bias_grad": ArrayKey(
        _bias_grad,
        given=_bias_data,
        wrong={
            "averaged over the samples: the bias gate sums the rows, it does not divide by n":
                lambda: _bias_data()["dZ"].mean(axis=0),
            "summed over the wrong axis (the units instead of the samples)":
                lambda: _bias_data()["dZ"].sum(axis=1),
            "only the first sample's row: b is added to every row, so every row contributes":
                lambda: _bias_data()["dZ"][0],
        },
    ),
    "ch16.softmax_ce_vjp": FunctionKey(
        reference=_softmax_ce_grad,
        inputs=_ce_inputs,
        overflow_is_error=True,
        wrong={
            "the 1/n of the mean is missing": Wrong(lambda Z, Y: _softmax(Z) - Y, hint="the loss is a mean over rows"),
            "this is dL/dP (the gradient at the probabilities), not dL/dZ": Wrong(
                lambda Z, Y: -Y / _softmax(Z) / len(Z), hint="push it through softmax's Jacobian, or use the fused form"),
            "a sigmoid per entry is not the softmax: each row must sum to one":
                lambda Z, Y: (sigmoid(Z) - Y) / len(Z),
        },
    ),
    "ch16.forward_passes": NumberKey(
        _n_params,
        wrong={
            "only the weights are counted: every bias is a parameter too": lambda: _n_params(biases=False),
            "one pass per unit is not enough: forward mode needs one pass per parameter":
                lambda: sum(PASS_SIZES[1:]),
            "one pass per input feature gives derivatives with respect to the inputs, not the parameters":
                lambda: PASS_SIZES[0],
            "that is reverse mode's count (one forward, one backward pass)": 2,
        },
    ),
    "ch16.gate_dy": NumberKey(
        lambda: _gate("y"),
        rtol=0.01,
        wrong={
            "that is ∂f/∂x: the multiply gate swaps, so y's gradient carries the value of x": lambda: _gate("x"),
            "that is the gradient arriving at p: it still has to pass the multiply gate": lambda: _gate("p"),
            "zero: but at x = 2.5, w = 1 the ReLU gate is open (s > 0)": 0.0,
        },
    ),
}
