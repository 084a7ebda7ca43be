r"""The learning-rate range test: train briefly while the rate grows exponentially, and read the loss against it.

From :math:`\eta_{\min}` to :math:`\eta_{\max}` in ``steps`` full-batch steps, the rate of step :math:`t` (0-based) is

.. math:: \eta_t = \eta_{\min}\,\gamma^t, \qquad \gamma = (\eta_{\max}/\eta_{\min})^{1/(\text{steps}-1)},

which is :func:`bpcore.train` with ``schedule=bpcore.schedules.exponential(gamma)`` and no batches (with the full
batch one epoch is one step, so the per-epoch schedule changes the rate at every step). The loss is flat while the
rate is too small to matter, falls once it is large enough, and shoots up where it is too large; the run stops
there by :func:`bpcore.training.diverged` with ``stop_factor`` times the starting loss.

The suggested rate is the rate at the lowest loss divided by ``SUGGESTION_DIVISOR`` (10): the lowest point lies
just before the blow-up, at a rate that is already too large to train with for long.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import validation
from .network import Network
from .schedules import exponential
from .training import History, train

Array = np.ndarray

#: the suggested rate is the rate at the lowest loss divided by this
SUGGESTION_DIVISOR = 10.0


@dataclass
class RangeTest:
    """What :func:`lr_range_test` measured: ``lrs[i]`` is the rate of step ``i`` and ``losses[i]`` the training loss
    right after that step (both ``(steps_run,)``); ``history`` is :func:`bpcore.train`'s record."""

    lrs: Array
    losses: Array
    history: History

    @property
    def best_lr(self) -> float:
        """The rate whose step gave the lowest loss."""
        if not np.any(np.isfinite(self.losses)):
            raise ValueError(f"the range test recorded no finite loss ({len(self.losses)} steps): "
                             f"start from a smaller lr_min")
        return float(self.lrs[int(np.nanargmin(self.losses))])

    @property
    def suggested_lr(self) -> float:
        """:attr:`best_lr` divided by :data:`SUGGESTION_DIVISOR`."""
        return self.best_lr / SUGGESTION_DIVISOR


def lr_range_test(net: Network, X: Array, Y: Array, loss: str = "bce", lr_min: float = 1e-4, lr_max: float = 100.0,
                  steps: int = 100, stop_factor: float = 4.0) -> RangeTest:
    r"""Run the range test on ``net`` **in place** (pass ``net.copy()`` to keep the original).

    X: ``(n_samples, n_in)``; Y: targets as :func:`bpcore.train` takes them. The rate grows from ``lr_min`` to
    ``lr_max`` over ``steps`` full-batch steps (at least 2); the run stops early once the loss exceeds
    ``stop_factor`` (> 1) times its value before training.
    """
    lr_min = validation.positive_number(lr_min, "lr_min")
    lr_max = validation.positive_number(lr_max, "lr_max")
    if lr_max <= lr_min:
        raise ValueError(f"lr_max must be larger than lr_min, got lr_min={lr_min!r}, lr_max={lr_max!r}")
    steps = validation.positive_integer(steps, "steps")
    if steps < 2:
        raise ValueError(f"a range test needs at least 2 steps, got {steps}")
    stop_factor = validation.positive_number(stop_factor, "stop_factor")
    if stop_factor <= 1:
        raise ValueError(f"stop_factor must be > 1 (times the starting loss), got {stop_factor!r}")
    gamma = (lr_max / lr_min) ** (1.0 / (steps - 1))
    # the loss recorded in epoch t + 1 is the loss after the step of epoch t; after the last step, measure it
    history = train(net, X, Y, loss=loss, lr=lr_min, epochs=steps, batch_size=None,
                    schedule=exponential(gamma), divergence_factor=stop_factor, record=("loss",))
    after = history.train_loss[1:]
    if not history.diverged:
        after.append(net.loss(X, Y, loss=loss, train=True))
    losses = np.asarray(after, dtype=float)
    return RangeTest(lrs=np.asarray(history.lr[:len(losses)], dtype=float), losses=losses, history=history)
