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

The capstone (:mod:`bpcore.capstone`) grades its functions on one network, ``2 → 5 → 3 → 1`` with 7
samples. :func:`hidden_capstone_check` repeats its first three stages (shapes, forward, gradients) on the
networks of :data:`CAPSTONE_NETWORKS` (one layer, one sample, five layers, several outputs), against
:class:`bpcore.Network`, so that code written for the graded network's depth or batch size loses those
stages' points when the assignment is graded.
"""
from __future__ import annotations

import copy
import dataclasses
import warnings
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import numpy as np

from bpcore import capstone
from bpcore.activations import sigmoid
from bpcore.gradcheck import relative_error
from bpcore.lessons import ch10
from bpcore.network import Network
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


def _mse_output_inputs() -> dict[str, Any]:
    """Inputs ``(a, y)`` for the MSE output error signal of sigmoid outputs: other batch sizes and widths."""
    rng = np.random.default_rng(616)
    return {
        "one sample, one output": args(np.array([[0.3]]), np.array([[1.0]])),
        "3 samples, 4 outputs": args(sigmoid(rng.normal(0.0, 2.0, (3, 4))), rng.integers(0, 2, (3, 4)).astype(float)),
        "50 samples, 3 outputs, soft targets": args(sigmoid(rng.normal(0.0, 1.0, (50, 3))), rng.uniform(size=(50, 3))),
        "outputs exactly 0 and 1 (saturated)": args(np.array([[0.0, 1.0], [1.0, 0.5]]), np.array([[1.0, 0.0], [0.0, 1.0]])),
    }


def _backward_cost_inputs() -> dict[str, Any]:
    """Inputs ``(sizes, n)`` for the multiply-adds of a backward pass: a bottleneck, a deep chain, a wide input."""
    return {
        "a 5-1-5 bottleneck, 3 samples": args([5, 1, 5], 3),
        "eight layers of width 4, 2 samples": args([4] * 9, 2),
        "a 784-100-10 network, 64 samples": args([784, 100, 10], 64),
    }


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
    "ch06.mse_output_delta": _mse_output_inputs,
    "ch10.momentum_path": _momentum_inputs,
    "ch12.inverted_dropout": _dropout_inputs,
    "ch12.l2_gradient": _l2_inputs,
    "ch15.backward_multiply_adds": _backward_cost_inputs,
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


# ---- the capstone ---------------------------------------------------------------------------------

#: label -> (layer sizes, number of samples) of the networks the capstone's hidden tests use
CAPSTONE_NETWORKS: Mapping[str, tuple[tuple[int, ...], int]] = {
    "a single layer, 4 inputs to 3 outputs, 6 samples": ((4, 3), 6),
    "a single sample through 3 → 6 → 2": ((3, 6, 2), 1),
    "five layers, 2 → 4 → 4 → 4 → 4 → 1, 9 samples": ((2, 4, 4, 4, 4, 1), 9),
}
#: the capstone's stages that have hidden tests (training has none: it is the slow stage, and it uses
#: the functions the other stages have already tried)
CAPSTONE_HIDDEN_STAGES = capstone.STAGES[:3]


def _capstone_problem(sizes: tuple[int, ...], n: int, seed: int) -> tuple[Network, list[dict[str, np.ndarray]],
                                                                          np.ndarray, np.ndarray]:
    """A sigmoid network of ``sizes`` with nonzero biases, its weights as capstone params, X and 0/1 targets Y."""
    net = Network(list(sizes), hidden="sigmoid", output="sigmoid", seed=seed)
    rng = np.random.default_rng(seed)
    weights = net.get_weights()
    for b in weights[1::2]:
        b[...] = rng.normal(0.0, 0.5, size=b.shape)
    net.set_weights(weights)
    params = [{"W": weights[2 * l], "b": weights[2 * l + 1]} for l in range(len(sizes) - 1)]
    return net, params, rng.normal(size=(n, sizes[0])), rng.integers(0, 2, size=(n, sizes[-1])).astype(float)


def _capstone_shapes(params: Any, sizes: tuple[int, ...], what: str) -> str:
    """What is wrong with the structure or shapes of capstone params (``""`` if nothing is)."""
    if not isinstance(params, (list, tuple)) or len(params) != len(sizes) - 1:
        return f"{what} is not a list of {len(sizes) - 1} dicts, one per layer"
    for l, (layer, n_in, n_out) in enumerate(zip(params, sizes[:-1], sizes[1:]), start=1):
        if not isinstance(layer, dict) or {"W", "b"} - set(layer):
            return f"layer {l} of {what} is not a dict with 'W' and 'b'"
        if np.shape(layer["W"]) != (n_in, n_out) or np.shape(layer["b"]) != (n_out,):
            return (f"layer {l} of {what} has W {np.shape(layer['W'])} and b {np.shape(layer['b'])}, expected "
                    f"{(n_in, n_out)} and {(n_out,)}")
    return ""


def _capstone_stage(stage: str, fns: Mapping[str, Callable], sizes: tuple[int, ...], n: int) -> tuple[str, str]:
    """``(diagnosis, what is wrong)`` of one capstone stage on one hidden network (``("", "")`` if right)."""
    net, params, X, Y = _capstone_problem(sizes, n, seed=len(sizes) + n)
    activations = [X]
    for layer in params:
        activations.append(sigmoid(activations[-1] @ layer["W"] + layer["b"]))
    if stage == "shapes":
        problem = _capstone_shapes(fns["init_params"](list(sizes), 0), sizes, "init_params(sizes, seed)")
        mine = fns["forward"](copy.deepcopy(params), X.copy())
        if not problem and (not isinstance(mine, (list, tuple)) or [np.shape(a) for a in mine]
                            != [(n, n_l) for n_l in sizes]):
            problem = f"forward does not return {len(sizes)} activations of shapes (n, n_l) for n = {n}"
        if not problem:
            problem = _capstone_shapes(fns["backward"](copy.deepcopy(params), [a.copy() for a in activations],
                                                       Y.copy()), sizes, "the gradients")
        return (capstone.WRONG_SHAPE, problem) if problem else ("", "")
    if stage == "forward":
        mine = np.asarray(fns["forward"](copy.deepcopy(params), X.copy())[-1], dtype=float)
        if np.shape(mine) == (n, sizes[-1]) and np.allclose(mine, net.forward(X), rtol=1e-10, atol=1e-12):
            return "", ""
        return capstone.WRONG_OUTPUT, "the output differs from bpcore.Network's with the same weights"
    mine = fns["backward"](copy.deepcopy(params), [a.copy() for a in activations], Y.copy())
    if _capstone_shapes(mine, sizes, "the gradients"):
        return capstone.WRONG_SHAPE, _capstone_shapes(mine, sizes, "the gradients")
    flat = [np.ravel(np.asarray(g[k], dtype=float)) for g in mine for k in ("W", "b")]
    reference = [np.ravel(g[k]) for g in net.gradients(X, Y, loss="bce") for k in ("W", "b")]
    error = relative_error(np.concatenate(flat), np.concatenate(reference), floor=1e-12)
    if error < capstone.GRADIENT_RTOL:
        return "", ""
    return capstone.WRONG_GRADIENT, f"the gradients differ from bpcore.Network's (relative error {error:.0e})"


def hidden_capstone_check(stage: str, init_params: Callable, forward: Callable, backward: Callable,
                          update: Callable, train: Callable, *, quiet: bool = False) -> CheckResult:
    """Run capstone stage ``stage`` (shapes, forward or gradients) on the hidden networks; print and return
    the verdict. The arguments after ``stage`` are those of :func:`bpcore.capstone.grade`.

    Raises:
        ValueError: ``stage`` has no hidden tests (the message names the stages that have).
    """
    if stage not in CAPSTONE_HIDDEN_STAGES:
        raise ValueError(f"capstone stage {stage!r} has no hidden tests; "
                         f"these have: {', '.join(CAPSTONE_HIDDEN_STAGES)}")
    fns = {"init_params": init_params, "forward": forward, "backward": backward, "update": update, "train": train}
    number = capstone.STAGES.index(stage) + 1
    head = f"{PREFIX}capstone stage {number} ({stage}): "
    for label, (sizes, n) in CAPSTONE_NETWORKS.items():
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                diagnosis, problem = _capstone_stage(stage, fns, sizes, n)
        except Exception as error:  # noqa: BLE001 - the student's code may raise anything; we report it
            diagnosis, problem = capstone.RAISED, f"it raised {type(error).__name__}"
        if diagnosis:
            result = CheckResult(f"capstone.{stage}", False, diagnosis,
                                 f"{head}Not yet: right on the graded network, but not for {label}: {problem}.")
            break
    else:
        result = CheckResult(f"capstone.{stage}", True, "correct",
                             f"{head}Correct on {len(CAPSTONE_NETWORKS)} other networks.")
    if not quiet:
        print(result.message)
    return result
