"""The standard training panel: retrain a small network on a 2-D data set whenever a control moves,
and redraw its decision boundary, loss curves and per-layer gradient norms (:func:`training_panel`)."""
from __future__ import annotations

import time
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from .. import figures as F
from ..experiments import TrainingSetup
from .controls import Control, Dropdown, IntSlider, LogSlider, Slider
from .panel import Panel, panel

PROGRESS_AFTER_S = 0.5  # a retraining that takes longer than this shows a progress bar


class TrainingProgress:
    """The training callback that moves a panel's progress bar, once a run takes longer than
    ``PROGRESS_AFTER_S`` (at most every 0.1 s). ``panel`` is set once the panel exists."""

    def __init__(self) -> None:
        self.panel: Panel | None = None
        self.started = self.shown = 0.0
        self.epochs = 1

    def start(self, epochs: int) -> None:
        self.started, self.shown, self.epochs = time.perf_counter(), 0.0, epochs

    def __call__(self, epoch: int, hist: object) -> None:
        if self.panel is None or not self.panel.is_live:
            return
        now = time.perf_counter()
        if now - self.started > PROGRESS_AFTER_S and now - self.shown > 0.1:
            self.panel.show_progress(epoch / self.epochs)
            self.shown = now

    def stop(self) -> None:
        if self.panel is not None:
            self.panel.hide_progress()


BATCH_FULL = "full batch"


def training_controls(**values: Any) -> dict[str, Control]:
    """The controls :func:`training_panel` knows, each starting at ``values[name]``."""
    v = values
    return {
        "lr": LogSlider(1e-3, 10.0, value=v["lr"], label="learning rate",
                        static_values=[0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]),
        "epochs": IntSlider(10, 500, value=v["epochs"], step=10, label="epochs",
                            static_values=[10, 20, 50, 100, 200, 300, 500]),
        "batch_size": Dropdown([BATCH_FULL, 8, 16, 32, 64], value=v["batch_size"] or BATCH_FULL, label="batch size"),
        "hidden_units": IntSlider(1, 32, value=v["hidden_units"], label="hidden units",
                                  static_values=[1, 2, 3, 4, 8, 16, 32]),
        "depth": IntSlider(1, 4, value=v["depth"], label="hidden layers"),
        "activation": Dropdown(["sigmoid", "tanh", "relu", "leaky_relu"], value=v["activation"], label="activation"),
        "loss": Dropdown(["bce", "mse"] if v["loss"] != "ce" else ["ce", "mse"], value=v["loss"], label="loss"),
        "init": Dropdown(["xavier", "he", "normal", "uniform", "zeros"], value=v["init"] or "xavier",
                         label="initialisation"),
        "momentum": Slider(0.0, 0.99, value=v["momentum"] or 0.0, step=0.01, label="momentum β",
                           static_values=[0.0, 0.5, 0.8, 0.9, 0.95, 0.99]),
        "dropout": Slider(0.0, 0.8, value=v["dropout"], step=0.05, label="dropout rate",
                          static_values=[0.0, 0.1, 0.2, 0.3, 0.5, 0.7]),
        "l2": Slider(0.0, 0.1, value=v["l2"], step=0.002, label="L2 λ",
                     static_values=[0.0, 0.001, 0.003, 0.01, 0.03, 0.1]),
        "data": Dropdown(["moons", "circles", "xor", "spirals", "blobs"], value=v["data"], label="data set"),
        "noise": Slider(0.0, 0.5, value=0.2 if v["noise"] is None else v["noise"], step=0.02, label="noise",
                        static_values=[0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5]),
        "seed": IntSlider(0, 9, value=v["seed"], label="seed"),
    }


def training_figure(max_layers: int = 5) -> go.Figure:
    """The empty figure of :func:`training_panel`: training and validation points (traces 0-1) over the
    decision boundary (a layout image, see :func:`bpcore.figures.decision_boundary_image`), loss curves
    (2-4), gradient norms per layer (5 .. 5 + max_layers - 1)."""
    from plotly.subplots import make_subplots
    fig = make_subplots(rows=2, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.1, vertical_spacing=0.22,
                        specs=[[{"rowspan": 2}, {}], [None, {}]],
                        subplot_titles=("decision boundary", "loss per epoch", "gradient norm ‖∂L/∂W‖ per layer"))
    _, train_points, val_points = F.decision_boundary_traces()
    fig.add_trace(train_points, row=1, col=1)
    fig.add_trace(val_points, row=1, col=1)
    for t in F.loss_curves_traces():
        fig.add_trace(t, row=1, col=2)
    for t in F.gradient_norms_traces(max_layers):
        fig.add_trace(t, row=2, col=2)
    F.style(fig, "Training", height=540)
    fig.update_xaxes(title_text="x₁", row=1, col=1)
    fig.update_yaxes(title_text="x₂", row=1, col=1)
    fig.update_yaxes(title_text="loss", **F.LOG_AXIS, row=1, col=2)
    fig.update_xaxes(title_text="epoch", row=2, col=2)
    fig.update_yaxes(title_text="‖∂L/∂W‖", type="log", exponentformat="power", dtick="D2", row=2, col=2)
    fig.update_layout(legend={"orientation": "h", "y": -0.16, "yanchor": "top", "x": 0.0}, margin={"b": 90, "t": 90})
    return fig


