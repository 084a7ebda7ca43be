"""Small data sets for the book, all generated offline and reproducibly from a seed.

Each function returns ``(X, y)``: ``X`` of shape ``(n_samples, n_features)`` (float64) and ``y`` of
shape ``(n_samples,)`` holding integer class labels ``0..k-1``. Networks accept such 1-D labels
directly (0/1 for one sigmoid output, classes for a softmax); :func:`one_hot` makes targets explicit.

Moons and circles follow scikit-learn's generators number for number, in NumPy; the 8x8 digits are
scikit-learn's copy, shipped in ``bpcore/data``. Nothing here imports scikit-learn, so the book runs
under Pyodide in the browser too.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ._names import lookup
from .validation import class_labels, fraction, nonnegative_number, positive_integer

Array = np.ndarray


def _check(n_samples: int, noise: float) -> tuple[int, float]:
    n_samples = positive_integer(n_samples, "n_samples")
    return n_samples, nonnegative_number(noise, "noise")


def xor(n_samples: int = 200, noise: float = 0.15, seed: int | None = 0) -> tuple[Array, Array]:
    """XOR: points near the corners of the unit square; class 1 where exactly one coordinate is 1.

    ``xor(4, noise=0)`` is the truth table itself.
    """
    n_samples, noise = _check(n_samples, noise)
    rng = np.random.default_rng(seed)
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    pick = np.arange(n_samples) % 4
    X = corners[pick] + rng.normal(0.0, noise, size=(n_samples, 2))
    y = (corners[pick, 0] != corners[pick, 1]).astype(int)
    return X, y


def spirals(n_samples: int = 200, noise: float = 0.2, seed: int | None = 0, n_classes: int = 2,
            turns: float = 1.0) -> tuple[Array, Array]:
    """Interleaved spiral arms, one per class, radius growing from 0.05 to 1 over ``turns`` turns."""
    n_samples, noise = _check(n_samples, noise)
    n_classes = positive_integer(n_classes, "n_classes")
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) % n_classes
    r = rng.uniform(0.05, 1.0, n_samples)
    theta = 2 * np.pi * (turns * r + y / n_classes)
    X = np.c_[r * np.cos(theta), r * np.sin(theta)] + rng.normal(0.0, noise * 0.1, (n_samples, 2))
    return X, y


def blobs(n_samples: int = 200, noise: float = 0.5, seed: int | None = 0, n_classes: int = 3) -> tuple[Array, Array]:
    """Gaussian blobs with centres evenly spaced on the unit circle (times 2), std ``noise``."""
    n_samples, noise = _check(n_samples, noise)
    n_classes = positive_integer(n_classes, "n_classes")
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) % n_classes
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = 2.0 * np.c_[np.cos(angles), np.sin(angles)]
    return centres[y] + rng.normal(0.0, noise, (n_samples, 2)), y


def _random_state(seed: int | None) -> np.random.RandomState:
    """scikit-learn's ``check_random_state``: a legacy ``RandomState`` (numpy's global one for ``None``,
    ``np.random.mtrand._rand``, the one name outside bpcore's public API it uses: scikit-learn does the same, and
    unseeded data follow ``np.random.seed`` as they do there)."""
    return np.random.mtrand._rand if seed is None else np.random.RandomState(seed)


def _shuffle_and_jitter(X: Array, y: Array, noise: float, rng: np.random.RandomState) -> tuple[Array, Array]:
    """Shuffle rows, then add N(0, noise^2) to every coordinate: the order of draws scikit-learn uses."""
    order = np.arange(len(X))
    rng.shuffle(order)
    X, y = X[order], y[order]
    return X + rng.normal(scale=noise, size=X.shape), y


def moons(n_samples: int = 200, noise: float = 0.2, seed: int | None = 0) -> tuple[Array, Array]:
    """Two interleaving half circles, number for number scikit-learn's ``make_moons(random_state=seed)``.

    Written in NumPy so the book also runs where scikit-learn does not (Pyodide in the browser).
    """
    n_samples, noise = _check(n_samples, noise)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack([np.append(np.cos(t_out), 1 - np.cos(t_in)),
                   np.append(np.sin(t_out), 1 - np.sin(t_in) - 0.5)]).T
    y = np.hstack([np.zeros(n_out, dtype=int), np.ones(n_in, dtype=int)])
    return _shuffle_and_jitter(X, y, noise, _random_state(seed))


def circles(n_samples: int = 200, noise: float = 0.1, seed: int | None = 0, factor: float = 0.5) -> tuple[Array, Array]:
    """A small circle (radius ``factor``) inside a unit one: scikit-learn's ``make_circles``, number for number."""
    n_samples, noise = _check(n_samples, noise)
    factor = fraction(factor, "circles factor (the inner radius)")
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack([np.append(np.cos(t_out), np.cos(t_in) * factor),
                   np.append(np.sin(t_out), np.sin(t_in) * factor)]).T
    y = np.hstack([np.zeros(n_out, dtype=int), np.ones(n_in, dtype=int)])
    return _shuffle_and_jitter(X, y, noise, _random_state(seed))


