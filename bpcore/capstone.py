r"""The capstone of chapter 16: grade an L-layer MLP written from scratch, in four stages.

The student writes five functions for a network with sigmoid units everywhere and the mean binary
cross-entropy loss (``params`` is a list with one dict ``{"W": (n_in, n_out), "b": (n_out,)}`` per layer):

* ``init_params(sizes, seed) -> params``
* ``forward(params, X) -> [X, a1, ..., aL]``, ``X: (n, n_0)``, ``a_l: (n, n_l)``
* ``backward(params, activations, Y) -> grads``, ``Y: (n, n_L)``, same structure and shapes as ``params``
* ``update(params, grads, lr) -> None``, one gradient-descent step, in place
* ``train(X, Y, sizes, lr, epochs, seed) -> params``

:func:`grade` runs the stages in order and returns a :class:`CapstoneResult` (per stage: passed or not,
a short machine-readable ``diagnosis`` and a ``message`` for the student); a stage runs only when all
earlier stages passed. :func:`check_capstone` prints the result (the notebook's self-check).

1. **shapes** -- of the parameters, the activations and the gradients;
2. **forward** -- outputs against :class:`bpcore.Network` with the same weights;
3. **gradients** -- against central finite differences and against :meth:`bpcore.Network.gradients`
   (relative error below ``1e-7``);
4. **training** -- one update step, then ``train`` on 200 moons must classify at least 95 % of them
   after ``TRAIN_EPOCHS`` full-batch steps at ``TRAIN_LR`` (the budget).

Messages name the *kind* of mistake (a missing transpose, a missing :math:`\sigma'`, a bias gradient not
summed over the samples, an update never applied, a gradient not averaged over the batch, ...) and never
print a correct value. To recognise a mistake, the grader compares the student's numbers with the
same computation done wrong on purpose (:func:`_forward_variant`, :func:`_backward_variant`).
"""
from __future__ import annotations

import copy
import re
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from . import datasets
from .activations import sigmoid
from .gradcheck import TOL, numerical_gradients, relative_error
from .network import Network

Array = np.ndarray
Params = list[dict[str, Array]]

#: the network of stages 1-3: every layer has n_in != n_out, so a transposed array cannot hide
SIZES = (2, 5, 3, 1)
N_SAMPLES = 7
#: the training budget of stage 4
TRAIN_SIZES, TRAIN_LR, TRAIN_EPOCHS, TARGET_ACCURACY = (2, 16, 1), 5.0, 1000, 0.95
#: stage 3 holds the gradients to the book's one gradient-check rule (bpcore.gradcheck.TOL)
GRADIENT_RTOL = TOL
STAGES = ("shapes", "forward", "gradients", "training")
PASSED, FAILED, NOT_RUN = "passed", "failed", "not run"

# diagnoses (``StageResult.diagnosis``)
NOT_IMPLEMENTED = "not implemented"
RAISED = "raised an exception"
BAD_STRUCTURE = "wrong structure"
WRONG_SHAPE = "wrong shape"
MISSING_TRANSPOSE = "missing transpose"
BIAS_NOT_SUMMED = "bias gradient not summed"
ZERO_INIT = "all-zero initialisation"
NOT_DETERMINISTIC = "init ignores the seed"
NOT_FINITE = "nan or inf"
OUTPUT_SIGMOID_MISSING = "output sigmoid missing"
HIDDEN_SIGMOID_MISSING = "hidden sigmoid missing"
BIAS_NOT_ADDED = "bias not added"
WRONG_OUTPUT = "wrong forward output"
SIGMA_PRIME_MISSING = "σ′ missing"
EXTRA_OUTPUT_SIGMA_PRIME = "extra σ′ at the output"
NOT_AVERAGED = "gradient not averaged over the batch"
AVERAGED_TWICE = "gradient averaged twice"
SIGN_FLIPPED = "sign flipped"
WRONG_GRADIENT = "wrong gradient"
UPDATE_NOT_APPLIED = "update never applied"
UPDATE_UPHILL = "update goes uphill"
UPDATE_WRONG = "wrong update"
LOW_ACCURACY = "accuracy too low"


