"""Measuring a classifier: accuracy by thresholding (or arg-max), and the confusion matrix."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .validation import class_labels, positive_integer

if TYPE_CHECKING:
    from .network import Network

#: one output unit: class 1 when the output (a probability) is at least this
THRESHOLD = 0.5


def predicted_classes(outputs: np.ndarray) -> np.ndarray:
    """Class labels ``(n,)`` from outputs or one-hot targets ``(n, n_out)``: for one output unit
    ``1`` where it is ``>= THRESHOLD``, otherwise the arg-max of each row. The one accuracy rule."""
    return (outputs[:, 0] >= THRESHOLD).astype(int) if outputs.shape[1] == 1 else outputs.argmax(axis=1)


def accuracy_of(outputs: np.ndarray, Y: np.ndarray) -> float:
    """Fraction classified right, outputs ``(n, n_out)`` against targets ``Y (n, n_out)``, by the rule of
    :func:`predicted_classes`: threshold 0.5 for one output, arg-max otherwise (never ``|a - y| < tol``)."""
    if outputs.shape[1] == 1:
        hits = np.count_nonzero((outputs >= THRESHOLD) == (Y >= THRESHOLD))
    else:
        hits = np.count_nonzero(outputs.argmax(axis=1) == Y.argmax(axis=1))
    return hits / len(outputs)


def accuracy(net: "Network", X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of samples whose predicted class equals the label.

    ``y``: labels ``(n,)`` or targets ``(n, n_out)``. A single output is thresholded at 0.5 -- never
    ``|a - y| < 0.01``, which counts a confident 0.98 for label 1 as wrong.
    """
    y = np.asarray(y)
    labels = y if y.ndim == 1 else predicted_classes(y)
    pred = net.predict(X)
    if len(labels) != len(pred):
        raise ValueError(f"y has {len(labels)} labels but X has {len(pred)} rows")
    return float(np.mean(pred == labels))


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int | None = None) -> np.ndarray:
    """``C[i, j]`` = number of samples of class ``i`` predicted as ``j``. ``y_true``, ``y_pred``: labels
    ``(n,)``, whole numbers from 0 to ``n_classes - 1`` (default: the largest label + 1)."""
    y_true, y_pred = class_labels(y_true, "y_true"), class_labels(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} differ in shape")
    largest = int(max(y_true.max(), y_pred.max()))
    k = largest + 1 if n_classes is None else positive_integer(n_classes, "n_classes")
    if largest >= k:
        raise ValueError(f"label {largest} does not fit n_classes={k} (the labels are 0 to {k - 1})")
    C = np.zeros((k, k), dtype=int)
    np.add.at(C, (y_true, y_pred), 1)
    return C
