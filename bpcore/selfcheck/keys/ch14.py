r"""Answer keys of chapter 14, real data: handwritten digits.

* ``ch14.softmax_ce_delta`` -- the output error signal :math:`\delta = \partial L/\partial z` of a softmax
  output with the mean cross-entropy, for given logits ``Z (4, 3)`` and labels ``y (4,)``.
* ``ch14.one_hot`` -- a function ``one_hot(y, n_classes)``: integer labels ``(n,)`` to one-hot rows
  ``(n, n_classes)``.
* ``ch14.per_class_accuracy`` -- a function ``per_class_accuracy(C)``: for each true class, the fraction
  of its samples the network got right, from a confusion matrix ``C[true, predicted]``.
* ``ch14.smallest_hidden`` -- with the chapter's quick configuration at 10 epochs, the smallest hidden
  layer that reaches 95 % validation accuracy (computed by retraining, see :mod:`bpcore.lessons.ch14`).
"""
from __future__ import annotations

import numpy as np

from bpcore.activations import Softmax
from bpcore.datasets import one_hot
from bpcore.losses import CrossEntropy
from bpcore.selfcheck.keytypes import ArrayKey, FunctionKey, NumberKey, Wrong, args

Array = np.ndarray


def _delta_data() -> dict:
    rng = np.random.default_rng(14)
    return {"Z": np.round(rng.normal(0.0, 2.0, (4, 3)), 2), "y": np.array([0, 2, 1, 2])}


def _softmax_parts() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = _delta_data()
    Z, Y = d["Z"], one_hot(d["y"], 3)
    return Z, Softmax().forward(Z), Y


def _delta_general() -> np.ndarray:
    r"""The general chain rule: :math:`\partial L/\partial a` (bpcore's CrossEntropy) through the softmax
    Jacobian (bpcore's Softmax.backward) -- no simplification assumed."""
    Z, A, Y = _softmax_parts()
    return Softmax().backward(Z, A, CrossEntropy().grad_a(A, Y))


def per_class_accuracy(C: np.ndarray) -> np.ndarray:
    r"""Recall of each class: :math:`C_{ii} / \sum_j C_{ij}` (row ``i`` holds the samples of class ``i``)."""
    C = np.asarray(C, dtype=float)
    return np.diag(C) / C.sum(axis=1)


def _confusions() -> dict:
    C3 = np.array([[8, 1, 1], [0, 5, 5], [2, 0, 18]])
    C4 = np.array([[10, 0, 0, 0], [3, 6, 1, 0], [0, 0, 4, 0], [1, 1, 1, 17]])
    rng = np.random.default_rng(4)
    C10 = rng.integers(0, 4, (10, 10)) + np.diag(rng.integers(20, 40, 10))
    return {"a 3-class matrix": C3, "a 4-class matrix": C4, "a 10-class matrix": C10}


def _labels() -> dict:
    return {"labels [0, 2, 1, 2], 3 classes": args(np.array([0, 2, 1, 2]), 3),
            "labels [1, 1, 0], 4 classes (class 3 absent)": args(np.array([1, 1, 0]), 4),
            "the first 12 digit labels, 10 classes": args(np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]), 10)}


def _smallest_hidden() -> float:
    from bpcore.lessons import ch14
    hidden = ch14.smallest_hidden(0.95)
    return float("nan") if hidden is None else float(hidden)


def _smallest_hidden_90() -> float:
    from bpcore.lessons import ch14
    hidden = ch14.smallest_hidden(0.90)
    return float("nan") if hidden is None else float(hidden)


def _delta_without_mean() -> Array:
    _, A, Y = _softmax_parts()
    return A - Y


def _delta_with_sigmoid_factor() -> Array:
    _, A, Y = _softmax_parts()
    return (A - Y) * A * (1 - A) / len(A)


KEYS = {
    "ch14.softmax_ce_delta": ArrayKey(
        _delta_general,
        given=_delta_data,
        wrong={
            "the 1/n of the mean loss is missing": _delta_without_mean,
            "there is an extra factor a(1 - a): the softmax was treated as an elementwise sigmoid":
                Wrong(_delta_with_sigmoid_factor,
                      hint="the softmax Jacobian, summed against -y/a, leaves no such factor"),
        },
    ),
    "ch14.one_hot": FunctionKey(
        reference=lambda y, n_classes: one_hot(y, n_classes),
        inputs=_labels,
        wrong={
            "n_classes was ignored: the number of columns came from the largest label":
                lambda y, n_classes: np.eye(int(np.max(y)) + 1)[y],
            "that is a column of labels, not one row per sample with a single 1":
                lambda y, n_classes: np.asarray(y, dtype=float).reshape(-1, 1),
        },
    ),
    "ch14.per_class_accuracy": FunctionKey(
        reference=per_class_accuracy,
        inputs=_confusions,
        wrong={
            "that divides by the column sums: the fraction of each PREDICTED class that was right "
            "(precision), not the fraction of each true class recognised":
                lambda C: np.diag(C) / np.asarray(C, dtype=float).sum(axis=0),
            "those are counts of correct samples, not fractions": lambda C: np.diag(C).astype(float),
            "that is the overall accuracy, the same for every class":
                lambda C: np.full(len(C), np.trace(C) / np.sum(C), dtype=float),
        },
    ),
    "ch14.smallest_hidden": NumberKey(
        _smallest_hidden,
        wrong={"that size reaches 90 % validation accuracy, not 95 %": _smallest_hidden_90},
    ),
}
