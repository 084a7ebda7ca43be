r"""Chapter 3, the chain rule: a tiny scalar automatic differentiation and the graph it draws.

:class:`Value` is a number that remembers how it was computed. Each operation writes its *local*
derivative right beside its forward formula, and :meth:`Value.backward` walks the graph from the
output back to the inputs, multiplying local derivatives along every path and **adding** the
contributions of every branch (``+=``): a node used twice receives two contributions.

The chapter's example is

.. math:: f(x, y) = \big(x y + \sin x\big)\,\sigma(y),

in which both inputs are used twice: ``x`` feeds ``x*y`` and ``sin x``; ``y`` feeds ``x*y`` and
``sigmoid(y)``. :func:`example_graph` builds it; :func:`graph_figure` and :func:`graph_update` draw it
with every forward value and every gradient on it (for a live panel).
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

from bpcore.activations import sigmoid as _sigmoid

Number = float | int


class Value:
    """A scalar node of a computational graph: ``data`` (forward value) and ``grad`` (:math:`\\partial f/\\partial` node).

    >>> x = Value(3.0, label="x")
    >>> f = x * x + x          # x is used three times
    >>> f.backward()
    >>> x.grad                  # 2x + 1
    7.0
    """

    def __init__(self, data: Number, parents: tuple["Value", ...] = (), op: str = "", label: str = ""):
        if isinstance(data, bool) or not isinstance(data, (int, float, np.floating, np.integer)):
            raise TypeError(f"a Value holds one number, got {type(data).__name__}: {data!r}")
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents
        self.op = op
        self.label = label
        self._backward: Callable[[], None] = lambda: None   # an input passes nothing further back

    def __repr__(self) -> str:
        name = f"{self.label} " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # -- operations: forward value, then the local derivative(s) right beside it ---------------
    def __add__(self, other: "Value | Number") -> "Value":
        r""":math:`o = a + b`; local derivatives :math:`\partial o/\partial a = 1`, :math:`\partial o/\partial b = 1`."""
        other = _lift(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad
        out._backward = _backward
        return out

    def __mul__(self, other: "Value | Number") -> "Value":
        r""":math:`o = a b`; local derivatives :math:`\partial o/\partial a = b`, :math:`\partial o/\partial b = a`."""
        other = _lift(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __neg__(self) -> "Value":
        r""":math:`o = -a`; local derivative :math:`-1`."""
        return self * -1.0

    def __sub__(self, other: "Value | Number") -> "Value":
        return self + (-_lift(other))

    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, other: Number) -> "Value":
        return _lift(other) + (-self)

    def sin(self) -> "Value":
        r""":math:`o = \sin a`; local derivative :math:`\cos a`."""
        out = Value(math.sin(self.data), (self,), "sin")

        def _backward() -> None:
            self.grad += math.cos(self.data) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self) -> "Value":
        r""":math:`o = \sigma(a)`; local derivative :math:`\sigma(a)(1-\sigma(a)) = o(1-o)`."""
        out = Value(float(_sigmoid(self.data)), (self,), "σ")

        def _backward() -> None:
            self.grad += out.data * (1.0 - out.data) * out.grad
        out._backward = _backward
        return out

    def tanh(self) -> "Value":
        r""":math:`o = \tanh a`; local derivative :math:`1 - \tanh^2 a = 1 - o^2`."""
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward() -> None:
            self.grad += (1.0 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    # -- the backward pass ----------------------------------------------------------------------
    def backward(self) -> None:
        r"""Fill in ``grad`` = :math:`\partial(\text{self})/\partial\text{node}` for every node of the graph.

        Nodes are visited in reverse topological order, so a node's ``grad`` is complete (every branch
        that uses it has added its share) before it passes anything on to its own parents. Gradients are
        reset to zero first, so calling ``backward`` twice gives the same numbers.
        """
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0                       # d self / d self
        for node in reversed(order):
            node._backward()


def _lift(x: "Value | Number") -> Value:
    """A constant becomes a leaf node (its gradient is computed but not used)."""
    return x if isinstance(x, Value) else Value(x)


def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on, each listed after all of its parents (``root`` last)."""
    order: list[Value] = []
    seen: set[int] = set()

    def visit(node: Value) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        for parent in node.parents:
            visit(parent)
        order.append(node)
    visit(root)
    return order


# -- the chapter's example ---------------------------------------------------------------------
#: node names of the example, in the order they are computed
NODE_NAMES = ("x", "y", "p", "s", "q", "r", "f")


def example_graph(x: Number, y: Number) -> dict[str, Value]:
    r"""Build :math:`f(x,y) = (xy + \sin x)\,\sigma(y)` from :class:`Value` nodes and run backward.

    Returns the nodes by name: ``x``, ``y``, ``p = x*y``, ``s = sin x``, ``q = p + s``,
    ``r = sigmoid(y)``, ``f = q*r``; every ``.grad`` holds :math:`\partial f/\partial\text{node}`.
    """
    vx, vy = Value(x, label="x"), Value(y, label="y")
    p = vx * vy
    s = vx.sin()
    q = p + s
    r = vy.sigmoid()
    f = q * r
    for name, node in zip(NODE_NAMES[2:], (p, s, q, r, f)):
        node.label = name
    f.backward()
    return dict(zip(NODE_NAMES, (vx, vy, p, s, q, r, f)))


def example_value(x: Number, y: Number) -> float:
    """:math:`f(x, y)` of the example (the forward pass only)."""
    return example_graph(x, y)["f"].data


