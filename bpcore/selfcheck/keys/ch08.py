r"""Answer keys of chapter 8 (MSE vs cross-entropy).

* ``ch08.mse_over_bce_delta`` -- for one sigmoid unit with target 1 at :math:`z = -5`, the ratio of
  the MSE error signal to the cross-entropy one: :math:`\sigma'(-5)`.
* ``ch08.softmax_ce_delta`` -- a function ``(Z, Y) -> (softmax(Z) - Y) / n``, the output delta of
  softmax + cross-entropy, computed without overflow.
* ``ch08.smallest_stalling_k`` -- the smallest wrong-start scale ``k`` (1..8) at which the chapter's
  MSE run ends below 60 % training accuracy (lr = 1, the panel's ``ch08.EPOCHS`` epochs).
* ``ch08.categorical_nll`` -- a function ``(A, y) -> -(1/n) sum_i log A[i, y_i]``, the negative log-likelihood per
  sample of integer labels ``y (n,)`` under softmax outputs ``A (n, K)``; it must equal ``bpcore``'s cross-entropy.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from bpcore.activations import Sigmoid, Softmax, sigmoid
from bpcore.datasets import one_hot
from bpcore.losses import get_loss, output_delta
from bpcore.selfcheck.keytypes import FunctionKey, NumberKey, Wrong, args
from bpcore.selfcheck.result import OVERFLOW

Array = np.ndarray
_SIG, _SOFTMAX = Sigmoid(), Softmax()


def _softmax_ce_delta(Z: Array, Y: Array) -> Array:
    Z = np.asarray(Z, dtype=float)
    return output_delta(get_loss("ce"), _SOFTMAX, Z, _SOFTMAX.forward(Z), np.asarray(Y, dtype=float))


def _inputs() -> dict[str, object]:
    rng = np.random.default_rng(8)
    Z = rng.normal(0.0, 2.0, size=(4, 3)).round(2)
    Y = np.eye(3)[[0, 2, 1, 2]]
    return {
        "4 samples, 3 classes": args(Z, Y),
        "one sample, 2 classes": args(np.array([[0.5, -1.0]]), np.array([[0.0, 1.0]])),
        "large logits (overflow test)": args(np.array([[800.0, 0.0, -800.0], [-50.0, 900.0, 10.0]]),
                                             np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])),
    }


def _naive(Z: Array, Y: Array) -> Array:
    e = np.exp(np.asarray(Z, dtype=float))
    return (e / e.sum(axis=1, keepdims=True) - Y) / len(Z)


def _categorical_nll(A: Array, y: Array) -> float:
    """bpcore's cross-entropy of the outputs ``A (n, K)`` (whose log-softmax is log A) for labels ``y (n,)``."""
    A = np.asarray(A, dtype=float)
    return get_loss("ce").value(np.log(A), A, one_hot(np.asarray(y), A.shape[1]))


def _nll_inputs() -> dict[str, object]:
    rng = np.random.default_rng(18)
    Z = rng.normal(0.0, 1.5, size=(5, 3))
    A = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    Z4 = rng.normal(0.0, 1.0, size=(4, 4))
    A4 = np.exp(Z4) / np.exp(Z4).sum(axis=1, keepdims=True)
    return {
        "5 samples, 3 classes": args(A, np.array([0, 2, 1, 1, 0])),
        "4 samples, 4 classes": args(A4, np.array([3, 0, 3, 2])),
        "one sample, 2 classes": args(np.array([[0.8, 0.2]]), np.array([1])),
    }


def _picked(A: Array, y: Array) -> Array:
    A = np.asarray(A, dtype=float)
    return A[np.arange(len(A)), np.asarray(y, dtype=int)]


@lru_cache(maxsize=1)
def _smallest_stalling_k() -> float:
    from bpcore.lessons.ch08 import EPOCHS, compare_losses
    for k in range(1, 9):
        _, history = compare_losses(k, lr=1.0, epochs=EPOCHS, losses=("mse",))["mse"]
        if history.train_accuracy[-1] < 0.6:
            return float(k)
    raise RuntimeError("no k in 1..8 stalls the MSE run")  # pragma: no cover - the chapter shows one does


KEYS = {
    "ch08.mse_over_bce_delta": NumberKey(
        lambda: float(_SIG.derivative(-5.0)),
        rtol=1e-3,
        wrong={
            "that is a = sigma(-5); the ratio is the slope sigma'(-5) = a(1 - a)": lambda: float(sigmoid(-5.0)),
            "that is the largest slope of the sigmoid, at z = 0, not its slope at z = -5":
                lambda: float(_SIG.derivative(0.0)),
            "that is the inverse ratio (cross-entropy over MSE)": lambda: 1.0 / float(_SIG.derivative(-5.0)),
        },
    ),
    "ch08.softmax_ce_delta": FunctionKey(
        reference=_softmax_ce_delta,
        inputs=_inputs,
        overflow_is_error=True,
        wrong={
            "the raw logits Z were used as if they were probabilities":
                Wrong(lambda Z, Y: (np.asarray(Z, float) - Y) / len(Z), hint="apply the softmax to Z first"),
            "the 1/n of the mean over samples is missing":
                lambda Z, Y: _softmax_ce_delta(Z, Y) * len(Z),
            "each column went through a sigmoid instead of each row through a softmax":
                lambda Z, Y: (sigmoid(Z) - Y) / len(Z),
            # named after the generic diagnosis it must get: exp(Z) overflows for large logits
            OVERFLOW: _naive,
        },
    ),
    "ch08.smallest_stalling_k": NumberKey(
        _smallest_stalling_k,
        wrong={
            "k = 0 is the fresh random start, which is not wrong at all: use k >= 1": 0.0,
            "at that k the MSE run still ends above 60 %: try the next one": lambda: _smallest_stalling_k() - 1.0,
            "that k stalls too, but a smaller one already does": lambda: _smallest_stalling_k() + 1.0,
        },
    ),
    "ch08.categorical_nll": FunctionKey(
        reference=_categorical_nll,
        inputs=_nll_inputs,
        wrong={
            "that is the sum over the samples: the loss is the mean, -(1/n) log of the likelihood":
                lambda A, y: _categorical_nll(A, y) * len(A),
            "that divides by n times K, a mean over every entry of the one-hot product: divide by n only":
                lambda A, y: _categorical_nll(A, y) / np.shape(A)[1],
            "that is the log of the mean probability; the likelihood is a product, so take the mean of the logs":
                lambda A, y: float(-np.log(np.mean(_picked(A, y)))),
            "that treats every column as its own yes/no (Bernoulli) output; a softmax row is one categorical "
            "distribution, and only the true class's probability counts":
                lambda A, y: float(get_loss("bce").value(np.log(np.asarray(A) / (1 - np.asarray(A))), np.asarray(A),
                                                         one_hot(np.asarray(y), np.shape(A)[1]))),
            "that is the mean probability of the true class, not minus its log":
                lambda A, y: float(np.mean(_picked(A, y))),
        },
    ),
}
