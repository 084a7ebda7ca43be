r"""Chapter 11, vanishing and exploding gradients: measurements and the chapter's live panels.

Backpropagation multiplies, layer by layer, a weight matrix and the activation's slope:

.. math:: \delta^{l} = \big(\delta^{l+1} (W^{l+1})^\top\big)\odot f'(z^{l}),

so :math:`\delta^1` is a product of :math:`L-1` such factors. The helpers here measure what that
product does in a real :class:`~bpcore.Network`:

* :func:`make_network` -- a deep, narrow network named by depth, activation and initialisation;
* :func:`local_slopes` / :func:`saturated_fraction` -- the factors :math:`f'(z^l)` themselves, and how
  many of them are nearly zero (a *saturated* unit);
* :func:`frozen_fraction` -- how many units' incoming weights barely moved during training;
* :func:`unit_spread` -- how different the hidden units of a layer are (zero after a zeros init);
* :func:`nielsen_chain` -- a chain of one sigmoid unit per layer whose gradient *explodes*;
* :func:`first_to_last_ratios` -- :math:`\lVert\partial L/\partial W^1\rVert / \lVert\partial L/\partial W^L\rVert`
  for each depth, at the panel's settings;
* :func:`dead_fraction` -- per layer, the fraction of units that are active on no sample at all;
* :func:`depth_panel` -- the live panel: boundary, loss curve and per-layer gradient norms, with an
  optional gradient-norm clipping;
* :func:`dead_units_panel` -- the live panel of dead ReLU units and the leaky ReLU.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from bpcore import Network, train
from bpcore import figures as F
from bpcore.activations import Activation, LeakyReLU
from bpcore.widgets import Dropdown, IntSlider, LogSlider, Panel, Slider, panel

Array = np.ndarray

#: the initialisations the chapter compares, by the name shown in the panel
INITS: dict[str, dict] = {
    "xavier": {"init": "xavier"},
    "he": {"init": "he"},
    "normal, std 0.01": {"init": "normal", "init_scale": 0.01},
    "uniform ±1": {"init": "uniform", "init_scale": 1.0},
    "uniform ±20": {"init": "uniform", "init_scale": 20.0},
    "zeros": {"init": "zeros"},
}

#: the gradient-norm clipping the panel offers: ``train(clip_norm=...)`` by the name shown
CLIPPING: dict[str, float | None] = {"off": None, "‖g‖ ≤ 1": 1.0, "‖g‖ ≤ 0.3": 0.3}

#: a unit is *saturated* on a sample when its slope is below this fraction of the slope at z = 0
#: (for the sigmoid: exactly when its output is below 0.01 or above 0.99)
SATURATION = 0.0099 / 0.25


def make_network(depth: int, activation: str | Activation = "sigmoid", init: str = "xavier", width: int = 16,
                 seed: int = 0, n_in: int = 2, bias: float = 0.0) -> Network:
    """A ``n_in - width x depth - 1`` network; ``init`` is a key of :data:`INITS`; every hidden bias
    starts at ``bias`` (the output bias at 0)."""
    if init not in INITS:
        raise ValueError(f"unknown initialisation {init!r}; choose one of {list(INITS)}")
    net = Network([n_in] + [width] * int(depth) + [1], hidden=activation, output="sigmoid", seed=seed,
                  **INITS[init])
    for layer in net.layers[:-1]:
        layer.b[:] = bias
    return net


def nielsen_chain(depth: int, weight: float = 100.0, x: float = 1.0) -> Network:
    r"""Nielsen's exploding chain: ``depth`` sigmoid layers of one unit each (the last one the output),
    every weight ``weight`` and every bias chosen so that every pre-activation is exactly 0 for the
    input ``x``: :math:`b^1 = -w x`, :math:`b^l = -w\,\sigma(0) = -w/2`. Then every factor of the
    backward product is :math:`w\,\sigma'(0) = w/4`. Feed it ``X = [[x]]``."""
    net = Network([1] * (int(depth) + 1), hidden="sigmoid", output="sigmoid", init="zeros")
    a_in = float(x)
    for layer in net.layers:
        layer.W[:] = weight
        layer.b[:] = -weight * a_in
        a_in = 0.5                                   # sigma(0): what the next layer receives
    return net


def first_to_last_ratios(X: Array, y: Array, depths: Sequence[int], activation: str = "sigmoid",
                         init: str = "xavier", width: int = 16) -> Array:
    r""":math:`\lVert\partial L/\partial W^1\rVert / \lVert\partial L/\partial W^L\rVert` before any training,
    for the network :func:`make_network` builds at each of ``depths``: the ratio the panel's status line
    shows for the first epoch (full batch). X: ``(n_samples, 2)``, y: ``(n_samples,)``. Shape ``(len(depths),)``."""
    ratios = []
    for depth in depths:
        grads = make_network(depth, activation, init, width=width).gradients(X, y)
        ratios.append(float(np.linalg.norm(grads[0]["W"]) / np.linalg.norm(grads[-1]["W"])))
    return np.array(ratios)


def dead_fraction(net: Network, X: Array) -> Array:
    r"""Per hidden layer, the fraction of units that are active on no sample of ``X: (n_samples, n_in)``:
    :math:`z_j \le 0` for every sample (evaluation mode). A ReLU unit like that passes no gradient at all,
    so its incoming weights and bias do not change; in the first hidden layer, whose input is the data, it
    stays closed for ever: it is *dead*. Shape ``(n_hidden_layers,)``."""
    traces = net.forward_pass(np.asarray(X, float), train=False)
    return np.array([float(np.mean(np.all(t.u <= 0, axis=0))) for t in traces[:-1]])


def local_slopes(net: Network, X: Array) -> list[Array]:
    r"""The factors :math:`f'(z^l)` of every hidden layer, each ``(n_samples, width)``, for inputs ``X``.

    Computed by the activation's own ``backward`` with an upstream gradient of ones."""
    traces = net.forward_pass(np.asarray(X, float), train=True)
    return [layer.activation.backward(t.u, t.h, np.ones_like(t.h))
            for layer, t in zip(net.layers[:-1], traces[:-1])]


