r"""Chapter 6, *A worked example, every number*: the hand example and three classic mistakes.

The hand example is a 2-2-2 sigmoid network with weights set by hand, one input sample and a
target vector. The ``mistake_...`` functions below are **deliberately wrong** backward passes: each
reproduces one mistake that blog posts on backpropagation often make, so that the chapter can show
its wrong numbers and what they do to training. Never use them for anything else; bpcore's own
gradients are :meth:`bpcore.Network.gradients`.

Each mistake starts from bpcore's correct forward pass (:meth:`bpcore.Network.trace`) and runs the
ordinary backward recursion

.. math:: \delta^{l} = \big(\delta^{l+1} (W^{l+1})^\top\big)\odot f'(z^{l}),\qquad
          \frac{\partial L}{\partial W^l} = (a^{l-1})^\top\delta^l,\qquad
          \frac{\partial L}{\partial b^l} = \textstyle\sum_i \delta^l_i

from a *wrong* output error signal :math:`\delta^L` (``wrong_delta_...``). The line that is wrong is
marked ``# MISTAKE``.

The chapter's panel retrains the hand example on every slider step with :func:`bpcore.train`
(:func:`train_hand_example`), which is :func:`sgd_losses` bit for bit.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from bpcore.figures import FONT_COLOUR, LOG_AXIS, OKABE_ITO, SERIES_COLOURS, log_axis_range
from bpcore.network import Network, Trace
from bpcore.optimizers import SGD
from bpcore.training import train

Array = np.ndarray
Gradients = list[dict[str, Array]]
GradientFn = Callable[[Network, Array, Array], Gradients]

#: the hand example: layer 1 (hidden) and layer 2 (output); ``W[i, j]`` joins input unit i to unit j
HAND_W1 = [[0.1, -0.3],
           [0.4, 0.2]]
HAND_B1 = [0.1, -0.2]
HAND_W2 = [[0.5, -0.4],
           [-0.3, 0.6]]
HAND_B2 = [0.2, 0.1]
HAND_X = [[1.0, 0.5]]
HAND_Y = [[1.0, 0.0]]
#: the learning rate of the one SGD step worked out in the chapter
HAND_LR = 0.5


def hand_example() -> tuple[Network, Array, Array]:
    """The chapter's 2-2-2 sigmoid network with its hand-set weights, the input ``X (1, 2)`` and the
    target ``Y (1, 2)``. A fresh network on every call."""
    net = Network([2, 2, 2], hidden="sigmoid", output="sigmoid", init="zeros")
    net.layers[0].W[...] = HAND_W1
    net.layers[0].b[...] = HAND_B1
    net.layers[1].W[...] = HAND_W2
    net.layers[1].b[...] = HAND_B2
    return net, np.array(HAND_X, dtype=float), np.array(HAND_Y, dtype=float)


def backward_from_output_delta(net: Network, trace: Trace, delta_out: Array) -> Gradients:
    r"""Backpropagate a given output error signal ``delta_out (n, n_out)`` through ``net``.

    ``trace`` supplies the forward values (:math:`a^{l-1}`, :math:`z^l`, :math:`a^l` of every layer).
    Returns ``[{"W": dW, "b": db}, ...]`` like :meth:`Network.gradients`. With the correct
    :math:`\delta^L` (``trace.layers[-1].delta``) it reproduces bpcore's gradients exactly; the
    mistakes below feed it a wrong one. Plain layers only (no dropout, no batch normalisation).
    """
    grads: Gradients = [{} for _ in net.layers]
    delta = np.asarray(delta_out, dtype=float)
    for i in range(len(net.layers) - 1, -1, -1):
        t = trace.layers[i]
        if i < len(net.layers) - 1:
            grad_a = delta @ net.layers[i + 1].W.T                      # dL/da^l
            delta = net.layers[i].activation.backward(t.z, t.a, grad_a)  # times f'(z^l)
        grads[i] = {"W": t.a_in.T @ delta, "b": delta.sum(axis=0)}
    return grads


def wrong_delta_no_sigma_prime(trace: Trace) -> Array:
    r"""DELIBERATELY WRONG output error signal of the MSE loss of a sigmoid output: no :math:`\sigma'`.

    ``trace``: bpcore's forward (and backward) pass of the MSE loss. Returns :math:`\frac1n(a-y)`,
    shape ``(n, n_out)``, where :math:`\frac1n(a-y)\odot\sigma'(z)` is right."""
    out = trace.layers[-1]
    return -(trace.targets - out.a) / len(out.a)   # MISTAKE: the factor sigma'(z) = a(1 - a) is missing


def mistake_no_sigma_prime(net: Network, X: Array, Y: Array) -> Gradients:
    r"""DELIBERATELY WRONG gradients of the MSE loss of a sigmoid output: the :math:`\sigma'` is missing.

    The correct output error signal for :math:`L = \frac1n\sum\tfrac12\lVert y-a\rVert^2` and
    :math:`a = \sigma(z)` is :math:`\delta^L = \frac1n(a-y)\odot\sigma'(z)`. This function uses the
    tutorial formula ``dW = -(y - a) * a_prev``, i.e. :math:`\delta^L = \frac1n(a-y)`, which is right
    only for a linear output (or for cross-entropy). Everything after the output delta is correct.
    """
    tr = net.trace(X, Y, loss="mse")
    return backward_from_output_delta(net, tr, wrong_delta_no_sigma_prime(tr))


def wrong_delta_flipped_sign(trace: Trace) -> Array:
    r"""DELIBERATELY WRONG output error signal of the MSE loss: :math:`\frac1n(y-a)\odot\sigma'(z)`,
    exactly minus the right one. ``trace``: bpcore's pass of the MSE loss; shape ``(n, n_out)``."""
    out = trace.layers[-1]
    return (trace.targets - out.a) / len(out.a) * out.a * (1 - out.a)   # MISTAKE: (y - a), not (a - y)


