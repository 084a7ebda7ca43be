r"""Chapter 7, *Gradient checking*: finite differences for one parameter, their error against
:math:`\epsilon`, and two deliberately broken backward passes. The standard bpcore's own tests hold the
backward pass to lives with the check, in :mod:`bpcore.gradcheck` (``TOL``, ``STENCIL``, ``backprop_gap``).

For one parameter :math:`\theta` of a network and the loss :math:`L(\theta)` (every other parameter
fixed), the three estimates of :math:`L'(\theta)` studied in the chapter are

.. math::
    D_+ = \frac{L(\theta+\epsilon) - L(\theta)}{\epsilon}, \qquad
    D_0 = \frac{L(\theta+\epsilon) - L(\theta-\epsilon)}{2\epsilon}, \qquad
    D_4 = \frac{-L(\theta+2\epsilon) + 8L(\theta+\epsilon) - 8L(\theta-\epsilon) + L(\theta-2\epsilon)}{12\epsilon},

with truncation errors :math:`\tfrac{\epsilon}{2}L''`, :math:`\tfrac{\epsilon^2}{6}L'''` and
:math:`O(\epsilon^4)`, plus a round-off error of about :math:`u\,|L|/\epsilon`
(:math:`u = 2^{-53}`). :math:`D_0` and :math:`D_4` are the formulas of
:func:`bpcore.numerical_gradients` (``order=2`` and ``order=4``) applied to one entry; bpcore has
no forward difference, which is why it lives here.

The ``mistake_...`` functions are **deliberately wrong** backward passes for the chapter's
demonstrations; the wrong line is marked ``# MISTAKE``.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from bpcore.figures import FONT_COLOUR, OKABE_ITO
from bpcore.network import Network

Array = np.ndarray
Gradients = list[dict[str, Array]]

#: unit round-off of float64: the largest relative error of rounding one result
UNIT_ROUNDOFF = 2.0 ** -53
#: the step sizes of the chapter's V plot, 1e-14 ... 1e-1 in quarter decades
EPS_GRID = np.logspace(-14, -1, 53)
METHODS = ("forward", "central", "five-point")


# ----------------------------------------------------------------------------------------------
# Finite differences of a scalar function (the Taylor-series part of the chapter)
# ----------------------------------------------------------------------------------------------
def forward_difference(f: Callable[[float], float], x: float, eps: float) -> float:
    r""":math:`D_+ = (f(x+\epsilon) - f(x))/\epsilon`; error :math:`\tfrac{\epsilon}{2}f''(x) + O(\epsilon^2)`."""
    return (f(x + eps) - f(x)) / eps


def central_difference(f: Callable[[float], float], x: float, eps: float) -> float:
    r""":math:`D_0 = (f(x+\epsilon) - f(x-\epsilon))/2\epsilon`; error :math:`\tfrac{\epsilon^2}{6}f'''(x) + O(\epsilon^4)`."""
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def five_point_difference(f: Callable[[float], float], x: float, eps: float) -> float:
    r""":math:`D_4 = (-f(x+2\epsilon) + 8f(x+\epsilon) - 8f(x-\epsilon) + f(x-2\epsilon))/12\epsilon`; error :math:`O(\epsilon^4)`."""
    return (-f(x + 2 * eps) + 8 * f(x + eps) - 8 * f(x - eps) + f(x - 2 * eps)) / (12 * eps)


DIFFERENCES = {"forward": forward_difference, "central": central_difference, "five-point": five_point_difference}


# ----------------------------------------------------------------------------------------------
# One parameter of a network
# ----------------------------------------------------------------------------------------------
class LossAlong:
    """``L(theta)``: the loss as a function of one parameter; ``theta`` is that parameter's current value."""

    def __init__(self, function: Callable[[float], float], theta: float):
        self.function, self.theta = function, theta

    def __call__(self, theta: float) -> float:
        return self.function(theta)


