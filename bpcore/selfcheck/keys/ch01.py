r"""Answer keys of chapter 1, welcome (ids ``ch01.*``).

* ``ch01.threshold_accuracy`` -- implement: accuracy of sigmoid outputs ``a (n,)`` against 0/1 labels
  ``y (n,)``, by thresholding at 0.5 (never ``|a - y| < tol``).
* ``ch01.min_hidden_units`` -- explore: the fewest tanh hidden units with which the chapter's XOR panel
  (learning rate 2, 60 epochs, seed 0) reaches at least 95 % validation accuracy.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from bpcore.selfcheck.keytypes import FunctionKey, NumberKey, Wrong, args
from bpcore.metrics import accuracy_of

#: the settings of the chapter's XOR panel that the explore exercise refers to
XOR_PANEL: dict[str, Any] = dict(data="xor", lr=2.0, epochs=60, activation="tanh", seed=0)
SOLVED = 0.95


def _threshold_accuracy(a, y) -> float:
    """bpcore's own accuracy: output >= 0.5 is class 1."""
    a, y = np.asarray(a, dtype=float), np.asarray(y, dtype=float)
    return accuracy_of(a.reshape(-1, 1), y.reshape(-1, 1))


def _accuracy_inputs() -> dict:
    rng = np.random.default_rng(101)
    n = 40
    y = rng.integers(0, 2, n)
    a = np.clip(np.where(y == 1, 0.75, 0.25) + rng.normal(0.0, 0.25, n), 0.001, 0.999)
    return {
        "8 outputs": args(np.array([0.98, 0.03, 0.7, 0.45, 0.51, 0.2, 0.995, 0.6]),
                          np.array([1, 0, 1, 1, 0, 0, 1, 0])),
        "40 noisy outputs": args(a, y),
        "all outputs confident and right": args(np.array([0.97, 0.02, 0.96, 0.01]), np.array([1, 0, 1, 0])),
    }


def _val_accuracy(hidden_units: int) -> float:
    from bpcore.experiments import TrainingSetup
    _, history, _ = TrainingSetup(hidden_units=hidden_units, **XOR_PANEL).run()
    return history.val_accuracy[-1]


def _min_hidden_units() -> int:
    for h in range(1, 17):
        if _val_accuracy(h) >= SOLVED:
            return h
    raise RuntimeError("no hidden size up to 16 solves XOR with the panel's settings")  # pragma: no cover


KEYS = {
    "ch01.threshold_accuracy": FunctionKey(
        reference=_threshold_accuracy,
        inputs=_accuracy_inputs,
        wrong={
            "that counts an output as right only when it is within a tolerance of the label: threshold "
            "at 0.5 instead (a confident 0.98 for label 1 is right)":
                lambda a, y: float(np.mean(np.abs(np.asarray(a) - np.asarray(y)) < 0.01)),
            "that is the error rate, the fraction classified wrong": lambda a, y: 1.0 - _threshold_accuracy(a, y),
            "that is a percentage: return a fraction between 0 and 1":
                Wrong(lambda a, y: 100.0 * _threshold_accuracy(a, y), hint="drop the factor 100"),
        },
    ),
    "ch01.min_hidden_units": NumberKey(
        _min_hidden_units,
        wrong={
            "one hidden unit draws a single line, and no single line separates XOR": 1,
            "that works, but try one fewer at seed 0": lambda: _min_hidden_units() + 1,
        },
    ),
}