def mistake_flipped_sign(net: Network, X: Array, Y: Array) -> Gradients:
    r"""DELIBERATELY WRONG gradients of the MSE loss: :math:`y - a` instead of :math:`a - y`.

    :math:`\partial L/\partial a = \frac1n(a-y)` for :math:`L = \frac1n\sum\tfrac12\lVert y-a\rVert^2`
    (the square's inner derivative, :math:`-1`, turns :math:`(y-a)` around). Dropping that minus sign
    gives exactly the negative gradient, so a "descent" step climbs: the loss rises.
    """
    tr = net.trace(X, Y, loss="mse")
    return backward_from_output_delta(net, tr, wrong_delta_flipped_sign(tr))


def mistake_ce_gradient_for_mse(net: Network, X: Array, Y: Array) -> Gradients:
    r"""DELIBERATELY WRONG for an MSE cost: the cross-entropy gradient, back-propagated from ``A - Y``.

    The training loop prints ``net.loss(X, Y, loss="mse")`` but steps along the gradient of the
    binary cross-entropy, whose output delta is :math:`\frac1n(a - y)`. The numbers are the exact
    gradient of a loss that is never printed: a gradient check against MSE fails, one against
    cross-entropy passes. (They equal :func:`mistake_no_sigma_prime`'s: dropping :math:`\sigma'`
    from the MSE delta *is* switching to cross-entropy.)
    """
    return net.gradients(X, Y, loss="bce")   # MISTAKE: the printed loss is "mse"


def bpcore_gradients(loss: str) -> GradientFn:
    """The correct gradient function ``(net, X, Y) -> net.gradients(X, Y, loss=loss)``."""
    def gradients(net: Network, X: Array, Y: Array) -> Gradients:
        return net.gradients(X, Y, loss=loss)
    gradients.__name__ = f"bpcore_gradients_{loss}"
    return gradients