@dataclass(frozen=True)
class StageResult:
    """One stage: ``number`` (1-4), ``name``, ``status`` (passed / failed / not run), ``diagnosis``, ``message``."""

    number: int
    name: str
    status: str
    diagnosis: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def __str__(self) -> str:
        return f"Stage {self.number} ({self.name}): {self.message}"


@dataclass(frozen=True)
class CapstoneResult:
    """The four stages in order; ``passed`` only when every stage passed. ``str()`` is the printed report."""

    stages: tuple[StageResult, ...]

    @property
    def passed(self) -> bool:
        return all(stage.passed for stage in self.stages)

    def __bool__(self) -> bool:
        return self.passed

    def stage(self, name: str) -> StageResult:
        """The stage called ``name`` (one of :data:`STAGES`)."""
        return next(s for s in self.stages if s.name == name)

    @property
    def first_failure(self) -> StageResult | None:
        return next((s for s in self.stages if s.status == FAILED), None)

    def verdict(self, name: str) -> str:
        """One line on stage ``name`` for an autograder's failure message: passed, failed with its diagnosis,
        or not run because an earlier stage failed. Like every message here, it never holds a value."""
        stage, first = self.stage(name), self.first_failure
        head = f"capstone stage {stage.number} ({stage.name})"
        if stage.status == NOT_RUN and first is not None:
            return f"{head} not run: stage {first.number} ({first.name}) failed first, {first.diagnosis}"
        return f"{head} {stage.status}" + (f": {stage.diagnosis}" if stage.status == FAILED else "")

    def to_dict(self) -> dict[str, Any]:
        """Plain data for other tools (an autograder): ``{"passed": bool, "stages": [{...}, ...]}``."""
        return {"passed": self.passed, "stages": [vars(s).copy() for s in self.stages]}

    def __str__(self) -> str:
        lines = [str(s) for s in self.stages]
        return "\n".join(lines + (["Correct."] if self.passed else []))

    __repr__ = __str__

    def _ipython_display_(self) -> None:
        """Show nothing: :func:`check_capstone` has printed the report already."""


class _Fail(Exception):
    """A stage found a mistake: ``diagnosis`` and the message for the student."""

    def __init__(self, diagnosis: str, message: str):
        super().__init__(message)
        self.diagnosis, self.message = diagnosis, message


# ----------------------------------------------------------------------------------------------
# Calling the student's code
# ----------------------------------------------------------------------------------------------
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def _call(name: str, fn: Callable, *arguments: Any, private: bool = True) -> Any:
    """``fn(*arguments)`` on copies of the arguments (unless ``private=False``); a raised error becomes a
    :class:`_Fail` naming it (a mismatched matrix product is reported as a missing transpose)."""
    if not callable(fn):
        raise _Fail(BAD_STRUCTURE, f"{name} is not a function (got {type(fn).__name__})")
    arguments = copy.deepcopy(arguments) if private else arguments
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return fn(*arguments)
    except NotImplementedError:
        raise _Fail(NOT_IMPLEMENTED, f"{name} still raises NotImplementedError: write it first") from None
    except Exception as error:  # noqa: BLE001 - the student's code may raise anything; we report it
        text = _ADDRESS.sub("0x...", (str(error).strip().splitlines() or [""])[0])[:90]
        if isinstance(error, ValueError) and ("matmul" in text or "shapes" in text or "align" in text):
            raise _Fail(MISSING_TRANSPOSE, f"{name} raised {type(error).__name__} in a matrix product ({text}): a "
                        "transpose is probably missing. For Z = A W: dA = dZ Wᵀ and dW = Aᵀ dZ") from None
        raise _Fail(RAISED, f"{name} raised {type(error).__name__}: {text}") from None


