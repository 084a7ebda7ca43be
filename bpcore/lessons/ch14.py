r"""Chapter 14 (real data: handwritten digits): the splits, the runs and the figures of the chapter.

* :func:`splits` -- the chapter's seeded train / validation / test split of ``bpcore.datasets.digits()``
  (two calls of :func:`bpcore.train_val_split`, so every class keeps its share in every part).
* :func:`progress_bar` -- an ipywidgets progress bar fed by :func:`bpcore.train`'s ``callback``
  (nothing is shown in the book build).
* :func:`digit_grid` -- a grid of 8x8 images as plotly heatmaps, each with a caption.
* :func:`confusion_figure` -- a confusion matrix (from :func:`bpcore.confusion_matrix`) as a heatmap.
* :func:`quick_run` / :func:`capacity_panel` -- the small, fast configuration the live panel retrains
  (a fixed 800-image subset of the training set, Adam, batches of 200, a few epochs), cached per
  (hidden, epochs).
* :func:`smallest_hidden` -- the smallest hidden layer whose quick run reaches a validation accuracy.

The chapter's own runs use :func:`bpcore.train`. The quick runs, retrained on every move of a slider,
use :func:`quick_train`: the same steps through the network's internal passes, keeping only the
accuracies the panel draws (``tests/test_ch14.py`` checks it against :func:`bpcore.train` bit for bit).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np
import plotly.graph_objects as go

import bpcore
from bpcore import figures as F
from bpcore.notebook import is_book_build

Array = np.ndarray

#: seeds and fractions of the chapter's split: 20 % of the images for the test set, then 20 % of the
#: rest for validation (1151 / 287 / 359 images)
TEST_FRACTION, TEST_SEED = 0.2, 2
VAL_FRACTION, VAL_SEED = 0.2, 3
N_CLASSES = 10

#: the quick configuration the panel retrains: few, large batches keep a retraining under ~30 ms
QUICK_SUBSET, QUICK_LR, QUICK_BATCH, QUICK_EPOCHS, QUICK_HIDDEN = 800, 0.05, 200, 10, 16
#: the hidden sizes the static twin precomputes: every size from 8 to 16, where the 95 % line is crossed (so
#: exercise ex-ch14-4 can be answered in the published book), and a few beyond (12, the most per control)
QUICK_HIDDEN_SIZES = [2, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 32]
QUICK_EPOCH_VALUES = [5, 10, 20]


@dataclass(frozen=True)
class Splits:
    """The three disjoint parts: ``X_* (n, 64)`` pixel rows in [0, 1], ``y_* (n,)`` labels 0..9."""

    X_train: Array
    X_val: Array
    X_test: Array
    y_train: Array
    y_val: Array
    y_test: Array


@lru_cache(maxsize=1)
def splits() -> Splits:
    """The chapter's split: test set first (``TEST_SEED``), then validation from the rest (``VAL_SEED``)."""
    X, y = bpcore.datasets.digits()
    X_rest, X_test, y_rest, y_test = bpcore.train_val_split(X, y, val_fraction=TEST_FRACTION, seed=TEST_SEED)
    X_train, X_val, y_train, y_val = bpcore.train_val_split(X_rest, y_rest, val_fraction=VAL_FRACTION,
                                                            seed=VAL_SEED)
    for a in (X_train, X_val, X_test, y_train, y_val, y_test):
        a.setflags(write=False)  # shared by the cache: nobody may change them
    return Splits(X_train, X_val, X_test, y_train, y_val, y_test)


# -- progress ------------------------------------------------------------------------------------
def progress_bar(epochs: int, description: str = "training") -> tuple[object | None, Callable]:
    """An ``IntProgress`` bar (displayed at once) and a ``callback(epoch, history)`` for :func:`bpcore.train`.

    In the book build (``BPCORE_BOOK=1``) no widget is shown (it would be dead without a kernel) and the
    callback does nothing.  The callback never stops training (it returns None).
    """
    if is_book_build():
        return None, lambda epoch, history: None
    import ipywidgets as w
    from IPython.display import display

    bar = w.IntProgress(value=0, min=0, max=int(epochs), description=description,
                        style={"description_width": "initial"})
    display(bar)

    def callback(epoch: int, history) -> None:
        bar.value = epoch

    return bar, callback