def sgd_losses(net: Network, X: Array, Y: Array, gradients: GradientFn, lr: float, steps: int,
               loss: str = "mse") -> Array:
    """Take ``steps`` plain gradient-descent steps on ``net`` (in place) along ``gradients(net, X, Y)``.

    Returns the *printed* loss ``net.loss(X, Y, loss)`` before the first step and after each step:
    an array of shape ``(steps + 1,)``. The gradient function may be wrong (one of the mistakes):
    that is the point: the printed loss shows what the steps do to the loss you care about.
    """
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    opt = SGD(lr)
    params = net.parameters()
    losses = np.empty(steps + 1)
    losses[0] = net.loss(X, Y, loss=loss)
    for k in range(1, steps + 1):
        grads = gradients(net, X, Y)
        opt.step(params, [g for layer in grads for g in (layer["W"], layer["b"])])
        losses[k] = net.loss(X, Y, loss=loss)
    return losses


def finite_difference_direction(net: Network, X: Array, Y: Array, grads: Gradients, loss: str,
                                eps: float = 1e-6) -> float:
    r"""The slope of the printed ``loss`` along the unit direction :math:`-g/\lVert g\rVert` of ``grads``.

    A central difference :math:`(L(\theta + \epsilon u) - L(\theta - \epsilon u))/2\epsilon` with
    :math:`u = g/\lVert g\rVert`: how fast the printed loss falls per unit step along the claimed
    descent direction :math:`-u`. For the true gradient of ``loss`` it equals :math:`\lVert g\rVert`
    (no direction is steeper); a wrong "gradient" claims :math:`\lVert g\rVert` but delivers less.
    The network is restored.
    """
    flat = [g for layer in grads for g in (layer["W"], layer["b"])]
    norm = float(np.sqrt(sum(np.sum(g * g) for g in flat)))
    params = net.parameters()
    saved = net.get_weights()

    def loss_at(shift: float) -> float:
        for p, w, g in zip(params, saved, flat):
            p[...] = w + shift * g / norm
        return net.loss(X, Y, loss=loss)

    slope = (loss_at(eps) - loss_at(-eps)) / (2 * eps)  # the loss falls by this much per unit step along -u
    net.set_weights(saved)
    return slope


# ----------------------------------------------------------------------------------------------
# The chapter's live panel: the hand example trained for a while, with its loss curve and its
# network drawn with every weight and every gradient.
# ----------------------------------------------------------------------------------------------
#: the gradients the panel can train with: bpcore's own (None), or the backward recursion from one of
#: the two wrong output error signals above (the gradients of :func:`mistake_no_sigma_prime` and
#: :func:`mistake_flipped_sign`, read off the same forward pass)
VARIANTS: dict[str, Callable[[Trace], Array] | None] = {
    "correct (bpcore)": None,
    "mistake: missing σ'": wrong_delta_no_sigma_prime,
    "mistake: flipped sign": wrong_delta_flipped_sign,
}
_POSITIVE, _NEGATIVE = OKABE_ITO["blue"], OKABE_ITO["vermillion"]   # colour-blind safe


def _edges() -> list[tuple[int, int, int]]:
    """Every weight of the 2-2-2 network as ``(layer index, i, j)`` (``W[i, j]`` of ``net.layers[layer]``)."""
    return [(layer, i, j) for layer in (0, 1) for i in (0, 1) for j in (0, 1)]


def _unit_xy(column: int, unit: int) -> tuple[float, float]:
    return float(column), 1.0 - unit


def _edge_label_xy(layer: int, i: int, j: int, t: float = 0.3) -> tuple[float, float]:
    (x0, y0), (x1, y1) = _unit_xy(layer, i), _unit_xy(layer + 1, j)
    return x0 + t * (x1 - x0), y0 + t * (y1 - y0)


