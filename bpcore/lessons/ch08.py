r"""Chapter 8 (MSE vs cross-entropy): the same network trained with each loss from the same start.

The "confidently wrong" start: take a network that already solves the task and multiply its output
layer's weights and bias by :math:`-k`. Every output pre-activation becomes :math:`-k z`, so every
prediction is wrong, and more sure of it as :math:`k` grows. With a sigmoid output the MSE error
signal :math:`(a-y)\,\sigma'(z)` is then tiny (:math:`\sigma'(-kz)\approx 0`) while the cross-entropy
one, :math:`a-y`, is close to :math:`\pm 1`: MSE stalls, cross-entropy recovers.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

import bpcore
from bpcore import History, Network
from bpcore.figures import style

Array = np.ndarray

#: the chapter's data set and network: 200 noisy moons, a 2-8-1 tanh/sigmoid network
SIZES = (2, 8, 1)


@lru_cache(maxsize=1)
def moons_data() -> tuple[Array, Array]:
    """The chapter's data: ``X (200, 2)``, labels ``y (200,)`` in {0, 1}."""
    return bpcore.datasets.moons(200, noise=0.2, seed=0)


@lru_cache(maxsize=1)
def _solved_weights() -> tuple[Array, ...]:
    X, y = moons_data()
    net = Network(list(SIZES), hidden="tanh", output="sigmoid", seed=1)
    bpcore.train(net, X, y, loss="bce", lr=1.0, epochs=1000, seed=0)
    return tuple(net.get_weights())


def starting_network(k: float) -> Network:
    """The chapter's starting point. ``k = 0``: a fresh random (Xavier) network.

    ``k > 0``: a network trained to about 97 % accuracy whose output layer's ``W`` and ``b`` were then
    multiplied by ``-k`` -- confidently wrong on almost every point.
    """
    net = Network(list(SIZES), hidden="tanh", output="sigmoid", seed=1)
    if k < 0:
        raise ValueError(f"k must be >= 0 (0 = fresh random start), got {k!r}")
    if k > 0:
        net.set_weights(_solved_weights())
        net.layers[-1].W *= -k
        net.layers[-1].b *= -k
    return net


def compare_losses(k: float, lr: float = 1.0, epochs: int = 200,
                   losses: tuple[str, ...] = ("mse", "bce")) -> dict[str, tuple[Network, History]]:
    """Train a copy of :func:`starting_network` ``(k)`` with each loss (full batch, plain SGD).

    Returns ``{loss: (trained network, history)}``. The same start, data and learning rate for every
    loss: only the error signal differs.
    """
    X, y = moons_data()
    start = starting_network(k)
    runs = {}
    for loss in losses:
        net = start.copy()
        runs[loss] = (net, bpcore.train(net, X, y, loss=loss, lr=lr, epochs=epochs, seed=0))
    return runs


def per_sample_curves(z: Array, y: float = 1.0) -> dict[str, Array]:
    r"""Per-sample loss and error signal :math:`\delta = \partial\ell/\partial z` of a single sigmoid unit
    with target ``y``, for each pre-activation in ``z`` (shape ``(m,)``), for MSE and BCE.

    Computed with bpcore's own losses (one sample at a time, so the mean's :math:`1/n` is 1).
    """
    z = np.asarray(z, dtype=float)
    sig = bpcore.activations.Sigmoid()
    out: dict[str, Array] = {}
    for name in ("mse", "bce"):
        loss = bpcore.losses.get_loss(name)
        values, deltas = np.empty_like(z), np.empty_like(z)
        for i, zi in enumerate(z):
            zz = np.array([[zi]])
            a = sig.forward(zz)
            yy = np.array([[y]])
            values[i] = loss.value(zz, a, yy)
            deltas[i] = bpcore.losses.output_delta(loss, sig, zz, a, yy)[0, 0]
        out[f"{name}_loss"], out[f"{name}_delta"] = values, deltas
    return out


# -- the side-by-side figure -------------------------------------------------------------------
GRID_N = 60
LOSS_NAMES = {"mse": "sigmoid + MSE", "bce": "sigmoid + cross-entropy"}
COLOURS = {"mse": "#D55E00", "bce": "#0072B2"}


def _grid() -> tuple[Array, Array, Array]:
    X, _ = moons_data()
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    gx, gy = np.linspace(lo[0], hi[0], GRID_N), np.linspace(lo[1], hi[1], GRID_N)
    xx, yy = np.meshgrid(gx, gy)
    return gx, gy, np.c_[xx.ravel(), yy.ravel()]


def output_on_grid(net: Network) -> Array:
    """The network's output on the plotting grid, shape ``(GRID_N, GRID_N)`` (rows: the y axis)."""
    _, _, pts = _grid()
    return net.forward(pts)[:, 0].reshape(GRID_N, GRID_N)


