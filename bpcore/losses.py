r"""Loss functions and the error signal they send back into the output layer.

All losses are *means over samples* of a per-sample cost, for targets ``Y`` and
outputs ``A`` of shape ``(n_samples, n_out)``:

* ``"mse"``: :math:`L = \frac1n\sum_i \tfrac12\lVert y_i - a_i\rVert^2`
* ``"bce"``: :math:`L = -\frac1n\sum_i\sum_k \big[y_{ik}\log a_{ik} + (1-y_{ik})\log(1-a_{ik})\big]`
  (needs a sigmoid output: each :math:`a_{ik}` must be a probability)
* ``"ce"``:  :math:`L = -\frac1n\sum_i\sum_k y_{ik}\log a_{ik}` (needs a softmax output, rows of
  ``Y`` one-hot or probability vectors)

Each loss gives

* ``value(z, a, y)`` -- the number. The log-losses are computed from the logits ``z``
  (:math:`\log\sigma(z)`, log-softmax), never as ``log(a)``: ``a`` can round to exactly 0 or 1.
* ``grad_a(a, y)``   -- :math:`\partial L/\partial a`, the general starting point of backprop.

``output_delta`` turns that into the output layer's error signal
:math:`\delta^L = \partial L/\partial z^L`. Three pairs simplify to :math:`(a-y)/n`: binary
cross-entropy's :math:`1/(a(1-a))` cancels the sigmoid's :math:`\sigma'`, the softmax Jacobian cancels
the same way for cross-entropy, and a linear output's slope is 1 for the MSE. bpcore uses those simplified forms (they are also the
numerically safe ones); the tests check they equal the general chain rule.
"""
from __future__ import annotations

import numpy as np

from ._names import lookup
from .activations import Activation, log_softmax

Array = np.ndarray


class Loss:
    name = ""
    formula = ""
    #: output activations this loss makes sense with
    outputs: tuple[str, ...] = ()

    def value(self, z: Array, a: Array, y: Array) -> float:
        raise NotImplementedError  # pragma: no cover

    def grad_a(self, a: Array, y: Array) -> Array:
        raise NotImplementedError  # pragma: no cover

    def __repr__(self) -> str:
        return f"<loss {self.name}: {self.formula}>"


class MeanSquaredError(Loss):
    r""":math:`L = \frac1n\sum_i \tfrac12\lVert y_i - a_i\rVert^2`;
    :math:`\partial L/\partial a = (a - y)/n`."""

    name = "mse"
    formula = r"\frac1n\sum_i \frac12\|y_i-a_i\|^2"
    outputs = ("sigmoid", "softmax", "linear")

    def value(self, z: Array, a: Array, y: Array) -> float:
        return float(0.5 * np.sum((y - a) ** 2) / len(a))

    def grad_a(self, a: Array, y: Array) -> Array:
        return (a - y) / len(a)


class BinaryCrossEntropy(Loss):
    r""":math:`L = -\frac1n\sum_{i,k} [y\log a + (1-y)\log(1-a)]`;
    :math:`\partial L/\partial a = \frac{a-y}{a(1-a)}/n`.

    With :math:`a = \sigma(z)`: :math:`\log a = \log\sigma(z)` and :math:`\log(1-a) = \log\sigma(-z)`,
    and the per-unit cost simplifies to :math:`\max(z, 0) - y z + \log(1 + e^{-|z|})`: stable for any ``z``.
    """

    name = "bce"
    formula = r"-\frac1n\sum_{i,k}[y\log a+(1-y)\log(1-a)]"
    outputs = ("sigmoid",)

    def value(self, z: Array, a: Array, y: Array) -> float:
        return float((np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))).sum() / len(a))

    def grad_a(self, a: Array, y: Array) -> Array:
        return (a - y) / (a * (1.0 - a)) / len(a)


class CrossEntropy(Loss):
    r""":math:`L = -\frac1n\sum_{i,k} y_{ik}\log a_{ik}`; :math:`\partial L/\partial a = -\frac{y}{a}/n`.

    With :math:`a = \mathrm{softmax}(z)`, :math:`\log a` is the log-softmax of ``z`` (log-sum-exp).
    """

    name = "ce"
    formula = r"-\frac1n\sum_{i,k} y_{ik}\log a_{ik}"
    outputs = ("softmax",)

    def value(self, z: Array, a: Array, y: Array) -> float:
        return float(-np.sum(y * log_softmax(z)) / len(a))

    def grad_a(self, a: Array, y: Array) -> Array:
        return -y / a / len(a)


LOSSES = {"mse": MeanSquaredError, "bce": BinaryCrossEntropy, "ce": CrossEntropy}


def get_loss(name: str | Loss) -> Loss:
    """The loss called ``name``: ``"mse"``, ``"bce"`` or ``"ce"``."""
    if isinstance(name, Loss):
        return name
    return lookup("loss", name, LOSSES)()


def output_delta(loss: Loss, output: Activation, z: Array, a: Array, y: Array) -> Array:
    r"""The output layer's error signal :math:`\delta^L = \partial L/\partial z^L`, shape ``(n, n_out)``.

    * sigmoid + bce and softmax + ce: :math:`\delta^L = (a - y)/n` -- :math:`\sigma'` cancels.
    * linear + mse: also :math:`(a-y)/n`, because :math:`f'(z) = 1`.
    * every other pair, e.g. sigmoid + mse: the general chain rule
      :math:`\delta^L = \partial L/\partial a \odot f'(z)` -- here :math:`\sigma'(z)` does **not**
      cancel, and dropping it is the classic mistake.
    """
    pair = (loss.name, output.name)
    if pair in {("bce", "sigmoid"), ("ce", "softmax"), ("mse", "linear")}:
        return (a - y) / len(a)
    return output.backward(z, a, loss.grad_a(a, y))
