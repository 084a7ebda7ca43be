"""Data sets: shapes, labels, reproducibility, splits."""
from __future__ import annotations

import numpy as np
import pytest

from bpcore import datasets

pytestmark = pytest.mark.datasets


@pytest.mark.parametrize("name,k", [("xor", 2), ("spirals", 2), ("blobs", 3), ("moons", 2), ("circles", 2)])
def test_shapes_labels_and_seeds(name, k):
    X, y = datasets.load(name, n_samples=120, seed=4)
    assert X.shape == (120, 2) and X.dtype == float and y.shape == (120,)
    assert set(np.unique(y)) == set(range(k))
    X2, y2 = datasets.load(name, n_samples=120, seed=4)
    X3, _ = datasets.load(name, n_samples=120, seed=5)
    assert np.array_equal(X, X2) and np.array_equal(y, y2) and not np.array_equal(X, X3)


def test_xor_truth_table():
    X, y = datasets.xor(4, noise=0.0)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])


def test_noise_moves_points():
    a, _ = datasets.moons(100, noise=0.0, seed=0)
    b, _ = datasets.moons(100, noise=0.3, seed=0)
    assert np.abs(a - b).mean() > 0.05


def test_digits():
    X, y = datasets.digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.min() == 0.0 and X.max() == 1.0 and set(np.unique(y)) == set(range(10))


# the book runs without scikit-learn (Pyodide): its generators and its digits are reproduced exactly
@pytest.mark.parametrize("n,noise,seed", [(200, 0.2, 0), (60, 0.3, 3), (7, 0.0, 1), (1000, 0.1, 42), (1, 0.5, 9)])
def test_moons_and_circles_equal_scikit_learn(n, noise, seed):
    sk = pytest.importorskip("sklearn.datasets")
    X, y = datasets.moons(n, noise=noise, seed=seed)
    X_sk, y_sk = sk.make_moons(n_samples=n, noise=noise, random_state=seed)
    np.testing.assert_array_equal(X, X_sk)
    np.testing.assert_array_equal(y, y_sk)
    for factor in (0.5, 0.8, 0.0):
        X, y = datasets.circles(n, noise=noise, seed=seed, factor=factor)
        X_sk, y_sk = sk.make_circles(n_samples=n, noise=noise, random_state=seed, factor=factor)
        np.testing.assert_array_equal(X, X_sk)
        np.testing.assert_array_equal(y, y_sk)


def test_moons_with_the_global_seed_follow_numpy_like_scikit_learn():
    sk = pytest.importorskip("sklearn.datasets")
    np.random.seed(5)
    X, _ = datasets.moons(30, noise=0.1, seed=None)
    np.random.seed(5)
    X_sk, _ = sk.make_moons(n_samples=30, noise=0.1, random_state=None)
    np.testing.assert_array_equal(X, X_sk)


def test_circles_refuses_a_factor_outside_0_1():
    with pytest.raises(ValueError, match=r"circles factor \(the inner radius\) must be in \[0, 1\)"):
        datasets.circles(10, factor=1.0)


def test_shipped_digits_equal_scikit_learn():
    sk = pytest.importorskip("sklearn.datasets")
    from bpcore.tools.digits_data import digits_arrays

    data = sk.load_digits()
    X, y = datasets.digits(scale=False)
    np.testing.assert_array_equal(X, data.data)
    np.testing.assert_array_equal(y, data.target)
    np.testing.assert_array_equal(datasets.digits()[0], data.data / 16.0)
    with np.load(datasets.DIGITS_FILE) as shipped:   # the tool would write the same file again
        fresh = digits_arrays()
        assert all(np.array_equal(shipped[k], fresh[k]) for k in fresh)


def test_the_live_path_needs_nothing_pyodide_lacks():
    """As under Pyodide (the live book): scikit-learn, SciPy and nbformat cannot be imported. The data sets,
    the figures and a live panel must still work (plotly imports nbformat only optionally)."""
    import subprocess
    import sys
    code = ("import sys\n"
            "for name in ('sklearn', 'scipy', 'nbformat', 'jsonschema'): sys.modules[name] = None\n"
            "import bpcore, bpcore.datasets as d\n"
            "d.moons(); d.circles(); d.digits()\n"
            "from bpcore.widgets import training_panel\n"
            "p = training_panel('moons', controls=('lr',), lr=0.3, epochs=5)\n"
            "p.widget\n"
            "assert p.error is None, p.error\n")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(("labels", "n_classes", "message"), [
    ([0, 1.5], None, r"one_hot's labels must hold class labels 0, 1, 2, \.\.\., got 1.5 at index 1"),
    ([[0, 1]], None, r"must be a non-empty 1-D array of class labels, got shape \(1, 2\)"),
    ([0, 3], 2, r"label 3 does not fit in 2 classes"),
    ([0, 1], 0, "n_classes must be > 0"),
])
def test_one_hot_names_what_is_wrong(labels, n_classes, message):
    with pytest.raises(ValueError, match=message):
        datasets.one_hot(labels, n_classes)
