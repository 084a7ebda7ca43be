"""Plotly figures for the book, with one look: Okabe–Ito colours, readable on light and dark pages.

Every builder returns a titled ``go.Figure`` with labelled axes.  Builders whose figure a live
panel redraws come with a *data* function (``..._data``) returning plain dicts of arrays -- one dict
per trace, the properties that change -- and the builder itself is made from that data function, so
a panel's live update, the book's static frames and the static figure share one code path
(constructing plotly objects costs ~10 ms; the data functions construct none).

The look: transparent backgrounds (the page's own colour shows through), a mid-grey grid and a
mid-grey font (``#737373``: contrast above 4.4:1 on both white and black), and the colour-blind
safe Okabe–Ito palette.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from .activations import sigmoid

Array = np.ndarray
TraceData = dict[str, Any]

#: Okabe & Ito (2008), colour-blind safe.  Classes use CLASS_COLOURS in order.
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7"}
CLASS_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
#: Marker shapes per class, paired with CLASS_COLOURS, so no scatter tells classes apart by colour alone.
CLASS_SYMBOLS = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "star", "pentagon"]
SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9"]
FONT_COLOUR = "#737373"
GRID_COLOUR = "rgba(128, 128, 128, 0.35)"
TRANSPARENT = "rgba(0, 0, 0, 0)"
DIVERGED_COLOUR = OKABE_ITO["vermillion"]

#: The figure colours per page theme, the one place they are defined.  A figure is built with the
#: neutral look above (it reads on both backgrounds, e.g. in JupyterLab); in the HTML book the script
#: ``book/_static/bpcore-figures.js`` restyles every figure with ``THEMES[mode]`` whenever the reader
#: switches between light and dark (``bpcore.tools.build`` hands this dict to the page as JSON).
#: Font colours have a contrast of at least 7:1 on the theme's page background.
THEMES: dict[str, dict[str, str]] = {
    "light": {"page": "#ffffff", "font": "#333333", "grid": "rgba(0, 0, 0, 0.14)", "line": "#8c8c8c",
              "slider": "#f0f0f0", "slider_active": "#bdbdbd", "hover": "#ffffff"},
    "dark": {"page": "#14181e", "font": "#d6d6d6", "grid": "rgba(255, 255, 255, 0.18)", "line": "#8c8c8c",
             "slider": "#2c3038", "slider_active": "#6b7280", "hover": "#222832"},
}


def theme_update(layout: Mapping[str, Any], mode: str) -> dict[str, Any]:
    """The layout changes that give a figure with ``layout`` (a plotly layout dict) the colours of
    ``THEMES[mode]``: fonts, hover labels, every axis's grid, zero line, axis line and ticks.

    The live panels apply it when JupyterLab switches theme (:class:`bpcore.widgets.theme.ThemeProbe`);
    ``book/_static/bpcore-figures.js`` makes the same changes in the HTML book."""
    if mode not in THEMES:
        raise ValueError(f"mode must be one of {sorted(THEMES)}, got {mode!r}")
    t = THEMES[mode]
    update: dict[str, Any] = {"font.color": t["font"], "hoverlabel.bgcolor": t["hover"],
                              "hoverlabel.font.color": t["font"]}
    axes = {key for key in layout if re.fullmatch(r"[xy]axis\d*", key)} | {"xaxis", "yaxis"}
    for axis in sorted(axes):
        update.update({f"{axis}.gridcolor": t["grid"], f"{axis}.zerolinecolor": t["grid"],
                       f"{axis}.linecolor": t["line"], f"{axis}.tickcolor": t["line"]})
    return update


#: Line styles that tell series apart without colour (paired with the Okabe–Ito colours).
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
BOUNDARY_OPACITY = 0.6  # the class-probability background under the data points


#: A log axis the way every chapter draws it: labels at the powers of ten only (10⁻², 10⁻¹, ...), none at
#: the minor ticks between them (crowded on a small panel). ``fig.update_yaxes(**LOG_AXIS, ...)``
LOG_AXIS: dict[str, Any] = {"type": "log", "exponentformat": "power", "dtick": 1}


def style(fig: go.Figure, title: str, height: int | None = None) -> go.Figure:
    """Apply the book's look to ``fig`` (in place) and set its title; returns ``fig``."""
    fig.update_layout(template="none", title={"text": title, "x": 0.02, "xanchor": "left"},
                      paper_bgcolor=TRANSPARENT, plot_bgcolor=TRANSPARENT,
                      font={"color": FONT_COLOUR, "size": 13}, colorway=SERIES_COLOURS,
                      legend={"bgcolor": TRANSPARENT}, margin={"l": 60, "r": 20, "t": 60, "b": 50},
                      hoverlabel={"namelength": -1})
    if height:
        fig.update_layout(height=height)
    axis = dict(gridcolor=GRID_COLOUR, zerolinecolor=GRID_COLOUR, linecolor=GRID_COLOUR, showline=True,
                automargin=True)
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    return fig