def _numbers(value: Any, what: str) -> Array:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise _Fail(BAD_STRUCTURE, f"{what} is not an array of numbers (got {type(value).__name__})") from None
    if not np.all(np.isfinite(array)):
        raise _Fail(NOT_FINITE, f"{what} contains NaN or inf")
    return array


def _as_params(value: Any, sizes: Sequence[int], what: str) -> Params:
    """Check the structure ``[{"W": ..., "b": ...}, ...]`` with the shapes of ``sizes``; return float arrays."""
    n_layers = len(sizes) - 1
    if not isinstance(value, (list, tuple)) or len(value) != n_layers or not all(
            isinstance(d, dict) and {"W", "b"} <= set(d) for d in value):
        raise _Fail(BAD_STRUCTURE, f"{what} should be a list of {n_layers} dicts {{'W': ..., 'b': ...}}, one per "
                    f"layer, got {type(value).__name__}" + (f" of length {len(value)}" if hasattr(value, "__len__")
                                                            else ""))
    out = []
    for l, (d, n_in, n_out) in enumerate(zip(value, sizes[:-1], sizes[1:]), start=1):
        W, b = _numbers(d["W"], f"W of layer {l} in {what}"), _numbers(d["b"], f"b of layer {l} in {what}")
        if W.shape == (n_out, n_in):
            raise _Fail(MISSING_TRANSPOSE, f"W of layer {l} in {what} has shape {W.shape}, W has shape "
                        f"{(n_in, n_out)} (n_in, n_out): it is transposed. For Z = A W, dW = Aᵀ dZ")
        if W.shape != (n_in, n_out):
            raise _Fail(WRONG_SHAPE, f"W of layer {l} in {what} has shape {W.shape}, expected (n_in, n_out) = "
                        f"{(n_in, n_out)}")
        if b.shape == (N_SAMPLES, n_out) and what == "the gradients":
            raise _Fail(BIAS_NOT_SUMMED, f"b of layer {l} in {what} has shape {b.shape}, one row per sample: the "
                        "bias is shared by all samples, so its gradient is summed over the rows")
        if b.shape != (n_out,):
            raise _Fail(WRONG_SHAPE, f"b of layer {l} in {what} has shape {b.shape}, expected (n_out,) = {(n_out,)}")
        out.append({"W": W, "b": b})
    return out


# ----------------------------------------------------------------------------------------------
# The computations the grader compares with, right and deliberately wrong
# ----------------------------------------------------------------------------------------------
def _forward_variant(params: Params, X: Array, hidden: bool = True, output: bool = True,
                     bias: bool = True) -> list[Array]:
    """The forward pass, optionally without the hidden sigmoids, the output sigmoid or the biases."""
    activations = [X]
    for l, layer in enumerate(params):
        z = activations[-1] @ layer["W"] + (layer["b"] if bias else 0.0)
        squash = output if l == len(params) - 1 else hidden
        activations.append(sigmoid(z) if squash else z)
    return activations


def _backward_variant(params: Params, activations: Sequence[Array], Y: Array, sigma_prime: bool = True,
                      output_sigma_prime: bool = False, average: bool = True) -> Params:
    """Backpropagation of the mean BCE, optionally without the hidden σ′, with an extra σ′ at the output, or
    without the 1/n."""
    a_out = activations[-1]
    delta = (a_out - Y) / (len(Y) if average else 1.0)
    if output_sigma_prime:
        delta = delta * a_out * (1.0 - a_out)
    grads: Params = [{} for _ in params]
    for l in range(len(params) - 1, -1, -1):
        a_prev = activations[l]
        grads[l] = {"W": a_prev.T @ delta, "b": delta.sum(axis=0)}
        if l:
            delta = delta @ params[l]["W"].T * (a_prev * (1.0 - a_prev) if sigma_prime else 1.0)
    return grads


