"""Live panels: a plotly figure that redraws when a reader moves a control.

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
are ``x``/``y`` only and the layout changes at most the pictures of its ``images``, the panel draws them
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

import html
import itertools
import math
import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

try:
    from .notebook import is_book_build
except ImportError:  # pragma: no cover - the book pipeline's module is missing
    import os

    def is_book_build() -> bool:
        return os.environ.get("BPCORE_BOOK", "") == "1"

MAX_FRAMES_PER_CONTROL = 12
MAX_FRAMES = 64  # per static twin (two controls: the product of their value counts)
SLIDER_WIDTH = "420px"
PROGRESS_AFTER_S = 0.5  # a retraining that takes longer than this shows a progress bar
STATUS_STYLE = "font-family: var(--jp-code-font-family, monospace); font-size: 0.9em;"
Update = Callable[..., Mapping[str, Any]]


# --------------------------------------------------------------------------------------------
# Controls: descriptions of a widget, plus the values the static twin precomputes.
# --------------------------------------------------------------------------------------------
@dataclass
class Control:
    """Base class: a control's current ``value``, its ``label`` and the twin's ``static_values``."""

    value: Any = None
    label: str = ""
    static_values: Sequence[Any] | None = None

    def widget(self, name: str):
        """A new ipywidgets widget for this control (``name`` is the fallback label)."""
        raise NotImplementedError

    def default_static_values(self) -> list[Any]:
        raise NotImplementedError

    def coerce(self, value: Any) -> Any:
        """The value ``update`` receives for a widget value (e.g. rounded to what the readout shows)."""
        return value

    def frame_values(self) -> list[Any]:
        """The values the static twin shows (``static_values`` or a default spread), at most 12."""
        values = list(self.static_values) if self.static_values is not None else self.default_static_values()
        if not 1 <= len(values) <= MAX_FRAMES_PER_CONTROL:
            raise ValueError(f"a static twin shows 1 to {MAX_FRAMES_PER_CONTROL} values per control, "
                             f"got {len(values)}: {values!r}")
        return values


def _check_range(lo: float, hi: float, what: str) -> None:
    if not (isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo < hi):
        raise ValueError(f"{what} needs numbers min < max, got min={lo!r}, max={hi!r}")


@dataclass
class Slider(Control):
    """A float slider from ``min`` to ``max`` in steps of ``step`` (default: 1/50 of the range)."""

    min: float = 0.0
    max: float = 1.0
    step: float | None = None

    def __init__(self, min: float, max: float, value: float | None = None, step: float | None = None,
                 label: str = "", static_values: Sequence[float] | None = None):
        _check_range(min, max, "Slider")
        self.min, self.max, self.step = float(min), float(max), step or (max - min) / 50
        super().__init__(value=float(min if value is None else value), label=label, static_values=static_values)

    def widget(self, name: str):
        import ipywidgets as w
        return w.FloatSlider(value=self.value, min=self.min, max=self.max, step=self.step,
                             description=self.label or name, continuous_update=False,
                             readout_format=".3g", style={"description_width": "initial"},
                             layout=w.Layout(width=SLIDER_WIDTH))

    def default_static_values(self) -> list[float]:
        return [float(f"{v:.3g}") for v in np.linspace(self.min, self.max, 8)]

    def coerce(self, value: float) -> float:
        return round(float(value), 10)  # 0.30000000000000004 -> 0.3


@dataclass
class LogSlider(Control):
    r"""A slider on a log scale from ``min`` to ``max`` (> 0); ``steps_per_decade`` key presses per factor 10."""

    min: float = 1e-3
    max: float = 1.0
    steps_per_decade: int = 10

    def __init__(self, min: float, max: float, value: float | None = None, label: str = "",
                 static_values: Sequence[float] | None = None, steps_per_decade: int = 10):
        _check_range(min, max, "LogSlider")
        if min <= 0:
            raise ValueError(f"LogSlider needs min > 0, got {min!r}")
        self.min, self.max, self.steps_per_decade = float(min), float(max), int(steps_per_decade)
        super().__init__(value=float(min if value is None else value), label=label, static_values=static_values)

    def widget(self, name: str):
        import ipywidgets as w
        return w.FloatLogSlider(value=self.value, base=10, min=math.log10(self.min), max=math.log10(self.max),
                                step=1 / self.steps_per_decade, description=self.label or name,
                                continuous_update=False, readout_format=".3g",
                                style={"description_width": "initial"}, layout=w.Layout(width=SLIDER_WIDTH))

    def default_static_values(self) -> list[float]:
        return [float(f"{v:.2g}") for v in np.geomspace(self.min, self.max, 8)]

    def coerce(self, value: float) -> float:
        return float(f"{value:.3g}")  # what the readout shows is what is used


@dataclass
class IntSlider(Control):
    """An integer slider from ``min`` to ``max`` in steps of ``step``."""

    min: int = 0
    max: int = 10
    step: int = 1

    def __init__(self, min: int, max: int, value: int | None = None, step: int = 1, label: str = "",
                 static_values: Sequence[int] | None = None):
        _check_range(min, max, "IntSlider")
        self.min, self.max, self.step = int(min), int(max), int(step)
        super().__init__(value=int(min if value is None else value), label=label, static_values=static_values)

    def widget(self, name: str):
        import ipywidgets as w
        return w.IntSlider(value=self.value, min=self.min, max=self.max, step=self.step,
                           description=self.label or name, continuous_update=False,
                           style={"description_width": "initial"}, layout=w.Layout(width=SLIDER_WIDTH))

    def default_static_values(self) -> list[int]:
        values = np.unique(np.linspace(self.min, self.max, 8).round().astype(int))
        return [int(v) for v in values]


@dataclass
class Dropdown(Control):
    """A choice among ``options`` (strings or numbers)."""

    options: Sequence[Any] = ()

    def __init__(self, options: Sequence[Any], value: Any = None, label: str = "",
                 static_values: Sequence[Any] | None = None):
        if isinstance(options, str) or len(options) == 0:
            raise ValueError(f"Dropdown needs a non-empty list of options, got {options!r}")
        self.options = list(options)
        value = self.options[0] if value is None else value
        if value not in self.options:
            raise ValueError(f"Dropdown value {value!r} is not one of its options {self.options!r}")
        super().__init__(value=value, label=label, static_values=static_values)

    def widget(self, name: str):
        import ipywidgets as w
        return w.Dropdown(options=self.options, value=self.value, description=self.label or name,
                          style={"description_width": "initial"})

    def default_static_values(self) -> list[Any]:
        return self.options[:MAX_FRAMES_PER_CONTROL]


@dataclass
class Checkbox(Control):
    """An on/off switch."""

    def __init__(self, value: bool = False, label: str = "", static_values: Sequence[bool] | None = None):
        super().__init__(value=bool(value), label=label, static_values=static_values)

    def widget(self, name: str):
        import ipywidgets as w
        return w.Checkbox(value=self.value, description=self.label or name, indent=False)

    def default_static_values(self) -> list[bool]:
        return [False, True]


# --------------------------------------------------------------------------------------------
# The live figure: plotly's FigureWidget with two cheap ways to redraw
# --------------------------------------------------------------------------------------------
#: Trace properties whose change can be drawn without re-plotting the figure (scatter traces only).
REDRAW_FREE_TRACE_KEYS = frozenset({"x", "y"})


class LiveFigure(go.FigureWidget):
    """A ``go.FigureWidget`` that can redraw what a slider step usually changes without re-plotting.

    Any data change sent the usual way (``Plotly.update``, ``Plotly.relayout``) re-plots the whole
    figure in the browser -- axes, legend, every marker: about 120 ms in JupyterLab on this machine for
    the training panel.  :meth:`redraw_free` instead sends new ``x``/``y`` of scatter traces and new
    pictures of layout images as one ``Plotly.animate`` with ``redraw: false``: plotly.js re-draws those
    traces and swaps the pictures, nothing else (~25 ms).  Axis ranges must not change (set them
    explicitly: autorange is not recomputed).

    Two plotly details make this work, both handled here:

    * plotly.py's own ``batch_animate`` always asks for a full redraw, so :meth:`redraw_free` drives
      the same batch machinery (``_in_batch_mode``, ``_perform_batch_animate``) with other options;
    * plotly.js swaps just the picture for the key ``images[0].source`` but re-plots everything for
      ``images.0.source``, the spelling plotly.py sends: :meth:`_send_animate_msg` rewrites it.  (A
      ``Plotly.relayout`` from the widget always re-plots: it carries an extra flag plotly.js does not know.)

    These are plotly.py internals (version pinned in requirements.txt); ``tests/test_widgets.py``
    checks the messages, so an upgrade that changes them fails there.
    """

    _ARRAY_ITEM = re.compile(r"^(annotations|images|shapes)\.(\d+)\.")

    def _send_animate_msg(self, styles_data, relayout_data, trace_indexes, animation_opts):
        relayout_data = {self._ARRAY_ITEM.sub(r"\1[\2].", key): value for key, value in relayout_data.items()}
        # every trace takes part, changed or not: plotly.js removes from a subplot the traces a
        # transition leaves out (the data points would vanish when only the loss curves change)
        trace_indexes = list(trace_indexes)
        unchanged = [i for i in range(len(self.data)) if i not in trace_indexes]
        super()._send_animate_msg(list(styles_data) + [{} for _ in unchanged], relayout_data,
                                  trace_indexes + unchanged, animation_opts)

    def cannot_redraw_free(self, traces: Sequence[tuple[int, Mapping[str, Any]]]) -> str | None:
        """Why the trace changes ``[(trace index, {...}), ...]`` need a full re-plot, or None if they don't."""
        others = sorted({t.type for t in self.data} - {"scatter"})
        if others:
            return f"redraw_free needs a figure of scatter traces only, this one has {others}"
        for i, change in traces:
            if not set(change) <= REDRAW_FREE_TRACE_KEYS:
                return f"redraw_free changes x/y of scatter traces only, got {sorted(change)} for trace {i}"
        return None

    def image_source_changes(self, images: Sequence[Mapping[str, Any]]) -> dict[int, str] | None:
        """``{index: source}`` if ``images`` differ from the figure's layout images in their pictures only
        (same number, same places), else None."""
        if len(images) != len(self.layout.images):
            return None
        sources = {}
        for k, (new, old) in enumerate(zip(images, self.layout.images)):
            old = old.to_plotly_json()
            if any(key != "source" and not _same(old.get(key), value) for key, value in new.items()):
                return None
            if new.get("source") != old.get("source"):
                sources[k] = new.get("source")
        return sources

    def redraw_free(self, traces: Sequence[tuple[int, Mapping[str, Any]]] = (),
                    image_sources: Mapping[int, str] | None = None) -> None:
        """Draw new ``x``/``y`` of scatter traces (``[(trace index, {"y": ...}), ...]``) and new
        ``source`` pictures of existing layout images (``{image index: data URI}``) in one message,
        without re-plotting the figure."""
        reason = self.cannot_redraw_free(traces)
        if reason:
            raise ValueError(reason)
        image_sources = dict(image_sources or {})
        if any(not 0 <= k < len(self.layout.images) for k in image_sources):
            raise ValueError(f"redraw_free changes existing layout images only (the figure has "
                             f"{len(self.layout.images)}), got indices {sorted(image_sources)}")
        self._in_batch_mode = True
        try:
            for i, change in traces:
                self.data[i].update(change)
            for k, source in image_sources.items():
                self.layout.images[k].source = source
        finally:
            self._in_batch_mode = False
        self._perform_batch_animate({"mode": "immediate", "transition": {"duration": 0},
                                     "frame": {"duration": 0, "redraw": False}})


