r"""Gradient checking: compare backpropagation with central finite differences.

For every parameter :math:`\theta_j`, nudge it both ways and watch the loss:

.. math:: \frac{\partial L}{\partial\theta_j} \approx \frac{L(\theta_j+\epsilon) - L(\theta_j-\epsilon)}{2\epsilon}

The error of this estimate is :math:`O(\epsilon^2)` (the forward difference's is :math:`O(\epsilon)`),
until :math:`\epsilon` is so small that round-off in :math:`L` (about :math:`10^{-16} L/\epsilon`)
takes over: :math:`\epsilon \approx 10^{-6}` balances the two in float64.

The book's pass rule is one number, :data:`TOL`: a backward pass is right when
``gradient_check(...) < TOL``. With :math:`\epsilon = 10^{-6}` in float64 the truncation error is of order
:math:`\epsilon^2 \approx 10^{-12}` and the round-off of order :math:`u/\epsilon \approx 10^{-10}`, so correct
gradients land around 1e-10, rarely above 1e-8 (a gradient tiny next to the loss is checked less precisely);
a mistake lands at 1e-2 or above. ``TOL = 1e-7`` sits between, at least an order of magnitude above the
first and five below the second (chapter 7).

``order=4`` uses the five-point stencil
:math:`\frac{-L(\theta+2\epsilon) + 8L(\theta+\epsilon) - 8L(\theta-\epsilon) + L(\theta-2\epsilon)}{12\epsilon}`,
whose error is :math:`O(\epsilon^4)`: with :math:`\epsilon = 10^{-3}` it is accurate to ~1e-11.

All gradients are compared at once, as one long vector, with the relative error
:math:`\lVert g - \tilde g\rVert / (\lVert g\rVert + \lVert\tilde g\rVert)`. Comparing entry by entry
(or array by array) would judge gradients that are nearly or exactly zero -- a bias under batch
normalisation has gradient exactly 0 -- by their round-off noise alone. ``by_layer=True`` gives the
per-array errors too, to find *where* a wrong gradient is.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .network import Network

Array = np.ndarray

# -- the one pass rule: the book's gradient checks and bpcore's own tests (tests/test_engine_gradients.py) --
#: a backward pass passes when its relative error against finite differences, over all parameters at
#: once, is below TOL; correct gradients land around 1e-10 (rarely above 1e-8), mistakes at 1e-2 or above
TOL = 1e-7
#: the five-point central stencil with eps = 1e-4: truncation ~1e-16, round-off ~1e-12, so even a
#: layer whose gradient is only ~1e-4 in size is measured far below TOL
STENCIL: dict[str, Any] = dict(eps=1e-4, order=4)
#: absolute allowance for round-off when the true gradient is exactly zero (e.g. behind a dead ReLU)
ATOL = 1e-10


def numerical_gradients(net: Network, X: Array, Y: Array, loss: str = "bce", l2: float = 0.0,
                        eps: float = 1e-6, masks: Sequence[Array | None] | None = None,
                        order: int = 2) -> list[dict[str, Array]]:
    r"""Central-difference estimate of :meth:`Network.gradients`, same structure. Restores the network.

    ``order=2``: :math:`(L(+\epsilon) - L(-\epsilon))/2\epsilon`; ``order=4``: the five-point stencil."""
    if order not in (2, 4):
        raise ValueError(f"order must be 2 (central difference) or 4 (five-point stencil), got {order!r}")
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps!r}")
    X, Y, loss_fn = net.prepare(X, Y, loss)

    def objective() -> float:
        return net.objective(net.forward_pass(X, train=True, masks=masks)[-1], Y, loss_fn, l2)

    result = []
    for layer in net.layers:
        grads = {}
        for name, p in zip(layer.parameter_names(), layer.parameters()):
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]

                def at(shift: float) -> float:   # used at once, within this iteration
                    p[idx] = old + shift  # noqa: B023
                    return objective()

                if order == 2:
                    g[idx] = (at(eps) - at(-eps)) / (2 * eps)
                else:
                    g[idx] = (-at(2 * eps) + 8 * at(eps) - 8 * at(-eps) + at(-2 * eps)) / (12 * eps)
                p[idx] = old
            grads[name] = g
        result.append(grads)
    return result


def relative_error(analytic: Array, numeric: Array, floor: float = 1e-8) -> float:
    r""":math:`\lVert a - n\rVert / \max(\lVert a\rVert + \lVert n\rVert, \text{floor})`.

    The floor matters only when the true gradient is (nearly) zero -- e.g. behind a dead ReLU layer --
    where a relative error would compare round-off with round-off."""
    analytic, numeric = np.asarray(analytic, float), np.asarray(numeric, float)
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return float(np.linalg.norm(analytic - numeric) / max(float(scale), floor))


def gradient_check(net: Network, X: Array, Y: Array, loss: str = "bce", l2: float = 0.0,
                   eps: float = 1e-6, masks: Sequence[Array | None] | None = None,
                   gradients: list[dict[str, Array]] | None = None, order: int = 2,
                   by_layer: bool = False) -> float | list[dict[str, float]]:
    """The relative error between backprop's gradients (or ``gradients``, e.g. from your own backward
    pass) and finite differences, over all parameters at once. The backward pass passes when this is
    below :data:`TOL` (1e-7); correct gradients give around 1e-10 (rarely above 1e-8), a mistake 1e-2 or more.
    ``by_layer=True``: one dict of errors per layer instead."""
    if gradients is None:
        gradients = net.gradients(X, Y, loss=loss, l2=l2, masks=masks)
    numeric = numerical_gradients(net, X, Y, loss=loss, l2=l2, eps=eps, masks=masks, order=order)
    if len(gradients) != len(numeric):
        raise ValueError(f"expected {len(numeric)} gradient dicts (one per layer), got {len(gradients)}")
    analytic_all, numeric_all, per_layer = [], [], []
    for i, (g, n) in enumerate(zip(gradients, numeric)):
        for name in n:
            if name not in g or np.shape(g[name]) != n[name].shape:
                shape = np.shape(g[name]) if name in g else None
                raise ValueError(f"layer {i}: gradient {name!r} missing or of shape {shape}, "
                                 f"expected {n[name].shape}")
        per_layer.append({name: relative_error(g[name], n[name]) for name in n})
        analytic_all += [np.ravel(g[name]) for name in n]
        numeric_all += [np.ravel(n[name]) for name in n]
    if by_layer:
        return per_layer
    return relative_error(np.concatenate(analytic_all), np.concatenate(numeric_all))


def backprop_gap(net: Network, X: Array, Y: Array, loss: str = "bce", l2: float = 0.0,
                 masks: Sequence[Array | None] | None = None) -> tuple[float, float]:
    """``(gap, allowed)`` for bpcore's standard: ``gap = ||backprop - finite differences||`` over all
    parameters (``STENCIL``), ``allowed = TOL * (||backprop|| + ||finite differences||) + ATOL``.
    The backward pass meets the standard when ``gap <= allowed``. X: ``(n, n_in)``."""
    analytic = np.concatenate([np.ravel(g[k]) for g in net.gradients(X, Y, loss=loss, l2=l2, masks=masks)
                               for k in g])
    numeric = np.concatenate([np.ravel(g[k]) for g in numerical_gradients(net, X, Y, loss=loss, l2=l2, masks=masks,
                                                                         eps=STENCIL["eps"], order=STENCIL["order"])
                              for k in g])
    gap = float(np.linalg.norm(analytic - numeric))
    return gap, TOL * float(np.linalg.norm(analytic) + np.linalg.norm(numeric)) + ATOL