def loss_along(net: Network, X: Array, Y: Array, loss: str, layer: int, name: str,
               index: tuple[int, ...]) -> LossAlong:
    """The loss as a function of ONE parameter, ``theta -> L`` (``net.layers[layer].<name>[index]``).

    The function sets the entry, evaluates the loss and puts the old value back, so the network
    is unchanged between calls. ``X`` and ``Y`` are checked once, here; each call is then exactly
    ``net.loss(X, Y, loss)`` without the checks (one forward pass, the same float64 arithmetic)."""
    params = dict(zip(net.layers[layer].parameter_names(), net.layers[layer].parameters()))
    if name not in params:
        raise ValueError(f"layer {layer} has parameters {list(params)}, not {name!r}")
    p = params[name]
    index = tuple(index)
    X, Y, loss_fn = net.prepare(X, Y, loss)

    def L(theta: float) -> float:
        old = p[index]
        p[index] = theta
        try:
            return net.objective(net.forward_pass(X, train=False)[-1], Y, loss_fn, 0.0)   # = net.loss(X, Y, loss)
        finally:
            p[index] = old

    return LossAlong(L, float(p[index]))


def relative_errors(g: float, estimates: Array, floor: float = 1e-8) -> Array:
    r""":func:`bpcore.relative_error` of the number ``g`` against each of ``estimates (k,)``, all at once:
    :math:`|g - D| / \max(|g| + |D|, \text{floor})`, shape ``(k,)``.

    For one number the norm is :math:`\sqrt{x^2}`; it is computed that way, as ``np.linalg.norm`` does,
    so every entry equals ``relative_error(g, D)`` to the last bit."""
    g, D = float(g), np.asarray(estimates, dtype=float)
    d = g - D
    return np.sqrt(d * d) / np.maximum(math.sqrt(g * g) + np.sqrt(D * D), floor)


def error_versus_eps(net: Network, X: Array, Y: Array, loss: str, layer: int, name: str,
                     index: tuple[int, ...], eps_values: Array = EPS_GRID) -> dict[str, Array]:
    r"""Relative error :math:`|D - g| / (|D| + |g|)` of each finite difference against backprop's
    :math:`g`, for every ``eps`` in ``eps_values``: ``{"forward": (k,), "central": (k,), "five-point": (k,)}``.

    An error of exactly 0 (a lucky cancellation) is returned as NaN so that a log-scale plot skips it.
    The three differences share their points (:math:`L(\theta\pm\epsilon)`, :math:`L(\theta)`): each
    distinct :math:`\theta` is evaluated once."""
    g = float(net.gradients(X, Y, loss=loss)[layer][name][tuple(index)])
    L = loss_along(net, X, Y, loss, layer, name, index)
    values: dict[float, float] = {}

    def L_once(theta: float) -> float:
        if theta not in values:
            values[theta] = L(theta)
        return values[theta]

    out = {}
    for method in METHODS:
        diff = DIFFERENCES[method]
        errors = relative_errors(g, np.array([diff(L_once, L.theta, float(e)) for e in eps_values]))
        out[method] = np.where(errors > 0, errors, np.nan)
    return out


def error_model(net: Network, X: Array, Y: Array, loss: str, layer: int, name: str, index: tuple[int, ...],
                eps_values: Array = EPS_GRID) -> dict[str, Array]:
    r"""The predicted relative errors: truncation of :math:`D_+` (:math:`\epsilon|L''|/2`), of :math:`D_0`
    (:math:`\epsilon^2|L'''|/6`) and round-off (:math:`u|L|/\epsilon`), each divided by
    :math:`2|g|` like the relative error. :math:`L''` and :math:`L'''` are estimated by finite
    differences with a coarse step (0.01), where round-off is negligible."""
    g = float(net.gradients(X, Y, loss=loss)[layer][name][tuple(index)])
    L = loss_along(net, X, Y, loss, layer, name, index)
    t, h = L.theta, 1e-2
    L2 = (L(t + h) - 2 * L(t) + L(t - h)) / h ** 2
    L3 = (L(t + 2 * h) - 2 * L(t + h) + 2 * L(t - h) - L(t - 2 * h)) / (2 * h ** 3)
    scale = 2 * max(abs(g), 1e-300)
    eps = np.asarray(eps_values, dtype=float)
    return {"forward truncation": eps * abs(L2) / 2 / scale,
            "central truncation": eps ** 2 * abs(L3) / 6 / scale,
            "round-off": UNIT_ROUNDOFF * abs(L(t)) / eps / scale}


