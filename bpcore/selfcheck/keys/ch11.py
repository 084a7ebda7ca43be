r"""Answer keys of chapter 11, vanishing and exploding gradients.

* ``ch11.chain_factor`` -- the ratio :math:`\delta^1/\delta^6` in a chain of one sigmoid unit per layer
  (weights 1, every pre-activation 0): the factor by which :math:`\delta` shrinks from :math:`\delta^6` to
  :math:`\delta^1`.
* ``ch11.xavier_std`` -- a function ``xavier_std(n_in, n_out)``: the Glorot standard deviation
  :math:`\sqrt{2/(n_{in}+n_{out})}`.
* ``ch11.he_std`` -- a function ``he_std(n_in)``: the He standard deviation :math:`\sqrt{2/n_{in}}`.
* ``ch11.clip_by_norm`` -- a function ``clip_by_norm(g, c)``: :math:`g\,\min(1, c/\lVert g\rVert)` for a
  gradient vector ``g: (n,)`` (``bpcore.training.clip_gradients`` on one array).
* ``ch11.leaky_relu_prime`` -- a function ``leaky_relu_prime(z, alpha)``: 1 where :math:`z > 0`,
  :math:`\alpha` elsewhere (``bpcore.activations.LeakyReLU(alpha).derivative``).
"""
from __future__ import annotations

import numpy as np

from bpcore.activations import LeakyReLU, Sigmoid
from bpcore.selfcheck.keytypes import FunctionKey, NumberKey, Wrong, args
from bpcore.training import clip_gradients

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


def clip_by_norm(g: np.ndarray, c: float) -> np.ndarray:
    r""":math:`g\,\min(1, c/\lVert g\rVert)`: bpcore's clipping step applied to a single array."""
    return clip_gradients([np.asarray(g, float)], c)[0]


def leaky_relu_prime(z: np.ndarray, alpha: float) -> np.ndarray:
    r""":math:`f'(z) = 1` for :math:`z > 0`, :math:`\alpha` otherwise."""
    return LeakyReLU(alpha).derivative(z)


def _clip_inputs() -> dict:
    rng = np.random.default_rng(11)
    g = rng.normal(0.0, 1.0, 8)
    n = float(np.linalg.norm(g))
    return {"a gradient of norm 3 x c": args(g, n / 3), "a gradient of norm c / 2": args(g, 2 * n),
            "a huge gradient, c = 1": args(1e6 * g, 1.0), "a (12,) gradient, c = 0.5": args(rng.normal(0, 2, 12), 0.5),
            "a small (3,) gradient, c = 5": args(np.array([0.3, -1.2, 0.4]), 5.0)}


def _leaky_inputs() -> dict:
    z = np.array([-3.0, -0.5, -1e-3, 2e-3, 0.7, 4.0])
    return {"six z of both signs, alpha 0.01": args(z, 0.01), "the same z, alpha 0.2": args(z, 0.2),
            "a (2, 3) batch, alpha 0.1": args(z.reshape(2, 3)[::-1] * 2.0, 0.1)}


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
            "that is delta^6 / delta^1, the ratio the other way round":
                Wrong(lambda: 1.0 / _chain(_LAYERS - 1, float(_SIG.derivative(0.0))),
                      hint="delta^1 is the smaller of the two, so delta^1 / delta^6 is below 1"),
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
    "ch11.clip_by_norm": FunctionKey(
        reference=clip_by_norm,
        inputs=_clip_inputs,
        wrong={
            "each component was clipped to [-c, c] separately: that changes the direction of the step":
                lambda g, c: np.clip(g, -c, c),
            "a gradient shorter than c was rescaled too: it must pass unchanged (the min with 1)":
                lambda g, c: g * c / np.linalg.norm(g),
            "the ratio is upside down: the factor is c/||g||, not ||g||/c":
                lambda g, c: g * min(1.0, float(np.linalg.norm(g)) / c),
            "a long gradient was scaled to length 1, not to length c":
                lambda g, c: g / np.linalg.norm(g) if np.linalg.norm(g) > c else g,
        },
    ),
    "ch11.leaky_relu_prime": FunctionKey(
        reference=leaky_relu_prime,
        inputs=_leaky_inputs,
        wrong={
            "that is the ReLU's derivative: for z <= 0 the leaky ReLU's slope is alpha, not 0":
                lambda z, alpha: (np.asarray(z) > 0).astype(float),
            "that is the leaky ReLU itself, max(alpha z, z), not its derivative":
                lambda z, alpha: np.where(np.asarray(z) > 0, z, alpha * np.asarray(z)),
            "the two slopes are swapped: 1 belongs to z > 0, alpha to z <= 0":
                lambda z, alpha: np.where(np.asarray(z) > 0, alpha, 1.0),
        },
    ),
}