def finite_or_nan(values: Sequence[float] | Array) -> Array:
    """A float array with every NaN/±inf replaced by NaN (drawn as a gap, never breaks an axis)."""
    a = np.array(values, dtype=float)
    a[~np.isfinite(a)] = np.nan
    return a


# --------------------------------------------------------------------------------------------
# Decision boundary
# --------------------------------------------------------------------------------------------
def grid_bounds(X: Array, margin: float = 0.15) -> tuple[float, float, float, float]:
    """``(x0, x1, y0, y1)`` around the 2-D points ``X (n, 2)``, padded by ``margin`` of the span."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = margin * np.maximum(hi - lo, 1e-9)
    return float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1])


def class_colourscale(n_classes: int) -> tuple[list, float, float]:
    """``(colourscale, zmin, zmax)``: P(class 1) from blue to vermillion for two classes; a stepped
    scale over class indices for more."""
    if n_classes <= 2:
        return [[0.0, CLASS_COLOURS[0]], [0.5, "rgba(128,128,128,0.15)"], [1.0, CLASS_COLOURS[1]]], 0.0, 1.0
    scale = []
    for k in range(n_classes):
        colour = CLASS_COLOURS[k % len(CLASS_COLOURS)]
        scale += [[k / n_classes, colour], [(k + 1) / n_classes, colour]]
    return scale, -0.5, n_classes - 0.5


def boundary_grid(net, bounds: tuple[float, float, float, float], resolution: int) -> tuple[Array, Array, Array, int]:
    """What a decision-boundary plot shows of ``net`` over ``bounds`` ``(x0, x1, y0, y1)``, ``resolution``
    points per side: ``xs (r,)``, ``ys (r,)``, ``z (r, r)`` (row i is y = ys[i]) and the number of classes.

    One output unit: ``z`` = P(class 1) rounded to 3 decimals; several (softmax): the predicted class.
    A diverged network's NaN outputs stay NaN.
    """
    x0, x1, y0, y1 = bounds
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y0, y1, resolution)
    grid = np.column_stack([np.tile(xs, resolution), np.repeat(ys, resolution)])
    with np.errstate(all="ignore"):
        out = net.forward(grid)
    if out.shape[1] == 1:
        z = out[:, 0]
    else:
        z = np.where(np.isfinite(out).all(axis=1), out.argmax(axis=1), np.nan)
    return xs, ys, np.round(finite_or_nan(z).reshape(resolution, resolution), 3), max(2, out.shape[1])


def decision_boundary_data(net, bounds: tuple[float, float, float, float], resolution: int = 50) -> TraceData:
    """The heatmap trace's data: ``x (resolution,)``, ``y (resolution,)``, ``z (resolution, resolution)``.

    One output unit: ``z`` = the network's output, P(class 1), rounded to 3 decimals (a 2-D array travels
    to the browser as JSON text: short numbers are fast).  Several (softmax): ``z`` = the predicted
    class.  A diverged network's NaN outputs stay NaN (drawn as a gap).  ``x``, ``y`` are float32.
    """
    xs, ys, z, n_classes = boundary_grid(net, bounds, resolution)
    scale, zmin, zmax = class_colourscale(n_classes)
    return {"x": xs.astype(np.float32), "y": ys.astype(np.float32), "z": z,
            "colorscale": scale, "zmin": zmin, "zmax": zmax}


def _rgba(colour: str) -> Array:
    """``"#RRGGBB"`` or ``"rgba(r, g, b, a)"`` -> ``[r, g, b, 255 a]`` as floats."""
    if colour.startswith("#"):
        return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)] + [255], dtype=float)
    r, g, b, a = (float(v) for v in colour[colour.index("(") + 1:-1].split(","))
    return np.array([r, g, b, 255 * a])


def class_colour_pixels(z: Array, n_classes: int) -> Array:
    """RGBA pixels ``(rows, cols, 4)`` uint8 for a grid ``z (rows, cols)`` whose row 0 is the *lowest* y.

    The colours are :func:`class_colourscale`'s, so the picture looks like the heatmap: two classes
    interpolate P(class 1) from blue through a faint grey to vermillion; more classes colour the
    predicted class.  NaN (a diverged network) is transparent.  The picture's first row is the top.
    """
    z = np.asarray(z, dtype=float)[::-1]
    pixels = np.zeros(z.shape + (4,))
    ok = np.isfinite(z)
    if n_classes <= 2:
        scale, _, _ = class_colourscale(2)
        stops = np.array([s for s, _ in scale])
        colours = np.array([_rgba(c) for _, c in scale])
        for channel in range(4):
            pixels[..., channel][ok] = np.interp(np.clip(z[ok], 0.0, 1.0), stops, colours[:, channel])
    else:
        palette = np.array([_rgba(c) for c in CLASS_COLOURS])
        pixels[ok] = palette[z[ok].astype(int) % len(CLASS_COLOURS)]
    return np.round(pixels).astype(np.uint8)


def decision_boundary_image(net, bounds: tuple[float, float, float, float], resolution: int = 50,
                            xref: str = "x", yref: str = "y") -> dict[str, Any]:
    """The decision boundary as a plotly *layout image* (an entry of ``layout.images``) on axes ``xref``/``yref``.

    The same grid and colours as :func:`decision_boundary_data`, drawn as a picture under the points:
    a live panel swaps the picture without re-plotting the figure (a heatmap change re-plots it all).
    Pixel centres sit on the grid points, so the picture spans ``bounds`` plus half a cell on each side
    (see :func:`image_extent`).  No hover values: use the heatmap for a static figure.
    """
    return boundary_picture(*boundary_grid(net, bounds, resolution), xref=xref, yref=yref)


def boundary_picture(xs: Array, ys: Array, z: Array, n_classes: int, xref: str = "x",
                     yref: str = "y") -> dict[str, Any]:
    """The layout image of :func:`decision_boundary_image` for a grid :func:`boundary_grid` computed
    (for a caller that needs the grid too, e.g. to measure the boundary)."""
    from .png import data_uri
    dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
    dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
    return {"source": data_uri(class_colour_pixels(z, n_classes)), "xref": xref, "yref": yref,
            "x": float(xs[0] - dx / 2), "y": float(ys[-1] + dy / 2), "sizex": float(xs[-1] - xs[0] + dx),
            "sizey": float(ys[-1] - ys[0] + dy), "xanchor": "left", "yanchor": "top", "sizing": "stretch",
            "layer": "below", "opacity": BOUNDARY_OPACITY}


def image_extent(image: Mapping[str, Any]) -> tuple[list[float], list[float]]:
    """``([x_left, x_right], [y_bottom, y_top])`` covered by a layout image of :func:`decision_boundary_image`."""
    return ([image["x"], image["x"] + image["sizex"]], [image["y"] - image["sizey"], image["y"]])


def log_axis_range(*series: Sequence[float] | Array, default: tuple[float, float] = (-1.0, 1.0),
                   least: tuple[float, float] | None = None) -> list[float]:
    """A log axis range ``[lo, hi]`` (in decades, as plotly wants it) covering every positive finite value
    of ``series``, widened to whole decades (``default`` when there is none), and covering ``least``
    (decades) too when it is given: a steady axis for curves whose values move within it.

    Whole decades make the range *sticky*: a slider step rarely moves the data into another decade, so
    the axis stays put, the eye compares curves on the same scale, and a live panel redraws only the
    curves (an axis change re-plots the whole figure).
    """
    values = [np.asarray(s, dtype=float).ravel() for s in series if len(s)]
    v = np.concatenate(values) if values else np.array([])
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        lo, hi = default if least is None else least
    else:
        lo, hi = float(np.floor(np.log10(v.min()))) + 0.0, float(np.ceil(np.log10(v.max()))) + 0.0  # no -0.0
        hi = hi if hi > lo else lo + 1.0
    if least is not None:
        lo, hi = min(lo, least[0]), max(hi, least[1])
    return [float(lo), float(hi)]


def sticky_log_range(shown: Sequence[float] | None, wanted: Sequence[float], slack: float = 1.0) -> list[float]:
    """The log axis range a live panel draws next: ``shown`` (the range on screen) if it still covers
    ``wanted`` (see :func:`log_axis_range`) and is at most ``slack`` decades wider, else ``wanted``.

    Neighbouring slider values often move a loss curve across a decade boundary and back; keeping the
    axis then spares the reader a jumping scale and the browser a full re-plot.  The range never hides
    data, and it shrinks again once the data fills less of it.
    """
    wanted = [float(wanted[0]), float(wanted[1])]
    if shown is None:
        return wanted
    lo, hi = float(shown[0]), float(shown[1])
    covers = lo <= wanted[0] and wanted[1] <= hi
    return [lo, hi] if covers and (hi - lo) - (wanted[1] - wanted[0]) <= slack else wanted


def points_data(X: Array, y: Array) -> TraceData:
    """A scatter trace's data for labelled 2-D points ``X (n, 2)``, ``y (n,)``: colour and shape by class."""
    y = np.asarray(y).astype(int)
    return {"x": X[:, 0].astype(np.float32), "y": X[:, 1].astype(np.float32),
            "marker": {"color": [CLASS_COLOURS[k % len(CLASS_COLOURS)] for k in y],
                       "symbol": [CLASS_SYMBOLS[k % len(CLASS_SYMBOLS)] for k in y]},
            "text": [f"class {k}" for k in y]}