def train_hand_example_run(lr: float, iterations: int, variant: str) -> tuple[Network, Array, Trace]:
    """:func:`train_hand_example`, returning the MSE pass at the final weights (a :class:`Trace`) last.

    One :func:`bpcore.train` call (full batch, plain SGD) whose output error signal is the variant's
    (``output_delta``); the loss it records before each step is the printed loss, because a plain
    network computes the same numbers in training and evaluation mode. So every number equals
    :func:`sgd_losses`' bit for bit (``tests/test_ch06.py`` checks it)."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {list(VARIANTS)}, got {variant!r}")
    steps = int(iterations)
    if steps < 0:
        raise ValueError(f"iterations must be >= 0, got {iterations!r}")
    net, X, Y = hand_example()
    recorded: list[float] = []
    if steps > 0:
        hist = train(net, X, Y, loss="mse", lr=lr, epochs=steps, record=("loss",),
                     output_delta=VARIANTS[variant], divergence_factor=math.inf)
        recorded = hist.train_loss
    final = net.trace(X, Y, loss="mse")
    return net, np.array(recorded + [final.loss]), final


def train_hand_example(lr: float, iterations: int, variant: str = "correct (bpcore)"
                       ) -> tuple[Network, Array, Gradients]:
    """Train a fresh hand-example network for ``iterations`` SGD steps with the gradient ``variant``
    (a key of :data:`VARIANTS`). Returns the trained network, the printed MSE before and after each
    step ``(iterations + 1,)``, and bpcore's (correct) MSE gradients at the final weights."""
    net, losses, final = train_hand_example_run(lr, iterations, variant)
    return net, losses, final.gradients


#: markers drawn along each edge of the hand example's diagram: together they look like a line whose
#: width and colour a slider step can change without re-plotting (a line's own width cannot)
BEADS_PER_EDGE = 40


def _bead_positions() -> tuple[Array, Array]:
    """``x, y (8 * BEADS_PER_EDGE,)``: the beads of every edge, edge by edge, clear of the unit circles."""
    t = np.linspace(0.12, 0.88, BEADS_PER_EDGE)
    xs, ys = [], []
    for layer, i, j in _edges():
        (x0, y0), (x1, y1) = _unit_xy(layer, i), _unit_xy(layer + 1, j)
        xs.append(x0 + t * (x1 - x0))
        ys.append(y0 + t * (y1 - y0))
    return np.concatenate(xs), np.concatenate(ys)


