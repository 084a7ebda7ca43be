r"""Chapter 16, *Backpropagation is reverse-mode automatic differentiation*: forward mode against reverse
mode, the gate patterns on a small live graph, and the engine against :class:`bpcore.Network`.

* :class:`Dual` -- forward mode: an array carried together with its tangent (its derivative along one
  direction). Its operations have the same names as :class:`bpcore.autodiff.Tensor`'s, so one program,
  :func:`mlp_loss`, runs on both.
* :func:`forward_mode_gradient` (one pass per parameter) and :func:`reverse_mode_gradient` (one forward
  and one backward pass), and :func:`cost_rows` / :func:`cost_figure` measuring what each costs.
* :func:`engine_gradients` -- the engine's gradients of a ``Network``'s loss, in ``net.gradients`` form.
* :func:`gate_graph` / :func:`gate_figure` / :func:`gate_update` -- :math:`f = \mathrm{relu}(x y + \max(z, w))`,
  the graph on which add distributes, multiply swaps, max routes and ReLU gates.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Sequence

import numpy as np

from bpcore import figures
from bpcore.activations import log_softmax, sigmoid
from bpcore.autodiff import Tensor
from bpcore.network import Network

Array = np.ndarray


# ----------------------------------------------------------------------------------------------
# Forward mode: dual numbers
# ----------------------------------------------------------------------------------------------
class Dual:
    r"""A value and its tangent :math:`\dot x = dx/dt` along one direction :math:`t`: each operation carries the
    tangent forward with its local derivative (:math:`(a b)^\cdot = \dot a b + a \dot b`)."""

    __array_ufunc__ = None    # ``ndarray @ Dual`` defers to Dual.__rmatmul__

    def __init__(self, value: Array | float, tangent: Array | float | None = None):
        self.value = np.asarray(value, dtype=float)
        self.tangent = np.zeros_like(self.value) if tangent is None else np.asarray(tangent, dtype=float)

    def __matmul__(self, other: "Dual | Array") -> "Dual":
        other = _dual(other)
        return Dual(self.value @ other.value, self.tangent @ other.value + self.value @ other.tangent)

    def __rmatmul__(self, other: Array) -> "Dual":
        return _dual(other) @ self

    def __add__(self, other: "Dual | Array | float") -> "Dual":
        other = _dual(other)
        return Dual(self.value + other.value, self.tangent + other.tangent)

    def __mul__(self, other: "Dual | Array | float") -> "Dual":
        other = _dual(other)
        return Dual(self.value * other.value, self.tangent * other.value + self.value * other.tangent)

    __radd__, __rmul__ = __add__, __mul__

    def tanh(self) -> "Dual":
        y = np.tanh(self.value)
        return Dual(y, (1.0 - y ** 2) * self.tangent)

    def sigmoid(self) -> "Dual":
        y = sigmoid(self.value)
        return Dual(y, y * (1.0 - y) * self.tangent)

    def relu(self) -> "Dual":
        return Dual(np.maximum(self.value, 0.0), (self.value > 0) * self.tangent)

    def sum(self) -> "Dual":
        return Dual(self.value.sum(), self.tangent.sum())

    def mean(self) -> "Dual":
        return Dual(self.value.mean(), self.tangent.mean())

    def softmax_cross_entropy(self, Y: Array) -> "Dual":
        r""":math:`L = -\frac1n\sum Y\log\mathrm{softmax}(Z)`; tangent :math:`\sum(\mathrm{softmax}(Z) - Y)\odot\dot Z/n`."""
        log_p = log_softmax(self.value)
        return Dual(-np.sum(Y * log_p) / len(Y), np.sum((np.exp(log_p) - Y) * self.tangent) / len(Y))


def _dual(x: "Dual | Array | float") -> Dual:
    return x if isinstance(x, Dual) else Dual(x)


# ----------------------------------------------------------------------------------------------
# One program, two modes
# ----------------------------------------------------------------------------------------------
def mlp_loss(params: Sequence, X: Array, Y: Array):
    """The mean softmax cross-entropy of a one-hidden-layer tanh network, written once for Tensor and Dual.

    ``params = [W1 (n_in, h), b1 (h,), W2 (h, k), b2 (k,)]``, ``X: (n, n_in)``, ``Y: (n, k)`` one-hot."""
    W1, b1, W2, b2 = params
    hidden = (X @ W1 + b1).tanh()
    return (hidden @ W2 + b2).softmax_cross_entropy(Y)


Loss = Callable[[Sequence, Array, Array], Any]   # a Dual or a Tensor: whatever the parameters were


def forward_mode_gradient(loss: Loss, params: Sequence[Array], X: Array, Y: Array) -> tuple[list[Array], int]:
    """The gradient by forward mode: one pass per parameter, each seeding a tangent of 1 on that parameter.

    Returns the gradients (shaped like ``params``) and the number of passes."""
    grads, passes = [np.zeros_like(p, dtype=float) for p in params], 0
    for i, p in enumerate(params):
        for idx in np.ndindex(p.shape):
            seeded = [Dual(q) for q in params]
            seeded[i].tangent[idx] = 1.0
            grads[i][idx] = loss(seeded, X, Y).tangent
            passes += 1
    return grads, passes


def reverse_mode_gradient(loss: Loss, params: Sequence[Array], X: Array, Y: Array) -> tuple[list[Array], int]:
    """The gradient by reverse mode: one forward pass records the graph, one backward pass fills every ``grad``.

    Returns the gradients and the number of passes (2: one forward, one backward)."""
    leaves = [Tensor(p) for p in params]
    loss(leaves, X, Y).backward()
    return [leaf.grad for leaf in leaves], 2


def mlp_problem(hidden: int, n_samples: int = 50, n_in: int = 4, n_classes: int = 3,
                seed: int = 0) -> tuple[list[Array], Array, Array]:
    """Random parameters of :func:`mlp_loss` with ``hidden`` units, inputs ``X (n, n_in)``, one-hot ``Y (n, k)``."""
    rng = np.random.default_rng(seed)
    params = [rng.normal(0, 0.5, (n_in, hidden)), rng.normal(0, 0.1, hidden),
              rng.normal(0, 0.5, (hidden, n_classes)), rng.normal(0, 0.1, n_classes)]
    X = rng.normal(size=(n_samples, n_in))
    Y = np.eye(n_classes)[rng.integers(0, n_classes, n_samples)]
    return params, X, Y


@dataclass(frozen=True)
class CostRow:
    """One width of :func:`cost_rows`: parameters, passes and best-of-``repeats`` seconds of each mode."""

    hidden: int
    n_params: int
    forward_passes: int
    reverse_passes: int
    forward_seconds: float
    reverse_seconds: float
    max_difference: float


def _best_time(run: Callable[[], object], repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return float(best)


def cost_rows(widths: Sequence[int] = (1, 2, 4, 8, 16, 32, 64), repeats: int = 3) -> list[CostRow]:
    """For each hidden width: the cost of the full gradient of :func:`mlp_loss` in both modes."""
    rows = []
    for hidden in widths:
        params, X, Y = mlp_problem(hidden)
        fwd, n_fwd = forward_mode_gradient(mlp_loss, params, X, Y)
        rev, n_rev = reverse_mode_gradient(mlp_loss, params, X, Y)
        rows.append(CostRow(hidden, sum(p.size for p in params), n_fwd, n_rev,
                            _best_time(partial(forward_mode_gradient, mlp_loss, params, X, Y), repeats),
                            _best_time(partial(reverse_mode_gradient, mlp_loss, params, X, Y), repeats),
                            max(float(np.max(np.abs(a - b))) for a, b in zip(fwd, rev))))
    return rows


def cost_figure(rows: Sequence[CostRow]):
    """Seconds for the full gradient against the number of parameters, both modes, log-log axes."""
    import plotly.graph_objects as go

    n = [r.n_params for r in rows]
    fig = go.Figure([
        go.Scatter(x=n, y=[r.forward_seconds for r in rows], mode="lines+markers", name="forward mode (n passes)",
                   line=dict(color=figures.SERIES_COLOURS[1])),
        go.Scatter(x=n, y=[r.reverse_seconds for r in rows], mode="lines+markers",
                   name="reverse mode (1 forward + 1 backward)", line=dict(color=figures.SERIES_COLOURS[0])),
    ])
    figures.style(fig, "The cost of the full gradient of a scalar loss")
    fig.update_xaxes(type="log", title="number of parameters n")
    fig.update_yaxes(type="log", title="seconds (best of 3)")
    return fig


# ----------------------------------------------------------------------------------------------
# The engine against bpcore's hand-written backpropagation
# ----------------------------------------------------------------------------------------------
_NODES = {"sigmoid": Tensor.sigmoid, "tanh": Tensor.tanh, "relu": Tensor.relu}


def engine_gradients(net: Network, X: Array, Y: Array) -> list[dict[str, Array]]:
    """Gradients of the mean softmax cross-entropy of ``net`` (hidden sigmoid, tanh or relu, softmax output)
    computed by the Tensor engine, one dict ``{"W": ..., "b": ...}`` per layer like ``net.gradients``."""
    if net.output != "softmax" or net.hidden not in _NODES and len(net.sizes) > 2:
        raise ValueError(f"engine_gradients needs hidden sigmoid, tanh or relu and a softmax output, got {net!r}")
    leaves = [Tensor(p.copy()) for p in net.parameters()]
    a = Tensor(X)
    for i in range(0, len(leaves) - 2, 2):
        a = _NODES[net.hidden](a @ leaves[i] + leaves[i + 1])
    (a @ leaves[-2] + leaves[-1]).softmax_cross_entropy(Y).backward()
    return [{"W": leaves[i].grad, "b": leaves[i + 1].grad} for i in range(0, len(leaves), 2)]


# ----------------------------------------------------------------------------------------------
# The gate patterns: f = relu(x*y + max(z, w))
# ----------------------------------------------------------------------------------------------
#: the fixed inputs of the gate graph (x and w are the panel's sliders)
Y_INPUT, Z_INPUT = -1.0, 3.0
GATE_NODES = ("x", "y", "z", "w", "p", "m", "s", "f")
GATE_FORMULAS = {"x": "x", "y": "y", "z": "z", "w": "w", "p": "p = x·y", "m": "m = max(z, w)", "s": "s = p + m",
                 "f": "f = relu(s)"}
#: the pattern each gate's backward pass follows
GATE_PATTERNS = {"p": "multiply: swaps", "m": "max: routes", "s": "add: distributes", "f": "ReLU: gates"}
GATE_POSITIONS = {"x": (0.0, 3.0), "y": (0.0, 2.0), "z": (0.0, 1.0), "w": (0.0, 0.0), "p": (1.0, 2.5),
                  "m": (1.0, 0.5), "s": (2.0, 1.5), "f": (3.0, 1.5)}
GATE_EDGES = (("x", "p"), ("y", "p"), ("z", "m"), ("w", "m"), ("p", "s"), ("m", "s"), ("s", "f"))


def gate_graph(x: float, w: float, y: float = Y_INPUT, z: float = Z_INPUT) -> dict[str, Tensor]:
    """Build :math:`f = \\mathrm{relu}(x y + \\max(z, w))` from 0-d Tensors and run backward; nodes by name."""
    leaves = {name: Tensor(float(v), label=name) for name, v in zip("xyzw", (x, y, z, w))}
    p = leaves["x"] * leaves["y"]
    m = leaves["z"].maximum(leaves["w"])
    s = p + m
    f = s.relu()
    f.backward()
    return {**leaves, "p": p, "m": m, "s": s, "f": f}


def gate_local_derivatives(nodes: dict[str, Tensor]) -> dict[tuple[str, str], float]:
    """∂child/∂parent on every edge of the gate graph (a tie of the max goes to z, as the engine routes it)."""
    v = {k: float(n.data) for k, n in nodes.items()}
    z_wins = v["z"] >= v["w"]
    return {("x", "p"): v["y"], ("y", "p"): v["x"], ("z", "m"): float(z_wins), ("w", "m"): float(not z_wins),
            ("p", "s"): 1.0, ("m", "s"): 1.0, ("s", "f"): float(v["s"] > 0)}


def _gate_node_texts(nodes: dict[str, Tensor]) -> list[str]:
    return [f"<b>{GATE_FORMULAS[k]}</b><br>" + (f"<i>{GATE_PATTERNS[k]}</i><br>" if k in GATE_PATTERNS else "") +
            f"value {float(nodes[k].data):.2f}<br>"
            f"<span style='color:{figures.OKABE_ITO['vermillion']}'>∂f/∂{k} = {float(nodes[k].grad):.2f}</span>"
            for k in GATE_NODES]


def _gate_edge_texts(nodes: dict[str, Tensor]) -> list[str]:
    local = gate_local_derivatives(nodes)
    return [f"{local[e]:.2f}" for e in GATE_EDGES]


def gate_status(x: float, w: float) -> str:
    """One line: the inputs, f, and the gradient of every input."""
    nodes = gate_graph(x, w)
    grads = " · ".join(f"∂f/∂{k} = {float(nodes[k].grad):.2f}" for k in "xyzw")
    return f"x={float(x):.2f}, w={float(w):.2f} · f = {float(nodes['f'].data):.2f} · {grads}"


def gate_update(x: float, w: float) -> dict:
    """What changes in :func:`gate_figure` for new inputs (the panel's ``update``)."""
    nodes = gate_graph(x, w)
    return dict(traces=[{}, {"text": _gate_edge_texts(nodes)}, {"text": _gate_node_texts(nodes)}],
                status=gate_status(x, w))


def gate_figure(x: float = 2.0, w: float = 1.0):
    """The gate graph as a plotly figure: trace 0 the edges, trace 1 the local derivative on each edge,
    trace 2 the nodes with their value and gradient."""
    import plotly.graph_objects as go

    nodes = gate_graph(x, w)
    ex, ey = [], []
    for a, b in GATE_EDGES:
        (x0, y0), (x1, y1) = GATE_POSITIONS[a], GATE_POSITIONS[b]
        ex += [x0, x1, None]
        ey += [y0, y1, None]
    mid = [((GATE_POSITIONS[a][0] + GATE_POSITIONS[b][0]) / 2, (GATE_POSITIONS[a][1] + GATE_POSITIONS[b][1]) / 2 + 0.12)
           for a, b in GATE_EDGES]
    fig = go.Figure([
        go.Scatter(x=ex, y=ey, mode="lines", line=dict(color="#999", width=2), hoverinfo="skip", name="edges"),
        go.Scatter(x=[m[0] for m in mid], y=[m[1] for m in mid], mode="text", text=_gate_edge_texts(nodes),
                   textfont=dict(size=11, color=figures.OKABE_ITO["blue"]), name="local derivative ∂child/∂parent",
                   hoverinfo="skip"),
        go.Scatter(x=[GATE_POSITIONS[k][0] for k in GATE_NODES], y=[GATE_POSITIONS[k][1] for k in GATE_NODES],
                   mode="markers+text", text=_gate_node_texts(nodes), textposition="middle center",
                   marker=dict(size=100, color="#f4f1ea", line=dict(color="#333", width=1.5)),
                   textfont=dict(size=10, color="#222"), name="node: value and ∂f/∂node", hoverinfo="skip",
                   cliponaxis=False),
    ])
    figures.style(fig, "Gate patterns in f = relu(x·y + max(z, w))", height=560)
    fig.update_layout(showlegend=False, margin=dict(l=20, r=20, t=80, b=30),
                      xaxis=dict(title="inputs → output", range=[-0.5, 3.6], showgrid=False, zeroline=False,
                                 showticklabels=False),
                      yaxis=dict(title="", range=[-0.6, 3.6], showgrid=False, zeroline=False, showticklabels=False))
    return fig


def gate_panel():
    """The chapter's live panel: the gate graph with sliders for ``x`` and ``w`` (its static twin: 8 × 6 frames)."""
    from bpcore.widgets import Slider, panel

    return panel(
        gate_figure(2.0, 1.0),
        gate_update,
        controls={
            "x": Slider(-1.0, 5.0, value=2.0, step=0.1, label="input x",
                        static_values=[-1.0, 0.0, 1.0, 2.0, 2.5, 3.0, 3.5, 5.0]),
            "w": Slider(-1.0, 5.0, value=1.0, step=0.1, label="input w",
                        static_values=[-1.0, 1.0, 2.0, 3.0, 4.0, 5.0]),
        },
        static=("x", "w"),
        title="Gate patterns in f = relu(x·y + max(z, w)), live",
        alt="A computational graph with inputs x, y, z and w on the left, a multiply node p = x·y, a max node "
            "m = max(z, w), an add node s = p + m and the output f = relu(s) on the right. Every node shows its "
            "value and the gradient of f with respect to it; every edge shows its local derivative. The numbers "
            "change with the sliders for x and w.",
    )
