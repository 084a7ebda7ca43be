"""The live figure of a panel: a plotly ``FigureWidget`` that redraws curves and pictures without re-plotting."""
from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from .bundle import served_loader


def same_value(a: Any, b: Any) -> bool:
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


#: Trace properties whose change can be drawn without re-plotting the figure (scatter traces only):
#: plotly.js's animate step (redraw: false) re-positions the points and re-styles markers and text
#: labels (checked in Chromium: symbols, sizes, colours and texts change, no re-plot). Line styles and
#: colour bars are not redrawn by it, so a change to those re-plots.
REDRAW_FREE_TRACE_KEYS = frozenset({"x", "y", "text"})
#: Sub-properties of a scatter trace's ``marker`` / ``textfont`` that a redraw-free step may change.
REDRAW_FREE_STYLE_KEYS = {"marker": frozenset({"color", "symbol", "size", "opacity"}),
                          "textfont": frozenset({"color"})}


def change_keys(change: Mapping[str, Any]) -> list[str]:
    """The property paths a trace change sets: ``{"marker": {"line": ...}}`` -> ``["marker.line"]``."""
    return sorted(f"{key}.{sub}" if isinstance(value, Mapping) else key
                  for key, value in change.items() for sub in (value if isinstance(value, Mapping) else [None]))


def redraw_free_change(change: Mapping[str, Any]) -> bool:
    """Whether one trace's ``change`` (``{"y": ..., "marker": {"color": ...}}``) can be drawn redraw-free."""
    for key, value in change.items():
        if key in REDRAW_FREE_TRACE_KEYS:
            continue
        allowed = REDRAW_FREE_STYLE_KEYS.get(key)
        if allowed is None or not isinstance(value, Mapping) or not set(value) <= allowed:
            return False
    return True


class LiveFigure(go.FigureWidget):
    """A ``go.FigureWidget`` that can redraw what a slider step usually changes without re-plotting.

    Any data change sent the usual way (``Plotly.update``, ``Plotly.relayout``) re-plots the whole
    figure in the browser -- axes, legend, every marker: about 120 ms in JupyterLab on this machine for
    the training panel.  :meth:`redraw_free` instead sends new ``x``/``y`` (and texts, marker and text
    styles: :func:`redraw_free_change`) of scatter traces and new
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

    In JupyterLab started by the book's launcher, a LiveFigure carries a short loader of plotly's front end
    instead of the 5 MB front end itself (:mod:`bpcore.widgets.bundle`).
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
            if not redraw_free_change(change):
                return (f"redraw_free changes x/y/text and marker or text colours, symbols and sizes of scatter "
                        f"traces only, got {change_keys(change)} for trace {i}")
        return None

    def image_source_changes(self, images: Sequence[Mapping[str, Any]]) -> dict[int, str] | None:
        """``{index: source}`` if ``images`` differ from the figure's layout images in their pictures only
        (same number, same places), else None."""
        if len(images) != len(self.layout.images):
            return None
        sources = {}
        for k, (new, old) in enumerate(zip(images, self.layout.images)):
            old = old.to_plotly_json()
            if any(key != "source" and not same_value(old.get(key), value) for key, value in new.items()):
                return None
            if new.get("source") != old.get("source"):
                sources[k] = str(new.get("source"))
        return sources

    def redraw_free(self, traces: Sequence[tuple[int, Mapping[str, Any]]] = (),
                    image_sources: Mapping[int, str] | None = None) -> None:
        """Draw new ``x``/``y`` and styles (:func:`redraw_free_change`) of scatter traces
        (``[(trace index, {"y": ...}), ...]``) and new
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


SERVED_LOADER = served_loader()
if SERVED_LOADER is not None:   # the server serves plotly's widget bundle: send the loader, not the bundle
    LiveFigure._esm = SERVED_LOADER
