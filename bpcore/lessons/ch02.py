r"""Chapter 2, neurons and the forward pass: one neuron over the plane, and a 2-2-1 network unit by unit.

A neuron computes :math:`z = w_1 x_1 + w_2 x_2 + b` and outputs :math:`a = f(z)`. Its *decision line*
:math:`z = 0` splits the plane; the activation :math:`f` only shapes the output surface around it.
The figures here draw that surface over the square around the four corners of the XOR truth table.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

from bpcore import figures as F
from bpcore.activations import Activation, ReLU, Sigmoid, Tanh
from bpcore.datasets import xor
from bpcore.network import Network

Array = np.ndarray

#: the four inputs of a truth table, ``(4, 2)``: (0,0), (0,1), (1,0), (1,1)
CORNERS, _XOR_LABELS = xor(4, noise=0.0)
#: the square the figures draw: ``(x0, x1, y0, y1)``
BOX = (-0.5, 1.5, -0.5, 1.5)
RESOLUTION = 50


def truth_table(name: str) -> Array:
    """Labels ``(4,)`` of a logic gate on :data:`CORNERS`: ``"AND"``, ``"OR"``, ``"NAND"`` or ``"XOR"``."""
    x1, x2 = CORNERS[:, 0].astype(bool), CORNERS[:, 1].astype(bool)
    tables = {"AND": x1 & x2, "OR": x1 | x2, "NAND": ~(x1 & x2), "XOR": _XOR_LABELS.astype(bool)}
    if name not in tables:
        raise ValueError(f"unknown truth table {name!r}; expected one of {sorted(tables)}")
    return tables[name].astype(int)


class Step(Activation):
    r"""The perceptron's threshold :math:`f(z) = 1` for :math:`z \ge 0`, else 0.

    Derivative: :math:`f'(z) = 0` wherever it exists (everywhere but :math:`z = 0`), so a gradient
    tells a step unit nothing about which way to move -- the reason networks use smooth activations.
    """

    name = "step"
    formula = r"1 \text{ if } z \ge 0 \text{ else } 0"
    derivative_formula = r"0"

    def forward(self, z: ArrayLike) -> Array:
        return (np.asarray(z, dtype=float) >= 0).astype(float)

    def derivative(self, z: ArrayLike) -> Array:
        return np.zeros_like(np.asarray(z, dtype=float))


#: the activations the neuron panel offers
NEURON_ACTIVATIONS: dict[str, Activation] = {"step": Step(), "sigmoid": Sigmoid(), "tanh": Tanh(), "relu": ReLU()}


def neuron(X: Array, w: Sequence[float], b: float, activation: str = "sigmoid") -> tuple[Array, Array]:
    r"""One neuron on a batch: ``X (n, 2)``, ``w (2,)``, ``b`` -> ``(z, a)``, each ``(n,)``.

    :math:`z = X w + b` and :math:`a = f(z)` with ``f`` one of :data:`NEURON_ACTIVATIONS`.
    """
    if activation not in NEURON_ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; expected one of {list(NEURON_ACTIVATIONS)}")
    z = np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + float(b)
    return z, NEURON_ACTIVATIONS[activation].forward(z)


def corners_right(w: Sequence[float], b: float, target: str) -> int:
    """How many of the four corners the neuron puts on the right side (class 1 where ``z >= 0``)."""
    z, _ = neuron(CORNERS, w, b)
    return int(np.sum((z >= 0).astype(int) == truth_table(target)))


def best_single_neuron(target: str, steps: int = 41) -> int:
    """The most corners any single neuron gets right, by brute force over ``w1, w2, b`` in ``[-2, 2]``."""
    values = np.linspace(-2.0, 2.0, steps)
    W1, W2, B = np.meshgrid(values, values, values, indexing="ij")
    z = CORNERS[:, 0, None] * W1.ravel() + CORNERS[:, 1, None] * W2.ravel() + B.ravel()   # (4, steps^3)
    right = ((z >= 0).astype(int) == truth_table(target)[:, None]).sum(axis=0)
    return int(right.max())


def _grid(resolution: int = RESOLUTION) -> tuple[Array, Array, Array]:
    xs = np.linspace(BOX[0], BOX[1], resolution)
    ys = np.linspace(BOX[2], BOX[3], resolution)
    return xs, ys, np.column_stack([np.tile(xs, resolution), np.repeat(ys, resolution)])


def _corner_points(labels: Array, right: Array | None = None) -> dict:
    data = F.points_data(CORNERS, labels)
    if right is not None:
        data["marker"]["symbol"] = ["circle" if ok else "x" for ok in right]
        data["text"] = [f"class {k}: {'right' if ok else 'WRONG'}" for k, ok in zip(labels, right)]
    data["customdata"] = [str(k) for k in labels]   # the class, written beside the corner (not by colour alone)
    return data


# -- the single-neuron panel ----------------------------------------------------------------------
#: the output range each activation's colours span; ReLU is unbounded, so its colours stop at 3
#: (brighter is not drawn: the picture saturates, the line and the corners are what matter)
OUTPUT_RANGE = {"step": (0.0, 1.0), "sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, 3.0)}


def decision_line(w: Sequence[float], b: float, box: tuple[float, float, float, float] = BOX) -> dict:
    """The part of the line ``w[0] x1 + w[1] x2 + b = 0`` inside ``box`` ``(x0, x1, y0, y1)`` as a line
    trace's data ``{"x": [..2], "y": [..2]}`` (empty lists when it misses the box or ``w = 0``).

    Exact (where the line crosses the box's edges), so the figure draws a straight line: no contour
    of a grid, and a slider step moves two points.
    """
    (w1, w2), (x0, x1, y0, y1) = w, box
    ends: list[tuple[float, float]] = []
    if w2 != 0:   # crossings with the left and right edges
        ends += [(x, -(w1 * x + b) / w2) for x in (x0, x1)]
    if w1 != 0:   # crossings with the bottom and top edges
        ends += [(-(w2 * y + b) / w1, y) for y in (y0, y1)]
    tol = 1e-12 * (1 + abs(b))
    inside = [(x, y) for x, y in ends if x0 - tol <= x <= x1 + tol and y0 - tol <= y <= y1 + tol]
    if len(inside) < 2:
        return {"x": [], "y": []}
    (xa, ya), (xb, yb) = min(inside), max(inside)   # the two ends farthest apart along x (then y)
    return {"x": [float(xa), float(xb)], "y": [float(ya), float(yb)]}


def output_picture(xs: Array, ys: Array, a: Array, activation: str) -> dict:
    """A neuron's output ``a (len(ys) * len(xs),)`` over the grid of :func:`_grid` as a layout image (blue
    low, vermillion high, the colours of :func:`bpcore.figures.class_colourscale`), spanning
    ``OUTPUT_RANGE[activation]``."""
    lo, hi = OUTPUT_RANGE[activation]
    shade = (a.reshape(len(ys), len(xs)) - lo) / (hi - lo)
    return F.boundary_picture(xs, ys, np.round(shade, 3), 2)


def neuron_update(w1: float, w2: float, b: float, activation: str = "sigmoid", target: str = "AND",
                  resolution: int = RESOLUTION) -> dict:
    """Panel update for :func:`neuron_figure`: colour key, decision line, corners, weight vector, and
    the output surface as a picture (``resolution`` grid points per side).

    A slider step moves the line and the arrow and swaps the picture: the browser redraws it without
    re-plotting (the corners change only when one crosses the line; the key only with the activation).
    """
    if activation not in OUTPUT_RANGE:
        raise ValueError(f"unknown activation {activation!r}; choose one of {list(OUTPUT_RANGE)}")
    xs, ys, grid = _grid(resolution)
    _, a = neuron(grid, (w1, w2), b, activation)
    lo, hi = OUTPUT_RANGE[activation]
    scale, _, _ = F.class_colourscale(2)
    labels = truth_table(target)
    right = (neuron(CORNERS, (w1, w2), b)[0] >= 0).astype(int) == labels
    norm = float(np.hypot(w1, w2))
    if norm > 0:   # the weight vector drawn from the square's centre: it points to the class-1 side
        tip = 0.5 + 0.45 * np.array([w1, w2]) / norm
        arrow = {"x": [0.5, float(tip[0])], "y": [0.5, float(tip[1])]}
    else:
        arrow = {"x": [], "y": []}
    sign = lambda v: "+" if v >= 0 else "−"   # noqa: E731 - "2·x₁ − 3", not "2·x₁ + -3"
    line = ("no line (w = 0)" if norm == 0 else
            f"line {w1:.2g}·x₁ {sign(w2)} {abs(w2):.2g}·x₂ {sign(b)} {abs(b):.2g} = 0")
    status = f"{activation} neuron · {line} · {int(right.sum())} of 4 corners right for {target}"
    key = {"marker": {"colorscale": scale, "cmin": lo, "cmax": hi,
                      "colorbar": {"title": {"text": "a (capped at 3)" if activation == "relu" else "a"}}}}
    return dict(traces=[key, decision_line((w1, w2), b), _corner_points(labels, right), arrow],
                layout={"images": [output_picture(xs, ys, a, activation)]},
                status=status)


def neuron_figure(w1: float = 2.0, w2: float = 2.0, b: float = -1.0, activation: str = "sigmoid",
                  target: str = "AND"):
    """A neuron's output over the plane (a picture with its colour key), its decision line z = 0
    (black), the four corners of a truth table (circle = right side, x = wrong side) and its weight
    vector w (arrow)."""
    import plotly.graph_objects as go
    fig = go.Figure([
        go.Scatter(name="output a", x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
                   marker=dict(color=[0.0], showscale=True, colorbar=dict(thickness=12))),
        go.Scatter(name="decision line z = 0", mode="lines", line=dict(color="black", width=3), hoverinfo="skip"),
        go.Scatter(name="truth-table corners", mode="markers+text", hovertemplate="%{text}<extra></extra>",
                   texttemplate="class %{customdata}", textposition="top center", textfont=dict(size=12),
                   marker=dict(size=16, line=dict(width=1.5, color="black"))),
        go.Scatter(name="weight vector w", mode="lines+markers", hoverinfo="skip", line=dict(color="black", width=2),
                   marker=dict(symbol="arrow", size=[0, 14], angleref="previous", color="black")),
    ])
    result = neuron_update(w1, w2, b, activation, target)
    for trace, changes in zip(fig.data, result["traces"]):
        trace.update(changes)
    fig.update_layout(result["layout"])
    F.style(fig, "One neuron: output a = f(w₁x₁ + w₂x₂ + b) and its decision line", height=520)
    fig.update_xaxes(title_text="x₁", range=BOX[:2], constrain="domain", autorange=False)
    fig.update_yaxes(title_text="x₂", range=BOX[2:], scaleanchor="x", scaleratio=1, constrain="domain",
                     autorange=False)
    fig.update_layout(legend=dict(orientation="h", y=-0.18, x=0.0))
    return fig


# -- the network, unit by unit --------------------------------------------------------------------
def hidden_unit(net: Network, j: int) -> Network:
    """Hidden unit ``j`` of the first layer of ``net`` as a network of its own (``[n_in, 1]``, same
    weights and activation): one hidden unit *is* one neuron."""
    layer = net.layers[0]
    unit = Network([net.sizes[0], 1], output="sigmoid")
    unit.layers[0].W[:, 0] = layer.W[:, j]
    unit.layers[0].b[0] = layer.b[j]
    unit.layers[0].activation = layer.activation
    return unit


VIEW_TITLES = ("hidden unit 1", "hidden unit 2", "network output")


def network_views_update(net: Network, target: str = "XOR", resolution: int = RESOLUTION) -> dict:
    """Panel update for :func:`network_views_figure`: the surfaces of hidden units 1, 2 and the output
    (``resolution`` grid points per side)."""
    labels = truth_table(target)
    bounds = BOX
    traces = []
    for model in (hidden_unit(net, 0), hidden_unit(net, 1), net):
        traces += [F.decision_boundary_data(model, bounds, resolution), _corner_points(labels)]
    out = net.forward(CORNERS)[:, 0]
    right = int(np.sum(net.predict(CORNERS) == labels))      # bpcore.metrics' rule: output >= 0.5
    corners = ", ".join(f"{int(x1)}{int(x2)}→{a:.2f}" for (x1, x2), a in zip(CORNERS, out))
    return dict(traces=traces, status=f"outputs at the corners {corners} · {right} of 4 right for {target}")


def network_views_figure(net: Network, target: str = "XOR"):
    """Three heatmaps side by side: what hidden unit 1, hidden unit 2 and the output compute over the plane."""
    from plotly.subplots import make_subplots
    fig = make_subplots(rows=1, cols=3, subplot_titles=VIEW_TITLES, horizontal_spacing=0.06)
    for col in (1, 2, 3):
        heat, points, _ = F.decision_boundary_traces()
        heat.update(showlegend=False)
        points.update(name="XOR corners", showlegend=col == 1, marker=dict(size=12))
        fig.add_trace(heat, row=1, col=col)
        fig.add_trace(points, row=1, col=col)
    for trace, changes in zip(fig.data, network_views_update(net, target)["traces"]):
        trace.update(changes)
    F.style(fig, "A 2-2-1 network with hand-set weights, unit by unit (colour: unit output, 0 blue to 1 vermillion)",
            height=400)
    for col in (1, 2, 3):
        fig.update_xaxes(title_text="x₁", range=BOX[:2], row=1, col=col, constrain="domain")
        fig.update_yaxes(title_text="x₂" if col == 1 else None, range=BOX[2:], row=1, col=col,
                         scaleanchor=f"x{'' if col == 1 else col}", scaleratio=1)
    fig.update_layout(legend=dict(orientation="h", y=-0.2, x=0.0))
    return fig