# --------------------------------------------------------------------------------------------
# The panel
# --------------------------------------------------------------------------------------------
def _format_value(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _status_html(text: str, error: bool = False, warning: bool = False) -> str:
    colour = "#D55E00" if error else "#B36B00" if warning else "inherit"
    return f'<div style="{STATUS_STYLE} color: {colour}">{html.escape(text)}</div>'


class Panel:
    """A figure, its ``update`` function and controls; see the module docstring.

    Displaying it shows the live ipywidgets panel, or the static twin in a book build.
    """

    def __init__(self, figure: go.Figure, update: Update, controls: Mapping[str, Control],
                 static: Sequence[str] = (), title: str = "", alt: str = "",
                 static_update: Update | None = None):
        from plotly.basedatatypes import BaseFigure
        if not isinstance(figure, BaseFigure):
            raise TypeError(f"figure must be a plotly go.Figure, got {type(figure).__name__}")
        figure = go.Figure(figure) if not isinstance(figure, go.Figure) else figure
        if not callable(update):
            raise TypeError("update must be a function update(**values) -> dict(traces=..., status=...)")
        for name, control in controls.items():
            if not isinstance(control, Control):
                raise TypeError(f"control {name!r} must be a Slider, LogSlider, IntSlider, Dropdown or Checkbox, "
                                f"got {type(control).__name__}")
        if isinstance(static, str):
            static = (static,)
        unknown = [s for s in static if s not in controls]
        if unknown or len(static) > 2:
            raise ValueError(f"static must name 1 or 2 of the controls {list(controls)}, got {list(static)}")
        self.figure, self.update, self.controls = figure, update, dict(controls)
        self.static = tuple(static) if static else tuple(controls)[:1]
        self.static_update = static_update or update
        self.title, self.alt = title, alt
        self.status_text = ""
        self.error: str | None = None
        self.updates = 0  # completed updates (a test hook)
        self.redraws = {"free": 0, "full": 0}  # how updates were drawn (see LiveFigure; a test hook)
        self._widget = None

    # -- values --------------------------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        """The current value of every control (read from the widgets once they exist)."""
        if self._widget is None:
            return {name: c.value for name, c in self.controls.items()}
        return {name: self.controls[name].coerce(w.value) for name, w in self._inputs.items()}

    def set(self, **values: Any) -> None:
        """Change controls programmatically (as a reader would).

        Once the live widget exists the figure updates once, for all the new values together; before,
        the values only become the controls' starting values (the twin and the widget start there).
        """
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; this panel has {list(self.controls)}")
        if self._widget is None:
            for name, value in values.items():
                self.controls[name].value = value
            return
        self._muted = True
        try:
            for name, value in values.items():
                self._inputs[name].value = value
        finally:
            self._muted = False
        self.refresh()

    # -- live ------------------------------------------------------------------------------------
    @property
    def widget(self):
        """The ipywidgets panel (built on first use): title, controls, status, progress, figure."""
        if self._widget is None:
            self._build_widget()
        return self._widget

    @property
    def figure_widget(self) -> LiveFigure:
        self.widget
        return self._fig

    def _build_widget(self) -> None:
        import ipywidgets as w
        self._fig = LiveFigure(self.figure)
        self._inputs = {name: c.widget(name) for name, c in self.controls.items()}
        self._status = w.HTML(value="")
        self._status.add_class("bpcore-status")
        self.progress = w.FloatProgress(value=0.0, min=0.0, max=1.0, description="training",
                                        layout=w.Layout(visibility="hidden", width="50%"))
        self._muted = False
        self._last_layout: dict[str, Any] = {}
        self._sent: list[dict[str, Any]] = [{} for _ in self._fig.data]  # last values sent, per trace
        for input_widget in self._inputs.values():
            input_widget.observe(self._on_change, names="value")
        hidden = "position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden"  # read by screen readers only
        header = [w.HTML(f"<b>{html.escape(self.title)}</b>"
                         + (f'<span style="{hidden}">{html.escape(self.alt)}</span>' if self.alt else ""))
                  ] if self.title or self.alt else []
        box = w.VBox(header + [w.HBox(list(self._inputs.values()), layout=w.Layout(flex_flow="row wrap")),
                               w.HBox([self._status, self.progress]), self._fig])
        box.add_class("bpcore-panel")
        if self.alt:
            self._fig.layout.meta = {"alt": self.alt}
        self._widget = box
        self.refresh()

    def _on_change(self, change: dict) -> None:
        if not self._muted:
            self.refresh()

    def refresh(self) -> None:
        """Run ``update`` with the current values and send the changes to the figure.

        Values are read from the widgets when the handler runs, so after a burst of changes the last
        handler always draws the last values.  Exceptions become a red status line.
        """
        values = self.values
        try:
            result = self.update(**values)
            self._apply(result)
        except Exception as exc:  # shown to the reader, not lost in a log
            self.error = f"{type(exc).__name__}: {exc}"
            self.status_text = "error: " + self.error
            if self._widget is not None:
                self._status.value = _status_html(self.status_text, error=True)
                self.progress.layout.visibility = "hidden"
        self.updates += 1

    def _apply(self, result: Mapping[str, Any]) -> None:
        if not isinstance(result, Mapping):
            raise TypeError(f"update must return a dict(traces=[...], layout={{...}}, status='...'), "
                            f"got {type(result).__name__}")
        traces = list(result.get("traces", ()))
        if len(traces) > len(self._fig.data):
            raise ValueError(f"update returned {len(traces)} trace changes for a figure of {len(self._fig.data)} traces")
        changed = []
        for i, (changes, sent) in enumerate(zip(traces, self._sent)):
            changes = {k: v for k, v in changes.items() if not (k in sent and _same(sent[k], v))}
            if changes:  # send only what changed
                changed.append((i, changes))
        layout = {k: v for k, v in dict(result.get("layout") or {}).items() if not _same(self._last_layout.get(k), v)}
        if not layout:
            sources: dict[int, str] | None = {}
        elif set(layout) == {"images"}:
            sources = self._fig.image_source_changes(layout["images"])
        else:
            sources = None  # any other layout change (axis range, annotation, ...) needs a full redraw
        redraw_free = sources is not None and self._fig.cannot_redraw_free(changed) is None
        if redraw_free:  # the usual slider step: curves and pictures change, nothing else (see LiveFigure)
            if changed or sources:
                self._fig.redraw_free(changed, sources)
        else:
            with self._fig.batch_update():  # one message, one full redraw in the browser
                for i, changes in changed:
                    self._fig.data[i].update(changes)
                if layout:
                    self._fig.layout.update(layout)
        self.redraws["free" if redraw_free else "full"] += 1
        for i, changes in changed:
            self._sent[i].update(changes)
        self._last_layout.update(layout)
        self.error = None
        self.status_text = str(result.get("status", ""))
        self._status.value = _status_html(self.status_text, warning="diverged" in self.status_text)

    # -- static twin ---------------------------------------------------------------------------
    def static_figure(self) -> go.Figure:
        """The book's static twin: ``figure`` with one frame per combination of the ``static`` controls'
        values (other controls at their current value) and a plotly slider per static control.

        With two static controls, a small script (``post_script``) combines the two sliders' positions
        into a frame name; see :meth:`static_html`.
        """
        base_values = self.values
        grids = [self.controls[name].frame_values() for name in self.static]
        if math.prod(len(g) for g in grids) > MAX_FRAMES:
            raise ValueError(f"a static twin over {list(self.static)} would have "
                             f"{' x '.join(str(len(g)) for g in grids)} frames, more than {MAX_FRAMES}: "
                             f"give the controls fewer static_values")
        n_traces = len(self.figure.data)
        base_title = self.figure.layout.title.text or self.title
        combos = list(itertools.product(*[range(len(g)) for g in grids]))
        frame_traces, frame_layouts = [], []
        for combo in combos:
            values = dict(base_values)
            values.update({name: grid[i] for name, grid, i in zip(self.static, grids, combo)})
            try:
                result = self.static_update(**values)
                traces = [_compact(t) for t in list(result.get("traces", ()))[:n_traces]]
                status = str(result.get("status", ""))
                layout = dict(result.get("layout") or {})
            except Exception as exc:
                traces, layout, status = [], {}, f"error: {type(exc).__name__}: {exc}"
            frame_traces.append(traces + [{}] * (n_traces - len(traces)))
            layout["title.text"] = f"{html.escape(base_title)}<br><sub>{html.escape(status)}</sub>"
            frame_layouts.append(layout)
        fig = go.Figure(self.figure)
        for i in range(n_traces):  # what every frame sets alike goes into the figure once, not into each frame
            shared = set.intersection(*[set(traces[i]) for traces in frame_traces])
            for key in shared:
                first = frame_traces[0][i][key]
                if all(_same(first, traces[i][key]) for traces in frame_traces[1:]):
                    fig.data[i].update({key: first})
                    for traces in frame_traces:
                        del traces[i][key]
        types = [t.type for t in self.figure.data]
        frames = []
        for combo, traces, layout in zip(combos, frame_traces, frame_layouts):
            indices = [i for i, t in enumerate(traces) if t]
            frame_layout = go.Layout(_nested(layout))   # "yaxis3.range" etc. work for any subplot axis
            frames.append(go.Frame(name=_frame_name(combo), traces=indices, layout=frame_layout,
                                   data=[{"type": types[i], **traces[i]} for i in indices]))
        active = [_closest(grid, base_values[name]) for name, grid in zip(self.static, grids)]
        start = frames[int(np.ravel_multi_index(active, [len(g) for g in grids]))]
        for i, trace in zip(start.traces, start.data):
            fig.data[i].update(trace)
        fig.update_layout(start.layout)
        fig.update_layout(margin_t=max(fig.layout.margin.t or 0, 100))
        sliders = []
        two = len(self.static) == 2
        for k, (name, grid) in enumerate(zip(self.static, grids)):
            label = self.controls[name].label or name
            steps = []
            for i, value in enumerate(grid):
                combo = list(active)
                combo[k] = i
                target = [[_frame_name(combo)], {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
                                                  "transition": {"duration": 0}}]
                steps.append({"label": _format_value(value), "method": "skip" if two else "animate",
                              "args": target})
            sliders.append({"active": active[k], "steps": steps, "currentvalue": {"prefix": f"{label}: "},
                            "pad": {"t": 130 + 70 * k}, "len": 0.9, "x": 0.05, "name": name})
        # below the plot's own x-axis titles and legend (which plotly does not keep clear of sliders)
        fig.update_layout(sliders=sliders, margin_b=220 + 70 * (len(sliders) - 1),
                          height=(fig.layout.height or 450) + 170 + 70 * (len(sliders) - 1))
        fig.frames = frames
        if self.alt:
            fig.update_layout(meta={"alt": self.alt})
        return fig

    def static_html(self) -> str:
        """The twin as ``text/html`` for the book (plotly.js served by the book, no auto-play)."""
        import plotly.io as pio
        from .figures import describe
        script = _TWO_SLIDER_SCRIPT if len(self.static) == 2 else None
        fig = self.static_figure()
        body = pio.to_html(fig, include_plotlyjs=False, full_html=False, auto_play=False,
                           post_script=script, validate=False)
        label = html.escape(self.alt or describe(fig), quote=True)
        return f'<div class="bpcore-twin" role="figure" aria-label="{label}">{body}</div>'

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        if is_book_build():
            return {"text/html": self.static_html()}
        return self.widget._repr_mimebundle_(include=include, exclude=exclude, **kwargs)

    def __repr__(self) -> str:
        return f"<Panel {self.title!r}: controls {list(self.controls)}>"


# Two plotly sliders cannot address a 2-D grid of frames by themselves: combine their positions.
_TWO_SLIDER_SCRIPT = """
var gd = document.getElementById('{plot_id}');
gd.on('plotly_sliderchange', function () {
  var s = gd.layout.sliders;
  Plotly.animate(gd, [s[0].active + '_' + s[1].active],
                 {mode: 'immediate', frame: {duration: 0, redraw: true}, transition: {duration: 0}});
});
"""


def _frame_name(combo: Sequence[int]) -> str:
    return "_".join(str(i) for i in combo)


def _closest(grid: Sequence[Any], value: Any) -> int:
    if value in grid:
        return list(grid).index(value)
    try:
        return int(np.argmin([abs(float(g) - float(value)) for g in grid]))
    except (TypeError, ValueError):
        return 0


def _same(a: Any, b: Any) -> bool:
    """True when ``a`` and ``b`` (arrays, lists, dicts or scalars) are equal; NaN equals NaN."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _nested(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{"yaxis3.range": r, "title.text": t}`` -> ``{"yaxis3": {"range": r}, "title": {"text": t}}``."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        *parents, last = key.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        if isinstance(value, Mapping) and isinstance(node.get(last), dict):
            node[last].update(value)
        else:
            node[last] = value
    return out


def _compact(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Float arrays as float32, integer arrays as int32: half the bytes in the twin's HTML."""
    small = {"f": np.float32, "i": np.int32, "u": np.int32}
    return {key: value.astype(small[value.dtype.kind])
            if isinstance(value, np.ndarray) and value.dtype.kind in small else value
            for key, value in changes.items()}


def panel(figure: go.Figure, update: Update, controls: Mapping[str, Control], static: Sequence[str] = (),
          title: str = "", alt: str = "", static_update: Update | None = None) -> Panel:
    """A live panel (static twin in the book): see the module docstring.

    figure: a ``go.Figure`` built once; update: ``update(**values) -> dict(traces=[...], layout={...},
    status="...")``; controls: name -> :class:`Slider` / :class:`LogSlider` / :class:`IntSlider` /
    :class:`Dropdown` / :class:`Checkbox`; static: the 1 or 2 controls the book's twin precomputes
    frames over (default: the first control); title and alt: a heading and a text alternative.
    static_update: optional cheaper/coarser ``update`` used for the twin's frames.
    """
    return Panel(figure, update, controls, static=static, title=title, alt=alt, static_update=static_update)


# --------------------------------------------------------------------------------------------
# The standard training panel
# --------------------------------------------------------------------------------------------
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
        "momentum": Slider(0.0, 0.99, value=v["momentum"], step=0.01, label="momentum β",
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


@dataclass
class TrainingSetup:
    """Everything that defines one training run of :func:`training_panel` (one value per control).

    ``seed`` seeds the data, the initial weights and the shuffling.  ``noise=None`` uses the data set's
    own default.  ``momentum > 0`` with ``optimizer="sgd"`` trains with heavy-ball momentum of that β.
    """

    data: str = "moons"
    noise: float | None = None
    seed: int = 0
    n_samples: int = 200
    hidden_units: int = 16
    depth: int = 1
    activation: str = "tanh"
    loss: str = "bce"
    init: str | None = None
    lr: float = 1.0
    epochs: int = 60  # live retraining stays under ~40 ms (see benchmarks/bench_panel.py)
    batch_size: int | None = None
    optimizer: str = "sgd"
    momentum: float = 0.0
    dropout: float = 0.0
    l2: float = 0.0

    def dataset(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``X_train (n, 2), X_val (m, 2), y_train (n,), y_val (m,)``: 25 % held out, stratified."""
        return _dataset(self.data, self.n_samples, self.noise, self.seed)

    def network(self, n_classes: int):
        """The untrained network: ``[2] + [hidden_units] * depth + [1 or n_classes]``."""
        from .network import Network
        out = 1 if n_classes <= 2 else n_classes
        return Network([2] + [int(self.hidden_units)] * int(self.depth) + [out], hidden=self.activation,
                       output="sigmoid" if out == 1 else "softmax", init=self.init, seed=self.seed)

    def loss_name(self, n_classes: int) -> str:
        """bce/ce as the output needs (a binary task cannot use ce, a multi-class one cannot use bce)."""
        if self.loss in ("bce", "ce"):
            return "bce" if n_classes <= 2 else "ce"
        return self.loss

    def run(self, callback: Callable | None = None):
        """Train; return ``(net, history, (X_train, X_val, y_train, y_val))``."""
        from .training import train
        X_tr, X_val, y_tr, y_val = data = self.dataset()
        n_classes = int(max(y_tr.max(), y_val.max())) + 1
        net = self.network(n_classes)
        optimizer = self.optimizer if self.momentum == 0 or self.optimizer != "sgd" else "momentum"
        hist = train(net, X_tr, y_tr, loss=self.loss_name(n_classes), lr=self.lr, epochs=int(self.epochs),
                     batch_size=self.batch_size, seed=self.seed, optimizer=optimizer,
                     momentum=self.momentum if self.momentum > 0 else 0.9, l2=self.l2, dropout=self.dropout,
                     X_val=X_val, Y_val=y_val, callback=callback)
        return net, hist, data


_DATA_CACHE: dict[tuple, tuple] = {}


def _dataset(name: str, n_samples: int, noise: float | None, seed: int) -> tuple:
    key = (name, n_samples, noise, seed)
    if key not in _DATA_CACHE:
        from .datasets import load, train_val_split
        X, y = load(name, n_samples=n_samples, noise=noise, seed=seed)
        _DATA_CACHE[key] = train_val_split(X, y, val_fraction=0.25, seed=0)
        if len(_DATA_CACHE) > 64:
            _DATA_CACHE.pop(next(iter(_DATA_CACHE)))
    return _DATA_CACHE[key]


def training_figure(max_layers: int = 5) -> go.Figure:
    """The empty figure of :func:`training_panel`: training and validation points (traces 0-1) over the
    decision boundary (a layout image, see :func:`bpcore.figures.decision_boundary_image`), loss curves
    (2-4), gradient norms per layer (5 .. 5 + max_layers - 1)."""
    from plotly.subplots import make_subplots
    from . import figures as F
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
    fig.update_yaxes(title_text="loss", type="log", row=1, col=2)
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
    from . import figures as F
    net, hist, (X_tr, X_val, y_tr, y_val) = setup.run(callback)
    bounds = F.grid_bounds(np.vstack([X_tr, X_val]))
    diverged = hist.diverged_epoch if hist.diverged else None
    loss_traces, notes = F.loss_curves_data(hist.train_loss, hist.val_loss, diverged)
    for note in notes:
        note.update(xref="x2", yref="y2", y=math.log10(max(note["y"], 1e-300)))
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
    from . import figures as F
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
    holder: list[Panel] = []

    def make_setup(values: dict) -> TrainingSetup:
        fields = {**base.__dict__, **values}
        if fields.get("batch_size") == BATCH_FULL:
            fields["batch_size"] = None
        return TrainingSetup(**fields)

    def progress(epoch: int, hist) -> None:
        bar = holder[0].progress if holder and holder[0]._widget is not None else None
        if bar is None:
            return
        now = time.perf_counter()
        if now - progress.started > PROGRESS_AFTER_S and now - progress.shown > 0.1:
            bar.layout.visibility = "visible"
            bar.value = epoch / progress.epochs
            progress.shown = now

    shown_ranges: dict[str, list[float]] = {}  # the live figure's log axes (see figures.sticky_log_range)

    def update(**values: Any) -> dict[str, Any]:
        s = make_setup(values)
        progress.started, progress.shown, progress.epochs = time.perf_counter(), 0.0, max(int(s.epochs), 1)
        try:
            result = training_update(s, resolution, base_annotations=base_annotations, callback=progress)
        finally:
            if holder and holder[0]._widget is not None:
                holder[0].progress.layout.visibility = "hidden"
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
    holder.append(p)
    return p