def decision_boundary_traces() -> list[go.BaseTraceType]:
    """The three empty traces a decision-boundary plot is made of: heatmap, training and validation points.

    :func:`points_data` gives each point its class's colour and shape; validation points are told from
    training points by their larger size and thick black outline."""
    heat = go.Heatmap(name="model", opacity=BOUNDARY_OPACITY, showscale=False,
                      hovertemplate="(%{x:.2f}, %{y:.2f}): %{z:.2f}"
                      "<extra>model</extra>", zsmooth=False)
    train = go.Scatter(name="training", mode="markers", hovertemplate="%{text}<extra>training</extra>",
                       marker={"size": 7, "line": {"width": 1, "color": "white"}})
    val = go.Scatter(name="validation", mode="markers", hovertemplate="%{text}<extra>validation</extra>",
                     marker={"size": 9, "line": {"width": 2, "color": "black"}})
    return [heat, train, val]


# --------------------------------------------------------------------------------------------
# Loss curves and gradient norms
# --------------------------------------------------------------------------------------------
def loss_curves_data(train_loss: Sequence[float], val_loss: Sequence[float] = (),
                     diverged_epoch: int | None = None) -> tuple[list[TraceData], list[dict]]:
    """``([train trace, validation trace, diverged marker], annotations)`` for losses per epoch.

    Epochs count from 1.  NaN/inf losses become gaps; for a diverged run the marker sits at the last
    finite loss and the annotation reads "diverged at epoch k" (``annotations`` is empty otherwise).
    """
    train = finite_or_nan(train_loss)
    epochs = np.arange(1, len(train) + 1, dtype=np.int32)
    val = finite_or_nan(val_loss)
    traces: list[TraceData] = [{"x": epochs, "y": train}, {"x": np.arange(1, len(val) + 1, dtype=np.int32), "y": val},
                               {"x": [], "y": [], "text": []}]
    annotations: list[dict] = []
    if diverged_epoch is not None:
        finite = np.flatnonzero(np.isfinite(train))
        last = float(train[finite[-1]]) if finite.size else 1.0
        text = f"diverged at epoch {diverged_epoch}"
        traces[2] = {"x": [diverged_epoch], "y": [last], "text": [text]}
        annotations.append({"x": diverged_epoch, "y": last, "text": text, "showarrow": True, "arrowhead": 2,
                            "ax": -60, "ay": -30, "font": {"color": DIVERGED_COLOUR}, "arrowcolor": DIVERGED_COLOUR})
    return traces, annotations


