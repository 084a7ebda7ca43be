r"""Reverse-mode automatic differentiation on arrays: backpropagation for any graph of operations.

A :class:`Tensor` is an array that remembers how it was computed: its ``parents`` and, written right
beside each operation's forward formula, the **vector–Jacobian product** (VJP) that sends the
gradient of the output back to the inputs. For :math:`Y = f(X)` and a scalar loss :math:`L`, the VJP
maps :math:`\bar Y = \partial L/\partial Y` (same shape as ``Y``) to :math:`\bar X = \partial L/\partial X`
(same shape as ``X``) without ever forming the Jacobian :math:`\partial Y/\partial X`:

* matmul :math:`Y = XW`: :math:`\bar X = \bar Y W^\top`, :math:`\bar W = X^\top \bar Y`;
* add with broadcasting :math:`Y = X + b`: :math:`\bar X = \bar Y`, :math:`\bar b` = :math:`\bar Y`
  summed over the axes ``b`` was broadcast along;
* elementwise :math:`Y = f(X)`: :math:`\bar X = \bar Y \odot f'(X)`;
* softmax + cross-entropy, fused: :math:`\bar Z = (\mathrm{softmax}(Z) - Y)/n`.

:meth:`Tensor.backward` visits the graph in reverse topological order. Every VJP **adds** into its
parents' ``grad`` (``+=``): a tensor used twice receives both contributions.

>>> W = Tensor(np.ones((2, 1)))
>>> loss = (Tensor([[1.0, 2.0]]) @ W).tanh().sum()
>>> loss.backward()
>>> W.grad.shape
(2, 1)
"""
from __future__ import annotations

from typing import Callable, Iterator

import numpy as np

from .activations import log_softmax, sigmoid

Array = np.ndarray