def _flat(grads: Params) -> Array:
    return np.concatenate([np.ravel(g[k]) for g in grads for k in ("W", "b")])


def _same(a: Params, b: Params, rtol: float = GRADIENT_RTOL) -> bool:
    return relative_error(_flat(a), _flat(b), floor=1e-12) < rtol


def _scaled(grads: Params, factor: float) -> Params:
    return [{k: factor * v for k, v in g.items()} for g in grads]


def problem(seed: int = 1) -> tuple[Network, Params, Array, Array]:
    """A fixed sigmoid network of :data:`SIZES`, its weights as params, inputs ``X (7, 2)``, targets ``Y (7, 1)``."""
    net = Network(list(SIZES), hidden="sigmoid", output="sigmoid", seed=seed)
    rng = np.random.default_rng(seed)
    weights = net.get_weights()
    for b in weights[1::2]:
        b[...] = rng.normal(0.0, 0.5, size=b.shape)      # nonzero biases: a bias left out must show
    net.set_weights(weights)
    params = [{"W": weights[2 * l], "b": weights[2 * l + 1]} for l in range(len(SIZES) - 1)]
    X = rng.normal(size=(N_SAMPLES, SIZES[0]))
    Y = rng.integers(0, 2, size=(N_SAMPLES, SIZES[-1])).astype(float)
    return net, params, X, Y


# ----------------------------------------------------------------------------------------------
# The stages
# ----------------------------------------------------------------------------------------------
def _stage_shapes(fns: dict[str, Callable]) -> str:
    sizes = list(SIZES)
    params = _as_params(_call("init_params", fns["init_params"], sizes, 0), SIZES, "init_params(sizes, seed)")
    if all(not np.any(layer["W"]) for layer in params):
        raise _Fail(ZERO_INIT, "every weight is zero: all hidden units would compute the same thing and get the "
                    "same gradient forever (symmetry); draw the weights at random")
    again = _as_params(_call("init_params", fns["init_params"], sizes, 0), SIZES, "init_params(sizes, seed)")
    if not _same_arrays(params, again):
        raise _Fail(NOT_DETERMINISTIC, "init_params gives different weights for the same seed: draw them from "
                    "np.random.default_rng(seed)")
    _, _, X, Y = problem()
    activations = _call("forward", fns["forward"], params, X)
    if not isinstance(activations, (list, tuple)) or len(activations) != len(SIZES):
        raise _Fail(BAD_STRUCTURE, f"forward should return the list [X, a1, ..., aL] of {len(SIZES)} arrays for a "
                    f"network of sizes {sizes}, got {type(activations).__name__}"
                    + (f" of length {len(activations)}" if hasattr(activations, "__len__") else ""))
    for l, (a, n_l) in enumerate(zip(activations, SIZES)):
        if _numbers(a, f"activation {l}").shape != (N_SAMPLES, n_l):
            raise _Fail(WRONG_SHAPE, f"activation {l} has shape {np.shape(a)}, expected (n, n_{l}) = {(N_SAMPLES, n_l)}")
    grads = _call("backward", fns["backward"], params, list(activations), Y)
    _as_params(grads, SIZES, "the gradients")
    return "passed."


def _same_arrays(a: Params, b: Params) -> bool:
    return all(np.array_equal(x[k], y[k]) for x, y in zip(a, b) for k in ("W", "b"))


