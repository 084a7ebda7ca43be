r"""Appendix: a gallery of the classic backpropagation mistakes, each run next to the correct code.

Every entry trains the same small problem twice -- once correctly with bpcore, once with one
mistake -- and records what a reader would watch: the printed loss or the printed accuracy per step.
The mistaken gradient functions are **deliberately wrong** (the wrong line is marked ``# MISTAKE``);
they reuse chapter 6's backward recursion (:func:`bpcore.lessons.ch06.backward_from_output_delta`)
and its wrong output error signals (:func:`~bpcore.lessons.ch06.wrong_delta_no_sigma_prime`,
:func:`~bpcore.lessons.ch06.wrong_delta_flipped_sign`).

A run is plain gradient descent (:func:`descend`) that keeps the network's outputs after every step;
the printed loss or accuracy is computed from them afterwards (:func:`printed_mse`, ...). One forward
pass per step serves both the gradient and the printed numbers. The correct runs do not depend on the
mistake, so :func:`references` computes them once; an exhibit's own run is the run with its mistake.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from bpcore import datasets
from bpcore.lessons.ch06 import backward_from_output_delta, wrong_delta_flipped_sign, wrong_delta_no_sigma_prime
from bpcore.losses import get_loss
from bpcore.network import LayerTrace, Network, Trace
from bpcore.optimizers import SGD

Array = np.ndarray
Gradients = list[dict[str, Array]]
#: ``(net, layers, Y) -> gradients`` from the forward values ``layers`` of the current step
StepGradients = Callable[[Network, list[LayerTrace], Array], Gradients]
STEPS, LR = 100, 6.0


def problem(sizes: tuple[int, ...] = (2, 8, 1), init: str | None = None, init_scale: float | None = None,
            seed: int = 0) -> tuple[Network, Array, Array]:
    """The gallery's problem: 100 noisy moons, a small sigmoid network, targets ``Y (100, 1)``."""
    X, y = datasets.moons(100, noise=0.2, seed=seed)
    net = Network(list(sizes), hidden="sigmoid", output="sigmoid", init=init, init_scale=init_scale, seed=seed)
    return net, X, y[:, None].astype(float)


# --------------------------------------------------------------------------------------------
# Gradients for one step, from the step's forward pass (``layers = net.forward_pass(X, train=True)``)
# --------------------------------------------------------------------------------------------
def correct_gradients(loss: str) -> StepGradients:
    """bpcore's own backward pass for ``loss`` ("mse" or "bce")."""
    loss_fn = get_loss(loss)

    def gradients(net: Network, layers: list[LayerTrace], Y: Array) -> Gradients:
        net.backward_pass(layers, Y, loss_fn, 0.0)
        return [t.gradients() for t in layers]
    return gradients


def _forward_pass(layers: list[LayerTrace], Y: Array) -> Trace:
    """The step's forward values as a :class:`~bpcore.network.Trace` (what chapter 6's functions read)."""
    return Trace(layers=layers, loss=float("nan"), output=layers[-1].a, targets=Y)


def no_sigma_prime(net: Network, layers: list[LayerTrace], Y: Array) -> Gradients:
    r"""DELIBERATELY WRONG MSE gradients: :math:`\delta^L = \frac1n(a-y)`, the :math:`\sigma'` missing
    (chapter 6's :func:`~bpcore.lessons.ch06.mistake_no_sigma_prime`, from this step's forward pass)."""
    forward = _forward_pass(layers, Y)
    return backward_from_output_delta(net, forward, wrong_delta_no_sigma_prime(forward))


def flipped_sign(net: Network, layers: list[LayerTrace], Y: Array) -> Gradients:
    r"""DELIBERATELY WRONG MSE gradients: :math:`y - a` instead of :math:`a - y` (chapter 6's
    :func:`~bpcore.lessons.ch06.mistake_flipped_sign`, from this step's forward pass)."""
    forward = _forward_pass(layers, Y)
    return backward_from_output_delta(net, forward, wrong_delta_flipped_sign(forward))


def wrong_layer_activations(net: Network, layers: list[LayerTrace], Y: Array) -> Gradients:
    r"""DELIBERATELY WRONG MSE gradients: the first hidden layer's :math:`\delta` uses the *second*
    hidden layer's activations in :math:`\sigma'`. Needs two hidden layers of equal width (same
    shapes, so NumPy cannot complain: the bug is silent)."""
    grads = correct_gradients("mse")(net, layers, Y)
    d2, a2 = layers[1].delta, layers[1].a
    d1 = (d2 @ net.layers[1].W.T) * a2 * (1 - a2)   # MISTAKE: sigma'(z^1) is a1 * (1 - a1), not a2 * (1 - a2)
    grads[0] = {"W": layers[0].a_in.T @ d1, "b": d1.sum(axis=0)}
    return grads