def comparison_figure(epochs: int = 200):
    """Two decision boundaries (top), loss and accuracy curves (bottom); traces filled in by :func:`comparison_update`.

    Trace order: 0 MSE output contour, 1 MSE data, 2 BCE output contour, 3 BCE data,
    4 MSE loss, 5 BCE loss, 6 MSE accuracy, 7 BCE accuracy.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    X, y = moons_data()
    gx, gy, _ = _grid()
    fig = make_subplots(rows=2, cols=2, vertical_spacing=0.14, horizontal_spacing=0.1,
                        subplot_titles=[f"boundary: {LOSS_NAMES['mse']}", f"boundary: {LOSS_NAMES['bce']}",
                                        "training loss (log scale)", "training accuracy"])
    for col, loss in ((1, "mse"), (2, "bce")):
        fig.add_trace(go.Contour(x=gx, y=gy, z=np.full((GRID_N, GRID_N), 0.5), zmin=0, zmax=1,
                                 colorscale="RdBu", reversescale=True, opacity=0.75, showscale=col == 2,
                                 contours=dict(start=0, end=1, size=0.1), line_width=0,
                                 colorbar=dict(title="output a", len=0.45, y=0.78), name="network output",
                                 hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>a=%{z:.3f}<extra></extra>"),
                      row=1, col=col)
        fig.add_trace(go.Scatter(x=X[:, 0], y=X[:, 1], mode="markers", showlegend=False, name="data",
                                 marker=dict(color=y, colorscale=[[0, "#0072B2"], [1, "#D55E00"]], size=5,
                                             line=dict(width=0.5, color="white"))),
                      row=1, col=col)
        fig.update_xaxes(title_text="x1", row=1, col=col)
        fig.update_yaxes(title_text="x2", row=1, col=col)
    epochs_axis = np.arange(1, epochs + 1)
    for col, what in ((1, "loss"), (2, "accuracy")):
        for loss in ("mse", "bce"):
            fig.add_trace(go.Scatter(x=epochs_axis, y=np.zeros(epochs), mode="lines", name=LOSS_NAMES[loss],
                                     line=dict(color=COLOURS[loss], dash="solid" if loss == "bce" else "dash"),
                                     showlegend=what == "loss", legendgroup=loss),
                          row=2, col=col)
        fig.update_xaxes(title_text="epoch", row=2, col=col)
    fig.update_yaxes(title_text="loss (each its own)", type="log", row=2, col=1)
    fig.update_yaxes(title_text="fraction correct", range=[0, 1.02], row=2, col=2)
    style(fig, "The same start, two losses", height=720)
    fig.update_layout(legend=dict(orientation="h", y=-0.12, x=0.0))
    return fig


def comparison_update(k: float, lr: float = 1.0, epochs: int = 200) -> dict:
    """Retrain both runs from :func:`starting_network` ``(k)`` and return the panel's trace changes."""
    runs = compare_losses(k, lr=lr, epochs=epochs)
    traces: list[dict] = []
    for loss in ("mse", "bce"):
        net, _ = runs[loss]
        traces += [{"z": output_on_grid(net)}, {}]
    for what in ("train_loss", "train_accuracy"):
        for loss in ("mse", "bce"):
            values = np.asarray(getattr(runs[loss][1], what), dtype=float)
            traces.append({"x": np.arange(1, len(values) + 1), "y": values})
    parts = []
    for loss in ("mse", "bce"):
        h = runs[loss][1]
        text = "diverged" if h.diverged else f"accuracy {h.train_accuracy[0]:.0%} → {h.train_accuracy[-1]:.0%}"
        parts.append(f"{loss.upper()}: {text}")
    start = "fresh random start" if k == 0 else f"confidently wrong start, k = {k:g}"
    return dict(traces=traces, status=f"{start} · lr = {lr:.3g} · {epochs} epochs · " + " · ".join(parts))


def per_sample_figure(y: float = 1.0):
    r"""Loss (left) and error signal :math:`|\delta|` (right) of one sigmoid unit with target ``y``
    against its pre-activation ``z``, for MSE and cross-entropy."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    z = np.linspace(-8.0, 8.0, 161)
    curves = per_sample_curves(z, y)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                        subplot_titles=["per-sample loss", "size of the error signal |δ| = |∂ℓ/∂z|"])
    for loss in ("mse", "bce"):
        line_style = dict(color=COLOURS[loss], dash="solid" if loss == "bce" else "dash")
        fig.add_trace(go.Scatter(x=z, y=curves[f"{loss}_loss"], mode="lines", name=LOSS_NAMES[loss],
                                 line=line_style, legendgroup=loss), row=1, col=1)
        fig.add_trace(go.Scatter(x=z, y=np.abs(curves[f"{loss}_delta"]), mode="lines", line=line_style,
                                 name=LOSS_NAMES[loss], legendgroup=loss, showlegend=False), row=1, col=2)
    for col in (1, 2):
        fig.update_xaxes(title_text="pre-activation z (target y = %g)" % y, row=1, col=col)
    fig.update_yaxes(title_text="loss ℓ", row=1, col=1)
    fig.update_yaxes(title_text="|δ|", row=1, col=2)
    style(fig, "One output unit with target 1: loss and error signal against z", height=400)
    fig.update_layout(legend=dict(orientation="h", y=-0.25))
    return fig