def _stage_forward(fns: dict[str, Callable]) -> str:
    net, params, X, _ = problem()
    mine = [_numbers(a, f"activation {l}") for l, a in enumerate(_call("forward", fns["forward"], params, X))]
    expected = net.forward(X)
    if np.allclose(mine[-1], expected, rtol=1e-10, atol=1e-12):
        return "passed: the outputs agree with bpcore.Network's."
    variants = ((OUTPUT_SIGMOID_MISSING, dict(output=False),
                 "the output layer's sigmoid is missing: a_L must be a probability, σ(z_L)"),
                (HIDDEN_SIGMOID_MISSING, dict(hidden=False),
                 "the hidden layers' sigmoid is missing: without it the network is linear"),
                (BIAS_NOT_ADDED, dict(bias=False), "the bias is not added: z = a W + b"))
    for diagnosis, options, message in variants:
        if np.allclose(mine[-1], _forward_variant(params, X, **options)[-1], rtol=1e-10, atol=1e-12):
            raise _Fail(diagnosis, message)
    right = _forward_variant(params, X)
    first = next(l for l in range(1, len(right)) if not np.allclose(mine[l], right[l], rtol=1e-10, atol=1e-12))
    raise _Fail(WRONG_OUTPUT, f"the outputs differ from bpcore.Network's with the same weights; the first "
                f"activation that differs is a_{first}: check z = a W + b and a = σ(z) for layer {first}")


def _stage_gradients(fns: dict[str, Callable]) -> str:
    net, params, X, Y = problem()
    activations = _forward_variant(params, X)
    mine = _as_params(_call("backward", fns["backward"], params, activations, Y), SIZES, "the gradients")
    reference = [{"W": g["W"], "b": g["b"]} for g in net.gradients(X, Y, loss="bce")]
    numeric = numerical_gradients(net, X, Y, loss="bce")
    error_fd = relative_error(_flat(mine), _flat(numeric), floor=1e-12)
    if _same(mine, reference) and error_fd < GRADIENT_RTOL:
        return ("passed: within a relative error of 1e-7 of central differences and of "
                "bpcore.Network's gradients.")
    n = len(Y)
    variants = (
        (SIGMA_PRIME_MISSING, _backward_variant(params, activations, Y, sigma_prime=False),
         "σ′ is missing: passing δ back through a hidden layer multiplies it by σ′(z) = a(1 − a)"),
        (EXTRA_OUTPUT_SIGMA_PRIME, _backward_variant(params, activations, Y, output_sigma_prime=True),
         "the output layer's δ has an extra factor σ′(z): with cross-entropy it cancels, δ_L = (a_L − y)/n"),
        (NOT_AVERAGED, _scaled(reference, n),
         f"the gradients are n = {n} times too large: they are not averaged over the batch (the loss is a mean "
         "over the n samples, so δ_L carries 1/n)"),
        (AVERAGED_TWICE, _scaled(reference, 1.0 / n),
         f"the gradients are n = {n} times too small: the batch average is taken twice"),
        (SIGN_FLIPPED, _scaled(reference, -1.0), "the sign is flipped: these are the gradients of −L"),
    )
    for diagnosis, wrong, message in variants:
        if _same(mine, wrong):
            raise _Fail(diagnosis, message)
    for l in range(len(mine) - 1, -1, -1):   # the first wrong array, from the output back
        for name in ("W", "b"):
            if relative_error(mine[l][name], reference[l][name], floor=1e-12) >= GRADIENT_RTOL:
                b_hint = (": b's gradient is the sum of δ over the rows, not their mean"
                          if name == "b" and np.allclose(mine[l]["b"] * n, reference[l]["b"], rtol=1e-7) else
                          "")
                raise _Fail(WRONG_GRADIENT, f"relative error {error_fd:.0e} against central differences; the first "
                            f"wrong array, from the output back, is d{name} of layer {l + 1}{b_hint}")
    raise _Fail(WRONG_GRADIENT, f"relative error {error_fd:.0e} against central differences")  # pragma: no cover


