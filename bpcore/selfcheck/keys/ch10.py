r"""Answer keys of chapter 10 (momentum).

* ``ch10.terminal_velocity_factor`` -- with :math:`\beta = 0.9` and a constant gradient, the factor by which
  the momentum step eventually exceeds the plain gradient step: :math:`1/(1-\beta)`.
* ``ch10.momentum_path`` -- a function ``(grad, theta0, lr, beta, steps) -> (steps + 1, 2)`` array of the points
  heavy-ball momentum visits (``v <- beta v - lr g``, ``theta <- theta + v``, ``v`` starting at 0).
* ``ch10.best_beta`` -- on the chapter's quadratic at lr = 0.005, the marked beta that ends 80 momentum steps
  closest to the minimum.
* ``ch10.adam_path`` -- a function ``(grad, theta0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8) -> (steps + 1, 2)``
  array of the points Adam visits, bias correction included; compared point by point with
  :class:`bpcore.optimizers.Adam` run by :func:`bpcore.optimizers.optimizer_path`.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from bpcore.lessons import ch10
from bpcore.optimizers import Adam, Momentum, Nesterov, RMSProp, SGD, optimizer_path
from bpcore.selfcheck.keytypes import FunctionKey, NumberKey, Wrong, args

Array = np.ndarray
BETA = 0.9
#: the beta values marked on the chapter's quadratic panel
PANEL_BETAS = (0.0, 0.5, 0.8, 0.9, 0.95)
PANEL_LR, PANEL_STEPS = 0.005, 80  # the exercise's setting (the chapter's table uses 0.02)


def _run(optimizer, grad, theta0, steps) -> Array:
    theta = np.array(theta0, dtype=float)
    out = [theta.copy()]
    for _ in range(int(steps)):
        optimizer.step([theta], [np.asarray(grad(theta), dtype=float)])
        out.append(theta.copy())
    return np.array(out)


def _momentum_path(grad, theta0, lr, beta, steps) -> Array:
    return _run(Momentum(lr, beta=beta), grad, theta0, steps)


def _old_velocity_path(grad, theta0, lr, beta, steps) -> Array:
    theta, v = np.array(theta0, dtype=float), np.zeros(2)
    out = [theta.copy()]
    for _ in range(int(steps)):
        g = np.asarray(grad(theta), dtype=float)
        theta = theta + v          # moved with the velocity from the previous step
        v = beta * v - lr * g
        out.append(theta.copy())
    return np.array(out)


def _ema_path(grad, theta0, lr, beta, steps) -> Array:
    theta, m = np.array(theta0, dtype=float), np.zeros(2)
    out = [theta.copy()]
    for _ in range(int(steps)):
        m = beta * m + (1.0 - beta) * np.asarray(grad(theta), dtype=float)
        theta = theta - lr * m
        out.append(theta.copy())
    return np.array(out)


def _inputs() -> dict[str, object]:
    q, valley = ch10.QUADRATIC, ch10.VALLEY
    return {
        "the quadratic, lr 0.02, beta 0.9, 30 steps": args(q.grad, np.array(q.start), 0.02, 0.9, 30),
        "the valley, lr 0.002, beta 0.8, 25 steps": args(valley.grad, np.array(valley.start), 0.002, 0.8, 25),
        "the quadratic, beta 0 (no momentum), 5 steps": args(q.grad, np.array([1.0, -1.0]), 0.03, 0.0, 5),
    }


def _adam_path(grad, theta0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8) -> Array:
    return optimizer_path(grad, theta0, Adam(lr, beta1=beta1, beta2=beta2, eps=eps), int(steps))


def _adam_variant(correct_m: bool = True, correct_s: bool = True, shift: int = 0):
    """Adam written with a mistake: a bias correction left out, or its power ``t + shift`` off by one."""
    def run(grad, theta0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8) -> Array:
        theta = np.array(theta0, dtype=float)
        m, s = np.zeros_like(theta), np.zeros_like(theta)
        out = [theta.copy()]
        for t in range(1, int(steps) + 1):
            g = np.asarray(grad(theta), dtype=float)
            m = beta1 * m + (1.0 - beta1) * g
            s = beta2 * s + (1.0 - beta2) * g * g
            m_hat = m / (1.0 - beta1 ** (t + shift)) if correct_m else m
            s_hat = s / (1.0 - beta2 ** (t + shift)) if correct_s else s
            theta = theta - lr * m_hat / (np.sqrt(s_hat) + eps)
            out.append(theta.copy())
        return np.array(out)
    return run


def _adam_inputs() -> dict[str, object]:
    q, valley = ch10.QUADRATIC, ch10.VALLEY
    return {
        "the valley, lr 0.1, 40 steps, default betas": args(valley.grad, np.array(valley.start), 0.1, 40),
        "the quadratic, lr 0.3, 25 steps, beta1 0.8, beta2 0.99": args(q.grad, np.array(q.start), 0.3, 25, 0.8, 0.99),
        "the valley, lr 0.05, 3 steps, beta1 0.5, beta2 0.9, eps 1e-6":
            args(valley.grad, np.array([0.5, -0.5]), 0.05, 3, 0.5, 0.9, 1e-6),
    }


@lru_cache(maxsize=1)
def _best_beta() -> float:
    distances = [ch10.distance_after(ch10.QUADRATIC, "momentum", PANEL_LR, b, PANEL_STEPS) for b in PANEL_BETAS]
    return float(PANEL_BETAS[int(np.argmin(distances))])


KEYS = {
    "ch10.terminal_velocity_factor": NumberKey(
        lambda: float(sum(BETA ** j for j in range(10_000))),   # the geometric series, summed
        rtol=1e-3,
        wrong={
            "that is the factor for gradients that alternate in sign, 1/(1 + beta)": 1.0 / (1.0 + BETA),
            "that is beta itself: sum the whole geometric series 1 + beta + beta^2 + ...": BETA,
        },
    ),
    "ch10.momentum_path": FunctionKey(
        reference=_momentum_path,
        inputs=_inputs,
        rtol=1e-9,
        wrong={
            "theta never moves: the velocity is computed, but the update theta <- theta + v is never applied":
                lambda grad, theta0, lr, beta, steps: np.repeat(np.array(theta0, dtype=float)[None, :],
                                                                int(steps) + 1, axis=0),
            "this is plain gradient descent: the velocity is never used":
                lambda grad, theta0, lr, beta, steps: _run(SGD(lr), grad, theta0, steps),
            "theta moved with the previous step's velocity: update v first, then theta <- theta + v":
                _old_velocity_path,
            "this is Nesterov momentum (the gradient at the look-ahead point), not the heavy ball":
                lambda grad, theta0, lr, beta, steps: _run(Nesterov(lr, beta=beta), grad, theta0, steps),
            "the gradient was scaled by (1 - beta), an exponential average: that divides the step by 1/(1 - beta)":
                Wrong(_ema_path, hint="use v <- beta * v - lr * g"),
        },
    ),
    "ch10.best_beta": NumberKey(
        _best_beta,
        wrong={
            "beta = 0 is plain gradient descent, the slowest of all here": 0.0,
            "that beta overshoots: the path circles the minimum for a long time": 0.95,
            "that beta is the best one at lr = 0.02, the chapter's table":
                Wrong(0.8, hint="At lr = 0.005 its path is still creeping along the valley after 80 steps"),
        },
    ),
    "ch10.adam_path": FunctionKey(
        reference=_adam_path,
        inputs=_adam_inputs,
        rtol=1e-9,
        wrong={
            "no bias correction: divide m by (1 - beta1^t) and s by (1 - beta2^t), t counting from 1":
                _adam_variant(correct_m=False, correct_s=False),
            "only the first average m is bias-corrected: s starts at zero too and needs s / (1 - beta2^t)":
                _adam_variant(correct_s=False),
            "only the second average s is bias-corrected: m starts at zero too and needs m / (1 - beta1^t)":
                _adam_variant(correct_m=False),
            "the bias correction uses the power t + 1: the first step is t = 1, so the first correction is "
            "1 - beta1": _adam_variant(shift=1),
            "this is RMSProp: Adam's numerator is the averaged gradient m, not the gradient itself":
                lambda grad, theta0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8:
                    optimizer_path(grad, theta0, RMSProp(lr, rho=beta2, eps=eps), int(steps)),
        },
    ),
}
