r"""Answer keys of chapter 13, batch normalisation.

* ``ch13.bn_normalise`` -- a function ``bn_normalise(z)``: each column of ``z (n, units)`` normalised with
  the batch mean and (biased) variance, :math:`\hat z = (z-\mu)/\sqrt{\sigma^2+\epsilon}`, ``eps = 1e-5``.
* ``ch13.bn_backward`` -- a function ``bn_backward(grad_u, gamma, z_hat, inv_std)`` returning
  :math:`\partial L/\partial z` (the first output of :func:`bpcore.batchnorm.batchnorm_backward`).
"""
from __future__ import annotations

import numpy as np

from bpcore.batchnorm import EPS, batchnorm_backward, batchnorm_forward
from bpcore.selfcheck.keytypes import FunctionKey, args


def bn_normalise(z: np.ndarray) -> np.ndarray:
    """``z_hat`` from bpcore's own forward pass (``gamma = 1``, ``beta = 0``)."""
    z = np.asarray(z, dtype=float)
    return batchnorm_forward(z, np.ones(z.shape[1]), np.zeros(z.shape[1]))[1][0]


def bn_backward(grad_u: np.ndarray, gamma: np.ndarray, z_hat: np.ndarray, inv_std: np.ndarray) -> np.ndarray:
    """dL/dz from bpcore's own backward pass."""
    return batchnorm_backward(grad_u, gamma, (z_hat, inv_std))[0]


def _z_inputs() -> dict:
    rng = np.random.default_rng(131)
    return {"a (8, 3) batch with different scales": rng.normal([0.0, 5.0, -2.0], [1.0, 0.01, 30.0], size=(8, 3)),
            "a (4, 2) batch": rng.normal(1.0, 2.0, size=(4, 2)),
            "a (16, 5) batch": rng.normal(0.5, 0.3, size=(16, 5))}


def _backward_inputs() -> dict:
    rng = np.random.default_rng(132)
    table = {}
    for label, (n, k) in {"a batch of 8, 3 units": (8, 3), "a batch of 5, 4 units": (5, 4),
                              "a batch of 2, 1 unit": (2, 1)}.items():
        z = rng.normal(0.0, 2.0, size=(n, k))
        gamma = rng.uniform(0.5, 2.0, size=k)
        _, (z_hat, inv_std) = batchnorm_forward(z, gamma, np.zeros(k))
        table[label] = args(rng.normal(0.0, 1.0, size=(n, k)), gamma, z_hat, inv_std)
    return table


def _var_unbiased(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    return (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0, ddof=1) + EPS)


def _rows(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    return (z - z.mean(axis=1, keepdims=True)) / np.sqrt(z.var(axis=1, keepdims=True) + EPS)


KEYS = {
    "ch13.bn_normalise": FunctionKey(
        reference=bn_normalise,
        inputs=_z_inputs,
        wrong={
            "each ROW was normalised: batch norm normalises each unit (column) over the batch": _rows,
            "the variance was divided by n - 1; batch norm uses the batch's own variance (divide by n)":
                _var_unbiased,
            "only the mean was subtracted; the result must also be divided by sqrt(var + eps)":
                lambda z: np.asarray(z, float) - np.asarray(z, float).mean(axis=0),
        },
    ),
    "ch13.bn_backward": FunctionKey(
        reference=bn_backward,
        inputs=_backward_inputs,
        wrong={
            "the batch statistics were treated as constants: mu and sigma depend on every z_i":
                lambda gu, gamma, zh, s: s * gamma * gu,
            "gamma is missing: the upstream gradient must be multiplied by gamma first":
                lambda gu, gamma, zh, s: bn_backward(gu, np.ones_like(gamma), zh, s),
            "the term through sigma (z_hat times the sum of g * z_hat) is missing":
                lambda gu, gamma, zh, s: s * (gamma * gu - (gamma * gu).mean(axis=0)),
            "the term through the mean (minus the mean of g) is missing":
                lambda gu, gamma, zh, s: s * (gamma * gu - zh * (gamma * gu * zh).mean(axis=0)),
        },
    ),
}
