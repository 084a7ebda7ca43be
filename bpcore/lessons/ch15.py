r"""Appendix: a gallery of the classic backpropagation mistakes, each run next to the correct code.

Every entry trains the same small problem twice -- once correctly with bpcore, once with one
mistake -- and records what a reader would watch: the printed loss or the printed accuracy per step.
The mistaken gradient functions are **deliberately wrong** (the wrong line is marked ``# MISTAKE``);
they reuse chapter 6's backward recursion (:func:`bpcore.lessons.ch06.backward_from_output_delta`)
and its plain gradient-descent loop (:func:`bpcore.lessons.ch06.sgd_losses`).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from bpcore import datasets
from bpcore.activations import sigmoid
from bpcore.lessons.ch06 import (backward_from_output_delta, bpcore_gradients, mistake_flipped_sign,
                                 mistake_no_sigma_prime, sgd_losses)
from bpcore.network import Network
from bpcore.optimizers import SGD
from bpcore.training import accuracy_of

Array = np.ndarray
STEPS, LR = 300, 2.0


def problem(sizes: tuple[int, ...] = (2, 8, 1), init: str | None = None, init_scale: float | None = None,
            seed: int = 0) -> tuple[Network, Array, Array]:
    """The gallery's problem: 100 noisy moons, a small sigmoid network, targets ``Y (100, 1)``."""
    X, y = datasets.moons(100, noise=0.2, seed=seed)
    net = Network(list(sizes), hidden="sigmoid", output="sigmoid", init=init, init_scale=init_scale, seed=seed)
    return net, X, y[:, None].astype(float)


def mistake_wrong_layer_activations(net: Network, X: Array, Y: Array) -> list[dict[str, Array]]:
    r"""DELIBERATELY WRONG: the first hidden layer's :math:`\delta` uses the *second* hidden layer's
    activations in :math:`\sigma'`. Needs two hidden layers of equal width (same shapes, so NumPy
    cannot complain: the bug is silent)."""
    tr = net.trace(X, Y, loss="mse")
    grads = backward_from_output_delta(net, tr, tr.layers[-1].delta)
    d2 = tr.layers[1].delta
    a2 = tr.layers[1].a
    d1 = (d2 @ net.layers[1].W.T) * a2 * (1 - a2)   # MISTAKE: sigma'(z^1) is a1 * (1 - a1), not a2 * (1 - a2)
    grads[0] = {"W": tr.layers[0].a_in.T @ d1, "b": d1.sum(axis=0)}
    return grads


def never_applied_losses(net: Network, X: Array, Y: Array, steps: int = STEPS, lr: float = LR) -> Array:
    """DELIBERATELY WRONG loop: the updates are accumulated into a buffer that is never applied."""
    pending = [np.zeros_like(p) for p in net.parameters()]
    losses = [net.loss(X, Y, "mse")]
    for _ in range(steps):
        grads = net.gradients(X, Y, loss="mse")
        for buf, g in zip(pending, [g for layer in grads for g in (layer["W"], layer["b"])]):
            buf += -lr * g                         # MISTAKE: accumulated, then forgotten: no p += buf
        losses.append(net.loss(X, Y, "mse"))
    return np.array(losses)


def bce_with_signed_labels(a: Array, y: Array) -> float:
    r"""The binary cross-entropy formula applied to labels :math:`y \in \{-1, +1\}` (what a reader who
    bypasses bpcore's label check would print). With :math:`y = -1` the term :math:`(1-y)\log(1-a) =
    2\log(1-a)` and :math:`y\log a = -\log a` make the "loss" unbounded below."""
    return float(-np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)))


def signed_label_losses(steps: int = STEPS, lr: float = LR) -> tuple[Array, Array]:
    """Train with labels -1/+1 pushed through the sigmoid + cross-entropy shortcut ``delta = (a - y)/n``.
    Returns the printed "loss" per step and the accuracy of thresholding at 0.5 against the labels."""
    net, X, Y01 = problem()
    Y = 2 * Y01 - 1                                  # MISTAKE: labels -1/+1 for a sigmoid in (0, 1)
    opt, params = SGD(lr), net.parameters()
    losses, accs = [], []
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(steps + 1):
            trace = net.trace(X, Y01, loss="bce")    # the forward values; the wrong delta comes next
            a = trace.output
            losses.append(bce_with_signed_labels(a, Y))
            accs.append(accuracy_of(a, Y01))
            grads = backward_from_output_delta(net, trace, (a - Y) / len(X))
            opt.step(params, [g for layer in grads for g in (layer["W"], layer["b"])])
    return np.array(losses), np.array(accs)


def tolerance_accuracy(a: Array, y: Array, tol: float = 0.01) -> float:
    """DELIBERATELY WRONG accuracy: counts a prediction as right only when ``|a - y| < tol``."""
    return float(np.mean(np.abs(a - y) < tol))      # MISTAKE: a confident 0.98 for label 1 counts as wrong


def threshold_accuracy(a: Array, y: Array) -> float:
    """The right accuracy for one sigmoid output: threshold at 0.5, compare with the label."""
    return accuracy_of(a, y)


