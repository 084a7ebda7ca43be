r"""Chapter 8 (MSE vs cross-entropy): the same network trained with each loss from the same start.

The "confidently wrong" start: take a network that already solves the task and multiply its output
layer's weights and bias by :math:`-k`. Every output pre-activation becomes :math:`-k z`, so every
prediction is wrong, and more sure of it as :math:`k` grows. With a sigmoid output the MSE error
signal :math:`(a-y)\,\sigma'(z)` is then tiny (:math:`\sigma'(-kz)\approx 0`) while the cross-entropy
one, :math:`a-y`, is close to :math:`\pm 1`: MSE stalls, cross-entropy recovers.

Cross-entropy as a negative log-likelihood: :func:`bernoulli_probability` and :func:`categorical_probability`
give the probability a sigmoid or softmax output assigns to each observed label, so that
:math:`-\frac1n\log\prod_i p(y_i \mid x_i)` can be compared with ``bpcore``'s losses; :func:`bernoulli_nll`
is that cost for one unit as a function of its logit ``z`` (its derivative is :math:`\sigma(z) - y`).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

import bpcore
from bpcore import History, Network
from bpcore import figures as F
from bpcore.figures import style
from bpcore.png import data_uri

Array = np.ndarray

#: the chapter's data set and network: 200 noisy moons, a 2-8-1 tanh/sigmoid network
SIZES = (2, 8, 1)
#: epochs of the side-by-side comparison (full batch): the live panel trains two networks per slider step
EPOCHS = 50


@lru_cache(maxsize=1)
def moons_data() -> tuple[Array, Array]:
    """The chapter's data: ``X (200, 2)``, labels ``y (200,)`` in {0, 1}."""
    return bpcore.datasets.moons(200, noise=0.2, seed=0)


@lru_cache(maxsize=1)
def _solved_weights() -> tuple[Array, ...]:
    X, y = moons_data()
    net = Network(list(SIZES), hidden="tanh", output="sigmoid", seed=1)
    bpcore.train(net, X, y, loss="bce", lr=1.0, epochs=1000, seed=0)
    return tuple(net.get_weights())


def starting_network(k: float) -> Network:
    """The chapter's starting point. ``k = 0``: a fresh random (Xavier) network.

    ``k > 0``: a network trained to about 97 % accuracy whose output layer's ``W`` and ``b`` were then
    multiplied by ``-k`` -- confidently wrong on almost every point.
    """
    net = Network(list(SIZES), hidden="tanh", output="sigmoid", seed=1)
    if k < 0:
        raise ValueError(f"k must be >= 0 (0 = fresh random start), got {k!r}")
    if k > 0:
        net.set_weights(_solved_weights())
        net.layers[-1].W *= -k
        net.layers[-1].b *= -k
    return net


def compare_losses(k: float, lr: float = 1.0, epochs: int = EPOCHS,
                   losses: tuple[str, ...] = ("mse", "bce")) -> dict[str, tuple[Network, History]]:
    """Train a copy of :func:`starting_network` ``(k)`` with each loss (full batch, plain SGD).

    Returns ``{loss: (trained network, history)}``. The same start, data and learning rate for every
    loss: only the error signal differs.
    """
    X, y = moons_data()
    start = starting_network(k)
    runs = {}
    for loss in losses:
        net = start.copy()
        runs[loss] = (net, bpcore.train(net, X, y, loss=loss, lr=lr, epochs=epochs, seed=0))
    return runs


def train_curves(net: Network, loss: str, lr: float = 1.0, epochs: int = EPOCHS) -> tuple[Array, Array, int | None]:
    r"""Train ``net`` in place on :func:`moons_data`, full batch, plain SGD
    (:math:`W \leftarrow W - \eta\,\partial L/\partial W`): ``bpcore.train(net, X, y, loss=loss, lr=lr,
    epochs=epochs)`` recording only what the live panel draws.

    Returns the training loss and accuracy per epoch, both ``(epochs_run,)``, and the epoch at which
    the run diverged (the loss became NaN or grew a thousandfold), or None.
    """
    hist = bpcore.train(net, *moons_data(), loss=loss, lr=lr, epochs=epochs, record=("loss", "accuracy"))
    return np.array(hist.train_loss), np.array(hist.train_accuracy), hist.diverged_epoch


def per_sample_curves(z: Array, y: float = 1.0) -> dict[str, Array]:
    r"""Per-sample loss and error signal :math:`\delta = \partial\ell/\partial z` of a single sigmoid unit
    with target ``y``, for each pre-activation in ``z`` (shape ``(m,)``), for MSE and BCE.

    Computed with bpcore's own losses (one sample at a time, so the mean's :math:`1/n` is 1).
    """
    z = np.asarray(z, dtype=float)
    sig = bpcore.activations.Sigmoid()
    out: dict[str, Array] = {}
    for name in ("mse", "bce"):
        loss = bpcore.losses.get_loss(name)
        values, deltas = np.empty_like(z), np.empty_like(z)
        for i, zi in enumerate(z):
            zz = np.array([[zi]])
            a = sig.forward(zz)
            yy = np.array([[y]])
            values[i] = loss.value(zz, a, yy)
            deltas[i] = bpcore.losses.output_delta(loss, sig, zz, a, yy)[0, 0]
        out[f"{name}_loss"], out[f"{name}_delta"] = values, deltas
    return out