def _stage_training(fns: dict[str, Callable]) -> str:
    rng = np.random.default_rng(2)
    params = [{"W": rng.normal(size=(a, b)), "b": rng.normal(size=b)} for a, b in zip(SIZES[:-1], SIZES[1:])]
    grads = [{"W": rng.normal(size=(a, b)), "b": rng.normal(size=b)} for a, b in zip(SIZES[:-1], SIZES[1:])]
    before, lr = copy.deepcopy(params), 0.1
    _call("update", fns["update"], params, copy.deepcopy(grads), lr, private=False)
    after = _as_params(params, SIZES, "params after update")
    if _same_arrays(after, before):
        raise _Fail(UPDATE_NOT_APPLIED, "params are unchanged after update(params, grads, lr): the update is never "
                    "applied. `W = W - lr * dW` only rebinds a local name; change the arrays in place "
                    "(`-=`) or store the new arrays in the dicts")
    if _same(after, [{k: p[k] + lr * g[k] for k in p} for p, g in zip(before, grads)], 1e-12):
        raise _Fail(UPDATE_UPHILL, "the step goes uphill: gradient descent subtracts lr times the gradient")
    if not _same(after, [{k: p[k] - lr * g[k] for k in p} for p, g in zip(before, grads)], 1e-12):
        raise _Fail(UPDATE_WRONG, "after update the parameters are not params − lr · grads")
    X, y = datasets.moons(200, noise=0.2, seed=0)
    Y = y[:, None].astype(float)
    trained = _as_params(_call("train", fns["train"], X, Y, list(TRAIN_SIZES), TRAIN_LR, TRAIN_EPOCHS, 0),
                         TRAIN_SIZES, "the result of train")
    net = Network(list(TRAIN_SIZES), hidden="sigmoid", output="sigmoid")
    net.set_weights([layer[k] for layer in trained for k in ("W", "b")])
    accuracy = float(np.mean(net.predict(X) == y))
    budget = f"{TRAIN_EPOCHS} epochs at learning rate {TRAIN_LR:g}"
    if accuracy < TARGET_ACCURACY:
        initial = _as_params(_call("init_params", fns["init_params"], list(TRAIN_SIZES), 0), TRAIN_SIZES,
                             "init_params(sizes, seed)")
        if _same_arrays(trained, initial):
            raise _Fail(UPDATE_NOT_APPLIED, "train returns the initial parameters unchanged: the updates are never "
                        "applied to the params it returns")
        raise _Fail(LOW_ACCURACY, f"after {budget} the network classifies {accuracy:.1%} of the moons correctly; "
                    f"at least {TARGET_ACCURACY:.0%} is needed. Is the loss going down every epoch?")
    return f"passed: {accuracy:.1%} of the moons after {budget}."


_STAGE_FUNCTIONS = (_stage_shapes, _stage_forward, _stage_gradients, _stage_training)
FUNCTIONS = ("init_params", "forward", "backward", "update", "train")


def grade(init_params: Callable, forward: Callable, backward: Callable, update: Callable,
          train: Callable) -> CapstoneResult:
    """Run the four stages on the student's functions; a stage runs only if every earlier one passed."""
    fns = dict(init_params=init_params, forward=forward, backward=backward, update=update, train=train)
    results: list[StageResult] = []
    for number, (name, run) in enumerate(zip(STAGES, _STAGE_FUNCTIONS), start=1):
        if results and not results[-1].passed:
            results.append(StageResult(number, name, NOT_RUN, "", f"not run yet: stage {number - 1} must pass first."))
            continue
        try:
            results.append(StageResult(number, name, PASSED, PASSED, run(fns)))
        except _Fail as failure:
            text = failure.message if failure.message.endswith((".", "?", "!")) else failure.message + "."
            results.append(StageResult(number, name, FAILED, failure.diagnosis, f"not yet: {text}"))
    return CapstoneResult(tuple(results))


def check_capstone(init_params: Callable, forward: Callable, backward: Callable, update: Callable,
                   train: Callable, *, quiet: bool = False) -> CapstoneResult:
    """:func:`grade`, with the report printed (unless ``quiet``): one line per stage, ``Correct.`` if all passed."""
    result = grade(init_params, forward, backward, update, train)
    if not quiet:
        print(result)
    return result
