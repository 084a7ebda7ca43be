r"""Chapter 13, batch normalisation: a deep sigmoid network trained with and without it.

* :func:`train_pair` -- train the same deep sigmoid network (same initial weights) without and with batch
  normalisation and return both networks and histories; :func:`compare` is the same, remembered;
* :func:`batchnorm_panel` -- the live panel: depth and learning rate; loss curves and per-layer gradient
  norms of the two networks side by side.

The transform itself and its gradient are :func:`bpcore.batchnorm.batchnorm_forward` and
:func:`bpcore.batchnorm.batchnorm_backward`; the network uses them when built with ``batch_norm=True``.
"""
from __future__ import annotations

import copy
import functools
from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from bpcore import History, Network, train
from bpcore import figures as F
from bpcore.widgets import IntSlider, LogSlider, Panel, panel

Array = np.ndarray

COLOURS = {False: F.FONT_COLOUR, True: F.OKABE_ITO["blue"]}
NAMES = {False: "without batch norm", True: "with batch norm"}
SHORT = {False: "plain", True: "batch norm"}


def train_pair(X: Array, y: Array, depth: int = 8, lr: float = 0.5, epochs: int = 150, width: int = 16,
               seed: int = 0) -> dict[bool, tuple[Network, History]]:
    """``{False: (net, history), True: (net, history)}``: a ``n_in - width x depth - 1`` sigmoid network
    (Xavier weights from ``seed``, the same for both) trained full batch with SGD, without and with
    batch normalisation of every hidden layer.  X: ``(n_samples, n_in)``, y: ``(n_samples,)`` labels 0/1."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    runs = {}
    for bn in (False, True):
        net = Network([X.shape[1]] + [int(width)] * int(depth) + [1], hidden="sigmoid", output="sigmoid",
                      seed=seed, batch_norm=bn)
        runs[bn] = (net, train(net, X, y, lr=lr, epochs=epochs, record=("loss", "accuracy", "grad_norms")))
    return runs


def compare(X: Array, y: Array, depth: int = 8, lr: float = 0.5, epochs: int = 150, width: int = 16,
            seed: int = 0) -> dict[bool, tuple[Network, History]]:
    """:func:`train_pair`, remembered: runs are deterministic, so each distinct run is computed once
    (keyed on the data's bytes) and the caller gets its own copies."""
    X, y = np.ascontiguousarray(X, dtype=float), np.ascontiguousarray(y)
    runs = _compare(X.tobytes(), X.shape, y.tobytes(), y.dtype.str, int(depth), float(lr), int(epochs),
                    int(width), int(seed))
    return {bn: (net.copy(), copy.deepcopy(hist)) for bn, (net, hist) in runs.items()}


@functools.lru_cache(maxsize=16)
def _compare(X_bytes: bytes, X_shape: tuple, y_bytes: bytes, y_dtype: str, depth: int, lr: float, epochs: int,
             width: int, seed: int) -> dict[bool, tuple[Network, History]]:
    X = np.frombuffer(X_bytes, dtype=float).reshape(X_shape)
    y = np.frombuffer(y_bytes, dtype=np.dtype(y_dtype))
    return train_pair(X, y, depth, lr, epochs, width, seed)


#: the panel's log axes show at least these decades (log10), so that most steps keep them still
LOSS_DECADES = (-1.0, 0.0)
NORM_DECADES = (-5.0, 1.0)


def batchnorm_panel(X: Array, y: Array, epochs: int = 15, width: int = 8, max_depth: int = 6,
                    static_depths: Sequence[int] = (1, 3, 5),
                    static_lrs: Sequence[float] = (0.3, 1.0, 2.0, 5.0)) -> Panel:
    """Depth and learning rate; every change trains both networks of :func:`train_pair` (``width`` units
    per hidden layer, ``epochs`` epochs) and redraws their loss curves and their first-epoch gradient
    norms per layer.  X: ``(n_samples, 2)``, y: ``(n_samples,)`` labels 0/1."""
    X, y = np.asarray(X, float), np.asarray(y)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.14,
                        subplot_titles=("Training loss", "Gradient norm in the first epoch"))
    for bn in (False, True):
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines", name=NAMES[bn], legendgroup=str(bn),
                                 line=dict(color=COLOURS[bn], width=2.5)), 1, 1)
    for bn in (False, True):
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines+markers", name=NAMES[bn], legendgroup=str(bn),
                                 showlegend=False, line=dict(color=COLOURS[bn], width=2), marker=dict(size=8)), 1, 2)
    F.style(fig, "A deep sigmoid network without and with batch normalisation", height=430)
    fig.update_xaxes(title_text="epoch", range=[1, epochs], row=1, col=1)
    fig.update_yaxes(title_text="cross-entropy (log)", type="log", range=list(LOSS_DECADES), row=1, col=1)
    F.per_layer_norm_axes(fig, max_depth + 1, NORM_DECADES, row=1, col=2)
    fig.update_layout(legend=dict(orientation="h", y=-0.25), margin=dict(t=90))

    def update(depth: int, lr: float) -> dict:
        runs = train_pair(X, y, depth=depth, lr=lr, epochs=epochs, width=width)
        losses, norms, parts = [], [], []
        for bn in (False, True):
            _, hist = runs[bn]
            losses.append(F.finite_or_nan(hist.train_loss))
            first = F.finite_or_nan(hist.grad_norms[0])
            first[first <= 0] = np.nan                              # zero: a gap on the log axis
            norms.append(first)
            state = f"diverged at epoch {hist.diverged_epoch}" if hist.diverged else f"loss {hist.train_loss[-1]:.3g}"
            parts.append(f"{SHORT[bn]}: {state}, ‖∂L/∂W¹‖/‖∂L/∂Wᴸ‖ {first[0] / first[-1]:.1e}")
        layers = np.arange(1, depth + 2)
        traces = [{"x": np.arange(1, len(loss) + 1), "y": loss} for loss in losses]
        traces += [{"x": layers, "y": n} for n in norms]
        return dict(traces=traces,
                    layout={"yaxis.range": F.log_axis_range(np.concatenate(losses), least=LOSS_DECADES),
                            "yaxis2.range": F.log_axis_range(np.concatenate(norms), least=NORM_DECADES)},
                    status=f"depth {depth}, lr {lr:.3g}, {epochs} epochs · " + " · ".join(parts))

    controls = {
        "depth": IntSlider(1, max_depth, value=5, label="hidden layers", static_values=list(static_depths)),
        "lr": LogSlider(0.1, 10.0, value=2.0, label="learning rate", static_values=list(static_lrs)),
    }
    return panel(fig, update, controls, static=("depth", "lr"), title="Batch normalisation in a deep sigmoid network",
                 alt=("Two plots for two sigmoid networks trained on the moons data, one without and one with "
                      "batch normalisation: their training loss per epoch on a log scale, and each layer's "
                      "gradient norm in the first epoch, plotted against the layer on a log scale. Sliders "
                      "choose the number of hidden layers and the learning rate."))
