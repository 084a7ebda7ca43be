"""Live panels: a plotly figure that redraws when a reader moves a control.

The package: :mod:`~bpcore.widgets.controls` (sliders, drop-downs, check boxes),
:mod:`~bpcore.widgets.livefigure` (the figure that redraws without re-plotting),
:mod:`~bpcore.widgets.panel` (the panel and its static twin) and :mod:`~bpcore.widgets.retraining`
(the standard retrain-and-redraw panel).

A panel is a figure built once, a function that says what changes for given control values, and the
controls.  In JupyterLab it is an ipywidgets panel (controls, a status line and a plotly
``FigureWidget``); in the book build (``BPCORE_BOOK=1``) the same object displays its *static twin*:
a plain plotly figure with precomputed frames over one or two controls and plotly's own slider, which
works without a kernel.  Both are drawn by the same ``update`` function.

Usage::

    import numpy as np
    import plotly.graph_objects as go
    from bpcore.activations import sigmoid
    from bpcore.widgets import panel, Slider

    z = np.linspace(-6, 6, 121)
    fig = go.Figure(go.Scatter(x=z, y=sigmoid(z), name="σ(z)"))
    fig.update_layout(title="A steeper sigmoid", xaxis_title="z", yaxis_title="σ(kz)")

    def update(k: float) -> dict:
        return dict(traces=[{"y": sigmoid(k * z)}], status=f"k = {k:.2g}")

    p = panel(fig, update,
              controls={"k": Slider(0.2, 5.0, value=1.0, step=0.2, label="steepness k",
                                    static_values=[0.5, 1, 2, 4])},
              static=("k",), title="Steepness of the sigmoid", alt="A sigmoid curve that steepens with k.")
    p                      # last expression of the cell: live panel, or the static twin in the book

``update(**values)`` receives every control's value by name and returns a dict with

* ``traces``: one dict per trace of ``figure``, in order, with the properties that change
  (``{}`` leaves a trace alone; a shorter list leaves the remaining traces alone),
* ``layout`` (optional): layout properties that change (e.g. ``{"xaxis.range": [0, 10]}``),
* ``status`` (optional): one line saying what is shown, e.g. ``"lr=0.3 · 300 epochs · loss 0.041"``.

It should return plain lists/arrays, never build ``go.Figure`` objects (slow).  An exception in
``update`` never escapes: the status line turns red and shows it.  For tests and notebooks,
``p.set(k=2.0)`` changes controls programmatically and ``p.figure_widget`` is the live figure.

Speed in the browser.  Only what changed is sent.  When every trace is a scatter trace, the changes
are ``x``/``y``, texts and marker or text colours, symbols and sizes only (``REDRAW_FREE_TRACE_KEYS``,
``REDRAW_FREE_STYLE_KEYS``) and the layout changes at most the pictures of its ``images``, the panel draws them
without re-plotting the figure (see :class:`LiveFigure`: ~25 ms instead of ~120 ms in JupyterLab).
So set axis ranges explicitly (autorange is not recomputed then) and keep them steady -- e.g. whole
decades on a log axis, :func:`bpcore.figures.log_axis_range` -- and draw a background such as a
decision boundary as a layout image (:func:`bpcore.figures.decision_boundary_image`).  Any other
change (a heatmap's ``z``, a colour, a range, an annotation) re-plots the figure: correct, just slower.

:func:`training_panel` builds the standard retrain-and-replot panel (decision boundary, loss
curves, gradient norms per layer) from a data set and the controls a chapter needs::

    from bpcore.widgets import training_panel
    training_panel("moons", controls=("lr", "epochs"), static=("lr",), lr=0.3, epochs=150,
                   hidden_units=16, activation="tanh")

Control names: lr, epochs, batch_size, hidden_units, depth, activation, loss, init, momentum,
dropout, l2, data, noise, seed (see :func:`training_controls` for their ranges; pass a dict
``{"lr": LogSlider(...)}`` to choose others).  A diverging run is drawn as diverged, never raised.

The look of every figure comes from :mod:`bpcore.figures`; its ``..._data`` functions are what
``update`` functions should call, so that the live panel and the book's frames share one code path.
A static twin holds at most 12 values per control and 64 frames; keep its HTML under 1.5 MB (the
training panel's twin over 8 learning rates is about 0.2 MB).
"""
from __future__ import annotations

from .controls import MAX_FRAMES_PER_CONTROL, Checkbox, Control, Dropdown, IntSlider, LogSlider, Slider
from .livefigure import REDRAW_FREE_STYLE_KEYS, REDRAW_FREE_TRACE_KEYS, LiveFigure
from .panel import MAX_FRAMES, Panel, Update, panel
from .retraining import BATCH_FULL, training_controls, training_figure, training_panel, training_update

__all__ = ["Control", "Slider", "LogSlider", "IntSlider", "Dropdown", "Checkbox", "LiveFigure", "Panel", "panel",
           "Update", "training_panel", "training_figure", "training_update", "training_controls", "BATCH_FULL",
           "MAX_FRAMES", "MAX_FRAMES_PER_CONTROL", "REDRAW_FREE_TRACE_KEYS", "REDRAW_FREE_STYLE_KEYS"]
