r"""Chapter 12, overfitting, dropout and regularisation: the data, the runs and the live panel.

The chapter's experiment: a network with far more weights than there are training points (60 noisy
moons), trained long enough to memorise them, then the same network with inverted dropout and/or L2
weight decay. Train and validation losses are both measured in evaluation mode (no dropout), so the
curves compare like with like (``train(..., evaluate_train=True)``).

* :func:`data` -- the 60 training points and 200 validation points;
* :func:`fit` -- one run for a keep probability and an L2 strength;
* :func:`boundary_length` -- the length of the decision boundary, a measure of how wiggly it is;
* :func:`show_lines` -- print the lines of a bpcore function that match a pattern;
* :func:`regularisation_panel` -- the live panel.
"""
from __future__ import annotations

import copy
import functools
import inspect
from typing import Callable, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from bpcore import History, Network, datasets, train
from bpcore.widgets import Dropdown, Panel, Slider, panel

from .ch11 import grid

Array = np.ndarray

SIZES = [2, 32, 32, 1]
NOISE = 0.3
LR = 0.03


def data() -> tuple[Array, Array, Array, Array]:
    """``X (60, 2), y (60,)`` to train on and ``X_val (200, 2), y_val (200,)`` from the same distribution."""
    X, y = datasets.moons(n_samples=60, noise=NOISE, seed=3)
    X_val, y_val = datasets.moons(n_samples=200, noise=NOISE, seed=4)
    return X, y, X_val, y_val


def fit(keep: float = 1.0, l2: float = 0.0, epochs: int = 300, early_stopping: int | None = None,
        seed: int = 0) -> tuple[Network, History]:
    """Train a fresh ``2-32-32-1`` tanh network on :func:`data` (Adam, learning rate ``LR``, full batch) with
    keep probability ``keep`` (dropout rate ``1 - keep``) and weight decay ``l2``. Returns the network
    and its history (train loss in evaluation mode, validation loss after every epoch).

    Runs are deterministic, so each distinct run is computed once and remembered; the caller gets its
    own copies."""
    net, hist = _fit(float(keep), float(l2), int(epochs), early_stopping, int(seed))
    return net.copy(), copy.deepcopy(hist)


@functools.lru_cache(maxsize=32)
def _fit(keep: float, l2: float, epochs: int, early_stopping: int | None, seed: int) -> tuple[Network, History]:
    X, y, X_val, y_val = data()
    net = Network(SIZES, hidden="tanh", output="sigmoid", seed=seed)
    hist = train(net, X, y, lr=LR, epochs=epochs, optimizer="adam", dropout=1.0 - keep, l2=l2,
                 X_val=X_val, Y_val=y_val, early_stopping=early_stopping, evaluate_train=True, seed=seed)
    return net, hist


def boundary_length(prob: Array, xs: Array, ys: Array) -> float:
    """Length of the 0.5-contour of ``prob (len(ys), len(xs))``, estimated on the grid: every pair of
    neighbouring cells with different predicted classes contributes the side they share."""
    cls = prob >= 0.5
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    vertical_edges = np.count_nonzero(cls[:, 1:] != cls[:, :-1])     # neighbours left/right share a side dy
    horizontal_edges = np.count_nonzero(cls[1:, :] != cls[:-1, :])   # neighbours up/down share a side dx
    return float(vertical_edges * dy + horizontal_edges * dx)


def show_lines(obj: Callable | type, *patterns: str) -> None:
    """Print the source lines of ``obj`` that contain any of ``patterns`` (indentation kept)."""
    for line in inspect.getsource(obj).splitlines():
        if any(p in line for p in patterns):
            print(line)


def regularisation_panel(epochs: int = 300, static_keeps: Sequence[float] = (1.0, 0.8, 0.5),
                         l2_options: Sequence[float] = (0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2),
                         static_l2: Sequence[float] = (0.0, 3e-3, 1e-2)) -> Panel:
    """Keep probability and L2 strength; every change retrains (:func:`fit`) and redraws the decision
    boundary over the training points and the train/validation loss curves."""
    X, y, X_val, y_val = data()
    xs, ys, points = grid(np.r_[X, X_val], n=70, margin=0.3)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.13,
                        subplot_titles=("Decision boundary and the 60 training points",
                                        "Loss (evaluation mode)"))
    fig.add_trace(go.Contour(x=xs, y=ys, z=np.full((len(ys), len(xs)), 0.5), zmin=0, zmax=1,
                             colorscale="RdBu", opacity=0.55, showscale=False, contours_coloring="heatmap",
                             name="P(class 1)", hoverinfo="skip"), 1, 1)
    for c, colour in ((0, "#b2182b"), (1, "#2166ac")):
        fig.add_trace(go.Scatter(x=X[y == c, 0], y=X[y == c, 1], mode="markers", name=f"class {c} (train)",
                                 marker=dict(color=colour, size=7, line=dict(width=1, color="white"))), 1, 1)
    fig.add_trace(go.Scatter(x=[1], y=[0.7], mode="lines", name="training loss", line=dict(color="black")), 1, 2)
    fig.add_trace(go.Scatter(x=[1], y=[0.7], mode="lines", name="validation loss",
                             line=dict(color="#e08214", width=2.5)), 1, 2)
    fig.add_trace(go.Scatter(x=[1], y=[0.7], mode="markers", name="lowest validation loss",
                             marker=dict(color="#e08214", size=10, symbol="star")), 1, 2)
    fig.update_xaxes(title_text="x₁", row=1, col=1)
    fig.update_yaxes(title_text="x₂", row=1, col=1)
    fig.update_xaxes(title_text="epoch", row=1, col=2)
    fig.update_yaxes(title_text="cross-entropy (log)", type="log", row=1, col=2)
    fig.update_layout(title="Overfitting and two cures", height=450, legend=dict(orientation="h", y=-0.25),
                      margin=dict(t=90))

    def update(keep: float, l2: float) -> dict:
        net, hist = fit(keep=float(keep), l2=float(l2), epochs=epochs)
        prob = net.forward(points)[:, 0].reshape(len(ys), len(xs))
        epochs_axis = np.arange(1, hist.epochs_run + 1)
        best = int(np.argmin(hist.val_loss))
        length = boundary_length(prob, xs, ys)
        status = (f"keep {keep:.2f}, λ {l2:g} · train {hist.train_loss[-1]:.3f}, validation "
                  f"{hist.val_loss[-1]:.3f} (lowest {hist.val_loss[best]:.3f}, epoch {best + 1}) · "
                  f"val. accuracy {hist.val_accuracy[-1]:.1%} · boundary {length:.1f}")
        return dict(traces=[{"z": prob}, {}, {},
                            {"x": epochs_axis, "y": np.asarray(hist.train_loss)},
                            {"x": epochs_axis, "y": np.asarray(hist.val_loss)},
                            {"x": [best + 1], "y": [hist.val_loss[best]]}],
                    status=status)

    controls = {
        "keep": Slider(0.3, 1.0, value=1.0, step=0.05, label="keep probability", static_values=list(static_keeps)),
        "l2": Dropdown(list(l2_options), value=0.0, label="L2 strength λ", static_values=list(static_l2)),
    }
    return panel(fig, update, controls, static=("keep", "l2"), title="Dropout and weight decay",
                 alt=("Two plots for a network trained on 60 noisy moons points: its decision boundary over the "
                      "training points, and the training and validation loss per epoch on a log scale with the "
                      "epoch of the lowest validation loss marked. Sliders choose the keep probability of "
                      "dropout and the L2 strength."))
