"""Checks on what a reader passes in, so that mistakes surface as one clear sentence.

Every public entry point calls these before doing any arithmetic: a wrong shape must never reach
NumPy's broadcasting, where it would either raise deep inside or, worse, silently broadcast.
"""
from __future__ import annotations

import math
import numbers

import numpy as np


def as_inputs(X: object, n_in: int, name: str = "X") -> np.ndarray:
    """``X`` as a float array of shape ``(n_samples, n_in)``, or a ValueError (a TypeError for what
    is not numbers) that says what is wrong."""
    try:
        A = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers, shape (n_samples, {n_in}): {err}") from None
    if A.ndim == 1 and n_in == 1:
        A = A[:, None]
    if A.ndim != 2:
        raise ValueError(f"{name} must be 2-D, shape (n_samples, {n_in}); got shape {A.shape}")
    if A.shape[1] != n_in:
        raise ValueError(f"{name} has {A.shape[1]} columns but the network's input layer has {n_in} units: "
                         f"expected shape (n_samples, {n_in}), got {A.shape}")
    if A.shape[0] == 0:
        raise ValueError(f"{name} has no rows (shape {A.shape})")
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return A


def as_targets(Y: object, n_samples: int, n_out: int, loss: str, name: str = "Y") -> np.ndarray:
    """``Y`` as a float array ``(n_samples, n_out)`` checked against the loss's label range.

    Accepted: ``(n_samples, n_out)``; or 1-D labels of length ``n_samples`` -- 0/1 (or real targets)
    for a single output, integer classes ``0..n_out-1`` for several outputs (they are one-hot encoded).
    """
    try:
        T = np.asarray(Y, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers: {err}") from None
    if T.ndim == 1:
        if len(T) != n_samples:
            raise ValueError(f"{name} has {len(T)} labels but its inputs have {n_samples} rows")
        if n_out == 1:
            T = T[:, None]
        else:
            if not np.all(np.isfinite(T)) or np.any(T != np.round(T)) or T.min() < 0 or T.max() >= n_out:
                raise ValueError(f"1-D {name} for a network with {n_out} outputs must hold integer class labels "
                                 f"0..{n_out - 1}; got values from {np.nanmin(T):g} to {np.nanmax(T):g}. "
                                 f"Pass one-hot targets of shape ({n_samples}, {n_out}) or fix the labels.")
            T = np.eye(n_out)[T.astype(int)]
    if T.ndim != 2 or T.shape[1] != n_out:
        raise ValueError(f"{name} must have shape ({n_samples}, {n_out}) to match the network's {n_out} "
                         f"output unit(s); got {T.shape}")
    if T.shape[0] != n_samples:
        raise ValueError(f"{name} has {T.shape[0]} rows but its inputs have {n_samples}: one target row per sample")
    if not np.all(np.isfinite(T)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if loss == "bce" and (T.min() < 0 or T.max() > 1):
        raise ValueError(f"labels for 'bce' must lie in [0, 1] (a sigmoid outputs probabilities in (0, 1)); "
                         f"got values from {T.min():g} to {T.max():g}. For -1/+1 labels use (y + 1) / 2.")
    if loss == "ce":
        if T.min() < 0 or T.max() > 1 or not np.allclose(T.sum(axis=1), 1.0):
            raise ValueError(f"targets for 'ce' must be one-hot (or probability) rows that sum to 1; "
                             f"got row sums from {T.sum(axis=1).min():g} to {T.sum(axis=1).max():g}. "
                             f"Use bpcore.one_hot(labels, {n_out}).")
    return T


def class_labels(y: object, name: str) -> np.ndarray:
    """``y`` as integer class labels ``(n,)``: a non-empty 1-D array of whole numbers >= 0, else a clear error."""
    try:
        A = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of class labels: {err}") from None
    if A.ndim != 1 or A.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of class labels, got shape {A.shape}")
    bad = ~np.isfinite(A) | (A != np.round(A)) | (A < 0)
    if bad.any():
        raise ValueError(f"{name} must hold class labels 0, 1, 2, ..., got {A[bad][0]:g} at index {int(np.argmax(bad))}")
    return A.astype(int)


def positive_number(value: object, name: str, integer: bool = False) -> float:
    """``value`` if it is a finite number > 0 (an int when ``integer``), else a clear error."""
    kind = "an integer" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {kind} > 0, got {type(value).__name__}: {value!r}")
    v = float(value)
    if integer and math.isfinite(v) and v != int(v):
        raise TypeError(f"{name} must be an integer > 0, got {value!r}")
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return int(v) if integer else v


def nonnegative_number(value: object, name: str) -> float:
    """``value`` if it is a finite number >= 0, else a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number >= 0, got {type(value).__name__}: {value!r}")
    v = float(value)
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    return v


def positive_integer(value: object, name: str) -> int:
    """``value`` if it is an integer > 0, else a clear error (:func:`positive_number` with ``integer=True``)."""
    return int(positive_number(value, name, integer=True))


def fraction(value: object, name: str, upper_open: bool = True) -> float:
    """``value`` in [0, 1) (or [0, 1]), else a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1), got {value!r}")
    v = float(value)
    if not (0 <= v < 1 if upper_open else 0 <= v <= 1):
        raise ValueError(f"{name} must be in [0, 1{')' if upper_open else ']'}, got {value!r}")
    return v
