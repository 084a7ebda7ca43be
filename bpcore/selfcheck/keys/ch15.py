"""Answer keys of the appendix (chapter 15): thresholded accuracy and the gallery of mistakes."""
from __future__ import annotations

import numpy as np

from bpcore.metrics import accuracy_of
from bpcore.selfcheck.keytypes import FunctionKey, NumberKey, Wrong
from bpcore.selfcheck.keytypes import args


def _reference_accuracy(a, y):
    return accuracy_of(np.asarray(a, dtype=float), np.asarray(y, dtype=float))


def _healthy_looking() -> float:
    """How many loss-based exhibits end within 10 % of the correct run's final loss."""
    from bpcore.lessons.ch15 import GALLERY, outcome
    count = 0
    for exhibit in GALLERY.values():
        if exhibit.y_title != "printed MSE loss":
            continue
        correct, wrong = outcome(exhibit.name)
        count += abs(wrong[-1] - correct[-1]) <= 0.1 * correct[-1]
    return float(count)


_A = np.array([[0.98], [0.02], [0.51], [0.49], [0.7], [0.3]])
_Y = np.array([[1.0], [0.0], [0.0], [1.0], [1.0], [0.0]])   # accuracy 4/6

KEYS = {
    "ch15.accuracy": FunctionKey(
        reference=_reference_accuracy,
        inputs={"six outputs, some confident, some near 0.5": args(_A, _Y),
                "all outputs exactly 0.5": args(np.full((4, 1), 0.5), np.array([[1.0], [0.0], [1.0], [1.0]])),
                "100 outputs of a trained network":
                    args(np.linspace(0.001, 0.999, 100)[:, None],
                         (np.linspace(0, 1, 100) > 0.3).astype(float)[:, None])},
        wrong={"a prediction counts only when |a - y| < 0.01: confident right answers are counted wrong":
                   lambda a, y: float(np.mean(np.abs(np.asarray(a) - np.asarray(y)) < 0.01)),
               "this is the error rate, not the accuracy":
                   Wrong(lambda a, y: 1.0 - _reference_accuracy(a, y), hint="count the matches, not the misses")},
    ),
    "ch15.healthy_looking": NumberKey(
        _healthy_looking,
        atol=0.0, rtol=0.0,
        wrong={"count again: compare each dashed curve's end with the solid one's": lambda: _healthy_looking() + 1,
               "a flat line is not healthy: the loss must fall": lambda: _healthy_looking() - 1},
    ),
}