def signed_labels(net: Network, layers: list[LayerTrace], Y: Array) -> Gradients:
    r"""DELIBERATELY WRONG: labels :math:`-1/+1` pushed through the sigmoid + cross-entropy shortcut
    :math:`\delta^L = (a - y)/n`."""
    a = layers[-1].a
    return backward_from_output_delta(net, _forward_pass(layers, Y), (a - signed(Y)) / len(a))


def signed(Y: Array) -> Array:
    """Labels 0/1 turned into -1/+1."""
    return 2 * Y - 1                                 # MISTAKE: labels -1/+1 for a sigmoid in (0, 1)


def mistake_wrong_layer_activations(net: Network, X: Array, Y: Array) -> Gradients:
    """:func:`wrong_layer_activations` as a gradient function ``(net, X, Y) -> gradients`` (for
    :func:`bpcore.gradient_check`)."""
    tr = net.trace(X, Y, loss="mse")
    return wrong_layer_activations(net, tr.layers, tr.targets)


# --------------------------------------------------------------------------------------------
# Runs: the outputs after every step; what is printed is computed from them
# --------------------------------------------------------------------------------------------
def descend(net: Network, X: Array, Y: Array, gradients: StepGradients, steps: int = STEPS,
            lr: float = LR) -> Array:
    """``steps`` plain gradient-descent steps on ``net`` (in place) along ``gradients``.

    Returns the network's output for every sample before the first step and after each step,
    ``(steps + 1, n_samples)`` (one output unit). Each step's forward pass gives both that row and
    the gradient."""
    opt, params = SGD(lr), net.parameters()
    outputs = np.empty((steps + 1, len(X)))
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for k in range(steps + 1):
            layers = net.forward_pass(X, train=True)
            outputs[k] = layers[-1].a[:, 0]
            if k < steps:
                opt.step(params, [g for layer in gradients(net, layers, Y) for g in (layer["W"], layer["b"])])
    return outputs


def never_applied(net: Network, X: Array, Y: Array, steps: int = STEPS, lr: float = LR) -> Array:
    """DELIBERATELY WRONG loop: the updates are accumulated into a buffer that is never applied.
    Returns the outputs like :func:`descend`."""
    mse = get_loss("mse")
    pending = [np.zeros_like(p) for p in net.parameters()]
    outputs = np.empty((steps + 1, len(X)))
    for k in range(steps + 1):
        layers = net.forward_pass(X, train=True)
        outputs[k] = layers[-1].a[:, 0]
        if k < steps:
            net.backward_pass(layers, Y, mse, 0.0)
            for buf, g in zip(pending, [g for t in layers for g in (t.dW, t.db)]):
                buf += -lr * g                       # MISTAKE: accumulated, then forgotten: no p += buf
    return outputs


def printed_mse(outputs: Array, Y: Array) -> Array:
    r"""The MSE :math:`\frac1n\sum_i\tfrac12(y_i - a_i)^2` of every row of ``outputs (steps + 1, n)``."""
    return 0.5 * np.mean((Y[:, 0] - outputs) ** 2, axis=1)