def log_axis_annotations(annotations: Sequence[dict], xref: str, yref: str) -> list[dict]:
    """``annotations`` (as from :func:`loss_curves_data`) placed on subplot axes ``xref``/``yref`` whose y
    axis is logarithmic: there plotly reads an annotation's ``y`` as a decade, ``log10(y)``."""
    return [{**a, "xref": xref, "yref": yref, "y": float(np.log10(max(a["y"], 1e-300)))} for a in annotations]


def loss_curves_traces() -> list[go.BaseTraceType]:
    """Empty traces: training loss, validation loss, diverged marker."""
    return [go.Scatter(name="training loss", mode="lines", line={"color": SERIES_COLOURS[0], "width": 2}),
            go.Scatter(name="validation loss", mode="lines", line={"color": SERIES_COLOURS[1], "width": 2,
                                                                   "dash": "dash"}),
            go.Scatter(name="diverged", mode="markers", showlegend=False, hovertemplate="%{text}<extra></extra>",
                       marker={"symbol": "x", "size": 12, "color": DIVERGED_COLOUR})]


def gradient_norms_data(grad_norms: Array, n_traces: int | None = None) -> list[TraceData]:
    r"""One trace per layer for ``grad_norms (epochs, n_layers)`` (:math:`\lVert\partial L/\partial W^l\rVert`).

    ``n_traces`` (>= n_layers) pads with hidden empty traces, so a panel whose depth changes keeps a
    fixed number of traces.  Zeros and non-finite values become gaps (a log axis cannot show them).
    """
    g = finite_or_nan(np.asarray(grad_norms, dtype=float).reshape(len(grad_norms), -1))
    g[g <= 0] = np.nan
    n_layers = g.shape[1]
    n_traces = n_layers if n_traces is None else n_traces
    if n_traces < n_layers:
        raise ValueError(f"{n_layers} layers need n_traces >= {n_layers}, got {n_traces}")
    epochs = np.arange(1, len(g) + 1, dtype=np.int32)
    traces = [{"x": epochs, "y": g[:, i], "visible": True, "name": f"layer {i + 1}"} for i in range(n_layers)]
    traces += [{"x": [], "y": [], "visible": False} for _ in range(n_traces - n_layers)]
    return traces


