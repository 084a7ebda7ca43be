r"""Answer keys of chapter 4, the sigmoid and its derivative.

* ``ch04.sigmoid_prime`` -- :math:`\sigma'(z) = \sigma(z)(1-\sigma(z))` as a function (no overflow).
* ``ch04.saturation_z`` -- the :math:`z > 0` where :math:`\sigma'(z)` has fallen to 1 % of its maximum.
* ``ch04.stack_gradient`` -- :math:`\partial a_D/\partial x = \prod_k w\,\sigma'(z_k)` through ``depth``
  units :math:`a_k = \sigma(w a_{k-1})`, called as ``f(x, w, depth)``.
* ``ch04.best_w`` -- the weight (to one decimal, in [-8, 8]) that lets the most gradient through a stack
  of ten such units at ``x = 0.5``.
* ``ch04.standardise_test`` -- a function ``(X_train, X_test) -> Z_test``: the test inputs standardised with the
  *training* columns' mean and (population) standard deviation, as :func:`bpcore.preprocessing.standardise` does.
"""
from __future__ import annotations

import numpy as np

from bpcore.activations import Sigmoid, Tanh, sigmoid
from bpcore.lessons.ch04 import chain_gradient, saturation_threshold, sigmoid_chain
from bpcore.preprocessing import standardise
from bpcore.selfcheck.keys.ch00_basics import SIGMOID_INPUTS
from bpcore.selfcheck.keytypes import FunctionKey, NumberKey, Wrong, args

Array = np.ndarray
_SIG = Sigmoid()

#: the weights the panel's slider offers for the ``best_w`` question
W_GRID = np.round(np.arange(-8.0, 8.0 + 1e-9, 0.1), 1)


def _standardise_test(X_train: Array, X_test: Array) -> Array:
    return standardise(X_train)[1].transform(X_test)


def _standardise_inputs() -> dict[str, object]:
    rng = np.random.default_rng(4)
    train = rng.normal([2.0, -1.0, 10.0], [0.5, 3.0, 0.1], size=(40, 3))
    test = rng.normal([2.5, 0.0, 10.2], [0.7, 2.0, 0.2], size=(7, 3))
    return {
        "40 training and 7 test samples, 3 features": args(train, test),
        "2 training samples, 3 test samples": args(np.array([[1.0, 4.0], [3.0, 8.0]]),
                                                   np.array([[2.0, 10.0], [0.0, 5.0], [4.0, 4.0]])),
        "one feature, test values outside the training range": args(np.array([[0.0], [1.0], [2.0], [3.0]]),
                                                                     np.array([[-10.0], [1.5], [25.0]])),
    }


def _best_w() -> float:
    grads = [abs(float(chain_gradient(0.5, w, 10)[()])) for w in W_GRID]
    return float(W_GRID[int(np.argmax(grads))])


def _no_weight(x, w, depth) -> Array:
    """Only the sigma' factors multiplied: the weight on each link forgotten."""
    c = sigmoid_chain(x, w, depth)
    return np.prod(_SIG.derivative(c.z), axis=0).reshape(np.shape(x))


def _slope_of_a(x, w, depth) -> Array:
    """sigma' evaluated at the outputs a_k instead of the pre-activations z_k."""
    c = sigmoid_chain(x, w, depth)
    return np.prod(w * _SIG.derivative(c.a), axis=0).reshape(np.shape(x))


def _last_factor_only(x, w, depth) -> Array:
    """Only the last link's factor: the chain rule's product stopped after one step."""
    c = sigmoid_chain(x, w, depth)
    return c.factor[-1].reshape(np.shape(x))


KEYS = {
    "ch04.sigmoid_prime": FunctionKey(
        reference=_SIG.derivative,
        inputs=SIGMOID_INPUTS,
        overflow_is_error=True,
        wrong={
            "this is sigma(z) itself, not its derivative": sigmoid,
            "a(1-a) was applied to z instead of to a = sigma(z)":
                Wrong(lambda z: np.asarray(z, dtype=float) * (1.0 - np.asarray(z, dtype=float)),
                      hint="compute a = sigma(z) first"),
            "this is the slope of tanh, 1 - tanh(z)^2, not of the sigmoid": Tanh().derivative,
        },
    ),
    "ch04.saturation_z": NumberKey(
        lambda: saturation_threshold(0.01),
        rtol=1e-3,
        wrong={
            "that z makes sigma'(z) = 0.01, an absolute level; the question asks for 1 % of the maximum":
                lambda: saturation_threshold(0.04),
            "that is where sigma(z) itself reaches 0.99, not where its slope has fallen to 1 % of the maximum":
                lambda: float(np.log(99.0)),
        },
    ),
    "ch04.stack_gradient": FunctionKey(
        reference=chain_gradient,
        inputs={
            "x = 0.5, w = 1, depth 1": args(0.5, 1.0, 1),
            "x = 0.5, w = 1, depth 3": args(0.5, 1.0, 3),
            "five inputs in [-2, 2], w = 2.5, depth 4": args(np.linspace(-2.0, 2.0, 5), 2.5, 4),
            "x = 1, w = -5, depth 6": args(1.0, -5.0, 6),
        },
        wrong={
            "the weight w of each link is missing: every factor is w * sigma'(z_k)": _no_weight,
            "sigma' was evaluated at the outputs a_k instead of the pre-activations z_k = w a_(k-1)": _slope_of_a,
            "only the last link's factor is there: the chain rule multiplies one factor per link": _last_factor_only,
        },
    ),
    "ch04.best_w": NumberKey(
        _best_w,
        rtol=0.025,
        wrong={
            "that w makes the bound (|w|/4)^10 largest, not the actual gradient: the sigmoids saturate":
                Wrong(-8.0, hint="Watch the bars, not the bound line"),
            "with that w the bound (|w|/4)^10 is 1, but the units saturate and the real gradient is tiny": 4.0,
        },
    ),
    "ch04.standardise_test": FunctionKey(
        reference=_standardise_test,
        inputs=_standardise_inputs,
        rtol=1e-12,
        wrong={
            "the test set was standardised with its own statistics: use the training set's mean and std":
                lambda X_train, X_test: (X_test - np.mean(X_test, axis=0)) / np.std(X_test, axis=0),
            "this divides by the variance: divide by the standard deviation, its square root":
                lambda X_train, X_test: (X_test - np.mean(X_train, axis=0)) / np.var(X_train, axis=0),
            "the mean was not subtracted: standardising shifts each column to mean 0 first":
                lambda X_train, X_test: np.asarray(X_test) / np.std(X_train, axis=0),
            "this uses the sample standard deviation (ddof=1); bpcore, like np.std's default, uses the "
            "population one (ddof=0)":
                lambda X_train, X_test: (X_test - np.mean(X_train, axis=0)) / np.std(X_train, axis=0, ddof=1),
            "mean and standard deviation were taken over the whole array: each feature (column) needs its own, axis=0":
                lambda X_train, X_test: (X_test - np.mean(X_train)) / np.std(X_train),
        },
    ),
}
