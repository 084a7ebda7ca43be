r"""Hidden tests: an exercise's function checked again, on inputs its visible self-check never shows.

A self-check tries the reader's function on a handful of inputs, and the reader can see them (the labels
are printed, and ``bpcore`` is readable). A function that special-cases those inputs, or that only works
for the shapes they happen to have (square matrices, more than one sample, ...), passes it. The graded
assignments (:mod:`bpcore.tools.course`) therefore add a *hidden* test to the autograded cell of every
exercise listed here: the same reference, the same named mistakes and the same tolerances as the
visible key, on other inputs and edge cases. nbgrader removes the hidden part from the students' copy::

    from bpcore.selfcheck.hidden import hidden_check
    assert hidden_check("ch05.layer_delta", layer_delta)

``hidden_check`` prints one line, like :func:`bpcore.selfcheck.check`, prefixed with ``Hidden tests:``;
it never prints the answer. Only function exercises have hidden tests: an exercise whose answer is one
number or array for the chapter's own data has nothing else to be tried on.

Adding a hidden test: add ``"chNN.name": inputs`` to :data:`HIDDEN_INPUTS`, where ``inputs`` is a
zero-argument callable returning ``{"label": args(...)}`` as for
:class:`~bpcore.selfcheck.keytypes.FunctionKey`. ``tests/test_course.py`` checks every entry: the
reference passes, a function that is right only on the visible inputs fails, and no label repeats a
visible one.
"""
from __future__ import annotations

import copy
import dataclasses
import warnings
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import numpy as np

from bpcore.activations import sigmoid
from bpcore.lessons import ch10
from bpcore.selfcheck.keytypes import Args, FunctionKey, Wrong, args
from bpcore.selfcheck.registry import get_key
from bpcore.selfcheck.result import CheckResult

PREFIX = "Hidden tests: "


def _dense_forward_inputs() -> dict[str, Any]:
    rng = np.random.default_rng(1202)
    return {
        "a single input feature, 6 samples, 4 units": args(rng.normal(size=(6, 1)), rng.normal(size=(1, 4)),
                                                           rng.normal(size=4)),
        "30 samples, 5 inputs, 7 units": args(rng.normal(size=(30, 5)), rng.normal(size=(5, 7)),
                                              rng.normal(size=7)),
        "zero weights (the output is sigma(b) on every row)": args(rng.normal(size=(3, 2)), np.zeros((2, 2)),
                                                                  np.array([-1.0, 2.0])),
    }


def _sigmoid_prime_inputs() -> dict[str, Any]:
    return {
        "a column of 7 values": np.linspace(-6.0, 6.0, 7).reshape(7, 1),
        "integers from -5 to 5": np.arange(-5, 6),
        "a (2, 3, 4) array": np.linspace(-10.0, 10.0, 24).reshape(2, 3, 4),
        "z just beyond the overflow limit of exp": np.array([-745.0, -710.0, 710.0]),
        "z = -30 (a single number)": -30.0,
    }


def _batch_delta_inputs(seed: int) -> Callable[[], dict[str, Any]]:
    """Inputs ``(delta_next, W_next, a)`` for a sigmoid layer's error signal, never square where it matters."""
    def inputs() -> dict[str, Any]:
        rng = np.random.default_rng(seed)
        return {
            "5 samples, 3 units feeding 2 (a non-square W)": args(rng.normal(0.0, 0.5, (5, 2)),
                                                                 rng.normal(0.0, 1.0, (3, 2)),
                                                                 sigmoid(rng.normal(0.0, 2.0, (5, 3)))),
            "2 samples, 1 unit feeding 4": args(rng.normal(0.0, 0.5, (2, 4)), rng.normal(0.0, 1.0, (1, 4)),
                                               sigmoid(rng.normal(0.0, 2.0, (2, 1)))),
            "40 samples, 6 units feeding 1": args(rng.normal(0.0, 0.5, (40, 1)), rng.normal(0.0, 1.0, (6, 1)),
                                                 sigmoid(rng.normal(0.0, 2.0, (40, 6)))),
            "units exactly saturated (a = 0 and a = 1)": args(np.array([[1.0, -2.0, 0.5]]),
                                                              rng.normal(0.0, 1.0, (2, 3)),
                                                              np.array([[0.0, 1.0]])),
        }
    return inputs