LAYER_COLOURS = ["#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#0072B2", "#D55E00"]


def per_layer_norm_axes(fig: go.Figure, max_layers: int, decades: tuple[float, float], row: int, col: int) -> None:
    """Axes of a plot of one gradient norm per layer: layers 1 .. ``max_layers`` across, a log axis showing
    at least ``decades`` (log10) up (see :func:`log_axis_range`'s ``least``)."""
    fig.update_xaxes(title_text="layer l (1 = next to the input)", dtick=1, range=[0.5, max_layers + 0.5],
                     row=row, col=col)
    fig.update_yaxes(title_text="‖∂L/∂Wˡ‖ (log)", type="log", exponentformat="power", range=list(decades),
                     row=row, col=col)


def gradient_norms_traces(n_traces: int) -> list[go.BaseTraceType]:
    """Empty line traces, one per layer (colours unlike the loss curves', so a shared legend stays clear)."""
    return [go.Scatter(name=f"layer {i + 1}", mode="lines", line={"color": LAYER_COLOURS[i % len(LAYER_COLOURS)],
                                                                  "dash": DASHES[i % len(DASHES)]})
            for i in range(n_traces)]


# --------------------------------------------------------------------------------------------
# Loss surface with optimiser paths
# --------------------------------------------------------------------------------------------
def loss_surface_data(f: Callable[[Array, Array], Array], xlim: tuple[float, float], ylim: tuple[float, float],
                      resolution: int = 80) -> TraceData:
    """Contour data of ``f(X, Y) -> Z`` (vectorised over ``(resolution, resolution)`` grids)."""
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    Z = np.asarray(f(*np.meshgrid(xs, ys)), dtype=float)
    if Z.shape != (resolution, resolution):
        raise ValueError(f"f(X, Y) must return an array of shape {(resolution, resolution)}, got {Z.shape}")
    return {"x": xs, "y": ys, "z": finite_or_nan(Z)}


def path_data(path: Array) -> TraceData:
    """A line trace's data for an optimiser path ``(steps + 1, 2)``; non-finite points become gaps."""
    p = finite_or_nan(np.asarray(path, dtype=float).reshape(-1, 2))
    return {"x": p[:, 0], "y": p[:, 1]}


CONTOUR_LEVELS = 15          # level lines of a loss surface
CONTOUR_COLOUR = "#9a9a9a"   # a grey that reads on light and dark backgrounds


def _crossings(za: Array, zb: Array, pa: Array, pb: Array, level: float) -> tuple[Array, Array]:
    """Per grid cell, where ``level`` crosses the edge from corner ``a`` to corner ``b``: the point
    ``pa + t (pb - pa)`` with ``t = (level - za) / (zb - za)`` (NaN where it does not), and the mask."""
    hit = ((za > level) != (zb > level)) & np.isfinite(za) & np.isfinite(zb)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):   # t is used only where hit
        t = (level - za) / (zb - za)
        return np.where(hit[..., None], pa + t[..., None] * (pb - pa), np.nan), hit


