r"""Chapter 10 (momentum): two small loss surfaces, their gradients, and optimiser paths on them.

* :class:`Quadratic` -- an ill-conditioned bowl
  :math:`f(\theta) = \tfrac12(h_1\theta_1^2 + h_2\theta_2^2)`, gradient
  :math:`(h_1\theta_1, h_2\theta_2)`; condition number :math:`\kappa = h_2/h_1`.
* :class:`CurvedValley` -- a Rosenbrock-like valley :math:`f(\theta) = (1-\theta_1)^2 + b(\theta_2-\theta_1^2)^2`,
  gradient :math:`\big(-2(1-\theta_1) - 4b\,\theta_1(\theta_2-\theta_1^2),\ 2b(\theta_2-\theta_1^2)\big)`,
  minimum 0 at :math:`(1, 1)` at the end of a curved, flat-bottomed valley.

Each surface is vectorised: ``surface(T1, T2)`` takes arrays of any (equal) shape; ``surface.grad(theta)``
takes one point ``theta (2,)`` and returns ``(2,)``. ``tests/test_ch10.py`` checks every gradient against
central differences. Paths come from :func:`bpcore.optimizers.optimizer_path` with the optimisers of
:mod:`bpcore.optimizers`.

The adaptive panel (:func:`adaptive_figure`, :func:`adaptive_update`) draws RMSProp and Adam, whose step
sizes come from the sliders, next to gradient descent and momentum at fixed reference settings
(:data:`REFERENCE_LR`, :data:`REFERENCE_BETA`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bpcore import optimizers
from bpcore.optimizers import optimizer_path
from bpcore.figures import OKABE_ITO, loss_surface_paths, path_data

Array = np.ndarray


@dataclass(frozen=True)
class Quadratic:
    r""":math:`f(\theta) = \tfrac12(h_1\theta_1^2 + h_2\theta_2^2)`, minimum 0 at the origin."""

    h1: float = 1.0
    h2: float = 25.0
    name: str = "ill-conditioned quadratic"
    start: tuple[float, float] = (-9.0, 2.0)
    xlim: tuple[float, float] = (-10.0, 10.0)
    ylim: tuple[float, float] = (-4.0, 4.0)
    log_levels: bool = False

    def __call__(self, t1: Array, t2: Array) -> Array:
        t1, t2 = np.asarray(t1, dtype=float), np.asarray(t2, dtype=float)
        return 0.5 * (self.h1 * t1 ** 2 + self.h2 * t2 ** 2)

    def grad(self, theta: Array) -> Array:
        r""":math:`\nabla f = (h_1\theta_1, h_2\theta_2)`, shape ``(2,)``."""
        t1, t2 = np.asarray(theta, dtype=float)
        return np.array([self.h1 * t1, self.h2 * t2])

    @property
    def minimum(self) -> Array:
        return np.zeros(2)


@dataclass(frozen=True)
class CurvedValley:
    r""":math:`f(\theta) = (1-\theta_1)^2 + b(\theta_2-\theta_1^2)^2`, minimum 0 at :math:`(1, 1)`."""

    b: float = 10.0
    name: str = "curved valley"
    start: tuple[float, float] = (-1.5, 2.0)
    xlim: tuple[float, float] = (-2.0, 2.0)
    ylim: tuple[float, float] = (-1.0, 3.0)
    log_levels: bool = True

    def __call__(self, t1: Array, t2: Array) -> Array:
        t1, t2 = np.asarray(t1, dtype=float), np.asarray(t2, dtype=float)
        return (1.0 - t1) ** 2 + self.b * (t2 - t1 ** 2) ** 2

    def grad(self, theta: Array) -> Array:
        r""":math:`\partial_1 f = -2(1-\theta_1) - 4b\theta_1(\theta_2-\theta_1^2)`,
        :math:`\partial_2 f = 2b(\theta_2-\theta_1^2)`; shape ``(2,)``."""
        t1, t2 = np.asarray(theta, dtype=float)
        inner = t2 - t1 ** 2
        return np.array([-2.0 * (1.0 - t1) - 4.0 * self.b * t1 * inner, 2.0 * self.b * inner])

    @property
    def minimum(self) -> Array:
        return np.ones(2)


QUADRATIC = Quadratic()
VALLEY = CurvedValley()

#: the three methods of the live panels, in trace order
METHODS = ("gradient descent", "momentum", "Nesterov")


def make_optimizer(method: str, lr: float, beta: float) -> optimizers.Optimizer:
    """A fresh :mod:`bpcore.optimizers` object for one of :data:`METHODS` (or rmsprop/adam)."""
    if method == "gradient descent":
        return optimizers.SGD(lr)
    if method == "momentum":
        return optimizers.Momentum(lr, beta=beta)
    if method == "Nesterov":
        return optimizers.Nesterov(lr, beta=beta)
    if method == "RMSProp":
        return optimizers.RMSProp(lr)
    if method == "Adam":
        return optimizers.Adam(lr, beta1=beta)   # beta is Adam's beta1 (the momentum average)
    raise ValueError(f"unknown method {method!r}; choose among {list(METHODS) + ['RMSProp', 'Adam']}")


def path(surface, method: str, lr: float, beta: float = 0.9, steps: int = 100) -> Array:
    """The points ``(steps + 1, 2)`` one optimiser visits from ``surface.start`` (NaN after a blow-up)."""
    return optimizer_path(surface.grad, surface.start, make_optimizer(method, lr, beta), steps)


def steps_to_reach(surface, method: str, lr: float, beta: float = 0.9, tol: float = 1e-3,
                   max_steps: int = 2000) -> int | None:
    """The first step at which ``surface(theta) - f(min) < tol``, or None within ``max_steps``."""
    p = path(surface, method, lr, beta, max_steps)
    with np.errstate(over="ignore", invalid="ignore"):
        f = surface(p[:, 0], p[:, 1]) - float(surface(*surface.minimum))
    hits = np.flatnonzero(np.isfinite(f) & (f < tol))
    return int(hits[0]) if len(hits) else None


#: a path farther than this from the minimum has diverged
BLOW_UP = 1e6


def distance_after(surface, method: str, lr: float, beta: float = 0.9, steps: int = 100) -> float:
    """Distance from the minimum after ``steps`` steps (inf if the path diverged: non-finite or
    farther than :data:`BLOW_UP`)."""
    last = path(surface, method, lr, beta, steps)[-1]
    if not np.all(np.isfinite(last)):
        return float("inf")
    d = float(np.hypot(*(last - surface.minimum)))
    return d if d <= BLOW_UP else float("inf")


def _surface_figure(surface, paths: dict[str, Array], steps: int, widths=(5, 2.5, 2),
                    dashes=("solid", "solid", "dot")):
    """Contours of ``surface`` with the named paths, the minimum marked (the figure of both panels)."""
    fig = loss_surface_paths(surface, paths, surface.xlim, surface.ylim,
                             title=f"{surface.name}: {steps} steps from the same start",
                             log_levels=surface.log_levels)
    # the slowest path is drawn first; a wider line keeps it visible where the others run over it
    for trace, width, dash in zip(fig.data[1:], widths, dashes):
        trace.line.width, trace.line.dash = width, dash
    fig.add_scatter(x=[surface.minimum[0]], y=[surface.minimum[1]], mode="markers", name="minimum",
                    marker={"symbol": "x", "size": 12, "color": OKABE_ITO["black"]})
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return fig


def paths_figure(surface, lr: float, beta: float, steps: int = 100, methods=METHODS):
    """Contours of ``surface`` with one path per method (built with :func:`bpcore.figures.loss_surface_paths`)."""
    return _surface_figure(surface, {m: path(surface, m, lr, beta, steps) for m in methods}, steps)


def paths_update(surface, lr: float, beta: float, steps: int = 100) -> dict:
    """Panel update for :func:`paths_figure`: new paths, and a status line with each method's distance."""
    traces: list[dict] = [{}]
    parts = []
    for m in METHODS:
        traces.append(path_data(path(surface, m, lr, beta, steps)))
        d = distance_after(surface, m, lr, beta, steps)
        parts.append(f"{m}: diverged" if d == float("inf") else f"{m}: {d:.2g} from the minimum")
    return dict(traces=traces, status=f"lr = {lr:.3g}, β = {beta:.2f} · " + " · ".join(parts))


