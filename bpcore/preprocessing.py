r"""Input standardisation: every input column shifted to mean 0 and scaled to variance 1.

For training inputs ``X: (n_samples, n_features)`` with column means :math:`\mu_j` and (population) standard
deviations :math:`s_j`,

.. math:: \tilde x_{ij} = \frac{x_{ij} - \mu_j}{s_j} .

The statistics belong to the *training* data: :func:`standardise` returns them as a :class:`Standardiser`, whose
:meth:`~Standardiser.transform` applies the same shift and scale to validation and test inputs (computing new
statistics on the test set would move it differently from the data the network learned on).

Why (chapter 4): a unit's weight gradients are :math:`\delta\,x_i`, so all-positive inputs give them all the sign
of :math:`\delta`; and for a linear unit with the squared error the loss surface's Hessian is
:math:`\frac1n[X\ 1]^\top[X\ 1]`, whose condition number an offset or unequal scales make large.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Array = np.ndarray

#: a column whose standard deviation is below this times its largest absolute value counts as constant
RELATIVE_SPREAD_MIN = 1e-12


def _as_matrix(X: object, name: str) -> Array:
    try:
        A = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of numbers of shape (n_samples, n_features): {error}") from None
    if A.ndim != 2 or A.shape[0] == 0 or A.shape[1] == 0:
        raise ValueError(f"{name} must have shape (n_samples, n_features) with both > 0, got shape {A.shape}")
    if not np.all(np.isfinite(A)):
        rows, cols = np.nonzero(~np.isfinite(A))
        raise ValueError(f"{name} holds a NaN or infinite value (row {rows[0]}, column {cols[0]})")
    return A


@dataclass(frozen=True)
class Standardiser:
    """The training statistics: ``mean`` and ``std``, each ``(n_features,)``."""

    mean: Array
    std: Array

    def transform(self, X: object) -> Array:
        """``(X - mean) / std`` for ``X: (n_samples, n_features)`` with the training data's ``n_features``."""
        A = _as_matrix(X, "X")
        if A.shape[1] != len(self.mean):
            raise ValueError(f"X has {A.shape[1]} columns but the statistics were computed on {len(self.mean)}")
        return (A - self.mean) / self.std

    def inverse(self, Z: object) -> Array:
        """``Z * std + mean``: standardised inputs ``(n_samples, n_features)`` back in the original units."""
        A = _as_matrix(Z, "Z")
        if A.shape[1] != len(self.mean):
            raise ValueError(f"Z has {A.shape[1]} columns but the statistics were computed on {len(self.mean)}")
        return A * self.std + self.mean


def standardise(X: object) -> tuple[Array, Standardiser]:
    """Standardise the training inputs ``X: (n_samples, n_features)`` column by column.

    Returns ``(X_standardised, statistics)``; transform test data with ``statistics.transform(X_test)``.
    Raises a ValueError naming the column when a column is constant (zero variance: it carries no information,
    and dividing by its standard deviation would divide by zero), and for fewer than 2 samples.
    """
    A = _as_matrix(X, "X")
    if len(A) < 2:
        raise ValueError(f"standardising needs at least 2 samples to measure a spread, got {len(A)}")
    mean, std = A.mean(axis=0), A.std(axis=0)
    scale = np.max(np.abs(A), axis=0)
    constant = np.flatnonzero((std == 0) | (std <= RELATIVE_SPREAD_MIN * scale))
    if constant.size:
        j = int(constant[0])
        others = f" (and {constant.size - 1} more)" if constant.size > 1 else ""
        raise ValueError(f"column {j}{others} of X is constant (standard deviation {std[j]:.3g}, values up to "
                         f"{scale[j]:.3g} in size): it carries no information and cannot be scaled to variance 1; "
                         f"drop it before standardising")
    stats = Standardiser(mean=mean, std=std)
    return (A - mean) / std, stats
