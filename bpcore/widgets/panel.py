"""The panel: a figure, its ``update`` function and controls, shown live in JupyterLab (a
:class:`~bpcore.widgets.livefigure.LiveFigure` under ipywidgets controls) or, in the book build, as its
static twin (precomputed plotly frames and sliders). See :mod:`bpcore.widgets` for the protocol."""
from __future__ import annotations

import html
import itertools
import math
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from .. import figures as F
from ..notebook import is_book_build
from .controls import Control
from .livefigure import LiveFigure, same_value
from .theme import ThemeProbe

MAX_FRAMES = 64  # per static twin (two controls: the product of their value counts)
STATUS_STYLE = "font-family: var(--jp-code-font-family, monospace); font-size: 0.9em;"
Update = Callable[..., Mapping[str, Any]]


def _format_value(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


STATUS_SEPARATOR = " · "   # between the phrases of a status line; a line wraps only here


def status_html(text: str, error: bool = False, warning: bool = False) -> str:
    """A status line as HTML: each phrase between separators kept on one line (``white-space: nowrap``),
    so a narrow panel wraps the line between phrases, never inside one ("loss 0.31 → 0.05")."""
    colour = "#D55E00" if error else "#B36B00" if warning else "inherit"
    phrases = [f'<span style="white-space: nowrap">{html.escape(p)}</span>' for p in text.split(STATUS_SEPARATOR)]
    return f'<div style="{STATUS_STYLE} color: {colour}">{STATUS_SEPARATOR.join(phrases)}</div>'


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
        self._muted = False   # True while set() moves several widgets: one refresh for all of them

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
        if self._widget is None:
            self._build_widget()
        return self._fig

    @property
    def is_live(self) -> bool:
        """True once the live ipywidgets panel exists."""
        return self._widget is not None

    def show_progress(self, fraction: float) -> None:
        """Show the progress bar at ``fraction`` (0 to 1) of a long update; nothing before the panel is live."""
        if self._widget is not None:
            self.progress.layout.visibility = "visible"
            self.progress.value = fraction

    def hide_progress(self) -> None:
        if self._widget is not None:
            self.progress.layout.visibility = "hidden"

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
        self.theme = ThemeProbe()
        self.theme.observe(self._on_theme, names="mode")
        box = w.VBox(header + [w.HBox(list(self._inputs.values()), layout=w.Layout(flex_flow="row wrap")),
                               w.HBox([self._status, self.progress]), self._fig, self.theme])
        box.add_class("bpcore-panel")
        self._fig.layout.meta = {"alt": self.alt, "theme": ""} if self.alt else {"theme": ""}
        self._widget = box
        self.refresh()

    def _on_theme(self, change: dict) -> None:
        """The front end switched (or first reported) its theme: re-colour the figure (one re-plot)."""
        mode = change["new"]
        if mode in F.THEMES:
            with self._fig.batch_update():
                self._fig.layout.update(F.theme_update(self._fig.layout.to_plotly_json(), mode))
                self._fig.layout.meta = {**dict(self._fig.layout.meta or {}), "theme": mode}

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
                self._status.value = status_html(self.status_text, error=True)
            self.hide_progress()
        self.updates += 1

    def _apply(self, result: Mapping[str, Any]) -> None:
        if not isinstance(result, Mapping):
            raise TypeError(f"update must return a dict(traces=[...], layout={{...}}, status='...'), "
                            f"got {type(result).__name__}")
        traces = list(result.get("traces", ()))
        if len(traces) > len(self._fig.data):
            raise ValueError(f"update returned {len(traces)} trace changes for a figure of "
                             f"{len(self._fig.data)} traces")
        changed = []
        for i, (changes, sent) in enumerate(zip(traces, self._sent)):
            changes = {k: v for k, v in changes.items() if not (k in sent and same_value(sent[k], v))}
            if changes:  # send only what changed
                changed.append((i, changes))
        layout = {k: v for k, v in dict(result.get("layout") or {}).items()
                  if not same_value(self._last_layout.get(k), v)}
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
        self._status.value = status_html(self.status_text, warning="diverged" in self.status_text)

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
                if all(same_value(first, traces[i][key]) for traces in frame_traces[1:]):
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
                at = list(active)
                at[k] = i
                target = [[_frame_name(at)], {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
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

        from ..figures import describe
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
    """Float arrays as float32, integer arrays as int32: half the bytes in the twin's HTML. A value beyond
    float32's range (about 3e38: a diverged path) becomes infinite, which plotly leaves out; drawn, it would
    lie far off any axis the figure shows."""
    small = {"f": np.float32, "i": np.int32, "u": np.int32}
    with np.errstate(over="ignore"):
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