def saturated_fraction(net: Network, X: Array, below: float = SATURATION) -> Array:
    r"""Per hidden layer, the fraction of (sample, unit) pairs whose slope :math:`f'(z)` is below
    ``below`` times :math:`f'(0)`, the activation's steepest slope. Shape ``(n_hidden_layers,)``."""
    fractions = []
    for layer, slopes in zip(net.layers[:-1], local_slopes(net, X)):
        steepest = float(layer.activation.derivative(np.zeros(1))[0])
        fractions.append(float(np.mean(slopes < below * steepest)))
    return np.array(fractions)


def frozen_fraction(before: Sequence[Array], net: Network, tol: float = 0.01) -> Array:
    r"""Per layer, the fraction of units whose incoming weights :math:`W_{:,j}` changed by less than
    ``tol`` (relative) between the weight matrices ``before`` and ``net``'s current ones."""
    out = []
    for W0, layer in zip(before, net.layers):
        change = np.linalg.norm(layer.W - W0, axis=0)
        size = np.maximum(np.linalg.norm(W0, axis=0), 1e-12)
        out.append(float(np.mean(change / size < tol)))
    return np.array(out)


def unit_spread(net: Network) -> Array:
    r"""Per hidden layer, :math:`\max_j \lVert W_{:,j} - W_{:,0}\rVert` (plus the same for the biases):
    how far any unit's incoming weights are from the first unit's. Zero means all units are clones."""
    return np.array([float(np.max(np.abs(layer.W - layer.W[:, :1])) + np.max(np.abs(layer.b - layer.b[0])))
                     for layer in net.layers[:-1]])


#: the panel's gradient-norm axis shows at least these decades (log10), so that most steps keep it still
NORM_DECADES = (-7.0, 1.0)
#: and its loss axis at least these
LOSS_DECADES = (-1.0, 0.0)


