"""Input standardisation (bpcore.preprocessing): the statistics, their reuse on test data, and bad input."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bpcore.preprocessing import Standardiser, standardise

pytestmark = pytest.mark.datasets


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 60), d=st.integers(1, 5),
       offset=st.floats(-1e3, 1e3), scale=st.floats(1e-3, 1e3))
def test_columns_get_mean_zero_and_variance_one(seed, n, d, offset, scale):
    rng = np.random.default_rng(seed)
    X = offset + scale * rng.normal(size=(n, d))
    X[0] += scale                      # no column is constant
    Z, stats = standardise(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-9)
    np.testing.assert_allclose(stats.mean, X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(stats.std, X.std(axis=0), rtol=1e-12)       # population std (ddof=0)
    np.testing.assert_allclose(stats.inverse(Z), X, rtol=1e-9, atol=1e-9 * (abs(offset) + scale))


def test_test_data_is_transformed_with_the_training_statistics():
    X_train = np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]])
    Z, stats = standardise(X_train)
    X_test = np.array([[3.0, 20.0], [7.0, 40.0]])
    expected = (X_test - [3.0, 20.0]) / np.array([np.sqrt(8 / 3), np.sqrt(200 / 3)])
    np.testing.assert_allclose(stats.transform(X_test), expected, rtol=1e-14)
    np.testing.assert_allclose(stats.transform(X_train), Z, rtol=1e-14)
    assert isinstance(stats, Standardiser)


def test_a_constant_column_is_refused_by_its_index():
    X = np.array([[1.0, 5.0, 2.0], [2.0, 5.0, 3.0], [4.0, 5.0, 1.0]])
    with pytest.raises(ValueError, match=r"column 1 of X is constant \(standard deviation 0, values up to 5 in size\)"):
        standardise(X)
    X[:, 2] = 7.0
    with pytest.raises(ValueError, match=r"column 1 \(and 1 more\) of X is constant"):
        standardise(X)
    # a column that is constant up to round-off counts as constant
    with pytest.raises(ValueError, match="column 0"):
        standardise(np.array([[1e6], [1e6 + 1e-9], [1e6]]))


@pytest.mark.parametrize("X, error, message", [
    (np.array([1.0, 2.0, 3.0]), ValueError, r"shape \(n_samples, n_features\)"),
    (np.zeros((0, 2)), ValueError, r"shape \(n_samples, n_features\)"),
    (np.array([[1.0, 2.0]]), ValueError, "at least 2 samples"),
    (np.array([[1.0, np.nan], [2.0, 3.0]]), ValueError, r"NaN or infinite value \(row 0, column 1\)"),
    ([["a", "b"], ["c", "d"]], TypeError, "array of numbers"),
])
def test_bad_input_gets_a_clear_error(X, error, message):
    with pytest.raises(error, match=message):
        standardise(X)


def test_transform_checks_the_number_of_columns():
    _, stats = standardise(np.array([[1.0, 2.0], [3.0, 5.0]]))
    with pytest.raises(ValueError, match="X has 3 columns but the statistics were computed on 2"):
        stats.transform(np.ones((4, 3)))


def test_small_valued_columns_are_scaled_and_constant_ones_named():
    X = np.array([[1e-13, 5.0], [3e-13, 5.0], [2e-13, 5.0]])
    with pytest.raises(ValueError, match=r"column 1 of X is constant \(standard deviation 0, values up to 5"):
        standardise(X)
    Z, stats = standardise(X[:, :1])
    np.testing.assert_allclose(Z.std(axis=0), 1.0)