def accuracy_curves(steps: int = STEPS, lr: float = LR) -> tuple[Array, Array]:
    """Train correctly; return the thresholded and the tolerance-based accuracy after every step."""
    net, X, Y = problem()
    opt, params = SGD(lr), net.parameters()
    right, wrong = [], []
    for _ in range(steps + 1):
        trace = net.trace(X, Y, loss="bce")          # one pass: the outputs and the gradients
        right.append(threshold_accuracy(trace.output, Y))
        wrong.append(tolerance_accuracy(trace.output, Y))
        grads = trace.gradients
        opt.step(params, [g for layer in grads for g in (layer["W"], layer["b"])])
    return np.array(right), np.array(wrong)


@dataclass
class Exhibit:
    """One mistake of the gallery: what to plot for the correct and the mistaken run, and the symptom."""

    name: str
    symptom: str
    y_title: str
    run: Callable[[], tuple[Array, Array]]


def _losses(gradient_fn, sizes=(2, 8, 1), init=None, init_scale=None) -> Array:
    net, X, Y = problem(sizes, init, init_scale)
    return sgd_losses(net, X, Y, gradient_fn, lr=LR, steps=STEPS, loss="mse")


def _pair(correct: Callable[[], Array], wrong: Callable[[], Array]) -> Callable[[], tuple[Array, Array]]:
    return lambda: (correct(), wrong())


GALLERY: dict[str, Exhibit] = {e.name: e for e in [
    Exhibit("σ' missing from the MSE output gradient",
            "none you can see: the loss falls just as well (it follows the cross-entropy's gradient); only a "
            "gradient check against the printed loss exposes it", "printed MSE loss",
            _pair(lambda: _losses(bpcore_gradients("mse")), lambda: _losses(mistake_no_sigma_prime))),
    Exhibit("sign flipped (y − a instead of a − y)",
            "the loss climbs instead of falling", "printed MSE loss",
            _pair(lambda: _losses(bpcore_gradients("mse")), lambda: _losses(mistake_flipped_sign))),
    Exhibit("uniform ±10 initialisation",
            "every sigmoid saturates: σ' ≈ 0 and the loss stays flat", "printed MSE loss",
            _pair(lambda: _losses(bpcore_gradients("mse"), sizes=(2, 8, 8, 1)),
                  lambda: _losses(bpcore_gradients("mse"), sizes=(2, 8, 8, 1), init="uniform", init_scale=10.0))),
    Exhibit("hidden δ with the wrong layer's activations",
            "none you can see here: the shapes agree and the loss falls almost exactly as before; only a "
            "gradient check exposes it", "printed MSE loss",
            _pair(lambda: _losses(bpcore_gradients("mse"), sizes=(2, 8, 8, 1)),
                  lambda: _losses(mistake_wrong_layer_activations, sizes=(2, 8, 8, 1)))),
    Exhibit("updates computed but never applied",
            "the loss is a flat line: the weights never change", "printed MSE loss",
            _pair(lambda: _losses(bpcore_gradients("mse")), lambda: never_applied_losses(*problem()))),
    Exhibit("labels −1/+1 with a sigmoid output",
            "the printed 'cross-entropy' goes negative, keeps falling (it has no minimum) and ends as NaN",
            "printed loss",
            lambda: (_losses(bpcore_gradients("bce")), signed_label_losses()[0])),
    Exhibit("accuracy as |a − y| < 0.01",
            "a well-trained classifier looks useless: confident, correct outputs count as wrong", "accuracy",
            lambda: accuracy_curves()),
]}


@functools.lru_cache(maxsize=None)
def outcome(name: str) -> tuple[Array, Array]:
    """The exhibit's ``(correct, with_mistake)`` curves, computed once per session (read-only)."""
    correct, wrong = GALLERY[name].run()
    correct.flags.writeable = wrong.flags.writeable = False
    return correct, wrong


def gallery_figure():
    """The gallery's figure: the correct run and the mistaken run of one exhibit."""
    import plotly.graph_objects as go

    from bpcore.figures import SERIES_COLOURS, style
    first = next(iter(GALLERY.values()))
    correct, wrong = outcome(first.name)
    steps = np.arange(len(correct))
    fig = go.Figure([go.Scatter(x=steps, y=correct, name="correct", line=dict(color=SERIES_COLOURS[0], width=3)),
                     go.Scatter(x=steps, y=wrong, name="with the mistake", line=dict(color=SERIES_COLOURS[1], width=3,
                                                                                         dash="dash"))])
    style(fig, f"{first.name}")
    fig.update_layout(xaxis_title="gradient-descent step", yaxis_title=first.y_title, height=420)
    return fig


def figures_finite(values: Array) -> Array:
    """Rounded to 5 decimals, with NaN/inf as NaN (a gap in the curve) -- small and plottable."""
    from bpcore.figures import finite_or_nan
    return np.round(finite_or_nan(values), 5)


def gallery_update(mistake: str) -> dict:
    """What changes in :func:`gallery_figure` when the reader picks another exhibit."""
    exhibit = GALLERY[mistake]
    correct, wrong = outcome(mistake)
    return dict(traces=[{"y": figures_finite(correct)}, {"y": figures_finite(wrong)}],
                layout={"title.text": exhibit.name, "yaxis.title.text": exhibit.y_title},
                status=f"symptom: {exhibit.symptom}")