def hand_figure():
    """The panel's figure: loss curve (left) and the network with weights and gradients (right).

    Traces: 0 the loss curve, 1 the eight connections (thin grey lines), 2 the weights as beads along
    them (size ~ |w|; positive: blue, solid; negative: vermillion, dashed), 3 the weight/gradient labels, 4 the units with
    their biases and activations."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, column_widths=[0.45, 0.55], horizontal_spacing=0.08,
                        subplot_titles=("printed MSE loss", "weights w and gradients g = ∂L/∂w"))
    fig.add_trace(go.Scatter(x=[0], y=[1], mode="lines", name="MSE loss", line={"color": SERIES_COLOURS[0]},
                             showlegend=False, hovertemplate="iteration %{x}<br>loss %{y:.6g}<extra></extra>"),
                  row=1, col=1)
    lines_x: list[float | None] = []
    lines_y: list[float | None] = []
    for layer, i, j in _edges():
        (x0, y0), (x1, y1) = _unit_xy(layer, i), _unit_xy(layer + 1, j)
        lines_x += [x0, x1, None]
        lines_y += [y0, y1, None]
    fig.add_trace(go.Scatter(x=lines_x, y=lines_y, mode="lines", showlegend=False, hoverinfo="skip",
                             line={"color": FONT_COLOUR, "width": 1}), row=1, col=2)
    bead_x, bead_y = _bead_positions()
    fig.add_trace(go.Scatter(x=bead_x, y=bead_y, mode="markers", showlegend=False, hoverinfo="skip",
                             marker={"size": 2, "color": _POSITIVE, "opacity": 0.6, "line": {"width": 0}}),
                  row=1, col=2)
    label_xy = [_edge_label_xy(*e) for e in _edges()]
    fig.add_trace(go.Scatter(x=[p[0] for p in label_xy], y=[p[1] for p in label_xy], mode="text",
                             text=[""] * 8, textfont={"size": 10}, showlegend=False, hoverinfo="skip"),
                  row=1, col=2)
    units = [(c, u) for c in range(3) for u in range(2)]
    fig.add_trace(go.Scatter(x=[c for c, _ in units], y=[1.0 - u for _, u in units], mode="markers+text",
                             marker={"size": 26, "color": "white", "line": {"color": FONT_COLOUR, "width": 2}},
                             text=[""] * 6, textposition="bottom center", textfont={"size": 10},
                             showlegend=False, hoverinfo="skip"), row=1, col=2)
    fig.update_xaxes(title_text="iteration (SGD step)", row=1, col=1)
    fig.update_yaxes(title_text="loss (log scale)", **LOG_AXIS, row=1, col=1)
    fig.update_xaxes(visible=False, range=[-0.35, 2.35], row=1, col=2)
    fig.update_yaxes(visible=False, range=[-0.45, 1.25], row=1, col=2)
    fig.update_layout(title="The hand example, trained", height=430, margin={"t": 90, "l": 60, "r": 20})
    return fig


def hand_update(lr: float, iterations: int, variant: str = "correct (bpcore)") -> dict:
    """The panel's ``update``: retrain from the hand-set weights and redraw everything.

    The loss axis spans whole decades (:func:`bpcore.figures.log_axis_range`) and the iteration axis
    the run, so a learning-rate step usually changes only curves, beads and labels: the browser redraws
    it without re-plotting."""
    net, losses, final = train_hand_example_run(lr, iterations, variant)
    sizes, colours, symbols, labels = [], [], [], []
    for layer, i, j in _edges():
        w = float(net.layers[layer].W[i, j])
        g = float(final.gradients[layer]["W"][i, j])
        width = round(2.0 * (1.0 + 3.0 * min(abs(w), 4.0))) / 2.0   # half-pixel steps: unseen changes are not sent
        # a negative weight's line is dashed as well as vermillion: every other stretch of beads is left out
        sizes += [width] * BEADS_PER_EDGE if w >= 0 else [width if k % 8 < 5 else 0.0 for k in range(BEADS_PER_EDGE)]
        colours += [_POSITIVE if w >= 0 else _NEGATIVE] * BEADS_PER_EDGE
        symbols += ["circle" if w >= 0 else "square"] * BEADS_PER_EDGE
        labels.append(f"w={w:.3f}<br>g={g:.2e}")
    acts = [final.layers[0].a_in[0]] + [t.a[0] for t in final.layers]
    text = []
    for c in range(3):
        for u in range(2):
            name = ("x", "a¹", "a²")[c] + "₁₂"[u]
            line = f"{name}={acts[c][u]:.3f}"
            if c > 0:
                line += f"<br>b={net.layers[c - 1].b[u]:.3f}"
            text.append(line)
    traces: list[dict] = [{"x": np.arange(len(losses)), "y": losses}, {},
                          {"marker": {"size": sizes, "color": colours, "symbol": symbols}}, {"text": labels}, {"text": text}]
    final_loss = losses[-1]
    status = (f"{variant} · lr={lr:.3g} · {len(losses) - 1} iterations · "
              f"loss {losses[0]:.4f} → {final_loss:.4g}")
    layout = {"xaxis.range": [0, len(losses) - 1], "yaxis.range": log_axis_range(losses)}
    return {"traces": traces, "layout": layout, "status": status}


def hand_panel(lr: float = 0.5, iterations: int = 100, variant: str = "correct (bpcore)"):
    """The live panel of chapter 6: learning rate, iterations and gradient variant."""
    from bpcore.widgets import Dropdown, IntSlider, LogSlider, panel

    controls = {
        "lr": LogSlider(0.01, 100.0, value=lr, label="learning rate",
                        static_values=[0.05, 0.2, 0.5, 2.0, 5.0, 20.0, 50.0]),
        "iterations": IntSlider(10, 1000, value=iterations, step=10, label="iterations"),
        "variant": Dropdown(list(VARIANTS), value=variant, label="gradient"),
    }
    return panel(hand_figure(), hand_update, controls, static=("lr", "variant"),
                 title="Training the hand example",
                 alt="Left: the printed MSE loss of the 2-2-2 hand example against the iteration, on a log "
                     "scale. Right: the network's six units and eight weights, each labelled with its value "
                     "and its gradient after training; line width shows the weight's size, colour its sign.")