class Tensor:
    """A node of a computational graph: ``data`` (an array, float64) and ``grad`` (:math:`\\partial L/\\partial` data)."""

    __array_ufunc__ = None    # ``ndarray @ Tensor`` defers to Tensor.__rmatmul__ instead of making an object array

    def __init__(self, data: "Array | float | list", parents: tuple["Tensor", ...] = (), op: str = "",
                 label: str = ""):
        try:
            self.data = np.array(data, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"a Tensor holds numbers, got {type(data).__name__}: {data!r}") from None
        self.grad = np.zeros_like(self.data)
        self.parents, self.op, self.label = parents, op, label
        self.vjp: Callable[[], None] = lambda: None      # a leaf sends nothing further back

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    def __repr__(self) -> str:
        name = f"{self.label} " if self.label else ""
        return f"Tensor({name}shape={self.shape}, op={self.op!r})"

    # -- operations: forward, then the vector-Jacobian product right beside it ----------------------
    def __matmul__(self, other: "Tensor | Array") -> "Tensor":
        r""":math:`Y = XW`, ``X: (n, k)``, ``W: (k, m)``; VJP :math:`\bar X = \bar Y W^\top`, :math:`\bar W = X^\top\bar Y`."""
        other = lift(other)
        if self.data.ndim != 2 or other.data.ndim != 2 or self.shape[1] != other.shape[0]:
            raise ValueError(f"matmul needs (n, k) @ (k, m), got {self.shape} @ {other.shape}")
        out = Tensor(self.data @ other.data, (self, other), "@")

        def vjp() -> None:
            self.grad += out.grad @ other.data.T
            other.grad += self.data.T @ out.grad
        out.vjp = vjp
        return out

    def __add__(self, other: "Tensor | Array | float") -> "Tensor":
        r""":math:`Y = A + B` (NumPy broadcasting); VJP: :math:`\bar Y` to both, summed over broadcast axes."""
        other = lift(other)
        out = Tensor(self.data + other.data, (self, other), "+")

        def vjp() -> None:
            self.grad += unbroadcast(out.grad, self.shape)
            other.grad += unbroadcast(out.grad, other.shape)
        out.vjp = vjp
        return out

    def __mul__(self, other: "Tensor | Array | float") -> "Tensor":
        r""":math:`Y = A \odot B`; VJP :math:`\bar A = \bar Y \odot B`, :math:`\bar B = \bar Y \odot A` (the inputs swap)."""
        other = lift(other)
        out = Tensor(self.data * other.data, (self, other), "*")

        def vjp() -> None:
            self.grad += unbroadcast(out.grad * other.data, self.shape)
            other.grad += unbroadcast(out.grad * self.data, other.shape)
        out.vjp = vjp
        return out

    __radd__, __rmul__ = __add__, __mul__

    def __rmatmul__(self, other: Array) -> "Tensor":
        return lift(other) @ self

    def maximum(self, other: "Tensor | Array | float") -> "Tensor":
        r""":math:`Y = \max(A, B)` elementwise; VJP routes :math:`\bar Y` to the larger input (to ``A`` on a tie)."""
        other = lift(other)
        first = self.data >= other.data
        out = Tensor(np.where(first, self.data, other.data), (self, other), "max")

        def vjp() -> None:
            self.grad += unbroadcast(out.grad * first, self.shape)
            other.grad += unbroadcast(out.grad * ~first, other.shape)
        out.vjp = vjp
        return out

    def tanh(self) -> "Tensor":
        r""":math:`Y = \tanh X`; VJP :math:`\bar X = \bar Y \odot (1 - Y^2)`."""
        out = Tensor(np.tanh(self.data), (self,), "tanh")

        def vjp() -> None:
            self.grad += out.grad * (1.0 - out.data ** 2)
        out.vjp = vjp
        return out

    def sigmoid(self) -> "Tensor":
        r""":math:`Y = \sigma(X)`; VJP :math:`\bar X = \bar Y \odot Y(1 - Y)`."""
        out = Tensor(sigmoid(self.data), (self,), "σ")

        def vjp() -> None:
            self.grad += out.grad * out.data * (1.0 - out.data)
        out.vjp = vjp
        return out

    def relu(self) -> "Tensor":
        r""":math:`Y = \max(X, 0)`; VJP :math:`\bar X = \bar Y \odot [X > 0]` (the gate is shut where :math:`X \le 0`)."""
        out = Tensor(np.maximum(self.data, 0.0), (self,), "relu")

        def vjp() -> None:
            self.grad += out.grad * (self.data > 0)
        out.vjp = vjp
        return out

    def sum(self) -> "Tensor":
        r""":math:`y = \sum_{ij} X_{ij}`; VJP :math:`\bar X = \bar y\,\mathbf 1` (every entry gets :math:`\bar y`)."""
        out = Tensor(self.data.sum(), (self,), "sum")

        def vjp() -> None:
            self.grad += out.grad * np.ones_like(self.data)
        out.vjp = vjp
        return out

    def mean(self) -> "Tensor":
        r""":math:`y = \frac1N\sum_{ij} X_{ij}` (``N`` entries); VJP :math:`\bar X = \bar y\,\mathbf 1 / N`."""
        out = Tensor(self.data.mean(), (self,), "mean")

        def vjp() -> None:
            self.grad += out.grad * np.ones_like(self.data) / self.data.size
        out.vjp = vjp
        return out

    def softmax_cross_entropy(self, Y: Array) -> "Tensor":
        r"""Logits ``Z: (n, k)``, targets ``Y: (n, k)`` (rows one-hot or probabilities):
        :math:`L = -\frac1n\sum_{ik} Y_{ik}\log\mathrm{softmax}(Z)_{ik}`; fused VJP
        :math:`\bar Z = \bar L\,(\mathrm{softmax}(Z) - Y)/n`."""
        Y = np.asarray(Y, dtype=float)
        if self.data.ndim != 2 or Y.shape != self.shape:
            raise ValueError(f"softmax_cross_entropy needs logits (n, k) and targets of the same shape, "
                             f"got logits {self.shape} and targets {Y.shape}")
        log_p = log_softmax(self.data)
        out = Tensor(-np.sum(Y * log_p) / len(Y), (self,), "softmax-CE")

        def vjp() -> None:
            self.grad += out.grad * (np.exp(log_p) - Y) / len(Y)
        out.vjp = vjp
        return out

    # -- the backward pass ----------------------------------------------------------------------------
    def backward(self) -> None:
        """Fill in ``grad`` = :math:`\\partial(\\text{self})/\\partial\\text{node}` for every node; ``self`` must be a
        scalar (a loss). Gradients are reset first, so a second call gives the same numbers."""
        if self.data.size != 1:
            raise ValueError(f"backward() starts from a scalar (a loss), got a tensor of shape {self.shape}: "
                             "reduce it first, e.g. with .sum() or .mean()")
        order = topological_order(self)
        for node in order:
            node.grad = np.zeros_like(node.data)
        self.grad = np.ones_like(self.data)     # dL/dL = 1
        for node in reversed(order):
            node.vjp()


def lift(x: "Tensor | Array | float") -> Tensor:
    """A constant (array or number) becomes a leaf tensor; a tensor is returned as it is."""
    return x if isinstance(x, Tensor) else Tensor(x)


def unbroadcast(grad: Array, shape: tuple[int, ...]) -> Array:
    """Sum ``grad`` over the axes NumPy broadcast a tensor of ``shape`` along, so that it gets ``shape`` back
    (a bias ``b: (m,)`` added to ``(n, m)`` gets its gradient summed over the ``n`` rows)."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor ``root`` depends on, each after all of its parents (``root`` last).

    A depth-first search that keeps its own stack of ``(tensor, its parents still to visit)``: a tensor is
    placed once all its parents are, and a graph thousands of operations deep never meets Python's
    recursion limit."""
    order: list[Tensor] = []
    seen: set[int] = {id(root)}
    stack: list[tuple[Tensor, Iterator[Tensor]]] = [(root, iter(root.parents))]
    while stack:
        node, parents = stack[-1]
        parent = next((p for p in parents if id(p) not in seen), None)
        if parent is None:                      # every parent placed: place the tensor itself
            stack.pop()
            order.append(node)
        else:
            seen.add(id(parent))
            stack.append((parent, iter(parent.parents)))
    return order
