r"""Chapter 4 (the sigmoid and its derivative): the computations behind its figures and panels.

* :func:`saturation_threshold` -- the :math:`|z|` beyond which :math:`\sigma'(z)` is below a given
  fraction of its maximum :math:`\tfrac14`.
* :func:`saturated_fraction` -- how much of an input range a unit :math:`\sigma(wx)` spends there.
* :func:`sigmoid_chain` -- a stack of scalar sigmoid units :math:`a_k = \sigma(w\,a_{k-1})`,
  :math:`a_0 = x`, with every local factor :math:`w\,\sigma'(z_k)` and the gradient that reaches
  each layer, :math:`\partial a_D/\partial a_{k-1} = \prod_{j \ge k} w\,\sigma'(z_j)`.
* :func:`chain_gradient` -- the end-to-end derivative :math:`\partial a_D/\partial x`.
* :func:`linear_unit_hessian`, :func:`condition_number`, :func:`steps_to_converge` -- the loss surface of one
  linear unit with the squared error, before and after :func:`bpcore.preprocessing.standardise`.

Every :math:`\sigma` and :math:`\sigma'` comes from :mod:`bpcore.activations`; nothing is re-derived here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpcore import validation
from bpcore.activations import Sigmoid

Array = np.ndarray
_SIG = Sigmoid()


def saturation_threshold(fraction: float = 0.1) -> float:
    r"""The :math:`z^* > 0` with :math:`\sigma'(z^*) = \text{fraction}\cdot\tfrac14`.

    From :math:`a(1-a) = c` with :math:`c = \text{fraction}/4`: :math:`a = \tfrac12(1+\sqrt{1-4c})`,
    and :math:`z^* = \log\frac{a}{1-a}` (the inverse of the sigmoid). For every :math:`|z| > z^*`,
    :math:`\sigma'(z)` is smaller still. ``fraction`` must lie in (0, 1).
    """
    validation.fraction(fraction, "fraction")
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must lie strictly between 0 and 1, got {fraction!r}")
    c = fraction / 4.0
    a = 0.5 * (1.0 + np.sqrt(1.0 - 4.0 * c))
    return float(np.log(a / (1.0 - a)))


def saturated_fraction(w: float, x: Array, fraction: float = 0.1) -> float:
    r"""Share of the inputs ``x`` (any shape) at which :math:`\sigma'(wx) < \text{fraction}\cdot\tfrac14`."""
    slope = _SIG.derivative(w * np.asarray(x, dtype=float))
    return float(np.mean(slope < fraction * 0.25))


@dataclass
class SigmoidChain:
    r"""A stack of ``depth`` scalar sigmoid units evaluated at the inputs ``x`` (shape ``(m,)``).

    ``z[k-1]``, ``a[k-1]``: pre-activation and output of unit ``k`` (shape ``(depth, m)``);
    ``factor[k-1]`` :math:`= w\,\sigma'(z_k)`, the local derivative :math:`\partial a_k/\partial a_{k-1}`;
    ``reaching[k-1]`` :math:`= \partial a_D/\partial a_{k-1}`, the gradient arriving at unit ``k``'s input
    (so ``reaching[0]`` is :math:`\partial a_D/\partial x`); ``bound[k-1]`` :math:`= (|w|/4)^{D-k+1}`,
    its largest possible size.
    """

    w: float
    z: Array
    a: Array
    factor: Array
    reaching: Array
    bound: Array

    @property
    def depth(self) -> int:
        return len(self.z)


def sigmoid_chain(x: float | Array, w: float, depth: int) -> SigmoidChain:
    r"""Forward and backward through :math:`a_k = \sigma(w a_{k-1})`, :math:`k = 1..D`, :math:`a_0 = x`.

    Backward, by the chain rule: :math:`\partial a_D/\partial a_{k-1} = \partial a_D/\partial a_k \cdot
    w\,\sigma'(z_k)`, starting from :math:`\partial a_D/\partial a_D = 1`. Since
    :math:`\sigma' \le \tfrac14`, each factor is at most :math:`|w|/4` in size.
    """
    depth = validation.positive_integer(depth, "depth")
    if isinstance(w, bool) or not isinstance(w, (int, float, np.floating, np.integer)) or not np.isfinite(w):
        raise ValueError(f"w must be a finite number, got {w!r}")
    a = np.atleast_1d(np.asarray(x, dtype=float))
    zs, acts = [], []
    for _ in range(depth):
        z = w * a
        a = _SIG.forward(z)
        zs.append(z)
        acts.append(a)
    z_arr, a_arr = np.array(zs), np.array(acts)
    factor = w * _SIG.backward(z_arr, a_arr, np.ones_like(a_arr))  # w * sigma'(z), from the cached a
    reaching = np.empty_like(factor)
    grad = np.ones_like(factor[0])
    for k in range(depth - 1, -1, -1):
        grad = grad * factor[k]
        reaching[k] = grad
    bound = (abs(w) / 4.0) ** np.arange(depth, 0, -1, dtype=float)
    return SigmoidChain(w=float(w), z=z_arr, a=a_arr, factor=factor, reaching=reaching, bound=bound)


def chain_gradient(x: float | Array, w: float, depth: int) -> Array:
    r""":math:`\partial a_D/\partial x = \prod_{k=1}^{D} w\,\sigma'(z_k)` for the stack of :func:`sigmoid_chain`;
    same shape as ``x``."""
    return sigmoid_chain(x, w, depth).reaching[0].reshape(np.shape(x))


# --------------------------------------------------------------------------------------------
# Live panels of the chapter (each redraws through one ``update`` function; see bpcore.widgets)
# --------------------------------------------------------------------------------------------
#: inputs of the weight-scale panel: a standardised feature spans roughly [-4, 4]
PANEL_X = np.linspace(-4.0, 4.0, 401)
#: "saturated" in the panels means sigma' below this share of its maximum 1/4
SATURATION_SHARE = 0.1


def weight_scale_update(w: float) -> dict:
    r"""Panel data for :math:`\sigma(wx)` and :math:`\sigma'(wx)` over :data:`PANEL_X`: traces
    ``[sigma, sigma', saturated inputs]`` and a status line with the saturated share."""
    z = w * PANEL_X
    s = _SIG.forward(z)
    slope = _SIG.derivative(z)
    saturated = slope < SATURATION_SHARE * 0.25
    band = np.where(saturated, -0.06, np.nan)
    share = saturated_fraction(w, PANEL_X, SATURATION_SHARE)
    return {"traces": [{"y": s}, {"y": slope}, {"y": band}],
            "status": f"w = {w:.3g} · σ′(wx) < {SATURATION_SHARE * 0.25:g} (saturated) on {share:.0%} of the inputs"}


def weight_scale_panel():
    """Panel: :math:`\\sigma(wx)` and :math:`\\sigma'(wx)` for :math:`x \\in [-4, 4]` as the weight ``w`` grows."""
    import plotly.graph_objects as go

    from bpcore import figures as F
    from bpcore.widgets import Slider, panel

    fig = go.Figure([
        go.Scatter(x=PANEL_X, name="σ(wx)", line={"color": F.SERIES_COLOURS[0], "width": 2.5}),
        go.Scatter(x=PANEL_X, name="σ′(wx)", line={"color": F.SERIES_COLOURS[1], "width": 2.5, "dash": "dash"}),
        go.Scatter(x=PANEL_X, name="saturated: σ′ < 0.025", mode="lines",
                   line={"color": F.OKABE_ITO["vermillion"], "width": 8}),
    ])
    F.style(fig, "A sigmoid unit σ(wx) and its slope as the weight grows", height=380)
    fig.update_xaxes(title_text="input x", range=[-4, 4])
    fig.update_yaxes(title_text="value", range=[-0.12, 1.05])
    first = weight_scale_update(1.0)
    for trace, data in zip(fig.data, first["traces"]):
        trace.update(data)
    return panel(fig, weight_scale_update,
                 controls={"w": Slider(0.25, 8.0, value=1.0, step=0.25, label="weight w",
                                       static_values=[0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 8.0])},
                 static=("w",), title="Weight scale and saturation",
                 alt="Two curves over inputs x from -4 to 4: the sigmoid of w times x, which steepens into a step "
                     "as the weight w grows, and its slope, a bump of height 1/4 that narrows; a thick band along "
                     "the bottom marks the inputs where the slope is below 0.025.")


CHAIN_X = 0.5
MAX_DEPTH = 12


def depth_update(depth: int, w: float) -> dict:
    r"""Panel data for the stack of :func:`sigmoid_chain` at :data:`CHAIN_X`: bars of
    :math:`|\partial a_D/\partial a_{k-1}|` for ``k = 1..depth`` and the bound :math:`(|w|/4)^{D-k+1}`."""
    c = sigmoid_chain(CHAIN_X, w, int(depth))
    k = np.arange(1, c.depth + 1)
    reach = np.abs(c.reaching[:, 0])
    shown = np.where(reach > 0, reach, np.nan)
    return {"traces": [{"x": k, "y": shown, "text": [f"{v:.2e}" for v in reach]}, {"x": k, "y": c.bound}],
            "layout": {"xaxis.range": [0.4, MAX_DEPTH + 0.6]},
            "status": f"depth {c.depth}, w = {w:.3g} · gradient at the input |∂a_D/∂x| = {reach[0]:.2e}"
                      f" · bound (|w|/4)^{c.depth} = {c.bound[0]:.2e}"}


def depth_panel():
    """Panel: the gradient that reaches each unit of a stack of sigmoids, with depth and weight sliders."""
    import plotly.graph_objects as go

    from bpcore import figures as F
    from bpcore.widgets import IntSlider, Slider, panel

    fig = go.Figure([
        go.Bar(name="|∂a_D/∂a_(k−1)|, gradient reaching unit k", marker={"color": F.SERIES_COLOURS[0]},
               textposition="none", hovertemplate="unit %{x}: %{text}<extra></extra>"),
        go.Scatter(name="bound (|w|/4)^(D−k+1)", mode="lines+markers",
                   line={"color": F.SERIES_COLOURS[1], "width": 2, "dash": "dash"}),
    ])
    F.style(fig, "Gradient through a stack of sigmoid units", height=400)
    fig.update_xaxes(title_text="unit k (1 = nearest the input)", dtick=1)
    fig.update_yaxes(title_text="size of the gradient (log scale)", type="log", exponentformat="power",
                     range=[-16, 4])
    fig.update_layout(legend={"orientation": "h", "y": -0.25, "x": 0.0})
    first = depth_update(4, 1.0)
    for trace, data in zip(fig.data, first["traces"]):
        trace.update(data)
    fig.update_layout(xaxis_range=[0.4, MAX_DEPTH + 0.6])
    return panel(fig, depth_update,
                 controls={"depth": IntSlider(1, MAX_DEPTH, value=4, label="depth D",
                                              static_values=[1, 2, 3, 4, 6, 8, 10]),
                           "w": Slider(-8.0, 8.0, value=1.0, step=0.1, label="weight w",
                                       static_values=[-8.0, -6.0, -4.0, -2.0, -1.0, 1.0, 2.0, 4.0, 8.0])},
                 static=("depth", "w"), title="Depth and the product of σ′ factors",
                 alt="Bars on a log scale, one per unit of a stack of sigmoid units, showing how much gradient "
                     "reaches each unit; the bars shrink towards the input, staying below a dashed line that marks "
                     "the bound (|w|/4) to the power of the number of units above.")


COMPARE_EPOCHS = 200
#: the decision-boundary grid of the compare panel's static twin (15 frames): coarser than live, fewer bytes
COMPARE_TWIN_RESOLUTION = 26


def compare_runs(lr: float, depth: int, epochs: int = COMPARE_EPOCHS, hidden_units: int = 8):
    """Train the same network (same data, seed and initialisation) once with sigmoid and once with tanh
    hidden units; returns ``{"sigmoid": (net, history), "tanh": (net, history)}`` and the data ``(X, y)``."""
    from bpcore import datasets
    from bpcore.network import Network
    from bpcore.training import train

    X, y = datasets.moons(200, noise=0.2, seed=0)
    runs = {}
    for hidden in ("sigmoid", "tanh"):
        net = Network([2] + [int(hidden_units)] * int(depth) + [1], hidden=hidden, output="sigmoid", seed=0)
        runs[hidden] = (net, train(net, X, y, loss="bce", lr=lr, epochs=epochs))
    return runs, (X, y)


def compare_update(lr: float, depth: int, resolution: int = 40) -> dict:
    """Panel data: loss curves of both runs, then each run's decision boundary with the data."""
    from bpcore import figures as F

    runs, (X, y) = compare_runs(lr, depth)
    bounds = F.grid_bounds(X)
    traces, parts = [], []
    for hidden in ("sigmoid", "tanh"):
        net, hist = runs[hidden]
        traces.append({"x": np.arange(1, hist.epochs_run + 1), "y": F.finite_or_nan(hist.train_loss)})
        parts.append(f"{hidden} {hist.status.split(' · ')[-1] if not hist.diverged else 'diverged'}")
    for hidden in ("sigmoid", "tanh"):
        net, _ = runs[hidden]
        traces += [F.decision_boundary_data(net, bounds, resolution), F.points_data(X, y)]
    return {"traces": traces, "status": f"lr = {lr:.3g}, {int(depth)} hidden layer(s) of 8 · " + " · ".join(parts)}


def compare_panel():
    """Panel: the same network trained with sigmoid and with tanh hidden units (learning rate, depth)."""
    from plotly.subplots import make_subplots

    from bpcore import figures as F
    from bpcore.widgets import IntSlider, LogSlider, panel

    fig = make_subplots(rows=1, cols=3, column_widths=[0.4, 0.3, 0.3], horizontal_spacing=0.11,
                        subplot_titles=("training loss", "sigmoid hidden units", "tanh hidden units"))
    import plotly.graph_objects as go
    fig.add_trace(go.Scatter(name="sigmoid", mode="lines", line={"color": F.SERIES_COLOURS[1], "width": 2.5}),
                  row=1, col=1)
    fig.add_trace(go.Scatter(name="tanh", mode="lines", line={"color": F.SERIES_COLOURS[0], "width": 2.5}),
                  row=1, col=1)
    for col in (2, 3):
        heat, points, _ = F.decision_boundary_traces()
        points.update(showlegend=False)
        fig.add_trace(heat, row=1, col=col)
        fig.add_trace(points, row=1, col=col)
    F.style(fig, "Sigmoid vs tanh hidden units, same network, same data", height=400)
    fig.update_xaxes(title_text="epoch", row=1, col=1)
    fig.update_yaxes(title_text="loss (log scale)", type="log", exponentformat="power", row=1, col=1)
    for col in (2, 3):
        fig.update_xaxes(title_text="x₁", row=1, col=col)
    fig.update_yaxes(title_text="x₂", row=1, col=2)
    fig.update_layout(legend={"orientation": "h", "y": -0.2, "x": 0.0})
    return panel(fig, compare_update,
                 controls={"lr": LogSlider(0.01, 10.0, value=1.0, label="learning rate",
                                           static_values=[0.1, 0.3, 1.0, 3.0, 10.0]),
                           "depth": IntSlider(1, 3, value=2, label="hidden layers", static_values=[1, 2, 3])},
                 static=("lr", "depth"), title="Sigmoid or tanh?",
                 static_update=lambda lr, depth: compare_update(lr, depth, resolution=COMPARE_TWIN_RESOLUTION),
                 alt="Left: training loss per epoch on a log scale for two networks that differ only in their "
                     "hidden activation, sigmoid and tanh. Right: the two networks' decision boundaries on the "
                     "two-moons data.")


# -- input standardisation ----------------------------------------------------------------------------------
#: the chapter's all-positive inputs: the moons shifted by this much in both coordinates (like a sigmoid layer's
#: outputs, every input is positive)
POSITIVE_SHIFT = 2.0


def linear_unit_hessian(X: Array) -> Array:
    r"""The Hessian of :math:`L(w, b) = \frac1n\sum_i \tfrac12 (w\cdot x_i + b - y_i)^2` with respect to
    :math:`(w, b)`: :math:`\frac1n A^\top A` with :math:`A = [X\ 1]`, shape ``(n_in + 1, n_in + 1)`` for
    ``X: (n, n_in)``. It does not depend on the targets: the loss is a quadratic bowl whatever they are."""
    X = np.asarray(X, dtype=float)
    A = np.c_[X, np.ones(len(X))]
    return A.T @ A / len(X)


def condition_number(X: Array) -> float:
    """Largest over smallest eigenvalue of :func:`linear_unit_hessian`: how elongated the bowl is."""
    curvatures = np.linalg.eigvalsh(linear_unit_hessian(X))
    return float(curvatures.max() / curvatures.min())


def steps_to_converge(X: Array, y: Array, tol: float = 1e-4, max_steps: int = 20_000) -> int | None:
    r"""Full-batch gradient-descent steps (:func:`bpcore.train`, a linear unit ``[n_in, 1]`` with the MSE) until the
    loss is within ``tol`` of its minimum, at the learning rate :math:`1/h_{\max}` (half the stability limit of
    chapter 9, for the largest eigenvalue of :func:`linear_unit_hessian`); None if not within ``max_steps``."""
    from bpcore.network import Network
    from bpcore.training import train

    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    A = np.c_[X, np.ones(len(X))]
    best = 0.5 * float(np.mean((A @ np.linalg.lstsq(A, y, rcond=None)[0] - y) ** 2))
    lr = 1.0 / float(np.linalg.eigvalsh(linear_unit_hessian(X)).max())
    net = Network([X.shape[1], 1], output="linear", seed=0)
    reached: list[int] = []

    def after_epoch(epoch: int, history) -> bool:
        if net.loss(X, y, loss="mse") - best < tol:     # the loss after this epoch's (one) step
            reached.append(epoch)
            return False
        return True

    train(net, X, y, loss="mse", lr=lr, epochs=max_steps, callback=after_epoch, divergence_factor=None,
          record=("loss",))
    return reached[0] if reached else None


class LinearUnitLoss:
    r"""The loss surface of one linear unit with one input, :math:`L(w, b) = \frac1n\sum_i \tfrac12 (w x_i + b - y_i)^2`,
    over its two parameters; ``x``, ``y``: ``(n,)``. Vectorised: ``loss(W, B)`` takes arrays of one shape.
    ``grad(theta (2,)) -> (2,)`` is :math:`\big(\overline{(a - y)x},\ \overline{a - y}\big)`; its Hessian is
    :func:`linear_unit_hessian` of ``x[:, None]``."""

    def __init__(self, x: Array, y: Array):
        x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
        if x.shape != y.shape or x.size < 2:
            raise ValueError(f"x and y must be 1-D of one length >= 2, got {x.shape} and {y.shape}")
        self.x, self.y = x, y
        H = linear_unit_hessian(x[:, None])
        self.minimum = np.linalg.solve(H, [np.mean(x * y), np.mean(y)])
        self.lowest = float(self(*self.minimum))

    def __call__(self, W: Array, B: Array) -> Array:
        W, B = np.asarray(W, dtype=float), np.asarray(B, dtype=float)
        x, y = self.x, self.y
        # the mean of 1/2 (W x + B - y)^2, expanded in the data's moments so that grids cost nothing extra
        return 0.5 * (W ** 2 * np.mean(x * x) + 2 * W * B * np.mean(x) + B ** 2 - 2 * W * np.mean(x * y)
                      - 2 * B * np.mean(y) + np.mean(y * y))

    def grad(self, theta: Array) -> Array:
        w, b = np.asarray(theta, dtype=float)
        r = w * self.x + b - self.y
        return np.array([np.mean(r * self.x), np.mean(r)])


#: the comparison figure: gradient-descent steps, and the start's offset from each surface's minimum
BOWL_STEPS, BOWL_START = 30, (1.5, 1.5)


def bowl_path(surface: LinearUnitLoss, steps: int = BOWL_STEPS) -> Array:
    """Gradient descent (:class:`bpcore.optimizers.SGD` at the rate :math:`1/h_{\\max}`) on ``surface`` from its
    minimum plus :data:`BOWL_START`: the points ``(steps + 1, 2)`` in :math:`(w, b)`."""
    from bpcore.optimizers import SGD, optimizer_path

    lr = 1.0 / float(np.linalg.eigvalsh(linear_unit_hessian(surface.x[:, None])).max())
    return optimizer_path(surface.grad, surface.minimum + np.array(BOWL_START), SGD(lr), steps)


def standardisation_figure(x_raw: Array, y: Array, alt: str = ""):
    """Two loss surfaces of one linear unit over :math:`(w, b)`: for the input ``x_raw (n,)`` and for it standardised,
    each with :data:`BOWL_STEPS` gradient-descent steps; same scale on every axis, so the shapes compare."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from bpcore import figures as F
    from bpcore.preprocessing import standardise

    x_std = standardise(np.asarray(x_raw, dtype=float)[:, None])[0][:, 0]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=["inputs as they are (all positive)", "standardised inputs"])
    for col, x in ((1, x_raw), (2, x_std)):
        surface = LinearUnitLoss(x, y)
        lim_w = (surface.minimum[0] - 2.5, surface.minimum[0] + 2.5)
        lim_b = (surface.minimum[1] - 2.5, surface.minimum[1] + 2.5)
        def excess(W: Array, B: Array, s: LinearUnitLoss = surface) -> Array:
            return np.log10(s(W, B) - s.lowest + 1e-6)       # log-spaced contours of the loss above its minimum

        data = F.loss_surface_data(excess, lim_w, lim_b)
        levels = list(np.linspace(np.nanmin(data["z"]), np.nanmax(data["z"]), F.CONTOUR_LEVELS + 2)[1:-1])
        fig.add_trace(go.Scatter(mode="lines", line={"color": F.CONTOUR_COLOUR, "width": 1}, hoverinfo="skip",
                                 showlegend=False, **F.contour_lines_data(data["x"], data["y"], data["z"], levels)),
                      row=1, col=col)
        fig.add_trace(go.Scatter(mode="lines+markers", name=f"{BOWL_STEPS} gradient-descent steps",
                                 showlegend=col == 1, line={"color": F.SERIES_COLOURS[0], "width": 2},
                                 marker={"size": 4}, **F.path_data(bowl_path(surface))), row=1, col=col)
        fig.add_trace(go.Scatter(x=[surface.minimum[0]], y=[surface.minimum[1]], mode="markers", name="minimum",
                                 showlegend=col == 1, marker={"symbol": "x", "size": 11, "color": F.OKABE_ITO["black"]}),
                      row=1, col=col)
        fig.update_xaxes(title_text="weight w", range=list(lim_w), row=1, col=col)
        fig.update_yaxes(title_text="bias b", range=list(lim_b), scaleanchor="x" if col == 1 else "x2", row=1, col=col)
    F.style(fig, "One linear unit's loss over (w, b), log-spaced contours", height=430)
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    if alt:
        fig.update_layout(meta={"alt": alt})
    return fig
