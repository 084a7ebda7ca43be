r"""Answer keys of chapter 9 (gradient descent and the learning rate).

* ``ch09.critical_lr`` -- for :math:`L(\theta) = 5\theta^2` (curvature :math:`h = 10`), the learning
  rate above which gradient descent diverges: :math:`2/h`.
* ``ch09.max_stable_lr`` -- a function ``H -> float``: the largest learning rate at which gradient descent
  on the quadratic :math:`\tfrac12\theta^\top H\theta` converges, :math:`2/h_{\max}` (largest eigenvalue of H).
* ``ch09.divergent_lr`` -- the smallest marked learning rate of the chapter's panel that diverges with batches
  of :data:`BATCH_SIZE` (the full batch's is shown in the chapter).
* ``ch09.warmup_cosine`` -- a function ``(t, warmup, total) -> factor``: linear warm-up over ``warmup`` epochs, then
  cosine annealing to 0 at epoch ``total``; :func:`bpcore.schedules.warmup` around :func:`bpcore.schedules.cosine`.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from bpcore import schedules
from bpcore.selfcheck.keytypes import FunctionKey, NumberKey, Wrong, args

Array = np.ndarray
CURVATURE = 10.0   # L(theta) = 1/2 * CURVATURE * theta^2 = 5 theta^2
#: ex-ch09-3: the panel's batch size
BATCH_SIZE = 8


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
    lr = first_diverging(PANEL_LRS, **{**PANEL_SETUP, "batch_size": BATCH_SIZE})
    if lr is None:  # pragma: no cover - the chapter's solution says which one diverges
        raise RuntimeError(f"no learning rate of the panel diverges with batches of {BATCH_SIZE}")
    return lr


def _full_batch_divergent() -> float:
    from bpcore.lessons.ch09 import PANEL_LRS, PANEL_SETUP, first_diverging
    lr = first_diverging(PANEL_LRS, **PANEL_SETUP)
    if lr is None:  # pragma: no cover - the chapter shows that one diverges
        raise RuntimeError("no learning rate of the panel diverges with the full batch")
    return lr


def _largest_converging() -> float:
    from bpcore.lessons.ch09 import PANEL_LRS
    return float(max(lr for lr in PANEL_LRS if lr < _divergent()))


def _warmup_cosine(t, warmup, total) -> float:
    return float(schedules.warmup(int(warmup), schedules.cosine(int(total) - int(warmup)))(int(t)))


def _warmup_cosine_inputs() -> dict[str, object]:
    inputs: dict[str, object] = {f"t = {t}, warm-up 5, total 50": args(t, 5, 50)
                                 for t in (0, 2, 4, 5, 6, 20, 30, 49, 50, 60)}
    inputs["t = 0, warm-up 1, total 10"] = args(0, 1, 10)
    inputs["t = 7, warm-up 3, total 12"] = args(7, 3, 12)
    return inputs


KEYS = {
    "ch09.critical_lr": NumberKey(
        lambda: 2.0 / CURVATURE,
        rtol=1e-3,
        wrong={
            "that rate lands on the minimum in one step; larger rates still converge, oscillating":
                lambda: 1.0 / CURVATURE,
            "that is the curvature itself, not a learning rate: use the factor (1 - eta * h)":
                CURVATURE,
            "that is the limit of the chapter's example with h = 4; first write the loss as 1/2 * h * theta^2":
                2.0 / 4.0,   # the limit of the chapter's example, h = 4
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
            "that is where the full batch diverges; with batches of 8 a smaller marked value already does":
                _full_batch_divergent,
        },
    ),
    "ch09.warmup_cosine": FunctionKey(
        reference=_warmup_cosine,
        inputs=_warmup_cosine_inputs,
        wrong={
            "the warm-up starts at factor 0, so the first epoch does not train at all: epoch t of the warm-up "
            "has factor (t + 1) / warmup": lambda t, warmup, total: t / warmup if t < warmup else _warmup_cosine(t, warmup,
                                                                                                       total),
            "the cosine does not start where the warm-up ends: use t - warmup in the cosine":
                lambda t, warmup, total: (t + 1) / warmup if t < warmup else float(schedules.cosine(total)(t)),
            "the cosine runs over total epochs after the warm-up and ends late: it has total - warmup epochs":
                lambda t, warmup, total: (t + 1) / warmup if t < warmup else float(schedules.cosine(total)(t - warmup)),
            "after epoch total the factor rises again: it must stay at 0 from there on":
                lambda t, warmup, total: (t + 1) / warmup if t < warmup else
                float(0.5 * (1 + np.cos(np.pi * (t - warmup) / (total - warmup)))),
        },
    ),
}
