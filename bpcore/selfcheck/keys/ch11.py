r"""Answer keys of chapter 11, vanishing and exploding gradients.

* ``ch11.chain_factor`` -- the factor by which :math:`\delta` shrinks through a chain of one sigmoid unit
  per layer (weights 1, every pre-activation 0) from :math:`\delta^6` to :math:`\delta^1`.
* ``ch11.xavier_std`` -- a function ``xavier_std(n_in, n_out)``: the Glorot standard deviation
  :math:`\sqrt{2/(n_{in}+n_{out})}`.
* ``ch11.he_std`` -- a function ``he_std(n_in)``: the He standard deviation :math:`\sqrt{2/n_{in}}`.
"""
from __future__ import annotations

import numpy as np

from bpcore.activations import Sigmoid
from bpcore.selfcheck.keytypes import FunctionKey, NumberKey, args

_SIG = Sigmoid()
_LAYERS = 6  # the chain of the exercise: delta^6 back to delta^1, five factors w * sigma'(0)


def _chain(n_factors: int, slope: float) -> float:
    return float(slope ** n_factors)


def xavier_std(n_in: int, n_out: int) -> float:
    r""":math:`\sqrt{2/(n_{in}+n_{out})}`: forward (:math:`n_{in}\,\mathrm{Var}\,W = 1`) and backward
    (:math:`n_{out}\,\mathrm{Var}\,W = 1`) conditions averaged."""
    return float(np.sqrt(2.0 / (n_in + n_out)))


def he_std(n_in: int) -> float:
    r""":math:`\sqrt{2/n_{in}}`: a ReLU keeps half of the second moment, so :math:`\mathrm{Var}\,W` doubles."""
    return float(np.sqrt(2.0 / n_in))


_SHAPES = {"a 2-16 layer": args(2, 16), "a 16-16 layer": args(16, 16), "a 64-10 layer": args(64, 10),
           "a 784-256 layer": args(784, 256)}
_FANS = {"2 inputs": 2, "16 inputs": 16, "64 inputs": 64, "784 inputs": 784}

KEYS = {
    "ch11.chain_factor": NumberKey(
        lambda: _chain(_LAYERS - 1, float(_SIG.derivative(0.0))),
        wrong={
            "one factor too many: between delta^6 and delta^1 there are five layers to cross, not six":
                lambda: _chain(_LAYERS, float(_SIG.derivative(0.0))),
            "sigma(0) was used instead of the slope sigma'(0)": lambda: _chain(_LAYERS - 1, 0.5),
        },
    ),
    "ch11.xavier_std": FunctionKey(
        reference=xavier_std,
        inputs=_SHAPES,
        wrong={
            "that is the variance 2/(n_in + n_out); the standard deviation is its square root":
                lambda n_in, n_out: 2.0 / (n_in + n_out),
            "that is the He standard deviation, which ignores n_out": lambda n_in, n_out: he_std(n_in),
            "that is sqrt(1/n_in), the forward condition alone":
                lambda n_in, n_out: float(np.sqrt(1.0 / n_in)),
        },
    ),
    "ch11.he_std": FunctionKey(
        reference=he_std,
        inputs=_FANS,
        wrong={
            "that is the variance 2/n_in; the standard deviation is its square root": lambda n_in: 2.0 / n_in,
            "that is sqrt(1/n_in), without the factor 2 that makes up for the zeroed half":
                lambda n_in: float(np.sqrt(1.0 / n_in)),
        },
    ),
}