def printed_cross_entropy(outputs: Array, Y: Array) -> Array:
    r"""The binary cross-entropy formula :math:`-\frac1n\sum_i[y_i\log a_i + (1-y_i)\log(1-a_i)]` of every
    row of ``outputs``. With labels :math:`y = -1` (what a reader who bypasses bpcore's label check would
    print) the term :math:`(1-y)\log(1-a) = 2\log(1-a)` and :math:`y\log a = -\log a` make it unbounded
    below; an output rounded to exactly 0 or 1 prints NaN."""
    y = Y[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.mean(y * np.log(outputs) + (1 - y) * np.log(1 - outputs), axis=1)


def threshold_accuracy(outputs: Array, Y: Array) -> Array:
    """The right accuracy for one sigmoid output, per row of ``outputs``: threshold at 0.5, compare
    with the label."""
    return np.mean((outputs >= 0.5) == (Y[:, 0] >= 0.5), axis=1)


def tolerance_accuracy(outputs: Array, Y: Array, tol: float = 0.01) -> Array:
    """DELIBERATELY WRONG accuracy, per row of ``outputs``: a prediction counts as right only when
    ``|a - y| < tol``."""
    return np.mean(np.abs(outputs - Y[:, 0]) < tol, axis=1)   # MISTAKE: a confident 0.98 for label 1 counts as wrong


# --------------------------------------------------------------------------------------------
# The gallery
# --------------------------------------------------------------------------------------------
@functools.cache
def references() -> dict[str, tuple[Array, Array]]:
    """The correct runs, ``{name: (outputs, Y)}``, computed once per session (read-only): MSE
    training of the 2-8-1 and the 2-8-8-1 network, cross-entropy training of the 2-8-1 network."""
    runs = {"mse": problem(), "mse, two hidden layers": problem((2, 8, 8, 1)), "bce": problem()}
    out = {}
    for name, (net, X, Y) in runs.items():
        outputs = descend(net, X, Y, correct_gradients(name[:3]))
        outputs.flags.writeable = False
        out[name] = (outputs, Y)
    return out


def _run(gradients: StepGradients, sizes: tuple[int, ...] = (2, 8, 1), init: str | None = None,
         init_scale: float | None = None) -> tuple[Array, Array]:
    net, X, Y = problem(sizes, init, init_scale)
    return descend(net, X, Y, gradients), Y


@dataclass
class Exhibit:
    """One mistake of the gallery: the correct run it is compared with (a key of :func:`references`),
    what is printed, the run with the mistake, and the symptom."""

    name: str
    symptom: str
    y_title: str
    reference: str
    printed: Callable[[Array, Array], Array]                # (outputs, Y) -> printed value per step
    run: Callable[[tuple[Array, Array]], Array]             # correct (outputs, Y) -> curve with the mistake


GALLERY: dict[str, Exhibit] = {e.name: e for e in [
    Exhibit("σ' missing from the MSE output gradient",
            "none you can see: the loss falls just as well (it follows the cross-entropy's gradient); only a "
            "gradient check against the printed loss exposes it", "printed MSE loss", "mse", printed_mse,
            lambda ref: printed_mse(*_run(no_sigma_prime))),
    Exhibit("sign flipped (y − a instead of a − y)",
            "the loss climbs instead of falling", "printed MSE loss", "mse", printed_mse,
            lambda ref: printed_mse(*_run(flipped_sign))),
    Exhibit("uniform ±10 initialisation",
            "every sigmoid saturates: σ' ≈ 0 and the loss stays flat", "printed MSE loss",
            "mse, two hidden layers", printed_mse,
            lambda ref: printed_mse(*_run(correct_gradients("mse"), (2, 8, 8, 1), "uniform", 10.0))),
    Exhibit("hidden δ with the wrong layer's activations",
            "none you can see here: the shapes agree and the loss falls almost exactly as before; only a "
            "gradient check exposes it", "printed MSE loss", "mse, two hidden layers", printed_mse,
            lambda ref: printed_mse(*_run(wrong_layer_activations, (2, 8, 8, 1)))),
    Exhibit("updates computed but never applied",
            "the loss is a flat line: the weights never change", "printed MSE loss", "mse", printed_mse,
            lambda ref: printed_mse(never_applied(*problem()), ref[1])),
    Exhibit("labels −1/+1 with a sigmoid output",
            "the printed 'cross-entropy' goes negative, keeps falling (it has no minimum) and ends as NaN",
            "printed cross-entropy", "bce", printed_cross_entropy,
            lambda ref: printed_cross_entropy(_run(signed_labels)[0], signed(ref[1]))),
    Exhibit("accuracy as |a − y| < 0.01",
            "a well-trained classifier looks useless: confident, correct outputs count as wrong", "accuracy",
            "bce", threshold_accuracy, lambda ref: tolerance_accuracy(*ref)),
]}


def curves(name: str) -> tuple[Array, Array]:
    """The exhibit's ``(correct, with_mistake)`` curves: the correct one from :func:`references`,
    the one with the mistake run now."""
    exhibit = GALLERY[name]
    ref = references()[exhibit.reference]
    return exhibit.printed(*ref), exhibit.run(ref)


@functools.lru_cache(maxsize=None)
def outcome(name: str) -> tuple[Array, Array]:
    """:func:`curves`, computed once per session (read-only), for the tables and self-checks."""
    correct, wrong = curves(name)
    correct.flags.writeable = wrong.flags.writeable = False
    return correct, wrong


def figures_finite(values: Array) -> Array:
    """Rounded to 5 decimals, with NaN/inf as NaN (a gap in the curve) -- small and plottable."""
    from bpcore.figures import finite_or_nan
    return np.round(finite_or_nan(values), 5)


@functools.lru_cache(maxsize=None)
def y_range(y_title: str) -> tuple[float, float]:
    """One y range for every exhibit that plots the quantity ``y_title`` (both curves, finite values, 5 %
    margin): switching between two such exhibits changes only the curves, so the live panel redraws
    them without re-plotting the figure."""
    values = np.concatenate([figures_finite(curve) for name, e in GALLERY.items() if e.y_title == y_title
                             for curve in outcome(name)])
    values = values[np.isfinite(values)]
    lo, hi = float(values.min()), float(values.max())
    pad = 0.05 * (hi - lo or 1.0)
    return lo - pad, hi + pad


def gallery_figure():
    """The gallery's figure: the correct run and the mistaken run of the first exhibit. Computes the
    correct runs (:func:`references`) once, so that a change of exhibit runs only its mistake."""
    import plotly.graph_objects as go

    from bpcore.figures import SERIES_COLOURS, style
    first = next(iter(GALLERY.values()))
    correct, wrong = curves(first.name)
    steps = np.arange(len(correct))
    fig = go.Figure([go.Scatter(x=steps, y=figures_finite(correct), name="correct",
                                line=dict(color=SERIES_COLOURS[0], width=3)),
                     go.Scatter(x=steps, y=figures_finite(wrong), name="with the mistake",
                                line=dict(color=SERIES_COLOURS[1], width=3, dash="dash"))])
    style(fig, "The correct run against the run with the mistake")
    fig.update_layout(xaxis_title="gradient-descent step", xaxis_range=[0, len(correct) - 1],
                      yaxis_title=first.y_title, yaxis_range=list(y_range(first.y_title)), height=420)
    return fig


def gallery_update(mistake: str) -> dict:
    """What changes in :func:`gallery_figure` when the reader picks another exhibit: its mistake is
    run again (about 100 forward and backward passes of a small network), the correct run is reused.
    The exhibit's name goes in the status line; the y axis changes only with the quantity plotted."""
    exhibit = GALLERY[mistake]
    correct, wrong = curves(mistake)
    return dict(traces=[{"y": figures_finite(correct)}, {"y": figures_finite(wrong)}],
                layout={"yaxis.title.text": exhibit.y_title, "yaxis.range": list(y_range(exhibit.y_title))},
                status=f"{exhibit.name} · symptom: {exhibit.symptom}")


# --------------------------------------------------------------------------------------------
# The cost of one gradient: multiply-adds of the forward and the backward pass, counted
# --------------------------------------------------------------------------------------------
class _CountingArray(np.ndarray):
    """An array that adds the multiply-adds of every matrix product it takes part in to ``counter``."""
    counter: list[int] = []

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: object, **kwargs: object) -> object:
        plain = [np.asarray(x) if isinstance(x, _CountingArray) else x for x in inputs]
        out = kwargs.get("out")
        if isinstance(out, tuple):                  # in-place updates (z += b) write into a plain view
            kwargs["out"] = tuple(np.asarray(x) if isinstance(x, _CountingArray) else x for x in out)
        if ufunc is np.matmul and method == "__call__":
            a, b = (np.asarray(x) for x in plain[:2])
            _CountingArray.counter.append(a.size * b.shape[-1])      # (n, k) @ (k, m): n·k·m multiply-adds
        result = getattr(ufunc, method)(*plain, **kwargs)
        if isinstance(out, tuple) and len(out) == 1:
            return out[0]
        return result.view(_CountingArray) if isinstance(result, np.ndarray) else result