#: The 8x8 digits, made from scikit-learn's copy by ``python -m bpcore.tools.digits_data`` (pixels 0..16 as
#: uint8, then the label), shipped inside the package so the book needs no scikit-learn.
DIGITS_FILE = Path(__file__).parent / "data" / "digits.npz"


def digits(scale: bool = True) -> tuple[Array, Array]:
    """The 1,797 8x8 handwritten digits of scikit-learn's ``load_digits``: ``X (1797, 64)``, ``y`` in 0..9.

    Pixel values 0..16 are divided by 16 when ``scale`` (inputs of order 1 keep sigmoids unsaturated).
    """
    with np.load(DIGITS_FILE) as data:
        X, y = data["images"].astype(float), data["target"].astype(int)
    return (X / 16.0 if scale else X), y


DATASETS = {"xor": xor, "spirals": spirals, "blobs": blobs, "moons": moons, "circles": circles}


def load(name: str, n_samples: int = 200, noise: float | None = None, seed: int | None = 0) -> tuple[Array, Array]:
    """A 2-D data set by name (xor, spirals, blobs, moons, circles) -- handy for a dropdown."""
    make = lookup("data set", name, DATASETS)
    return make(n_samples=n_samples, seed=seed) if noise is None else make(n_samples=n_samples, noise=noise, seed=seed)


def one_hot(y: Array, n_classes: int | None = None) -> Array:
    """Integer labels ``(n,)`` -> one-hot rows ``(n, n_classes)``."""
    y = class_labels(y, "one_hot's labels")
    k = int(y.max()) + 1 if n_classes is None else positive_integer(n_classes, "n_classes")
    if y.max() >= k:
        raise ValueError(f"label {int(y.max())} does not fit in {k} classes (labels must be 0..{k - 1})")
    return np.eye(k)[y]


def train_val_split(X: Array, y: Array, val_fraction: float = 0.25, seed: int | None = 0,
                    min_val: int = 10) -> tuple[Array, Array, Array, Array]:
    """Shuffle and split into ``X_train, X_val, y_train, y_val``, keeping class proportions.

    Refuses a validation set smaller than ``min_val`` samples: one or two points measure nothing.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    val_fraction = fraction(val_fraction, "val_fraction")
    if val_fraction == 0:
        raise ValueError("val_fraction must be > 0")
    rng = np.random.default_rng(seed)
    labels = y if y.ndim == 1 else y.argmax(axis=1) if y.shape[1] > 1 else y[:, 0]
    chosen: list[int] = []
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        chosen.extend(members[:int(round(val_fraction * len(members)))])
    val_idx = np.array(sorted(chosen), dtype=np.int64)
    if len(val_idx) < min_val:
        raise ValueError(f"a validation set of {len(val_idx)} samples is too small to measure anything "
                         f"(minimum {min_val}); use more data or a larger val_fraction")
    train_mask = np.ones(len(X), bool)
    train_mask[val_idx] = False
    return X[train_mask], X[val_idx], y[train_mask], y[val_idx]
