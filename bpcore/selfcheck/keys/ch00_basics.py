r"""Shared answer keys (ids ``basics.*``) that several chapters and the appendix reuse.

* ``basics.sigmoid`` -- a stable :math:`\sigma(z)`; overflow counts as a mistake.
* ``basics.sigmoid_prime`` -- :math:`\sigma'(z) = \sigma(z)(1-\sigma(z))` as a function.
* ``basics.sigmoid_max`` -- the largest value of :math:`\sigma'`.
* ``basics.output_delta_mse_sigmoid`` -- :math:`\delta^L = \frac1n (a-y)\odot\sigma'(z)` for the
  data in ``given("basics.output_delta_mse_sigmoid")`` (``Z`` and ``Y``, shape ``(4, 2)``).
"""
from __future__ import annotations

import numpy as np

from bpcore.activations import Sigmoid, Tanh, sigmoid
from bpcore.losses import get_loss, output_delta
from bpcore.selfcheck.keytypes import ArrayKey, FunctionKey, NumberKey, Wrong
from bpcore.selfcheck.result import OVERFLOW

Array = np.ndarray
_SIG = Sigmoid()

#: inputs every sigmoid-like function is tried on: the centre, ordinary values, overflow territory,
#: and arrays of several shapes (scalars included, so ``math.exp`` is caught)
SIGMOID_INPUTS: dict[str, object] = {
    "z = 0": 0.0,
    "z = 2.5 (a single number)": 2.5,
    "nine values in [-4, 4]": np.linspace(-4.0, 4.0, 9),
    "large |z| (overflow test)": np.array([-800.0, -40.0, 40.0, 800.0]),
    "a (3, 4) array": np.linspace(-3.0, 3.0, 12).reshape(3, 4),
}


def _naive_sigmoid(z: Array) -> Array:
    """The textbook formula, which overflows in ``exp(-z)`` for ``z`` below about ``-709.78``."""
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def _delta_data() -> dict[str, Array]:
    """Pre-activations ``Z`` and targets ``Y`` of a sigmoid output layer: 4 samples, 2 units."""
    rng = np.random.default_rng(2026)
    return {"Z": rng.normal(0.0, 1.5, size=(4, 2)).round(2), "Y": rng.integers(0, 2, size=(4, 2)).astype(float)}


def _delta(formula: str) -> Array:
    """The output delta of ``_delta_data`` computed right (``"mse"``) or with a typical slip."""
    d = _delta_data()
    z, y = d["Z"], d["Y"]
    a = _SIG.forward(z)
    n = len(z)
    if formula == "mse":
        return output_delta(get_loss("mse"), _SIG, z, a, y)
    if formula == "no sigma'":
        return (a - y) / n
    if formula == "no 1/n":
        return (a - y) * _SIG.derivative(z)
    if formula == "sigma' of a":
        return (a - y) * _SIG.derivative(a) / n
    raise ValueError(formula)  # pragma: no cover - only called with the names above


KEYS = {
    "basics.sigmoid": FunctionKey(
        reference=sigmoid,
        inputs=SIGMOID_INPUTS,
        overflow_is_error=True,
        wrong={
            # named after the generic diagnosis it must get: right values, but exp(-z) overflows
            OVERFLOW: _naive_sigmoid,
            "this is 1/(1 + exp(z)), i.e. sigma(-z): check the sign in the exponent":
                lambda z: sigmoid(-np.asarray(z, dtype=float)),
            "this is tanh(z), whose range is (-1, 1), not the sigmoid": np.tanh,
        },
    ),
    "basics.sigmoid_prime": FunctionKey(
        reference=_SIG.derivative,
        inputs=SIGMOID_INPUTS,
        wrong={
            "this is sigma(z) itself, not its derivative": sigmoid,
            "a(1-a) was applied to z instead of to a = sigma(z)":
                Wrong(lambda z: np.asarray(z, dtype=float) * (1.0 - np.asarray(z, dtype=float)),
                      hint="compute a = sigma(z) first"),
            "sigma(z)(1 + sigma(z)): the minus became a plus": lambda z: sigmoid(z) * (1.0 + sigmoid(z)),
        },
    ),
    "basics.sigmoid_max": NumberKey(
        lambda: float(_SIG.derivative(np.linspace(-10.0, 10.0, 2001)).max()),
        wrong={
            "that is sigma(0), the height of the sigmoid, not of its slope": lambda: float(sigmoid(0.0)),
            "that is the largest slope of tanh, not of the sigmoid": lambda: float(Tanh().derivative(0.0)),
        },
    ),
    "basics.output_delta_mse_sigmoid": ArrayKey(
        lambda: _delta("mse"),
        given=_delta_data,
        wrong={
            "the sigma'(z) factor is missing (that is the cross-entropy delta, not the MSE one)":
                lambda: _delta("no sigma'"),
            "the 1/n of the mean is missing": lambda: _delta("no 1/n"),
            "sigma' was evaluated at a instead of at z": lambda: _delta("sigma' of a"),
        },
    ),
}