# -- the side-by-side figure -------------------------------------------------------------------
def bernoulli_probability(a: Array, y: Array) -> Array:
    r"""The probability :math:`p(y\mid x) = a^y (1-a)^{1-y}` a sigmoid output ``a = P(y = 1 | x)`` gives each
    observed label ``y`` in {0, 1}; ``a`` and ``y`` of the same shape, e.g. ``(n,)``; returns that shape."""
    a, y = np.asarray(a, dtype=float), np.asarray(y, dtype=float)
    if a.shape != y.shape:
        raise ValueError(f"outputs a of shape {a.shape} and labels y of shape {y.shape} must have the same shape")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("a Bernoulli model's labels must be 0 or 1")
    return a ** y * (1.0 - a) ** (1.0 - y)


def categorical_probability(A: Array, Y: Array) -> Array:
    r"""The probability :math:`p(y\mid x) = \prod_k a_k^{y_k}` a softmax output row gives its one-hot target row:
    the output of the true class. ``A``, ``Y``: ``(n, K)``; returns ``(n,)``."""
    A, Y = np.asarray(A, dtype=float), np.asarray(Y, dtype=float)
    if A.shape != Y.shape or A.ndim != 2:
        raise ValueError(f"outputs A {A.shape} and one-hot targets Y {Y.shape} must be (n, K) arrays of one shape")
    if not (np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1)):
        raise ValueError("a categorical model's targets must be one-hot rows (a single 1 per row)")
    return np.prod(A ** Y, axis=1)


def bernoulli_nll(z: Array, y: float) -> Array:
    r""":math:`-\log p(y\mid z) = -\log\big(\sigma(z)^y(1-\sigma(z))^{1-y}\big)` elementwise, written as
    :math:`\log(1+e^z) - yz` (stable form). Its derivative with respect to ``z`` is :math:`\sigma(z) - y`."""
    z = np.asarray(z, dtype=float)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))) - y * z


RESOLUTION = 40  # grid points per side of each output map
LOSS_NAMES = {"mse": "sigmoid + MSE", "bce": "sigmoid + cross-entropy"}
COLOURS = {"mse": F.OKABE_ITO["vermillion"], "bce": F.OKABE_ITO["blue"]}
LOSS_AXIS = (-2.0, 2.0)  # log10 of the loss axis' ends: every run of the panel stays within 0.01..100


def bounds() -> tuple[float, float, float, float]:
    """``(x0, x1, y0, y1)``: the plotted part of the plane, the data's extent plus 0.5 on each side."""
    X, _ = moons_data()
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def output_image(net: Network, col: int) -> dict:
    """The network's output over :func:`bounds` (``RESOLUTION`` points per side) as a layout image on the
    boundary subplot in column ``col`` (1: MSE, 2: cross-entropy); blue near 0, vermillion near 1."""
    axis = "" if col == 1 else str(col)
    return F.decision_boundary_image(net, bounds(), RESOLUTION, xref=f"x{axis}", yref=f"y{axis}")


