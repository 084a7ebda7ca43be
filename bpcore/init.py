r"""Weight initialisations. Each returns ``W`` of shape ``(n_in, n_out)``; biases start at zero.

* ``zeros``   -- every weight 0. All hidden units then compute the same thing and receive the same
  gradient forever (the *symmetry* problem): kept only for that lesson.
* ``normal``  -- :math:`W_{ij} \sim \mathcal N(0, s^2)` with a chosen std ``s``.
* ``uniform`` -- :math:`W_{ij} \sim U(-r, r)`. A large ``r`` saturates every sigmoid.
* ``xavier``  -- Glorot: :math:`\mathcal N\big(0, \tfrac{2}{n_{in}+n_{out}}\big)`, keeps the variance of
  activations and of gradients roughly constant through tanh/sigmoid-like layers.
* ``he``      -- :math:`\mathcal N\big(0, \tfrac{2}{n_{in}}\big)`, the same idea for ReLU, which zeroes
  half of its inputs.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._names import lookup

Initialiser = Callable[[int, int, np.random.Generator, float], np.ndarray]


def zeros(n_in: int, n_out: int, rng: np.random.Generator, scale: float) -> np.ndarray:
    return np.zeros((n_in, n_out))


def normal(n_in: int, n_out: int, rng: np.random.Generator, scale: float) -> np.ndarray:
    return rng.normal(0.0, scale, size=(n_in, n_out))


def uniform(n_in: int, n_out: int, rng: np.random.Generator, scale: float) -> np.ndarray:
    return rng.uniform(-scale, scale, size=(n_in, n_out))


def xavier(n_in: int, n_out: int, rng: np.random.Generator, scale: float) -> np.ndarray:
    return rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_in, n_out))


def he(n_in: int, n_out: int, rng: np.random.Generator, scale: float) -> np.ndarray:
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))


INITS: dict[str, Initialiser] = {"zeros": zeros, "normal": normal, "uniform": uniform,
                                 "xavier": xavier, "glorot": xavier, "he": he}
#: the scale used by ``normal`` (std) and ``uniform`` (half-width r) when none is given
DEFAULT_SCALE = {"normal": 0.1, "uniform": 0.5}


def get_init(name: str) -> Initialiser:
    """The initialiser called ``name``: zeros, normal, uniform, xavier (alias glorot) or he."""
    return lookup("initialisation", name, INITS)
