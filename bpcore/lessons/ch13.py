r"""Chapter 13, batch normalisation: a deep sigmoid network trained with and without it.

* :func:`compare` -- train the same deep sigmoid network (same initial weights) without and with batch
  normalisation and return both histories;
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
from bpcore.widgets import IntSlider, LogSlider, Panel, panel

Array = np.ndarray

COLOURS = {False: "#7f7f7f", True: "#2166ac"}
NAMES = {False: "without batch norm", True: "with batch norm"}
SHORT = {False: "plain", True: "batch norm"}


def compare(X: Array, y: Array, depth: int = 8, lr: float = 0.5, epochs: int = 150, width: int = 16,
            seed: int = 0) -> dict[bool, tuple[Network, History]]:
    """``{False: (net, history), True: (net, history)}``: a ``2 - width x depth - 1`` sigmoid network
    (Xavier weights from ``seed``, the same for both) trained full batch with SGD, without and with
    batch normalisation of every hidden layer.

    Runs are deterministic, so each distinct run is computed once and remembered (keyed on the data's
    bytes); the caller gets its own copies."""
    X, y = np.ascontiguousarray(X, dtype=float), np.ascontiguousarray(y)
    runs = _compare(X.tobytes(), X.shape, y.tobytes(), y.dtype.str, int(depth), float(lr), int(epochs),
                    int(width), int(seed))
    return {bn: (net.copy(), copy.deepcopy(hist)) for bn, (net, hist) in runs.items()}


@functools.lru_cache(maxsize=16)
def _compare(X_bytes: bytes, X_shape: tuple, y_bytes: bytes, y_dtype: str, depth: int, lr: float, epochs: int,
             width: int, seed: int) -> dict[bool, tuple[Network, History]]:
    X = np.frombuffer(X_bytes, dtype=float).reshape(X_shape)
    y = np.frombuffer(y_bytes, dtype=np.dtype(y_dtype))
    runs = {}
    for bn in (False, True):
        net = Network([X.shape[1]] + [width] * int(depth) + [1], hidden="sigmoid", output="sigmoid",
                      seed=seed, batch_norm=bn)
        runs[bn] = (net, train(net, X, y, lr=lr, epochs=epochs))
    return runs


def _positive(values: Array) -> list:
    return [float(v) if np.isfinite(v) and v > 0 else None for v in np.asarray(values, float)]


def batchnorm_panel(X: Array, y: Array, epochs: int = 150, static_depths: Sequence[int] = (3, 8),
                    static_lrs: Sequence[float] = (0.1, 0.5, 2.0)) -> Panel:
    """Depth and learning rate; every change trains both networks of :func:`compare` and redraws their
    loss curves and their first-epoch gradient norms per layer."""
    X, y = np.asarray(X, float), np.asarray(y)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.14,
                        subplot_titles=("Training loss", "Gradient norm ‖∂L/∂Wˡ‖ in the first epoch"))
    for bn in (False, True):
        fig.add_trace(go.Scatter(x=[1], y=[0.69], mode="lines", name=NAMES[bn], legendgroup=str(bn),
                                 line=dict(color=COLOURS[bn], width=2.5)), 1, 1)
    for bn in (False, True):
        fig.add_trace(go.Bar(x=[1], y=[1.0], name=NAMES[bn], legendgroup=str(bn), showlegend=False,
                             marker_color=COLOURS[bn]), 1, 2)
    fig.update_xaxes(title_text="epoch", row=1, col=1)
    fig.update_yaxes(title_text="cross-entropy (log)", type="log", row=1, col=1)
    fig.update_xaxes(title_text="layer l (1 = next to the input)", dtick=1, row=1, col=2)
    fig.update_yaxes(title_text="‖∂L/∂Wˡ‖ (log)", type="log", row=1, col=2)
    fig.update_layout(title="A deep sigmoid network without and with batch normalisation", height=430,
                      barmode="group", legend=dict(orientation="h", y=-0.25), margin=dict(t=90))

    def update(depth: int, lr: float) -> dict:
        runs = compare(X, y, depth=depth, lr=lr, epochs=epochs)
        traces, norms, parts = [], [], []
        for bn in (False, True):
            net, hist = runs[bn]
            traces.append({"x": np.arange(1, hist.epochs_run + 1), "y": _positive(hist.train_loss)})
            norms.append(hist.grad_norms[0])
            state = f"diverged at epoch {hist.diverged_epoch}" if hist.diverged else f"loss {hist.train_loss[-1]:.3g}"
            parts.append(f"{SHORT[bn]}: {state}, ‖∂L/∂W¹‖/‖∂L/∂Wᴸ‖ {norms[-1][0] / norms[-1][-1]:.1e}")
        layers = np.arange(1, depth + 2)
        traces += [{"x": layers, "y": _positive(n)} for n in norms]
        finite = np.concatenate([n[np.isfinite(n) & (n > 0)] for n in norms])
        lo, hi = np.floor(np.log10(finite.min())) - 0.5, np.ceil(np.log10(finite.max())) + 0.5
        return dict(traces=traces,
                    layout={"yaxis2": {"range": [float(lo), float(hi)]},
                            "xaxis2": {"range": [0.5, float(depth) + 1.5]}},
                    status=f"depth {depth}, lr {lr:.3g} · " + " · ".join(parts))

    controls = {
        "depth": IntSlider(2, 10, value=8, label="hidden layers", static_values=list(static_depths)),
        "lr": LogSlider(0.03, 3.0, value=0.5, label="learning rate", static_values=list(static_lrs)),
    }
    return panel(fig, update, controls, static=("depth", "lr"), title="Batch normalisation in a deep sigmoid network",
                 alt=("Two plots for two sigmoid networks trained on the moons data, one without and one with "
                      "batch normalisation: their training loss per epoch on a log scale, and bars of each "
                      "layer's gradient norm in the first epoch on a log scale. Sliders choose the number of "
                      "hidden layers and the learning rate."))