def contour_lines_data(xs: Array, ys: Array, Z: Array, levels: Sequence[float]) -> TraceData:
    """Level lines of ``Z (len(ys), len(xs))`` on the grid ``xs``, ``ys`` (marching squares), as one line
    trace's data: polylines separated by NaN gaps.

    In each grid cell a level crosses an edge where the corner values lie on either side of it; the
    crossing is placed by linear interpolation, and the cell's two crossings are joined.  A cell with
    four crossings (a saddle) is split by the mean of its corners.  Edges touching NaN are skipped.
    Drawing contours as an ordinary line (not a plotly contour trace) lets a live panel redraw its other
    lines without re-plotting the figure (see :class:`bpcore.widgets.LiveFigure`).
    """
    xs, ys, Z = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float), np.asarray(Z, dtype=float)
    if Z.shape != (len(ys), len(xs)):
        raise ValueError(f"Z must have shape (len(ys), len(xs)) = {(len(ys), len(xs))}, got {Z.shape}")
    P = np.stack(np.meshgrid(xs, ys), axis=-1)                      # grid points (len(ys), len(xs), 2)
    corner = {c: (Z[c[0]:Z.shape[0] - 1 + c[0], c[1]:Z.shape[1] - 1 + c[1]],
                  P[c[0]:Z.shape[0] - 1 + c[0], c[1]:Z.shape[1] - 1 + c[1]])
              for c in ((0, 0), (0, 1), (1, 0), (1, 1))}           # (row, column) offset: value, point
    sides = {"bottom": ((0, 0), (0, 1)), "top": ((1, 0), (1, 1)), "left": ((0, 0), (1, 0)),
             "right": ((0, 1), (1, 1))}
    segments = []
    for level in levels:
        cuts = {name: _crossings(corner[a][0], corner[b][0], corner[a][1], corner[b][1], level)
                for name, (a, b) in sides.items()}
        count = sum(hit.astype(int) for _, hit in cuts.values())
        saddle = count == 4
        with np.errstate(invalid="ignore"):
            centre_high = sum(corner[c][0] for c in corner) / 4 > level
        same = saddle & (centre_high == (corner[(0, 0)][0] > level))  # the centre sides with corner (0, 0)
        joins = [(a, b, (count == 2) & cuts[a][1] & cuts[b][1]) for a in sides for b in sides if a < b]
        joins += [("bottom", "right", same), ("left", "top", same),
                  ("bottom", "left", saddle & ~same), ("right", "top", saddle & ~same)]
        for a, b, use in joins:
            segments.append(np.concatenate([cuts[a][0][use], cuts[b][0][use]], axis=1))   # (k, 4)
    seg = np.concatenate(segments) if segments else np.empty((0, 4))
    seg = seg[(seg[:, 0] != seg[:, 2]) | (seg[:, 1] != seg[:, 3])]   # a level through a grid point: no dots
    points = [p for line in _joined(seg) for p in (*line, (np.nan, np.nan))]
    xy = np.array(points, dtype=float).reshape(-1, 2)
    return {"x": xy[:, 0], "y": xy[:, 1]}


def _joined(segments: Array) -> list[list[tuple[float, float]]]:
    """Chain segments ``(k, 4)`` (x0, y0, x1, y1) that share end points into polylines.

    Neighbouring cells compute a shared edge's crossing from the same two corners, so the end points
    match exactly.  A browser draws a few long lines much faster than thousands of short ones.
    """
    ends: dict[tuple[float, float], list[int]] = {}
    for k, (x0, y0, x1, y1) in enumerate(segments.tolist()):
        ends.setdefault((x0, y0), []).append(k)
        ends.setdefault((x1, y1), []).append(k)
    used = np.zeros(len(segments), dtype=bool)
    lines = []
    for k in range(len(segments)):
        if used[k]:
            continue
        used[k] = True
        x0, y0, x1, y1 = segments[k].tolist()
        line = [(x0, y0), (x1, y1)]
        for grow_at_end in (True, False):   # extend forwards from the last point, then backwards
            while True:
                tip = line[-1] if grow_at_end else line[0]
                nxt = next((j for j in ends.get(tip, ()) if not used[j]), None)
                if nxt is None:
                    break
                used[nxt] = True
                a, b = segments[nxt, :2].tolist(), segments[nxt, 2:].tolist()
                new = tuple(b) if tuple(a) == tip else tuple(a)
                line.append(new) if grow_at_end else line.insert(0, new)
        lines.append(line)
    return lines


