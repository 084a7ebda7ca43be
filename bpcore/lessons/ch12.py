r"""Chapter 12, overfitting, dropout and regularisation: the data, the runs and the live panel.

The chapter's experiment: a network with far more weights than there are training points (60 noisy
moons), trained long enough to memorise them, then the same network with inverted dropout and/or L2
weight decay. Train and validation losses are both measured in evaluation mode (no dropout), and the
panel plots the training loss without the L2 penalty (``record=(..., "data_loss")``), so the curves
compare like with like (``train(..., evaluate_train=True)``).

* :func:`data` -- the 60 training points and 200 validation points;
* :func:`fit` -- one run for a keep probability and an L2 strength (:func:`bpcore.train`);
* :func:`fit_fast` -- the same run measured less often, for the live panel;
* :func:`boundary_length` -- the length of the decision boundary, a measure of how wiggly it is;
* :func:`show_lines` -- print the lines of a bpcore function that match a pattern;
* :func:`regularisation_panel` -- the live panel.
"""
from __future__ import annotations

import copy
import functools
import inspect
from typing import Callable, NamedTuple, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from bpcore import History, Network, datasets, train
from bpcore import figures as F
from bpcore.widgets import Dropdown, Panel, Slider, panel

Array = np.ndarray

SIZES = [2, 16, 16, 1]
NOISE = 0.3
LR = 0.1
EPOCHS = 70
SEED = 3          # of the initial weights and the dropout masks
EVERY = 7         # the panel measures the losses every EVERY-th epoch
RESOLUTION = 40   # grid points per side of the panel's decision boundary
L2_OPTIONS = (0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2)   # the panel's choices of the L2 strength


def data() -> tuple[Array, Array, Array, Array]:
    """``X (60, 2), y (60,)`` to train on and ``X_val (200, 2), y_val (200,)`` from the same distribution."""
    X, y, X_val, y_val = _data()
    return X.copy(), y.copy(), X_val.copy(), y_val.copy()


@functools.cache
def _data() -> tuple[Array, Array, Array, Array]:
    X, y = datasets.moons(n_samples=60, noise=NOISE, seed=3)
    X_val, y_val = datasets.moons(n_samples=200, noise=NOISE, seed=4)
    arrays = (X, y, X_val, y_val)
    for a in arrays:
        a.flags.writeable = False
    return arrays


def fit(keep: float = 1.0, l2: float = 0.0, epochs: int = EPOCHS, early_stopping: int | None = None,
        seed: int = SEED) -> tuple[Network, History]:
    """Train a fresh ``2-16-16-1`` tanh network on :func:`data` (Adam, learning rate ``LR``, full batch) with
    keep probability ``keep`` (dropout rate ``1 - keep``) and weight decay ``l2``. Returns the network
    and its history (in evaluation mode after every epoch: the training loss with the L2 penalty,
    ``train_loss``, and without it, ``train_data_loss``, and the validation loss).

    Runs are deterministic, so each distinct run is computed once and remembered; the caller gets its
    own copies."""
    net, hist = _fit(float(keep), float(l2), int(epochs), early_stopping, int(seed))
    return net.copy(), copy.deepcopy(hist)


@functools.lru_cache(maxsize=32)
def _fit(keep: float, l2: float, epochs: int, early_stopping: int | None, seed: int) -> tuple[Network, History]:
    X, y, X_val, y_val = data()
    net = Network(SIZES, hidden="tanh", output="sigmoid", seed=seed)
    hist = train(net, X, y, lr=LR, epochs=epochs, optimizer="adam", dropout=1.0 - keep, l2=l2,
                 X_val=X_val, Y_val=y_val, early_stopping=early_stopping, evaluate_train=True, seed=seed,
                 record=("loss", "accuracy", "data_loss"))
    return net, hist


class Run(NamedTuple):
    """What :func:`fit_fast` returns: the trained network and, at the measured epochs ``epochs (m,)``,
    the training loss (evaluation mode, the data term only: without the L2 penalty, like the validation
    loss), the validation loss and accuracy."""

    net: Network
    epochs: Array
    train_loss: Array
    val_loss: Array
    val_accuracy: Array


def fit_fast(keep: float = 1.0, l2: float = 0.0, epochs: int = EPOCHS, every: int = 1, seed: int = SEED) -> Run:
    """The run of :func:`fit` (no early stopping) for the live panel: the same :func:`bpcore.train` call,
    measuring only every ``every``-th epoch and the last (``measure_every``), recording only the losses,
    without the divergence rule (Adam at ``LR`` does not diverge on these points; ``fit`` would say so).

    Returns a :class:`Run`: the trained network, and the losses and the validation accuracy at the
    measured epochs -- the same numbers as ``fit``'s history at those epochs, bit for bit (a
    measurement costs more than a training step, so the panel measures less often).
    """
    if not 0.0 < keep <= 1.0 or not l2 >= 0.0:
        raise ValueError(f"need a keep probability in (0, 1] and l2 >= 0, got keep={keep!r}, l2={l2!r}")
    X, y, X_val, y_val = _data()
    net = Network(SIZES, hidden="tanh", output="sigmoid", seed=seed)
    hist = train(net, X, y, lr=LR, epochs=epochs, optimizer="adam", dropout=1.0 - keep, l2=l2,
                 X_val=X_val, Y_val=y_val, evaluate_train=True, seed=seed, record=("loss", "data_loss"),
                 measure_every=every, divergence_factor=None)
    return Run(net, np.array(hist.measured_epochs), np.array(hist.train_data_loss), np.array(hist.val_loss),
               np.array(hist.val_accuracy))


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


