r"""Chapter 5 (backpropagation, the algorithm): the chapter's live panel and a shape table.

* :func:`shape_table` -- the shape of every array one forward and backward pass keeps, per layer,
  read from :meth:`bpcore.Network.trace`.
* :func:`delta_update` / :func:`delta_panel` -- train a network on the two moons and show its decision
  boundary, its loss and the size of every layer's error signal :math:`\delta^l` per epoch
  (``History.delta_norms``: the root-mean-square of :math:`\delta^l` over samples and units).
  The panel retrains for ``PANEL_EPOCHS`` epochs at every step and draws the boundary as a picture
  (a layout image) on fixed axes, so that an update takes well under 40 ms.

All the arithmetic is bpcore's: :func:`bpcore.train` runs the forward and backward passes.
"""
from __future__ import annotations

import functools

import numpy as np

from bpcore import datasets
from bpcore.network import Network, Trace
from bpcore.training import History, train

Array = np.ndarray

#: the chapter's data set: points of the two moons
N_POINTS = 100
#: epochs per panel update: one retraining stays well under 40 ms (a full-batch epoch costs ~0.5 ms)
PANEL_EPOCHS = 40
PANEL_RESOLUTION = 40
#: the panel's log axes span at least these values (whole decades: the scale stays put between steps)
LOSS_AXIS_SPAN = (0.1, 1.0)
DELTA_AXIS_SPAN = (1e-6, 1e-2)
MAX_HIDDEN = 4


def shape_table(trace: Trace) -> str:
    """One line per layer: the shapes of ``a_in, z, a, delta, dW, db`` in a :class:`~bpcore.Trace`."""
    names = ("a_in", "z", "a", "delta", "dW", "db")
    lines = ["layer  " + "".join(f"{n:>10}" for n in names)]
    for i, t in enumerate(trace.layers, start=1):
        shapes = [str(tuple(getattr(t, n).shape)).replace(" ", "") for n in names]
        lines.append(f"{i:5d}  " + "".join(f"{s:>10}" for s in shapes))
    return "\n".join(lines)


@functools.lru_cache(maxsize=1)
def _moons() -> tuple[Array, Array]:
    """The data set, made once and read-only (the panel trains on it at every step)."""
    X, y = datasets.moons(N_POINTS, noise=0.2, seed=0)
    X.flags.writeable = y.flags.writeable = False
    return X, y


def moons_data() -> tuple[Array, Array]:
    """The chapter's data: ``N_POINTS`` points of the two moons, noise 0.2, seed 0: ``X (100, 2)``, ``y (100,)``.

    Made once; every call returns fresh copies."""
    X, y = _moons()
    return X.copy(), y.copy()


def delta_run(activation: str, depth: int, lr: float, epochs: int = PANEL_EPOCHS) -> tuple[Network, History]:
    """Train ``[2] + [8] * depth + [1]`` (hidden ``activation``, sigmoid output, seed 0) on
    :func:`moons_data` with full-batch gradient descent and binary cross-entropy."""
    X, y = _moons()
    net = Network([2] + [8] * int(depth) + [1], hidden=activation, output="sigmoid", seed=0)
    return net, train(net, X, y, loss="bce", lr=lr, epochs=epochs, record=("loss", "accuracy", "delta_norms"))