def depth_panel(X: Array, y: Array, epochs: int = 30, lr: float = 1.5, width: int = 16,
                resolution: int = 40, static_depths: Sequence[int] = (2, 4, 8)) -> Panel:
    """The chapter's live panel: depth, activation, initialisation and gradient-norm clipping (a key of
    :data:`CLIPPING`); every change retrains a fresh network (full batch, ``epochs`` epochs, SGD with
    ``lr``, ``train(clip_norm=...)``) and redraws the decision boundary (a picture of ``resolution`` x
    ``resolution`` grid points), the training loss and the gradient norm of every layer in the first and
    the last epoch (before clipping).  X: ``(n_samples, 2)``, y: ``(n_samples,)`` labels 0/1."""
    X, y = np.asarray(X, float), np.asarray(y)
    max_depth = 8
    bounds = F.grid_bounds(X)
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.1,
                        subplot_titles=("Decision boundary", "Training loss", "Gradient norm per layer"))
    points = F.decision_boundary_traces()[1].update(name="training points", **F.points_data(X, y))
    fig.add_trace(points, 1, 1)
    loss, _, diverged = F.loss_curves_traces()
    fig.add_trace(loss, 1, 2)
    fig.add_trace(diverged, 1, 2)
    for name, colour in (("first epoch", F.FONT_COLOUR), ("last epoch", F.OKABE_ITO["orange"])):
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines+markers", name=name, line=dict(color=colour, width=2),
                                 marker=dict(size=8)), 1, 3)
    F.style(fig, "Gradients through a deep network", height=430)
    fig.update_xaxes(title_text="x₁", row=1, col=1)
    fig.update_yaxes(title_text="x₂", row=1, col=1)
    fig.update_xaxes(title_text="epoch", range=[1, epochs], row=1, col=2)
    fig.update_yaxes(title_text="loss (log)", type="log", range=list(LOSS_DECADES), row=1, col=2)
    F.per_layer_norm_axes(fig, max_depth + 1, NORM_DECADES, row=1, col=3)
    fig.update_layout(legend=dict(orientation="h", y=-0.25), margin=dict(t=90))
    base_annotations = [a.to_plotly_json() for a in fig.layout.annotations]   # the subplot titles

    def update(depth: int, activation: str, init: str, clip: str = "off") -> dict:
        net = make_network(depth, activation, init, width=width)
        hist = train(net, X, y, lr=lr, epochs=epochs, record=("loss", "accuracy", "grad_norms"),
                     clip_norm=CLIPPING[clip])
        image = F.decision_boundary_image(net, bounds, resolution)   # NaN (diverged) is transparent
        x_range, y_range = F.image_extent(image)                      # the same every time
        (curve, _, marker), notes = F.loss_curves_data(hist.train_loss, (), hist.diverged_epoch)
        notes = F.log_axis_annotations(notes, "x2", "y2")
        norms = hist.grad_norms
        first, last = F.finite_or_nan(norms[0]), F.finite_or_nan(norms[-1])
        first[first <= 0], last[last <= 0] = np.nan, np.nan          # zero: a gap on the log axis
        layers = np.arange(1, len(first) + 1)
        ratio = (f"{norms[0][0] / norms[0][-1]:.1e}" if norms[0][-1] > 0 else
                 "0/0 (no layer gets any gradient)" if norms[0][0] == 0 else "∞ (the last layer gets none)")
        clipped = "" if CLIPPING[clip] is None else f", clipped to {clip}"
        status = (f"{activation}, {init}{clipped}, {depth} hidden layer{'s' * (depth > 1)} · "
                  f"first epoch ‖∂L/∂W¹‖/‖∂L/∂Wᴸ‖ = {ratio} · ")
        status += f"diverged at epoch {hist.diverged_epoch}" if hist.diverged else \
            f"after {epochs} epochs loss {hist.train_loss[-1]:.3g}, accuracy {hist.train_accuracy[-1]:.0%}"
        return dict(traces=[{}, {"x": curve["x"], "y": curve["y"]}, {"x": marker["x"], "y": marker["y"]},
                            {"x": layers, "y": first}, {"x": layers, "y": last}],
                    layout={"images": [image], "annotations": [*base_annotations, *notes],
                            "xaxis.range": x_range, "yaxis.range": y_range,
                            "yaxis2.range": F.log_axis_range(hist.train_loss, least=LOSS_DECADES),
                            "yaxis3.range": F.log_axis_range(norms[[0, -1]], least=NORM_DECADES)},
                    status=status)

    controls = {
        "depth": IntSlider(1, max_depth, value=6, label="hidden layers", static_values=list(static_depths)),
        "activation": Dropdown(["sigmoid", "tanh", "relu", "leaky_relu"], value="sigmoid", label="activation"),
        "init": Dropdown(list(INITS), value="xavier", label="initialisation"),
        "clip": Dropdown(list(CLIPPING), value="off", label="gradient clipping"),
    }
    return panel(fig, update, controls, static=("depth", "init"), title="Depth, activation, initialisation",
                 alt=("Three plots for a network trained on the moons data: the decision boundary, the training "
                      "loss per epoch on a log scale, and the gradient norm of each layer's weights in the first "
                      "and the last epoch, plotted against the layer on a log scale. Sliders choose the number "
                      "of hidden layers and the initialisation; in the live version also the activation and "
                      "the gradient-norm clipping."))


#: the dead-units panel's loss axis shows at least these decades: its losses run from about 0.05 to log 2
DEAD_LOSS_DECADES = (-2.0, 0.0)