def regularisation_panel(epochs: int = EPOCHS, static_keeps: Sequence[float] = (1.0, 0.8, 0.5),
                         l2_options: Sequence[float] = L2_OPTIONS,
                         static_l2: Sequence[float] = (0.0, 3e-3, 1e-2), resolution: int = RESOLUTION,
                         every: int = EVERY) -> Panel:
    """Keep probability and L2 strength; every change retrains (:func:`fit_fast`) and redraws the decision
    boundary over the training points (a picture, :func:`bpcore.figures.decision_boundary_image`) and
    the train/validation loss curves. The axes keep fixed ranges, so the browser redraws without
    re-plotting the figure."""
    X, y, X_val, y_val = data()
    bounds = F.grid_bounds(np.r_[X, X_val])
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.13,
                        subplot_titles=("Decision boundary and the 60 training points",
                                        "Data loss, no L2 penalty (evaluation mode)"))
    for c in (0, 1):
        fig.add_trace(go.Scatter(x=X[y == c, 0], y=X[y == c, 1], mode="markers", name=f"class {c} (train)",
                                 marker=dict(color=F.CLASS_COLOURS[c], symbol=F.CLASS_SYMBOLS[c], size=7,
                                             line=dict(width=1, color="white"))),
                      1, 1)
    fig.add_trace(go.Scatter(x=[1], y=[0.7], mode="lines", name="training loss (data term)",
                             line=dict(color=F.SERIES_COLOURS[0], width=2)), 1, 2)
    fig.add_trace(go.Scatter(x=[1], y=[0.7], mode="lines", name="validation loss",
                             line=dict(color=F.SERIES_COLOURS[1], width=2.5, dash="dash")), 1, 2)
    fig.add_trace(go.Scatter(x=[1], y=[0.7], mode="markers", name="lowest validation loss",
                             marker=dict(color=F.SERIES_COLOURS[1], size=11, symbol="star")), 1, 2)
    F.style(fig, "Overfitting and two cures", height=450)
    fig.update_xaxes(title_text="x₁", row=1, col=1)
    fig.update_yaxes(title_text="x₂", row=1, col=1)
    fig.update_xaxes(title_text="epoch", range=[1, epochs], row=1, col=2)
    fig.update_yaxes(title_text="cross-entropy (log)", **F.LOG_AXIS, row=1, col=2)
    fig.update_layout(legend=dict(orientation="h", y=-0.25), margin=dict(t=90))
    # where the boundary picture sits depends only on the grid: taken once from the shared builder
    picture = F.decision_boundary_image(Network(SIZES, hidden="tanh", output="sigmoid"), bounds, resolution)
    x_range, y_range = F.image_extent(picture)

    def update(keep: float, l2: float) -> dict:
        run = fit_fast(keep=float(keep), l2=float(l2), epochs=epochs, every=every)
        measured, train_loss, val_loss = run.epochs, run.train_loss, run.val_loss
        xs, ys, prob, n_classes = F.boundary_grid(run.net, bounds, resolution)
        image = F.boundary_picture(xs, ys, prob, n_classes)
        best = int(np.argmin(val_loss))
        length = boundary_length(prob, xs, ys)
        status = (f"keep {keep:.2f}, λ {l2:g} · train {train_loss[-1]:.3f}, validation "
                  f"{val_loss[-1]:.3f} (lowest {val_loss[best]:.3f}, epoch {measured[best]}) · "
                  f"val. accuracy {run.val_accuracy[-1]:.1%} · boundary {length:.1f}")
        return dict(traces=[{}, {},
                            {"x": measured, "y": train_loss},
                            {"x": measured, "y": val_loss},
                            {"x": [int(measured[best])], "y": [val_loss[best]]}],
                    layout={"images": [image], "xaxis.range": x_range, "yaxis.range": y_range,
                            # whole decades, at least 0.01 to 1: the same for almost every run
                            "yaxis2.range": F.log_axis_range(train_loss, val_loss, least=(-2.0, 0.0))},
                    status=status)

    controls = {
        "keep": Slider(0.3, 1.0, value=1.0, step=0.05, label="keep probability", static_values=list(static_keeps)),
        "l2": Dropdown(list(l2_options), value=0.0, label="L2 strength λ", static_values=list(static_l2)),
    }
    return panel(fig, update, controls, static=("keep", "l2"), title="Dropout and weight decay",
                 alt=("Two plots for a network trained on 60 noisy moons points: its decision boundary over the "
                      "training points, and the training and validation loss (both without the L2 penalty) per epoch "
                      "on a log scale with the "
                      "epoch of the lowest validation loss marked. Sliders choose the keep probability of "
                      "dropout and the L2 strength."))
