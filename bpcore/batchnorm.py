r"""Batch normalisation of a layer's pre-activations, forward and backward.

For a batch of pre-activations ``z`` of shape ``(n, units)``, each unit (column) is normalised
with the batch's own mean and variance, then scaled and shifted by learned ``gamma``, ``beta``:

.. math::
    \mu = \tfrac1n\sum_i z_i,\quad \sigma^2 = \tfrac1n\sum_i (z_i-\mu)^2,\quad
    \hat z_i = \frac{z_i-\mu}{\sqrt{\sigma^2+\epsilon}},\quad u_i = \gamma\,\hat z_i + \beta .

Because :math:`\mu` and :math:`\sigma` depend on every sample, the gradient of one :math:`z_i`
collects a contribution through them:

.. math::
    \frac{\partial L}{\partial z_i} = \frac{1}{n\sqrt{\sigma^2+\epsilon}}
    \Big(n\,g_i - \sum_j g_j - \hat z_i \sum_j g_j \hat z_j\Big),\qquad g = \gamma\odot\frac{\partial L}{\partial u}.

At evaluation time running averages of :math:`\mu, \sigma^2` (collected in training) replace the
batch statistics, so a prediction does not depend on the rest of the batch.
"""
from __future__ import annotations

import numpy as np

#: added to the variance before the square root (training and evaluation alike)
EPS = 1e-5
#: running statistics: ``running = MOMENTUM * running + BATCH_WEIGHT * batch`` after every training step.
#: BATCH_WEIGHT is written out, not computed: ``1 - 0.9`` is 0.09999999999999998 in floating point.
MOMENTUM = 0.9
BATCH_WEIGHT = 0.1


def batchnorm_forward(z: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                      eps: float = EPS) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Normalise ``z: (n, units)`` with batch statistics. Returns ``u`` and the cache ``(z_hat, inv_std)``."""
    mu = z.mean(axis=0)
    inv_std = 1.0 / np.sqrt(z.var(axis=0) + eps)
    z_hat = (z - mu) * inv_std
    return gamma * z_hat + beta, (z_hat, inv_std)


def batchnorm_backward(grad_u: np.ndarray, gamma: np.ndarray,
                       cache: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Given :math:`\partial L/\partial u` of shape ``(n, units)``, return
    :math:`\partial L/\partial z`, :math:`\partial L/\partial\gamma`, :math:`\partial L/\partial\beta`."""
    z_hat, inv_std = cache
    n = grad_u.shape[0]
    dgamma = np.sum(grad_u * z_hat, axis=0)
    dbeta = np.sum(grad_u, axis=0)
    g = grad_u * gamma
    dz = inv_std / n * (n * g - g.sum(axis=0) - z_hat * np.sum(g * z_hat, axis=0))
    return dz, dgamma, dbeta


def batchnorm_evaluate(z: np.ndarray, gamma: np.ndarray, beta: np.ndarray, running_mean: np.ndarray,
                       running_var: np.ndarray, eps: float = EPS) -> np.ndarray:
    r"""Evaluation mode: normalise ``z: (n, units)`` with the running statistics ``(units,)`` instead of
    the batch's, :math:`u = \gamma (z - \bar\mu)/\sqrt{\bar\sigma^2 + \epsilon} + \beta`, so one
    sample's output does not depend on the rest of the batch."""
    return gamma * (z - running_mean) / np.sqrt(running_var + eps) + beta


def update_running_statistics(running_mean: np.ndarray, running_var: np.ndarray, z: np.ndarray) -> None:
    """After a training step on the batch ``z: (n, units)``, move the running mean and variance
    ``(units,)`` (in place) towards the batch's: an exponential moving average with ``MOMENTUM``."""
    running_mean *= MOMENTUM
    running_mean += BATCH_WEIGHT * z.mean(axis=0)
    running_var *= MOMENTUM
    running_var += BATCH_WEIGHT * z.var(axis=0)