@dataclass(frozen=True)
class PassCost:
    """Multiply-adds in the matrix products of one forward and one backward pass (batch of ``n``)."""
    sizes: tuple[int, ...]
    n: int
    forward: int
    backward: int


def pass_cost(net: Network, X: Array, Y: Array, loss: str = "bce") -> PassCost:
    """Count the multiply-adds of the matrix products that :meth:`Network.forward_pass` and
    :meth:`Network.backward_pass` perform on ``X: (n, n_in)``, by running them on arrays that count.

    The forward pass does one product per layer, ``a @ W`` (n·n_in·n_out); the backward pass does two per
    layer, ``a_in.T @ delta`` for ``dW`` and ``delta @ W.T`` for the layer below, except that no layer
    below the first exists, so the first layer does one."""
    counting = net.copy()
    for layer in counting.layers:                # every product of either pass has W or a layer's input in it
        layer.W = layer.W.view(_CountingArray)
    X, Y, loss_fn = counting.prepare(X, Y, loss)
    _CountingArray.counter = []
    traces = counting.forward_pass(X, train=True)
    forward = sum(_CountingArray.counter)
    for t in traces:
        t.a_in = t.a_in.view(_CountingArray)
    _CountingArray.counter = []
    counting.backward_pass(traces, Y, loss_fn)
    backward = sum(_CountingArray.counter)
    _CountingArray.counter = []
    return PassCost(sizes=tuple(net.sizes), n=len(X), forward=forward, backward=backward)