def training_update(setup: TrainingSetup, resolution: int = 50, max_layers: int = 5,
                    base_annotations: Sequence[dict] = (), callback: Callable | None = None) -> dict[str, Any]:
    """Train ``setup`` and return the panel update for :func:`training_figure` (plain data, no plotly objects).

    Every axis range is set here, not left to plotly's autorange: the boundary's axes span its picture,
    the epoch axes span the set number of epochs, and the log axes whole decades
    (:func:`bpcore.figures.log_axis_range`).  A slider step then usually changes only the curves and the
    picture, which the live panel draws without re-plotting the figure (see :class:`LiveFigure`).
    """
    net, hist, (X_tr, X_val, y_tr, y_val) = setup.run(callback)
    bounds = F.grid_bounds(np.vstack([X_tr, X_val]))
    diverged = hist.diverged_epoch if hist.diverged else None
    loss_traces, notes = F.loss_curves_data(hist.train_loss, hist.val_loss, diverged)
    notes = F.log_axis_annotations(notes, "x2", "y2")
    if len(net.layers) > max_layers:
        raise ValueError(f"this panel draws at most {max_layers} layers, the network has {len(net.layers)}")
    traces = [F.points_data(X_tr, y_tr), F.points_data(X_val, y_val), *loss_traces,
              *F.gradient_norms_data(hist.grad_norms, max_layers)]
    image = F.decision_boundary_image(net, bounds, resolution)
    x_range, y_range = F.image_extent(image)
    epochs = [1, max(int(setup.epochs), 2)]
    layout = {"annotations": [*base_annotations, *notes], "images": [image],
              "xaxis.range": x_range, "yaxis.range": y_range,
              "xaxis2.range": epochs, "yaxis2.range": F.log_axis_range(hist.train_loss, hist.val_loss),
              "xaxis3.range": epochs, "yaxis3.range": F.log_axis_range(hist.grad_norms)}
    if hist.diverged:
        status = f"lr={setup.lr:.3g} · {hist.status}"
    else:
        acc = f" · validation accuracy {hist.val_accuracy[-1]:.0%}" if hist.val_accuracy else ""
        status = f"lr={setup.lr:.3g} · {hist.epochs_run} epochs · loss {hist.final_loss:.3g}{acc}"
    return {"traces": traces, "layout": layout, "status": status}


def training_panel(data: str = "moons", controls: Sequence[str] | Mapping[str, Control] = ("lr",),
                   static: Sequence[str] = (), title: str = "Training a small network",
                   alt: str | None = None, resolution: int = 50, static_resolution: int = 40,
                   **setup: Any) -> Panel:
    """A panel that retrains a network and redraws decision boundary, loss curves and gradient norms
    whenever one of ``controls`` changes.

    data: a 2-D data set name (moons, circles, xor, spirals, blobs).  controls: names among lr, epochs,
    batch_size, hidden_units, depth, activation, loss, init, momentum, dropout, l2, data, noise, seed
    (or a dict name -> Control to choose ranges).  Every other :class:`TrainingSetup` field is fixed by
    ``setup`` (e.g. ``lr=0.3, epochs=150, hidden_units=16, activation="tanh"``).  static: the 1 or 2
    controls the book's twin precomputes (default: the first).  resolution: grid points per side of the
    live decision boundary (the twin uses ``static_resolution``).

    >>> p = training_panel("moons", controls=("lr", "epochs"), lr=0.3, epochs=150)   # doctest: +SKIP
    """
    base = TrainingSetup(data=data, **setup)
    defaults = training_controls(**{f: getattr(base, f) for f in base.__dataclass_fields__})
    if isinstance(controls, Mapping):
        chosen = dict(controls)
    else:
        unknown = [c for c in controls if c not in defaults]
        if unknown:
            raise ValueError(f"unknown training control(s) {unknown}; choose among {list(defaults)}")
        chosen = {name: defaults[name] for name in controls}
    fig = training_figure()
    fig.layout.title.text = title          # the static twin's heading is the panel's own title
    base_annotations = [a.to_plotly_json() for a in fig.layout.annotations]
    progress = TrainingProgress()

    def make_setup(values: dict) -> TrainingSetup:
        fields = {**base.__dict__, **values}
        if fields.get("batch_size") == BATCH_FULL:
            fields["batch_size"] = None
        return TrainingSetup(**fields)

    shown_ranges: dict[str, list[float]] = {}  # the live figure's log axes (see figures.sticky_log_range)

    def update(**values: Any) -> dict[str, Any]:
        s = make_setup(values)
        progress.start(max(int(s.epochs), 1))
        try:
            result = training_update(s, resolution, base_annotations=base_annotations, callback=progress)
        finally:
            progress.stop()
        for axis in ("yaxis2.range", "yaxis3.range"):  # live only: the twin's frames are drawn one by one
            result["layout"][axis] = shown_ranges[axis] = F.sticky_log_range(shown_ranges.get(axis),
                                                                               result["layout"][axis])
        return result

    def static_update(**values: Any) -> dict[str, Any]:
        return training_update(make_setup(values), static_resolution, base_annotations=base_annotations)

    names = ", ".join(chosen)
    p = panel(fig, update, chosen, static=static, title=title, static_update=static_update,
              alt=alt or f"Decision boundary, loss curves and gradient norms of a network trained on {data}; "
                         f"controls: {names}.")
    progress.panel = p
    return p