def delta_update(activation: str, depth: int, lr: float, resolution: int = PANEL_RESOLUTION,
                 epochs: int = PANEL_EPOCHS) -> dict:
    """Panel data for :func:`delta_figure`: the points, the training loss, then one trace per layer of
    ``history.delta_norms`` (hidden layers first, the output layer last; unused traces hidden), and the
    decision boundary as a layout image (:func:`bpcore.figures.decision_boundary_image`, ``resolution``
    grid points per side).

    Every axis range is set here (whole decades on the log axes), so a usual step changes only the
    curves and the picture, which the live panel draws without re-plotting the figure."""
    from bpcore import figures as F

    X, y = _moons()
    net, hist = delta_run(activation, depth, lr, epochs)
    loss_traces, _ = F.loss_curves_data(hist.train_loss)
    deltas = F.gradient_norms_data(hist.delta_norms, MAX_HIDDEN + 1)
    n_layers = len(net.layers)
    for i, d in enumerate(deltas[:n_layers]):
        d["name"] = f"δ of layer {i + 1}" + (" (output)" if i == n_layers - 1 else "")
    image = F.decision_boundary_image(net, F.grid_bounds(X), resolution)
    x_range, y_range = F.image_extent(image)
    epoch_range = [1, max(int(epochs), 2)]
    start = " ".join(f"{v:.0e}" for v in hist.delta_norms[0])
    if hist.diverged:
        head = hist.status
    else:
        head = f"{hist.epochs_run} epochs · loss {hist.final_loss:.3g}"
    layout = {"images": [image], "xaxis.range": x_range, "yaxis.range": y_range,
              "xaxis2.range": epoch_range, "yaxis2.range": F.log_axis_range(hist.train_loss, LOSS_AXIS_SPAN),
              "xaxis3.range": epoch_range, "yaxis3.range": F.log_axis_range(hist.delta_norms, DELTA_AXIS_SPAN)}
    return {"traces": [F.points_data(X, y), loss_traces[0], *deltas], "layout": layout,
            "status": f"{int(depth)} {activation} hidden layer(s), lr {lr:.3g} · {head} · rms δ at epoch 1, "
                      f"layer 1 → output: {start}"}


def delta_figure():
    """The panel's empty figure: the data points over the decision boundary (trace 0; the boundary is a
    layout image), the training loss (trace 1) and the rms δ of up to ``MAX_HIDDEN + 1`` layers (2 ...)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from bpcore import figures as F

    fig = make_subplots(rows=2, cols=2, column_widths=[0.5, 0.5], horizontal_spacing=0.1, vertical_spacing=0.2,
                        specs=[[{"rowspan": 2}, {}], [None, {}]],
                        subplot_titles=("decision boundary", "training loss per epoch", "size of δ per layer (rms)"))
    _, points, _ = F.decision_boundary_traces()
    fig.add_trace(points, row=1, col=1)
    fig.add_trace(go.Scatter(name="training loss", mode="lines", showlegend=False,
                             line={"color": F.OKABE_ITO["black"], "width": 2}), row=1, col=2)
    for trace in F.gradient_norms_traces(MAX_HIDDEN + 1):
        fig.add_trace(trace, row=2, col=2)
    F.style(fig, "Backpropagation at work: the error signal of every layer", height=540)
    fig.update_xaxes(title_text="x₁", row=1, col=1)
    fig.update_yaxes(title_text="x₂", row=1, col=1)
    fig.update_yaxes(title_text="loss", type="log", exponentformat="power", row=1, col=2)
    fig.update_xaxes(title_text="epoch", row=2, col=2)
    fig.update_yaxes(title_text="rms of δ (log scale)", type="log", exponentformat="power", row=2, col=2)
    fig.update_layout(legend={"orientation": "h", "y": -0.16, "yanchor": "top", "x": 0.0}, margin={"b": 90})
    return fig


def delta_panel():
    """Panel: training with per-layer error-signal sizes and the decision boundary."""
    from bpcore.widgets import Dropdown, IntSlider, LogSlider, panel

    return panel(delta_figure(), delta_update,
                 controls={"activation": Dropdown(["sigmoid", "tanh"], value="sigmoid", label="hidden activation"),
                           "depth": IntSlider(1, MAX_HIDDEN, value=3, label="hidden layers"),
                           "lr": LogSlider(0.03, 10.0, value=1.0, label="learning rate",
                                           static_values=[0.1, 0.3, 1.0, 3.0])},
                 static=("activation", "depth"), title="Error signals while training",
                 alt="Left: the decision boundary of a small network on the two-moons data. Right, top: its "
                     "training loss per epoch. Right, bottom: one line per layer giving the typical size of "
                     "that layer's error signal delta per epoch, on a log scale.")