def _momentum_inputs() -> dict[str, Any]:
    q = ch10.QUADRATIC
    bowl = np.array([[3.0, 1.0], [1.0, 0.5]])
    return {
        "0 steps (only the start point)": args(q.grad, np.array([0.5, 0.5]), 0.02, 0.9, 0),
        "1 step from (2, -1)": args(q.grad, np.array([2.0, -1.0]), 0.05, 0.9, 1),
        "a rotated bowl, lr 0.1, beta 0.5, 12 steps": args(lambda t: bowl @ t, np.array([1.0, 2.0]), 0.1, 0.5, 12),
        "the quadratic, beta 0.99, 150 steps": args(q.grad, np.array(q.start), 0.01, 0.99, 150),
    }


def _dropout_inputs() -> dict[str, Any]:
    rng = np.random.default_rng(1212)
    a = rng.normal(0.0, 1.0, (7, 3))
    return {
        "keep 1 (nothing dropped)": args(a, rng.uniform(size=(7, 3)), 1.0),
        "a (7, 3) batch, keep 0.6": args(a, rng.uniform(size=(7, 3)), 0.6),
        "u exactly at the keep probability": args(np.ones((2, 2)), np.array([[0.25, 0.5], [0.49, 0.75]]), 0.5),
    }


def _l2_inputs() -> dict[str, Any]:
    rng = np.random.default_rng(1213)
    return {
        "lambda 0 (no regularisation)": args(rng.normal(0.0, 0.1, (4, 3)), rng.normal(0.0, 1.0, (4, 3)), 0.0),
        "a (1, 6) layer, lambda 2": args(rng.normal(0.0, 0.1, (1, 6)), rng.normal(0.0, 1.0, (1, 6)), 2.0),
        "a (5, 5) layer, lambda 0.03": args(rng.normal(0.0, 0.1, (5, 5)), rng.normal(0.0, 1.0, (5, 5)), 0.03),
    }


#: exercise id -> zero-argument callable giving the hidden inputs (``{"label": args(...)}``)
HIDDEN_INPUTS: Mapping[str, Callable[[], dict[str, Any]]] = {
    "ch02.dense_forward": _dense_forward_inputs,
    "ch04.sigmoid_prime": _sigmoid_prime_inputs,
    "ch05.layer_delta": _batch_delta_inputs(505),
    "ch06.hidden_delta": _batch_delta_inputs(606),
    "ch10.momentum_path": _momentum_inputs,
    "ch12.inverted_dropout": _dropout_inputs,
    "ch12.l2_gradient": _l2_inputs,
}


def has_hidden_tests(exercise: str) -> bool:
    """True when ``exercise`` has hidden tests."""
    return exercise in HIDDEN_INPUTS


@cache
def hidden_key(exercise: str) -> FunctionKey:
    """The key of the hidden tests of ``exercise``: its visible key's reference, mistakes and tolerances
    on the hidden inputs.

    Raises:
        ValueError: ``exercise`` has no hidden tests (the message lists the exercises that have).
        TypeError: the visible key of ``exercise`` is not a :class:`FunctionKey`.
    """
    if exercise not in HIDDEN_INPUTS:
        raise ValueError(f"{exercise!r} has no hidden tests; these exercises have: {', '.join(sorted(HIDDEN_INPUTS))}")
    visible = get_key(exercise)
    if not isinstance(visible, FunctionKey):
        raise TypeError(f"hidden tests need a function exercise, but {exercise!r} has a {type(visible).__name__}")
    inputs = HIDDEN_INPUTS[exercise]()
    wrong = {name: entry for name, entry in visible.wrong.items() if _runs_on(entry, inputs)}
    return FunctionKey(reference=visible.reference, inputs=inputs, wrong=wrong,
                       rtol=visible.rtol, atol=visible.atol, overflow_is_error=visible.overflow_is_error)


def _runs_on(entry: Any, inputs: Mapping[str, Any]) -> bool:
    """True when a named mistake (a function or a :class:`Wrong`) runs on every input without raising.

    A mistake that cannot run on the hidden inputs (a missing transpose with non-square matrices) is
    left out of the hidden key: the reader's function raises there too, and that is reported as such.
    """
    fn = entry.answer if isinstance(entry, Wrong) else entry
    for value in inputs.values():
        arguments = tuple(value) if isinstance(value, Args) else (value,)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                fn(*copy.deepcopy(arguments))
        except Exception:  # noqa: BLE001 - any failure means: not comparable on these inputs
            return False
    return True


def hidden_check(exercise: str, answer: Any, *, quiet: bool = False) -> CheckResult:
    """Check the function ``answer`` on the hidden inputs of ``exercise``; print and return the verdict.

    The message is the visible check's kind of message, prefixed with ``"Hidden tests: "``.
    """
    result = hidden_key(exercise).check(exercise, answer)
    result = dataclasses.replace(result, message=PREFIX + result.message)
    if not quiet:
        print(result.message)
    return result