def comparison_figure(epochs: int = EPOCHS):
    """Two output maps (top), loss and accuracy curves (bottom); filled in by :func:`comparison_update`.

    Trace order: 0 MSE data, 1 BCE data, 2 MSE loss, 3 BCE loss, 4 MSE accuracy, 5 BCE accuracy.
    The output maps are layout images 0 (MSE) and 1 (BCE) under the data: every trace is a scatter
    trace and every axis range is fixed, so a live panel redraws without re-plotting the figure.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    X, y = moons_data()
    scale, _, _ = F.class_colourscale(2)
    fig = make_subplots(rows=2, cols=2, vertical_spacing=0.2, horizontal_spacing=0.1,   # room for x₁ above the titles below
                        subplot_titles=[f"output: {LOSS_NAMES['mse']}", f"output: {LOSS_NAMES['bce']}",
                                        "training loss (log scale)", "training accuracy"])
    blank = np.zeros((1, 1, 4), dtype=np.uint8)            # a transparent pixel until the first update
    for col in (1, 2):                                     # MSE left, cross-entropy right
        fig.add_trace(go.Scatter(x=X[:, 0], y=X[:, 1], mode="markers", showlegend=False, name="data",
                                 marker=dict(color=y, colorscale=scale, cmin=0, cmax=1, size=5, showscale=col == 2,
                                             symbol=[F.CLASS_SYMBOLS[k] for k in y],
                                             colorbar=dict(title="output a", len=0.45, y=0.78),
                                             line=dict(width=0.5, color="white")),
                                 hovertemplate="x₁=%{x:.2f}<br>x₂=%{y:.2f}<extra>data</extra>"),
                      row=1, col=col)
        image = output_image(starting_network(0), col)
        image["source"] = data_uri(blank)
        fig.add_layout_image(image)
        x_range, y_range = F.image_extent(image)
        fig.update_xaxes(title_text="x₁", range=x_range, row=1, col=col)
        fig.update_yaxes(title_text="x₂", range=y_range, row=1, col=col)
    epochs_axis = np.arange(1, epochs + 1)
    for col, what in ((1, "loss"), (2, "accuracy")):
        for loss in ("mse", "bce"):
            fig.add_trace(go.Scatter(x=epochs_axis, y=np.zeros(epochs), mode="lines", name=LOSS_NAMES[loss],
                                     line=dict(color=COLOURS[loss], dash="solid" if loss == "bce" else "dash"),
                                     showlegend=what == "loss", legendgroup=loss),
                          row=2, col=col)
        fig.update_xaxes(title_text="epoch", range=[1, max(epochs, 2)], row=2, col=col)
    fig.update_yaxes(title_text="loss (each its own)", type="log", range=list(LOSS_AXIS), row=2, col=1)
    fig.update_yaxes(title_text="fraction correct", range=[0, 1.02], row=2, col=2)
    style(fig, "The same start, two losses", height=720)
    fig.update_layout(legend=dict(orientation="h", y=-0.12, x=0.0))
    return fig


def comparison_update(k: float, lr: float = 1.0, epochs: int = EPOCHS) -> dict:
    """Train both runs from :func:`starting_network` ``(k)`` and return the panel's changes: the curves,
    the two output maps (layout images) and a status line."""
    start = starting_network(k)
    nets: dict[str, Network] = {}
    curves: dict[str, tuple[Array, Array, int | None]] = {}
    for loss in ("mse", "bce"):
        nets[loss] = start.copy()
        curves[loss] = train_curves(nets[loss], loss, lr, epochs)
    traces: list[dict] = [{}, {}]
    for values in (curves["mse"][0], curves["bce"][0], curves["mse"][1], curves["bce"][1]):  # losses, accuracies
        traces.append({"x": np.arange(1, len(values) + 1), "y": values})
    layout = {"images": [output_image(nets["mse"], 1), output_image(nets["bce"], 2)],   # LOSS_AXIS, wider if needed
              "yaxis3.range": F.log_axis_range(curves["mse"][0], curves["bce"][0], least=LOSS_AXIS)}
    parts = []
    for loss in ("mse", "bce"):
        _, accuracy, diverged = curves[loss]
        text = (f"diverged at epoch {diverged}" if diverged else
                f"accuracy {accuracy[0]:.0%} → {accuracy[-1]:.0%}")
        parts.append(f"{loss.upper()}: {text}")
    start_text = "fresh random start" if k == 0 else f"confidently wrong start, k = {k:g}"
    return dict(traces=traces, layout=layout,
                status=f"{start_text} · lr = {lr:.3g} · {epochs} epochs · " + " · ".join(parts))


PER_SAMPLE_ALT = ("Two panels against the pre-activation z, for one sigmoid unit with target 1. Left: the MSE loss "
                  "levels off at 0.5 for negative z while the cross-entropy loss keeps rising like a straight line. "
                  "Right: the size of the MSE error signal is a bump that falls to zero for very negative z, while "
                  "the cross-entropy signal rises towards 1.")


def per_sample_figure(y: float = 1.0):
    r"""Loss (left) and error signal :math:`|\delta|` (right) of one sigmoid unit with target ``y``
    against its pre-activation ``z``, for MSE and cross-entropy."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    z = np.linspace(-8.0, 8.0, 161)
    curves = per_sample_curves(z, y)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                        subplot_titles=["per-sample loss", "size of the error signal |δ| = |∂ℓ/∂z|"])
    for loss in ("mse", "bce"):
        line_style = dict(color=COLOURS[loss], dash="solid" if loss == "bce" else "dash")
        fig.add_trace(go.Scatter(x=z, y=curves[f"{loss}_loss"], mode="lines", name=LOSS_NAMES[loss],
                                 line=line_style, legendgroup=loss), row=1, col=1)
        fig.add_trace(go.Scatter(x=z, y=np.abs(curves[f"{loss}_delta"]), mode="lines", line=line_style,
                                 name=LOSS_NAMES[loss], legendgroup=loss, showlegend=False), row=1, col=2)
    for col in (1, 2):
        fig.update_xaxes(title_text="pre-activation z (target y = %g)" % y, row=1, col=col)
    fig.update_yaxes(title_text="loss ℓ", row=1, col=1)
    fig.update_yaxes(title_text="|δ|", row=1, col=2)
    style(fig, "One output unit with target 1: loss and error signal against z", height=400)
    fig.update_layout(legend=dict(orientation="h", y=-0.25))
    if y == 1.0:
        fig.update_layout(meta={"alt": PER_SAMPLE_ALT})   # its text alternative (bpcore.figures.describe)
    return fig
