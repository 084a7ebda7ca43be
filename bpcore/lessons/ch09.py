r"""Chapter 9 (gradient descent and the learning rate): helpers for its figures and its panel.

The one-dimensional quadratic :math:`L(\theta) = \tfrac12\lambda\theta^2` has gradient
:math:`\lambda\theta`, so plain gradient descent gives :math:`\theta_{t+1} = (1-\eta\lambda)\,\theta_t`:
it converges exactly when :math:`0 < \eta < 2/\lambda`.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from bpcore.optimizers import SGD
from bpcore.training import History

Array = np.ndarray

#: the chapter's training panel: moons, a 2-16-1 ReLU network, full batch, 60 epochs (a retraining
#: takes ~20 ms, so a slider step stays under the 40 ms of benchmarks/bench_chapter_panels.py)
PANEL_SETUP = dict(data="moons", hidden_units=16, activation="relu", loss="bce", epochs=60, lr=1.0)
#: learning rates the panel's static twin shows (the last one diverges)
PANEL_LRS = [0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0]


def quadratic_path(lam: float, lr: float, steps: int = 20, theta0: float = 1.0) -> Array:
    r"""Gradient descent with :class:`bpcore.optimizers.SGD` on :math:`L(\theta) = \tfrac12\lambda\theta^2`.

    Returns :math:`\theta_0, \dots, \theta_{steps}`, shape ``(steps + 1,)``.
    """
    if lam <= 0:
        raise ValueError(f"the curvature lam must be > 0, got {lam!r}")
    theta = np.array([float(theta0)])
    opt = SGD(lr)
    path = [theta[0]]
    for _ in range(int(steps)):
        opt.step([theta], [lam * theta])   # the gradient of lam/2 * theta^2 is lam * theta
        path.append(theta[0])
    return np.array(path)


def regimes_figure(lam: float, lrs: Mapping[str, float], steps: int = 20):
    """:math:`\\theta_t` against ``t`` for each named learning rate (one line each)."""
    import plotly.graph_objects as go

    from bpcore.figures import SERIES_COLOURS, style

    fig = go.Figure()
    for k, (name, lr) in enumerate(lrs.items()):
        path = quadratic_path(lam, lr, steps)
        fig.add_trace(go.Scatter(x=np.arange(steps + 1), y=path, mode="lines+markers", name=f"{name}: η = {lr:g}",
                                 line={"color": SERIES_COLOURS[k % len(SERIES_COLOURS)]}, marker={"size": 5}))
    style(fig, f"Gradient descent on L(θ) = ½·{lam:g}·θ²: four learning rates", height=420)
    fig.update_xaxes(title_text="step t")
    fig.update_yaxes(title_text="θ after t steps", range=[-2.5, 2.5])
    return fig


def curves_figure(histories: Mapping[str, History], title: str, what: str = "train_loss",
                  x: str = "epoch"):
    """One loss curve per run (log scale). ``x="epoch"`` or ``"step"`` is only the axis label."""
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
    return fig


def first_diverging(lrs: Sequence[float], **setup) -> float | None:
    """The first learning rate in ``lrs`` whose :class:`bpcore.experiments.TrainingSetup` run diverges."""
    from bpcore.experiments import TrainingSetup

    for lr in lrs:
        _, history, _ = TrainingSetup(**{**setup, "lr": lr}).run()
        if history.diverged:
            return float(lr)
    return None