def best_eps(errors: Array, eps_values: Array = EPS_GRID) -> tuple[float, float]:
    """``(eps, error)`` at the smallest error of a curve from :func:`error_versus_eps`."""
    k = int(np.nanargmin(errors))
    return float(eps_values[k]), float(errors[k])


# ----------------------------------------------------------------------------------------------
# The chapter's problem and its live panel
# ----------------------------------------------------------------------------------------------
#: parameters the panel can check: label -> (layer, name, index)
PARAMETERS: dict[str, tuple[int, str, tuple[int, ...]]] = {
    "W¹[0,0] (input → hidden)": (0, "W", (0, 0)),
    "b¹[1] (hidden bias)": (0, "b", (1,)),
    "W²[2,0] (hidden → output)": (1, "W", (2, 0)),
    "b²[0] (output bias)": (1, "b", (0,)),
}


def check_problem(weight_scale: float = 1.0) -> tuple[Network, Array, Array]:
    """A small 2-3-1 sigmoid network (weights ~ N(0, ``weight_scale``²), seeded, so a larger scale
    multiplies the same weights), 8 fixed samples and 0/1 targets, for the binary cross-entropy."""
    net = Network([2, 3, 1], hidden="sigmoid", output="sigmoid", init="normal", init_scale=weight_scale, seed=7)
    rng = np.random.default_rng(70)
    for layer in net.layers:
        layer.b[...] = rng.normal(0.0, 0.5 * weight_scale, size=layer.b.shape)
    X = rng.normal(0.0, 1.0, size=(8, 2))
    Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    return net, X, Y


def v_figure():
    """The V plot: relative error against eps (log-log) for the three differences, with the error model
    as dashed lines. Traces 0-2 measured (forward, central, five-point), 3-5 the model."""
    import plotly.graph_objects as go

    fig = go.Figure()
    colours = {"forward": OKABE_ITO["vermillion"], "central": OKABE_ITO["blue"], "five-point": OKABE_ITO["green"]}
    for method in METHODS:
        fig.add_scatter(x=EPS_GRID, y=np.ones_like(EPS_GRID), mode="lines+markers", name=f"{method} difference",
                        line={"color": colours[method]}, marker={"size": 5},
                        hovertemplate="ε = %{x:.1e}<br>relative error %{y:.1e}<extra></extra>")
    for label, colour in (("model: ε|L''|/2 (forward truncation)", colours["forward"]),
                          ("model: ε²|L'''|/6 (central truncation)", colours["central"]),
                          ("model: u|L|/ε (round-off)", FONT_COLOUR)):
        fig.add_scatter(x=EPS_GRID, y=np.ones_like(EPS_GRID), mode="lines", name=label,
                        line={"color": colour, "dash": "dash", "width": 1.5}, hoverinfo="skip")
    fig.update_layout(title="Relative error of finite differences against the step ε",
                      xaxis={"title": "step ε", "type": "log", "exponentformat": "power"},
                      yaxis={"title": "relative error vs backprop", "type": "log", "exponentformat": "power",
                             "range": [-17, 0.5]},
                      height=460, legend={"font": {"size": 11}})
    return fig


