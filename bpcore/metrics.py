"""Measuring a classifier: accuracy by thresholding (or arg-max), and the confusion matrix."""
from __future__ import annotations

import numpy as np

from .network import Network


def accuracy(net: Network, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of samples whose predicted class equals the label.

    ``y``: labels ``(n,)`` or targets ``(n, n_out)``. A single output is thresholded at 0.5 -- never
    ``|a - y| < 0.01``, which counts a confident 0.98 for label 1 as wrong.
    """
    y = np.asarray(y)
    labels = y if y.ndim == 1 else (y[:, 0] >= 0.5).astype(int) if y.shape[1] == 1 else y.argmax(axis=1)
    pred = net.predict(X)
    if len(labels) != len(pred):
        raise ValueError(f"y has {len(labels)} labels but X has {len(pred)} rows")
    return float(np.mean(pred == labels))


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int | None = None) -> np.ndarray:
    """``C[i, j]`` = number of samples of class ``i`` predicted as ``j``."""
    y_true, y_pred = np.asarray(y_true, int), np.asarray(y_pred, int)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} differ in shape")
    k = n_classes or int(max(y_true.max(), y_pred.max())) + 1
    C = np.zeros((k, k), dtype=int)
    np.add.at(C, (y_true, y_pred), 1)
    return C
