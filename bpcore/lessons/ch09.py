r"""Chapter 9 (gradient descent and the learning rate): helpers for its figures and its panel.

The one-dimensional quadratic :math:`L(\theta) = \tfrac12 h\theta^2` with curvature :math:`h` has gradient
:math:`h\theta`, so plain gradient descent gives :math:`\theta_{t+1} = (1-\eta h)\,\theta_t`:
it converges exactly when :math:`0 < \eta < 2/h`.

Every static figure carries its text alternative (``layout.meta.alt``, read by :func:`bpcore.figures.describe`).
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np

from bpcore.lr_range import RangeTest
from bpcore.optimizers import SGD
from bpcore.training import History

Array = np.ndarray

#: the chapter's training panel: moons, a 2-16-1 ReLU network, full batch, 60 epochs (a retraining
#: takes ~20 ms, so a slider step stays under the 40 ms of benchmarks/bench_chapter_panels.py)
PANEL_SETUP = dict(data="moons", hidden_units=16, activation="relu", loss="bce", epochs=60, lr=1.0)
#: learning rates the panel's static twin shows (the last one diverges)
PANEL_LRS = [0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0]


def quadratic_path(curvature: float, lr: float, steps: int = 20, theta0: float = 1.0) -> Array:
    r"""Gradient descent with :class:`bpcore.optimizers.SGD` on :math:`L(\theta) = \tfrac12 h\theta^2`,
    :math:`h` = ``curvature``.

    Returns :math:`\theta_0, \dots, \theta_{steps}`, shape ``(steps + 1,)``.
    """
    if curvature <= 0:
        raise ValueError(f"the curvature h must be > 0, got {curvature!r}")
    theta = np.array([float(theta0)])
    opt = SGD(lr)
    path = [theta[0]]
    for _ in range(int(steps)):
        opt.step([theta], [curvature * theta])   # the gradient of h/2 * theta^2 is h * theta
        path.append(theta[0])
    return np.array(path)


def regimes_figure(curvature: float, lrs: Mapping[str, float], steps: int = 20, alt: str = ""):
    """:math:`\\theta_t` against ``t`` for each named learning rate (one line each); ``alt``: its text alternative."""
    import plotly.graph_objects as go

    from bpcore.figures import SERIES_COLOURS, style

    fig = go.Figure()
    for k, (name, lr) in enumerate(lrs.items()):
        path = quadratic_path(curvature, lr, steps)
        fig.add_trace(go.Scatter(x=np.arange(steps + 1), y=path, mode="lines+markers", name=f"{name}: η = {lr:g}",
                                 line={"color": SERIES_COLOURS[k % len(SERIES_COLOURS)]}, marker={"size": 5}))
    style(fig, f"Gradient descent on L(θ) = ½·{curvature:g}·θ²: four learning rates", height=420)
    fig.update_xaxes(title_text="step t")
    fig.update_yaxes(title_text="θ after t steps", range=[-2.5, 2.5])
    if alt:
        fig.update_layout(meta={"alt": alt})
    return fig


def curves_figure(histories: Mapping[str, History], title: str, what: str = "train_loss",
                  x: str = "epoch", alt: str = ""):
    """One loss curve per run (log scale). ``x="epoch"`` or ``"step"`` is only the axis label; ``alt``: the
    figure's text alternative."""
    import plotly.graph_objects as go

    from bpcore.figures import SERIES_COLOURS, finite_or_nan, style

    fig = go.Figure()
    for k, (name, h) in enumerate(histories.items()):
        values = finite_or_nan(getattr(h, what))
        fig.add_trace(go.Scatter(x=np.arange(1, len(values) + 1), y=values, mode="lines", name=name,
                                 line={"color": SERIES_COLOURS[k % len(SERIES_COLOURS)]}))
    style(fig, title, height=400)
    fig.update_xaxes(title_text=x)
    fig.update_yaxes(title_text="training loss (mean over the epoch's batches)", type="log")
    if alt:
        fig.update_layout(meta={"alt": alt})
    return fig


def schedules_figure(schedules: Mapping[str, Callable[[int], float]], epochs: int, alt: str = ""):
    """The factor ``schedule(t)`` of each named :mod:`bpcore.schedules` schedule against the epoch ``t``
    (0-based, ``epochs`` of them); ``alt``: the figure's text alternative."""
    import plotly.graph_objects as go

    from bpcore.figures import DASHES, SERIES_COLOURS, style

    t = np.arange(int(epochs))
    fig = go.Figure()
    for k, (name, schedule) in enumerate(schedules.items()):
        fig.add_trace(go.Scatter(x=t, y=[schedule(int(e)) for e in t], mode="lines", name=name,
                                 line={"color": SERIES_COLOURS[k % len(SERIES_COLOURS)],
                                       "dash": DASHES[k % len(DASHES)], "width": 2.5}))
    style(fig, "Learning-rate schedules: the factor that multiplies η₀", height=380)
    fig.update_xaxes(title_text="epoch t")
    fig.update_yaxes(title_text="η_t / η₀", range=[0, 1.05])
    if alt:
        fig.update_layout(meta={"alt": alt})
    return fig


def range_test_figure(result: RangeTest, alt: str = ""):
    """Loss against learning rate (log axis) of a :func:`bpcore.lr_range.lr_range_test`, with the rate at the
    lowest loss and the suggested rate marked; ``alt``: the figure's text alternative."""
    import plotly.graph_objects as go

    from bpcore.figures import OKABE_ITO, SERIES_COLOURS, finite_or_nan, style

    losses = finite_or_nan(result.losses)
    fig = go.Figure(go.Scatter(x=result.lrs, y=losses, mode="lines+markers", name="loss after the step",
                               line={"color": SERIES_COLOURS[0], "width": 2.5}, marker={"size": 4}))
    top = float(np.nanmax(losses[np.isfinite(losses)])) if np.any(np.isfinite(losses)) else 1.0
    for lr, name, colour, dash in ((result.best_lr, "lowest loss", OKABE_ITO["vermillion"], "dot"),
                                   (result.suggested_lr, "suggested rate (÷ 10)", OKABE_ITO["green"], "dash")):
        fig.add_trace(go.Scatter(x=[lr, lr], y=[0.0, top], mode="lines", name=f"{name}: η = {lr:.2g}",
                                 line={"color": colour, "dash": dash, "width": 2}))
    style(fig, "Learning-rate range test: loss while the rate grows exponentially", height=400)
    fig.update_xaxes(title_text="learning rate η (log scale)", type="log")
    fig.update_yaxes(title_text="training loss")
    if alt:
        fig.update_layout(meta={"alt": alt})
    return fig


def first_diverging(lrs: Sequence[float], **setup) -> float | None:
    """The first learning rate in ``lrs`` whose :class:`bpcore.experiments.TrainingSetup` run diverges."""
    from bpcore.experiments import TrainingSetup

    for lr in lrs:
        _, history, _ = TrainingSetup(**{**setup, "lr": lr}).run()
        if history.diverged:
            return float(lr)
    return None
