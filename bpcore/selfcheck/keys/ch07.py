r"""Answer keys of chapter 7, *Gradient checking*.

* ``ch07.best_eps_central`` -- the step :math:`\epsilon_0^* = (3u|f|/|f'''|)^{1/3}` that minimises the central
  difference's error model for :math:`f = \exp` at 0 with :math:`u = 2^{-53}` (three significant digits).
* ``ch07.central_difference`` -- a function ``central_difference(f, x, eps)``.
"""
from __future__ import annotations

import numpy as np

from bpcore.activations import sigmoid
from bpcore.lessons.ch07 import UNIT_ROUNDOFF, central_difference, forward_difference
from bpcore.selfcheck.keytypes import FunctionKey, NumberKey, Wrong, args


def _backward_difference(f, x, eps):
    return (f(x) - f(x - eps)) / eps


def _cubic(t):
    return t ** 3 - 2.0 * t


def _scalar_sigmoid(t):
    return float(sigmoid(t))


KEYS = {
    "ch07.best_eps_central": NumberKey(
        lambda: (3 * UNIT_ROUNDOFF) ** (1 / 3),
        rtol=1e-2,
        wrong={
            "that is the forward difference's best step, 2 sqrt(u)": lambda: 2 * np.sqrt(UNIT_ROUNDOFF),
            "the factor 3 is missing: differentiate eps^2/6 carefully":
                lambda: UNIT_ROUNDOFF ** (1 / 3),
            "that uses 2^-52 (the machine epsilon); the model's u is the unit round-off 2^-53":
                lambda: (3 * 2.0 ** -52) ** (1 / 3),
        },
    ),
    "ch07.central_difference": FunctionKey(
        reference=central_difference,
        inputs={
            "sin at x = 0.3 with eps = 1e-4": args(np.sin, 0.3, 1e-4),
            "exp at x = 1 with eps = 1e-3": args(np.exp, 1.0, 1e-3),
            "a cubic at x = -2 with eps = 0.1": args(_cubic, -2.0, 0.1),
            "the sigmoid at x = 0.5 with eps = 1e-5": args(_scalar_sigmoid, 0.5, 1e-5),
        },
        wrong={
            "that is the forward difference (f(x + eps) - f(x)) / eps": forward_difference,
            "that is the backward difference (f(x) - f(x - eps)) / eps": _backward_difference,
            "the step is eps on each side, so the distance is 2 eps":
                Wrong(lambda f, x, eps: (f(x + eps) - f(x - eps)) / eps, hint="divide by 2 * eps"),
        },
    ),
}