# -- figures ---------------------------------------------------------------------------------------
def digit_grid(images: Array, captions: Sequence[str], title: str, columns: int = 8) -> go.Figure:
    """Images ``(k, 64)`` (or ``(k, 8, 8)``) drawn as 8x8 grey heatmaps, ink dark, in rows of ``columns``."""
    from plotly.subplots import make_subplots

    images = np.asarray(images, dtype=float).reshape(-1, 8, 8)
    if len(images) == 0:
        raise ValueError("digit_grid needs at least one image")
    if len(captions) != len(images):
        raise ValueError(f"{len(images)} images but {len(captions)} captions")
    columns = min(columns, len(images))
    rows = -(-len(images) // columns)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=list(captions),
                        horizontal_spacing=0.02, vertical_spacing=0.12 if rows > 1 else 0.0)
    for i, img in enumerate(images):
        fig.add_trace(go.Heatmap(z=img, zmin=0.0, zmax=1.0, colorscale="Greys", showscale=False,
                                 hovertemplate="row %{y}, column %{x}: %{z:.2f}<extra></extra>"),
                      row=i // columns + 1, col=i % columns + 1)
    F.style(fig, title, height=70 + 115 * rows)
    fig.update_xaxes(showticklabels=False, ticks="", showgrid=False, showline=False, zeroline=False)
    fig.update_yaxes(showticklabels=False, ticks="", showgrid=False, showline=False, zeroline=False,
                     autorange="reversed")
    fig.update_annotations(font_size=11)
    return fig


def confusion_heatmap_data(C: Array) -> dict:
    """The properties of the confusion-matrix heatmap trace that change with ``C (k, k)``."""
    C = np.asarray(C)
    return {"z": C.tolist(), "text": C.astype(str).tolist()}


def confusion_trace(n_classes: int = N_CLASSES, showscale: bool = True) -> go.Heatmap:
    """An empty heatmap styled for a confusion matrix (counts written in the cells)."""
    labels = [str(k) for k in range(n_classes)]
    return go.Heatmap(x=labels, y=labels, colorscale="Blues", texttemplate="%{text}",
                      showscale=showscale, colorbar={"title": {"text": "images"}},
                      hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>")


def confusion_figure(C: Array, title: str) -> go.Figure:
    """``C[i, j]`` = number of images of digit ``i`` predicted as ``j`` (see :func:`bpcore.confusion_matrix`)."""
    fig = go.Figure(confusion_trace(len(C)))
    fig.data[0].update(confusion_heatmap_data(C))
    F.style(fig, title, height=480)
    fig.update_xaxes(title_text="predicted digit", side="bottom", showgrid=False, dtick=1)
    fig.update_yaxes(title_text="true digit", autorange="reversed", showgrid=False, dtick=1)
    fig.update_layout(width=560)
    return fig


def curves_figure(history: bpcore.History, title: str) -> go.Figure:
    """Training and validation accuracy per epoch (left) and loss (right) of one run."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("accuracy", "cross-entropy loss"),
                        horizontal_spacing=0.1)
    epochs = np.arange(1, history.epochs_run + 1)
    for col, (train, val) in enumerate([(history.train_accuracy, history.val_accuracy),
                                        (history.train_loss, history.val_loss)], start=1):
        fig.add_trace(go.Scatter(x=epochs, y=train, name="training", mode="lines", showlegend=col == 1,
                                 line={"color": F.SERIES_COLOURS[0], "width": 2.5}), row=1, col=col)
        fig.add_trace(go.Scatter(x=epochs, y=val, name="validation", mode="lines", showlegend=col == 1,
                                 line={"color": F.SERIES_COLOURS[1], "width": 2.5, "dash": "dash"}),
                      row=1, col=col)
    F.style(fig, title, height=380)
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="fraction correct", tickformat=".0%", row=1, col=1)
    fig.update_yaxes(title_text="loss (log scale)", **F.LOG_AXIS, row=1, col=2)
    return fig


# -- the quick configuration and its panel -------------------------------------------------------
@dataclass(frozen=True)
class QuickRun:
    """One quick run: accuracy per epoch on its training images (the running figure over each epoch's
    batches, as :func:`bpcore.train` records it) and on the validation set, both ``(epochs,)``, and
    the final validation confusion matrix ``(10, 10)``."""

    hidden: int
    epochs: int
    train_accuracy: Array
    val_accuracies: Array
    confusion: Array

    @property
    def val_accuracy(self) -> float:
        """The validation accuracy after the last epoch."""
        return float(self.val_accuracies[-1])


@lru_cache(maxsize=1)
def quick_subset() -> tuple[Array, Array]:
    """The fixed random ``QUICK_SUBSET`` images of the training set the quick runs learn from."""
    s = splits()
    idx = np.random.default_rng(0).permutation(len(s.X_train))[:QUICK_SUBSET]
    X, y = s.X_train[idx], s.y_train[idx]
    for a in (X, y):
        a.setflags(write=False)
    return X, y


def quick_train(net: bpcore.Network, epochs: int = QUICK_EPOCHS) -> tuple[Array, Array, Array]:
    """Train ``net`` (64-h-10, softmax output) in place on :func:`quick_subset`:
    ``bpcore.train(net, X, y, loss="ce", optimizer="adam", lr=QUICK_LR, epochs=epochs,
    batch_size=QUICK_BATCH, seed=0, X_val=..., Y_val=...)`` recording only the accuracies the panel draws,
    so no loss is computed (nor the divergence rule that needs it: Adam at ``QUICK_LR`` does not diverge here).

    Returns the training accuracy (running figure over each epoch's batches) and the validation
    accuracy per epoch, ``(epochs,)`` each, and the digit predicted for every validation image at the end.
    """
    s, (X, y) = splits(), quick_subset()
    hist = bpcore.train(net, X, y, loss="ce", optimizer="adam", lr=QUICK_LR, epochs=epochs,
                        batch_size=QUICK_BATCH, seed=0, X_val=s.X_val, Y_val=s.y_val, record=("accuracy",),
                        divergence_factor=None)
    return np.array(hist.train_accuracy), np.array(hist.val_accuracy), net.predict(s.X_val)


@lru_cache(maxsize=256)
def quick_run(hidden: int, epochs: int = QUICK_EPOCHS) -> QuickRun:
    """Train a 64-``hidden``-10 tanh/softmax network (seed 0) on :func:`quick_subset` with Adam, lr
    ``QUICK_LR``, batches of ``QUICK_BATCH``, for ``epochs`` epochs (:func:`quick_train`); validation
    after every epoch.  Cached: same arguments, same run."""
    hidden = int(hidden)
    epochs = int(epochs)
    net = bpcore.Network([64, hidden, N_CLASSES], hidden="tanh", output="softmax", seed=0)
    train_acc, val_acc, predicted = quick_train(net, epochs)
    C = bpcore.confusion_matrix(splits().y_val, predicted, N_CLASSES)
    return QuickRun(hidden, epochs, train_acc, val_acc, C)


def smallest_hidden(target: float = 0.95, epochs: int = QUICK_EPOCHS, largest: int = 64) -> int | None:
    """The smallest hidden size (1, 2, ..., ``largest``) whose :func:`quick_run` ends with a validation
    accuracy of at least ``target``; None if none does."""
    for hidden in range(1, largest + 1):
        if quick_run(hidden, epochs).val_accuracy >= target:
            return hidden
    return None


def capacity_figure() -> go.Figure:
    """The panel's look: accuracy curves (left), validation confusion matrix (right: a picture of the cells
    and their counts as text, so a slider step is redrawn without re-plotting the figure)."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.1,
                        subplot_titles=("accuracy per epoch", "validation confusion matrix"))
    fig.add_trace(go.Scatter(name="training (800 images)", mode="lines+markers",
                             line={"color": F.SERIES_COLOURS[0], "width": 2.5}), row=1, col=1)
    fig.add_trace(go.Scatter(name="validation (287 images)", mode="lines+markers",
                             line={"color": F.SERIES_COLOURS[1], "width": 2.5, "dash": "dash"}), row=1, col=1)
    fig.add_trace(go.Scatter(x=[1, max(QUICK_EPOCH_VALUES)], y=[0.95, 0.95], name="95 %", mode="lines",
                             line={"color": F.FONT_COLOUR, "width": 1, "dash": "dot"}), row=1, col=1)
    fig.add_trace(go.Scatter(name="images (true digit, predicted digit)", mode="text", showlegend=False,
                             textfont={"size": 11}, hovertemplate="true %{customdata}, predicted %{x}: "
                             "%{text}<extra></extra>",
                             customdata=[N_CLASSES - 1 - k // N_CLASSES for k in range(N_CLASSES ** 2)]),
                  row=1, col=2)
    F.style(fig, "How big must the hidden layer be?", height=430)
    fig.update_xaxes(title_text="epoch", range=[0.5, max(QUICK_EPOCH_VALUES) + 0.5], row=1, col=1)
    fig.update_yaxes(title_text="fraction correct", tickformat=".0%", range=[0.0, 1.02], row=1, col=1)
    digits = list(range(N_CLASSES))
    fig.update_xaxes(title_text="predicted digit", showgrid=False, zeroline=False, tickvals=digits,
                     range=[-0.5, N_CLASSES - 0.5], row=1, col=2)
    fig.update_yaxes(title_text="true digit", showgrid=False, zeroline=False, tickvals=digits,
                     ticktext=[str(N_CLASSES - 1 - k) for k in digits], range=[-0.5, N_CLASSES - 0.5],
                     row=1, col=2)
    fig.update_layout(legend={"orientation": "h", "y": -0.22, "x": 0.0},
                      images=[F.count_matrix_picture(np.zeros((N_CLASSES, N_CLASSES)), "x2", "y2")])
    return fig


def capacity_update(hidden: int, epochs: int, callback: Callable | None = None) -> dict:
    """Retrain the quick configuration (cached) and return the panel's trace changes, picture and status."""
    run = quick_run(int(hidden), int(epochs))
    x = np.arange(1, len(run.val_accuracies) + 1)
    status = (f"hidden units {int(hidden)} · {int(epochs)} epochs · validation accuracy "
              f"{run.val_accuracy:.1%} ({int(np.trace(run.confusion))} of {int(run.confusion.sum())} right)")
    return {"traces": [{"x": x, "y": run.train_accuracy}, {"x": x, "y": run.val_accuracies}, {},
                       F.count_matrix_labels(run.confusion)],
            "layout": {"images": [F.count_matrix_picture(run.confusion, "x2", "y2")]},
            "status": status}


def capacity_panel():
    """Panel: hidden size and epochs of the quick configuration; accuracy curves and confusion matrix."""
    from bpcore.widgets import IntSlider, panel

    return panel(capacity_figure(), capacity_update,
                 controls={"hidden": IntSlider(1, 64, value=QUICK_HIDDEN, label="hidden units",
                                               static_values=QUICK_HIDDEN_SIZES),
                           "epochs": IntSlider(1, max(QUICK_EPOCH_VALUES), value=QUICK_EPOCHS, label="epochs",
                                               static_values=QUICK_EPOCH_VALUES)},
                 static=("hidden", "epochs"), title="Hidden units and epochs on the digits",
                 alt="Left: training and validation accuracy per epoch of a 64-h-10 network trained on 800 "
                     "digit images, with a dotted line at 95 %. Right: the 10 by 10 validation confusion "
                     "matrix, true digit down, predicted digit across.")
