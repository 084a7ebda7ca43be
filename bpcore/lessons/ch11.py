r"""Chapter 11, vanishing and exploding gradients: measurements and the chapter's live panel.

Backpropagation multiplies, layer by layer, a weight matrix and the activation's slope:

.. math:: \delta^{l} = \big(\delta^{l+1} (W^{l+1})^\top\big)\odot f'(z^{l}),

so :math:`\delta^1` is a product of :math:`L-1` such factors. The helpers here measure what that
product does in a real :class:`~bpcore.Network`:

* :func:`make_network` -- a deep, narrow network named by depth, activation and initialisation;
* :func:`local_slopes` / :func:`saturated_fraction` -- the factors :math:`f'(z^l)` themselves, and how
  many of them are nearly zero (a *saturated* unit);
* :func:`frozen_fraction` -- how many units' incoming weights barely moved during training;
* :func:`unit_spread` -- how different the hidden units of a layer are (zero after a zeros init);
* :func:`depth_panel` -- the live panel: boundary, loss curve and per-layer gradient norms.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from bpcore import Network, train
from bpcore.widgets import Dropdown, IntSlider, Panel, panel

Array = np.ndarray

#: the initialisations the chapter compares, by the name shown in the panel
INITS: dict[str, dict] = {
    "xavier": {"init": "xavier"},
    "he": {"init": "he"},
    "normal, std 0.01": {"init": "normal", "init_scale": 0.01},
    "uniform ±20": {"init": "uniform", "init_scale": 20.0},
    "zeros": {"init": "zeros"},
}

#: a unit is *saturated* on a sample when its slope is below this fraction of the slope at z = 0
#: (for the sigmoid: exactly when its output is below 0.01 or above 0.99)
SATURATION = 0.0099 / 0.25


def make_network(depth: int, activation: str = "sigmoid", init: str = "xavier", width: int = 16,
                 seed: int = 0, n_in: int = 2) -> Network:
    """A ``n_in - width x depth - 1`` network; ``init`` is a key of :data:`INITS`."""
    if init not in INITS:
        raise ValueError(f"unknown initialisation {init!r}; choose one of {list(INITS)}")
    return Network([n_in] + [width] * int(depth) + [1], hidden=activation, output="sigmoid", seed=seed,
                   **INITS[init])


def local_slopes(net: Network, X: Array) -> list[Array]:
    r"""The factors :math:`f'(z^l)` of every hidden layer, each ``(n_samples, width)``, for inputs ``X``.

    Computed by the activation's own ``backward`` with an upstream gradient of ones."""
    traces = net._forward(np.asarray(X, float), train=True)
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


def grid(X: Array, n: int = 60, margin: float = 0.5) -> tuple[Array, Array, Array]:
    """``xs (n,)``, ``ys (n,)`` spanning ``X`` plus a margin, and the ``(n*n, 2)`` points of the grid."""
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs, ys = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.c_[gx.ravel(), gy.ravel()]


def _positive(values: Array) -> list:
    """Values for a log axis: non-positive or non-finite entries become None (a gap)."""
    return [float(v) if np.isfinite(v) and v > 0 else None for v in np.asarray(values, float)]