#: the activations the dead-units panel compares, by the name shown in the panel
RECTIFIERS: dict[str, str | Activation] = {"relu": "relu", "leaky ReLU, α = 0.01": LeakyReLU(0.01),
                                           "leaky ReLU, α = 0.1": LeakyReLU(0.1)}


def dead_units_panel(X: Array, y: Array, depth: int = 3, width: int = 32, epochs: int = 60,
                     static_biases: Sequence[float] = (0.0, -0.5, -1.0, -2.0)) -> Panel:
    """Dead ReLU units, live: activation (a key of :data:`RECTIFIERS`), the starting value of every hidden
    bias and the learning rate; every change trains a fresh ``2 - width x depth - 1`` network with He
    weights (full batch, ``epochs`` epochs) and plots, per hidden layer, the fraction of units active on
    no training sample (:func:`dead_fraction`) before and after training, and the training loss.
    X: ``(n_samples, 2)``, y: ``(n_samples,)`` labels 0/1."""
    X, y = np.asarray(X, float), np.asarray(y)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                        subplot_titles=("Units active on no sample, per layer", "Training loss"))
    for name, colour in (("before training", F.FONT_COLOUR), ("after training", F.OKABE_ITO["orange"])):
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines+markers", name=name, line=dict(color=colour, width=2),
                                 marker=dict(size=9)), 1, 1)
    loss, _, diverged = F.loss_curves_traces()
    fig.add_trace(loss, 1, 2)
    fig.add_trace(diverged, 1, 2)
    F.style(fig, "Dead units", height=380)
    fig.update_xaxes(title_text="hidden layer l (1 = next to the input)", dtick=1, range=[0.5, depth + 0.5],
                     row=1, col=1)
    fig.update_yaxes(title_text="fraction of units", range=[-0.05, 1.05], tickformat=".0%", row=1, col=1)
    fig.update_xaxes(title_text="epoch", range=[1, epochs], row=1, col=2)
    fig.update_yaxes(title_text="loss (log)", type="log", range=list(DEAD_LOSS_DECADES), row=1, col=2)
    fig.update_layout(legend=dict(orientation="h", y=-0.3), margin=dict(t=90))
    base_annotations = [a.to_plotly_json() for a in fig.layout.annotations]
    layers = np.arange(1, depth + 1)

    def update(activation: str, bias: float, lr: float) -> dict:
        net = make_network(depth, RECTIFIERS[activation], "he", width=width, bias=bias)
        before = dead_fraction(net, X)
        hist = train(net, X, y, lr=lr, epochs=epochs)
        after = F.finite_or_nan(dead_fraction(net, X)) if not hist.diverged else np.full(depth, np.nan)
        (curve, _, marker), notes = F.loss_curves_data(hist.train_loss, (), hist.diverged_epoch)
        notes = F.log_axis_annotations(notes, "x2", "y2")
        status = (f"{activation}, hidden biases start at {bias:g}, lr {lr:g} · units active on no sample "
                  f"before: {', '.join(f'{v:.0%}' for v in before)}")
        status += (f" · diverged at epoch {hist.diverged_epoch}" if hist.diverged else
                   f" · after {epochs} epochs: {', '.join(f'{v:.0%}' for v in after)}, "
                   f"loss {hist.train_loss[-1]:.3g}, accuracy {hist.train_accuracy[-1]:.0%}")
        return dict(traces=[{"x": layers, "y": before}, {"x": layers, "y": after},
                            {"x": curve["x"], "y": curve["y"]}, {"x": marker["x"], "y": marker["y"]}],
                    layout={"annotations": [*base_annotations, *notes],
                            "yaxis2.range": F.log_axis_range(hist.train_loss, least=DEAD_LOSS_DECADES)},
                    status=status)

    controls = {
        "activation": Dropdown(list(RECTIFIERS), value="relu", label="activation"),
        "bias": Slider(-2.0, 0.5, value=0.0, step=0.25, label="every hidden bias starts at",
                       static_values=list(static_biases)),
        "lr": LogSlider(0.1, 10.0, value=1.0, label="learning rate"),
    }
    return panel(fig, update, controls, static=("activation", "bias"), title="Dead ReLU units",
                 alt=("Two plots for a ReLU network trained on the moons data: for each hidden layer the fraction "
                      "of units that are active on no training point, before and after training, and the "
                      "training loss per epoch on a log scale. Controls choose the activation (ReLU or leaky "
                      "ReLU), the value every hidden bias starts at and the learning rate."))