def loss_surface_paths(f: Callable[[Array, Array], Array], paths: Mapping[str, Array],
                       xlim: tuple[float, float], ylim: tuple[float, float], resolution: int = 80,
                       title: str = "Loss surface and optimiser paths", log_levels: bool = False) -> go.Figure:
    """Contours of a 2-D loss ``f(X, Y)`` with one line per optimiser path ``name -> (steps+1, 2)``.

    ``log_levels`` contours ``log10 f`` (for long narrow valleys).  The contours are ``CONTOUR_LEVELS``
    evenly spaced level lines drawn as one line trace (:func:`contour_lines_data`), so that a live panel
    redraws new paths without re-plotting the figure."""
    surface = loss_surface_data(f, xlim, ylim, resolution)
    if log_levels:
        surface["z"] = np.log10(np.maximum(surface["z"], 1e-12))
    z = surface["z"][np.isfinite(surface["z"])]
    levels = list(np.linspace(z.min(), z.max(), CONTOUR_LEVELS + 2)[1:-1]) if z.size else []
    fig = go.Figure(go.Scatter(name="loss contours", mode="lines", line={"color": CONTOUR_COLOUR, "width": 1},
                               hoverinfo="skip", showlegend=False,
                               **contour_lines_data(surface["x"], surface["y"], surface["z"], levels)))
    for k, (name, path) in enumerate(paths.items()):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        fig.add_trace(go.Scatter(name=name, mode="lines+markers",
                                 line={"color": colour, "width": 2, "dash": DASHES[k % len(DASHES)]},
                                 marker={"size": 4}, **path_data(path)))
    style(fig, title, height=450)
    fig.update_xaxes(title_text="θ₁", range=list(xlim))
    fig.update_yaxes(title_text="θ₂", range=list(ylim), scaleanchor="x", scaleratio=1)
    return fig


# --------------------------------------------------------------------------------------------
# The sigmoid
# --------------------------------------------------------------------------------------------
def sigmoid_and_derivative(z_range: tuple[float, float] = (-6.0, 6.0), z0: float | None = None,
                           n_points: int = 241, title: str = "The sigmoid and its derivative") -> go.Figure:
    r""":math:`\sigma(z) = 1/(1+e^{-z})` and :math:`\sigma'(z) = \sigma(z)(1-\sigma(z))`; with ``z0`` the
    point :math:`(z_0, \sigma(z_0))` and its tangent are marked (see :func:`sigmoid_point_data`)."""
    z = np.linspace(*z_range, n_points)
    s = sigmoid(z)
    fig = go.Figure([go.Scatter(x=z, y=s, name="σ(z)", line={"color": SERIES_COLOURS[0], "width": 2.5}),
                     go.Scatter(x=z, y=s * (1 - s), name="σ′(z) = σ(z)(1 − σ(z))",
                                line={"color": SERIES_COLOURS[1], "width": 2.5, "dash": "dash"}),
                     go.Scatter(name="tangent", mode="lines", line={"color": SERIES_COLOURS[2], "width": 1.5}),
                     go.Scatter(name="z₀", mode="markers", marker={"size": 10, "color": SERIES_COLOURS[2]})])
    if z0 is not None:
        for trace, d in zip(fig.data[2:], sigmoid_point_data(z0, z_range)):
            trace.update(d)
    style(fig, title, height=380)
    fig.update_xaxes(title_text="z", range=list(z_range))
    fig.update_yaxes(title_text="value", range=[-0.1, 1.1])
    return fig


def sigmoid_point_data(z0: float, z_range: tuple[float, float] = (-6.0, 6.0)) -> list[TraceData]:
    r"""``[tangent, point]`` traces at :math:`z_0`: the tangent has slope :math:`\sigma'(z_0)`."""
    s0 = float(sigmoid(np.array(z0)))
    slope = s0 * (1 - s0)
    zs = np.array([max(z_range[0], z0 - 2.5), min(z_range[1], z0 + 2.5)])
    return [{"x": zs, "y": s0 + slope * (zs - z0)},
            {"x": [z0], "y": [s0], "text": [f"σ′({z0:.3g}) = {slope:.3g}"]}]


# --------------------------------------------------------------------------------------------
# A matrix of counts (a confusion matrix) that a live panel redraws without re-plotting
# --------------------------------------------------------------------------------------------
#: light to dark blue (ColorBrewer "Blues", plotly's named scale): more counts, darker cells
COUNT_COLOURS = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]
COUNT_TEXT_DARK, COUNT_TEXT_LIGHT = "#08306b", "#ffffff"   # counts on light cells, on dark cells
MATRIX_CELL_PIXELS = 16   # a cell's size in the picture: sharp edges when the browser scales it