#: the fixed settings of gradient descent and momentum in the adaptive panel (their best region on the valley)
REFERENCE_LR, REFERENCE_BETA = 0.005, 0.9
#: the adaptive panel's paths, in trace order: (method, legend name); RMSProp and Adam take the slider's rate
ADAPTIVE = (("gradient descent", f"gradient descent, η = {REFERENCE_LR}"),
            ("momentum", f"momentum, η = {REFERENCE_LR}, β = {REFERENCE_BETA}"),
            ("RMSProp", "RMSProp, η from the slider, ρ = 0.9"),
            ("Adam", "Adam, η and β₁ from the sliders, β₂ = 0.999"))


def adaptive_paths(surface, lr: float, beta1: float, steps: int = 200) -> dict[str, Array]:
    """The four paths of the adaptive panel, legend name -> ``(steps + 1, 2)``: gradient descent and momentum
    at :data:`REFERENCE_LR` (momentum with :data:`REFERENCE_BETA`), RMSProp at ``lr``, Adam at ``lr`` with
    ``beta1`` (and the default beta2 = 0.999, eps = 1e-8)."""
    out = {}
    for method, name in ADAPTIVE:
        if method in ("RMSProp", "Adam"):
            out[name] = path(surface, method, lr, beta1, steps)
        else:
            out[name] = _reference_path(surface, method, steps).copy()
    return out