def central_difference(fun: Callable[..., float], point: Sequence[float], i: int, h: float = 1e-6) -> float:
    r"""Estimate :math:`\partial\,\mathrm{fun}/\partial x_i` at ``point``: :math:`\frac{f(x+h e_i) - f(x-h e_i)}{2h}`.

    Its error is :math:`O(h^2)` from truncation plus about :math:`\epsilon_\text{mach}|f|/h` from round-off.
    """
    if h <= 0:
        raise ValueError(f"the step h must be > 0, got {h}")
    up, down = list(map(float, point)), list(map(float, point))
    up[i] += h
    down[i] -= h
    return (fun(*up) - fun(*down)) / (2.0 * h)


# -- the graph figure ---------------------------------------------------------------------------
#: where each node sits in the drawing (inputs on the left, the output on the right)
POSITIONS = {"x": (0.0, 2.0), "y": (0.0, 0.0), "s": (1.0, 3.0), "p": (1.0, 1.2), "r": (2.0, 0.0),
             "q": (2.0, 2.1), "f": (3.0, 1.05)}
#: edges (parent, child) of the example
EDGES = (("x", "p"), ("y", "p"), ("x", "s"), ("p", "q"), ("s", "q"), ("y", "r"), ("q", "f"), ("r", "f"))
FORMULAS = {"x": "x", "y": "y", "p": "p = x·y", "s": "s = sin x", "q": "q = p + s", "r": "r = σ(y)",
            "f": "f = q·r"}


def local_derivatives(nodes: dict[str, Value]) -> dict[tuple[str, str], tuple[str, float]]:
    """For each edge (parent, child): the formula and value of :math:`\\partial\\,\\text{child}/\\partial\\,\\text{parent}`."""
    v = {k: n.data for k, n in nodes.items()}
    return {("x", "p"): ("y", v["y"]), ("y", "p"): ("x", v["x"]), ("x", "s"): ("cos x", math.cos(v["x"])),
            ("p", "q"): ("1", 1.0), ("s", "q"): ("1", 1.0), ("y", "r"): ("r(1−r)", v["r"] * (1 - v["r"])),
            ("q", "f"): ("r", v["r"]), ("r", "f"): ("q", v["q"])}


def _node_texts(nodes: dict[str, Value]) -> list[str]:
    return [f"<b>{FORMULAS[k]}</b><br>value {nodes[k].data:.3f}<br><span style='color:#c0392b'>"
            f"∂f/∂{k} = {nodes[k].grad:.3f}</span>" for k in NODE_NAMES]


def _edge_texts(nodes: dict[str, Value]) -> list[str]:
    local = local_derivatives(nodes)
    return [f"{local[e][0]} = {local[e][1]:.3f}" for e in EDGES]


def graph_status(x: Number, y: Number) -> str:
    """One line: f, and backprop's gradients beside central differences."""
    nodes = example_graph(x, y)
    fd = [central_difference(example_value, (x, y), i) for i in (0, 1)]
    return (f"x={float(x):.2f}, y={float(y):.2f} · f = {nodes['f'].data:.4f} · ∂f/∂x = {nodes['x'].grad:.4f} "
            f"(finite diff. {fd[0]:.4f}) · ∂f/∂y = {nodes['y'].grad:.4f} (finite diff. {fd[1]:.4f})")


def graph_update(x: Number, y: Number) -> dict:
    """Changes of :func:`graph_figure`'s traces for new inputs (the panel's ``update``)."""
    nodes = example_graph(x, y)
    return dict(traces=[{}, {"text": _edge_texts(nodes)}, {"text": _node_texts(nodes)}],
                status=graph_status(x, y))


def graph_figure(x: Number = 1.0, y: Number = 0.5):
    """The computational graph of the example as a plotly figure: trace 0 the edges, trace 1 the
    local derivative on each edge (mid-point labels), trace 2 the nodes with value and gradient."""
    import plotly.graph_objects as go

    nodes = example_graph(x, y)
    ex, ey = [], []
    for a, b in EDGES:
        (x0, y0), (x1, y1) = POSITIONS[a], POSITIONS[b]
        ex += [x0, x1, None]
        ey += [y0, y1, None]
    mid = [((POSITIONS[a][0] + POSITIONS[b][0]) / 2, (POSITIONS[a][1] + POSITIONS[b][1]) / 2 + 0.14)
           for a, b in EDGES]                      # labels just above the middle of each edge
    fig = go.Figure([
        go.Scatter(x=ex, y=ey, mode="lines", line=dict(color="#999", width=2), hoverinfo="skip",
                   name="edges"),
        go.Scatter(x=[m[0] for m in mid], y=[m[1] for m in mid], mode="text", text=_edge_texts(nodes),
                   textfont=dict(size=11, color="#1f5fa8"), name="local derivative ∂child/∂parent",
                   hoverinfo="skip"),
        go.Scatter(x=[POSITIONS[k][0] for k in NODE_NAMES], y=[POSITIONS[k][1] for k in NODE_NAMES],
                   mode="markers+text", text=_node_texts(nodes), textposition="middle center",
                   marker=dict(size=92, color="#f4f1ea", line=dict(color="#333", width=1.5)),
                   textfont=dict(size=11), name="node: value and ∂f/∂node", hoverinfo="skip", cliponaxis=False),
    ])
    fig.update_layout(
        title="Computational graph of f(x, y) = (x·y + sin x)·σ(y)",
        xaxis=dict(title="computation order (inputs → output)", range=[-0.5, 3.5], showgrid=False,
                   zeroline=False, showticklabels=False),
        yaxis=dict(title="", range=[-0.7, 3.7], showgrid=False, zeroline=False, showticklabels=False),
        showlegend=False, height=600, plot_bgcolor="white",
        margin=dict(l=20, r=20, t=90, b=40))
    return fig