def depth_panel(X: Array, y: Array, epochs: int = 150, lr: float = 0.5, width: int = 16,
                static_depths: Sequence[int] = (2, 4, 8)) -> Panel:
    """The chapter's live panel: depth, activation and initialisation; every change retrains a fresh
    network (full batch, ``epochs`` epochs, SGD with ``lr``) and redraws the decision boundary, the
    training loss and the gradient norm of every layer (first and last epoch)."""
    X, y = np.asarray(X, float), np.asarray(y)
    xs, ys, points = grid(X)
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.13,
                        subplot_titles=("Decision boundary", "Training loss",
                                        "Gradient norm ‖∂L/∂Wˡ‖ per layer"))
    fig.add_trace(go.Contour(x=xs, y=ys, z=np.full((len(ys), len(xs)), 0.5), zmin=0, zmax=1,
                             colorscale="RdBu", opacity=0.55, showscale=False, contours_coloring="heatmap",
                             name="P(class 1)", hoverinfo="skip"), 1, 1)
    for c, colour in ((0, "#b2182b"), (1, "#2166ac")):
        fig.add_trace(go.Scatter(x=X[y == c, 0], y=X[y == c, 1], mode="markers", name=f"class {c}",
                                 marker=dict(color=colour, size=5, line=dict(width=0.5, color="white"))), 1, 1)
    fig.add_trace(go.Scatter(x=[1], y=[0.69], mode="lines", name="training loss",
                             line=dict(color="black")), 1, 2)
    fig.add_trace(go.Bar(x=[1], y=[1.0], name="first epoch", marker_color="#999999"), 1, 3)
    fig.add_trace(go.Bar(x=[1], y=[1.0], name="last epoch", marker_color="#e08214"), 1, 3)
    fig.update_xaxes(title_text="x₁", row=1, col=1)
    fig.update_yaxes(title_text="x₂", row=1, col=1)
    fig.update_xaxes(title_text="epoch", row=1, col=2)
    fig.update_yaxes(title_text="loss (log)", type="log", row=1, col=2)
    fig.update_xaxes(title_text="layer l (1 = next to the input)", dtick=1, row=1, col=3)
    fig.update_yaxes(title_text="‖∂L/∂Wˡ‖ (log)", type="log", row=1, col=3)
    fig.update_layout(title="Gradients through a deep network", height=430, barmode="group",
                      legend=dict(orientation="h", y=-0.25), margin=dict(t=90))

    def update(depth: int, activation: str, init: str) -> dict:
        net = make_network(depth, activation, init, width=width)
        hist = train(net, X, y, lr=lr, epochs=epochs)
        with np.errstate(all="ignore"):
            prob = net.forward(points)[:, 0].reshape(len(ys), len(xs))
        prob = np.where(np.isfinite(prob), prob, 0.5)
        norms = hist.grad_norms
        layers = np.arange(1, norms.shape[1] + 1)
        first, last = norms[0], norms[-1]
        finite = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in (first, last)])
        lo, hi = (np.floor(np.log10(finite.min())) - 0.5, np.ceil(np.log10(finite.max())) + 0.5) \
            if finite.size else (-3.0, 1.0)
        ratio = first[0] / first[-1] if first[-1] > 0 else float("nan")
        status = (f"{activation}, {init}, {depth} hidden layer{'s' * (depth > 1)} · "
                  f"‖∂L/∂W¹‖/‖∂L/∂Wᴸ‖ = {ratio:.1e} · ")
        status += f"diverged at epoch {hist.diverged_epoch}" if hist.diverged else \
            f"loss {hist.train_loss[-1]:.3g}, accuracy {hist.train_accuracy[-1]:.0%}"
        return dict(traces=[{"z": prob}, {}, {},
                            {"x": np.arange(1, hist.epochs_run + 1), "y": _positive(hist.train_loss)},
                            {"x": layers, "y": _positive(first)}, {"x": layers, "y": _positive(last)}],
                    layout={"yaxis3": {"range": [float(lo), float(hi)]},
                            "xaxis3": {"range": [0.5, float(layers[-1]) + 0.5]}},
                    status=status)

    controls = {
        "depth": IntSlider(1, 8, value=6, label="hidden layers", static_values=list(static_depths)),
        "activation": Dropdown(["sigmoid", "tanh", "relu"], value="sigmoid", label="activation"),
        "init": Dropdown(list(INITS), value="xavier", label="initialisation"),
    }
    return panel(fig, update, controls, static=("depth", "init"), title="Depth, activation, initialisation",
                 alt=("Three plots for a network trained on the moons data: the decision boundary, the training "
                      "loss per epoch on a log scale, and bars of the gradient norm of each layer's weights in "
                      "the first and last epoch on a log scale. Sliders choose the number of hidden layers and "
                      "the initialisation."))
