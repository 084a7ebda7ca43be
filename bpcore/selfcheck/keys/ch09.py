r"""Answer keys of chapter 9 (gradient descent and the learning rate).

* ``ch09.critical_lr`` -- for :math:`L(\theta) = 2\theta^2` (curvature :math:`\lambda = 4`), the learning
  rate above which gradient descent diverges: :math:`2/\lambda`.
* ``ch09.max_stable_lr`` -- a function ``H -> float``: the largest learning rate at which gradient descent
  on the quadratic :math:`\tfrac12\theta^\top H\theta` converges, :math:`2/\lambda_{\max}(H)`.
* ``ch09.divergent_lr`` -- the smallest learning rate of the chapter panel's twin that diverges.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from bpcore.selfcheck.keytypes import FunctionKey, NumberKey, Wrong

Array = np.ndarray
CURVATURE = 4.0   # L(theta) = 1/2 * CURVATURE * theta^2 = 2 theta^2


def _max_stable_lr(H: Array) -> float:
    """2 / (largest eigenvalue of the symmetric Hessian H): the sharpest direction sets the limit."""
    return float(2.0 / np.linalg.eigvalsh(np.asarray(H, dtype=float)).max())


def _rotated(lams: list[float], angle: float) -> Array:
    c, s = np.cos(angle), np.sin(angle)
    R = np.array([[c, -s], [s, c]])
    return R @ np.diag(lams) @ R.T


def _inputs() -> dict[str, object]:
    rng = np.random.default_rng(9)
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    return {
        "a diagonal 2 x 2 Hessian": np.diag([1.0, 25.0]),
        "a rotated 2 x 2 Hessian": _rotated([0.5, 8.0], 0.6),
        "a 3 x 3 Hessian": Q @ np.diag([0.2, 3.0, 12.0]) @ Q.T,
        "equal curvatures": np.diag([4.0, 4.0]),
    }


@lru_cache(maxsize=1)
def _divergent() -> float:
    from bpcore.lessons.ch09 import PANEL_LRS, PANEL_SETUP, first_diverging
    lr = first_diverging(PANEL_LRS, **PANEL_SETUP)
    if lr is None:  # pragma: no cover - the chapter shows that one diverges
        raise RuntimeError("no learning rate of the panel diverges")
    return lr


def _largest_converging() -> float:
    from bpcore.lessons.ch09 import PANEL_LRS
    return float(max(lr for lr in PANEL_LRS if lr < _divergent()))


KEYS = {
    "ch09.critical_lr": NumberKey(
        lambda: 2.0 / CURVATURE,
        rtol=1e-3,
        wrong={
            "that rate lands on the minimum in one step; larger rates still converge, oscillating":
                lambda: 1.0 / CURVATURE,
            "that is the curvature itself, not a learning rate: use the factor (1 - eta * lambda)":
                CURVATURE,
        },
    ),
    "ch09.max_stable_lr": FunctionKey(
        reference=_max_stable_lr,
        inputs=_inputs,
        wrong={
            "this uses the largest diagonal entry; for a rotated bowl use the largest eigenvalue":
                Wrong(lambda H: float(2.0 / np.max(np.diag(np.asarray(H, float)))), hint="try np.linalg.eigvalsh"),
            "this is limited by the flattest direction; the sharpest one (largest eigenvalue) diverges first":
                lambda H: float(2.0 / np.linalg.eigvalsh(np.asarray(H, float)).min()),
            "this is the rate that settles the sharpest direction in one step, not the limit":
                lambda H: float(1.0 / np.linalg.eigvalsh(np.asarray(H, float)).max()),
        },
    ),
    "ch09.divergent_lr": NumberKey(
        _divergent,
        wrong={
            "that run ends with a poor but finite loss: it does not diverge. Try the next value":
                _largest_converging,
        },
    ),
}