@lru_cache(maxsize=16)
def _reference_path(surface, method: str, steps: int) -> Array:
    """A fixed-setting path of the adaptive panel, computed once per surface (it does not follow the sliders)."""
    return path(surface, method, REFERENCE_LR, REFERENCE_BETA, steps)


def adaptive_figure(surface, lr: float = 0.1, beta1: float = 0.9, steps: int = 200):
    """Contours of ``surface`` with the four paths of :func:`adaptive_paths`."""
    return _surface_figure(surface, adaptive_paths(surface, lr, beta1, steps), steps, widths=(5, 2.5, 2, 3),
                           dashes=("solid", "solid", "dot", "dash"))


def adaptive_update(surface, lr: float, beta1: float, steps: int = 200) -> dict:
    """Panel update for :func:`adaptive_figure`: new paths, and each one's steps to f < 1e-3 (or its distance)."""
    traces: list[dict] = [{}]
    parts = []
    minimum = float(surface(*surface.minimum))
    for (method, _), p in zip(ADAPTIVE, adaptive_paths(surface, lr, beta1, steps).values()):
        traces.append(path_data(p))
        with np.errstate(over="ignore", invalid="ignore"):
            f = surface(p[:, 0], p[:, 1]) - minimum
        hits = np.flatnonzero(np.isfinite(f) & (f < 1e-3))
        last = p[-1]
        if len(hits):
            parts.append(f"{method}: f < 1e-3 after {int(hits[0])} steps")
        elif not np.all(np.isfinite(last)) or np.hypot(*(last - surface.minimum)) > BLOW_UP:
            parts.append(f"{method}: diverged")
        else:
            parts.append(f"{method}: {float(np.hypot(*(last - surface.minimum))):.2g} from the minimum")
    return dict(traces=traces, status=f"η = {lr:.3g}, β₁ = {beta1:.2f} · " + " · ".join(parts))


__all__ = ["REFERENCE_LR", "REFERENCE_BETA", "ADAPTIVE", "adaptive_paths", "adaptive_figure", "adaptive_update",
           "Quadratic", "CurvedValley", "QUADRATIC", "VALLEY", "METHODS", "make_optimizer", "path",
           "steps_to_reach", "distance_after", "paths_figure", "paths_update", "BLOW_UP"]