def count_shades(M: Array) -> Array:
    """``M (k, m)`` counts -> shades in [0, 1]: the count over the largest count (all 0 for an empty matrix)."""
    M = np.asarray(M, dtype=float)
    top = float(M.max()) if M.size else 0.0
    return M / top if top > 0 else np.zeros_like(M)


def count_matrix_picture(M: Array, xref: str = "x", yref: str = "y") -> dict[str, Any]:
    """``M (k, m)`` as a layout image: cell ``(i, j)`` centred on ``x = j``, ``y = k - 1 - i`` (row 0 on top),
    coloured by :data:`COUNT_COLOURS`. Pair it with :func:`count_matrix_labels` for the numbers."""
    from .png import data_uri
    shade = count_shades(M)
    k, m = shade.shape
    stops = np.linspace(0.0, 1.0, len(COUNT_COLOURS))
    colours = np.array([_rgba(c) for c in COUNT_COLOURS])
    pixels = np.stack([np.interp(shade, stops, colours[:, ch]) for ch in range(4)], axis=-1)
    pixels = np.repeat(np.repeat(np.round(pixels).astype(np.uint8), MATRIX_CELL_PIXELS, 0), MATRIX_CELL_PIXELS, 1)
    return {"source": data_uri(pixels), "xref": xref, "yref": yref, "x": -0.5, "y": k - 0.5,
            "sizex": float(m), "sizey": float(k), "xanchor": "left", "yanchor": "top", "sizing": "stretch",
            "layer": "below"}


def count_matrix_labels(M: Array) -> TraceData:
    """A text trace's data writing each count of ``M (k, m)`` in its cell of :func:`count_matrix_picture`
    (dark text on light cells, white on dark ones)."""
    M = np.asarray(M)
    k, m = M.shape
    rows, cols = np.divmod(np.arange(k * m), m)
    dark = count_shades(M).ravel() > 0.55
    return {"x": cols.astype(float), "y": (k - 1 - rows).astype(float), "text": [str(int(v)) for v in M.ravel()],
            "textfont": {"color": [COUNT_TEXT_LIGHT if d else COUNT_TEXT_DARK for d in dark]}}


# --------------------------------------------------------------------------------------------
# Text alternative
# --------------------------------------------------------------------------------------------
def _plain(text: Any) -> str:
    """Figure text without plotly's HTML tags (``<br>``, ``<sub>``) and extra spaces."""
    import re
    return " ".join(re.sub(r"<[^>]+>", " ", str(text or "")).split())


def describe(figure: go.Figure | Mapping[str, Any]) -> str:
    """A text alternative for a figure: ``layout.meta.alt`` when the author wrote one, else a sentence made
    of its title, panel titles, axis titles and named series (what a sighted reader reads off the plot)."""
    fig = figure.to_plotly_json() if isinstance(figure, go.Figure) else dict(figure)
    layout = fig.get("layout") or {}
    meta = layout.get("meta")
    if isinstance(meta, Mapping) and meta.get("alt"):
        return str(meta["alt"])
    title = layout.get("title")
    parts = [_plain(title.get("text") if isinstance(title, Mapping) else title) or "Figure"]
    panels = [_plain(a.get("text")) for a in layout.get("annotations") or () if a.get("xref") == "paper"
              and a.get("yref") == "paper" and not a.get("showarrow", True)]
    if panels:
        parts.append("Panels: " + "; ".join(p for p in panels if p))
    axes = []
    for key in sorted(layout):
        if key[:5] in ("xaxis", "yaxis") and isinstance(layout[key], Mapping):
            t = layout[key].get("title")
            text = _plain(t.get("text") if isinstance(t, Mapping) else t)
            if text:
                axes.append(f"{key[0]}: {text}")
    if axes:
        parts.append("Axes: " + ", ".join(dict.fromkeys(axes)))
    names = [_plain(t.get("name")) for t in fig.get("data") or () if t.get("name") and t.get("showlegend", True)]
    if names:
        parts.append("Series: " + ", ".join(dict.fromkeys(n for n in names if n)))
    sliders = layout.get("sliders") or ()
    if sliders:
        parts.append("Sliders: " + ", ".join(_plain((s.get("currentvalue") or {}).get("prefix", "")).rstrip(": ")
                                             or str(s.get("name", "")) for s in sliders))
    return ". ".join(parts) + "."