def v_update(weight_scale: float = 1.0, parameter: str = "W¹[0,0] (input → hidden)") -> dict:
    """The panel's ``update``: rebuild the problem at ``weight_scale`` and measure the V for ``parameter``."""
    if parameter not in PARAMETERS:
        raise ValueError(f"parameter must be one of {list(PARAMETERS)}, got {parameter!r}")
    net, X, Y = check_problem(weight_scale)
    layer, name, index = PARAMETERS[parameter]
    with np.errstate(all="ignore"):
        measured = error_versus_eps(net, X, Y, "bce", layer, name, index)
        model = error_model(net, X, Y, "bce", layer, name, index)
    traces = [{"y": measured[m]} for m in METHODS]
    traces += [{"y": np.where(v > 0, v, np.nan)} for v in model.values()]
    fwd, cen = best_eps(measured["forward"]), best_eps(measured["central"])
    status = (f"weight scale {weight_scale:.3g} · {parameter} · best ε: forward {fwd[0]:.0e} (error {fwd[1]:.0e}), "
              f"central {cen[0]:.0e} (error {cen[1]:.0e})")
    return {"traces": traces, "status": status}


def v_panel(weight_scale: float = 1.0, parameter: str = "W¹[0,0] (input → hidden)"):
    """The live panel of chapter 7: the V of forward and central differences, live."""
    from bpcore.widgets import Dropdown, LogSlider, panel

    controls = {
        "weight_scale": LogSlider(0.1, 20.0, value=weight_scale, label="weight scale",
                                  static_values=[0.1, 0.3, 1.0, 3.0, 10.0, 20.0]),
        "parameter": Dropdown(list(PARAMETERS), value=parameter, label="parameter checked"),
    }
    return panel(v_figure(), v_update, controls, static=("weight_scale", "parameter"),
                 title="Choosing ε: truncation against round-off",
                 alt="Log-log plot of the relative error of forward, central and five-point differences against "
                     "the step epsilon, for one weight of a small network, with dashed model lines. Each measured "
                     "curve is V-shaped: round-off error falls as epsilon grows, truncation error rises.")


# ----------------------------------------------------------------------------------------------
# Deliberately broken backward passes
# ----------------------------------------------------------------------------------------------
def mistake_sigma_prime_of_a(net: Network, X: Array, Y: Array, loss: str = "bce") -> Gradients:
    r"""DELIBERATELY WRONG: the hidden layers multiply by :math:`f'(a)` instead of :math:`f'(z)`.

    For a sigmoid, :math:`\sigma'(z) = a(1-a)`; writing ``sigmoid_derivative(a)`` applies the formula
    to the output a second time, :math:`\sigma(a)(1-\sigma(a))`. The output layer is still right."""
    tr = net.trace(X, Y, loss=loss)
    grads: Gradients = [{} for _ in net.layers]
    delta = tr.layers[-1].delta
    for i in range(len(net.layers) - 1, -1, -1):
        t = tr.layers[i]
        if i < len(net.layers) - 1:
            grad_a = delta @ net.layers[i + 1].W.T
            delta = grad_a * net.layers[i].activation.derivative(t.a)   # MISTAKE: f'(a), not f'(z)
        grads[i] = {"W": t.a_in.T @ delta, "b": delta.sum(axis=0)}
    return grads


def mistake_sum_not_mean(net: Network, X: Array, Y: Array, loss: str = "bce") -> Gradients:
    r"""DELIBERATELY WRONG: the gradient of the *summed* loss, checked against the *mean* loss.

    Forgetting the :math:`1/n` of the mean makes every gradient :math:`n` times too large (the
    relative error is :math:`(n-1)/(n+1)`): the direction is right, the size is not."""
    from bpcore.lessons.ch06 import backward_from_output_delta

    tr = net.trace(X, Y, loss=loss)
    delta_out = tr.layers[-1].delta * len(X)   # MISTAKE: the 1/n of the mean is undone
    return backward_from_output_delta(net, tr, delta_out)
