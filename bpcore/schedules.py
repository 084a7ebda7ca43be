r"""Learning-rate schedules: the factor that multiplies the base rate at each epoch :math:`t` (0-based).

:func:`bpcore.train` sets the rate of epoch :math:`t` to :math:`\eta_t = \eta_0 \cdot \text{factor}(t)`. With the
full batch an epoch is one step, so a schedule then changes the rate at every step.

* ``constant``:                 :math:`1`
* ``step(drop, every)``:        :math:`\text{drop}^{\lfloor t/\text{every}\rfloor}`
* ``exponential(gamma)``:       :math:`\gamma^t` (``gamma > 1`` grows the rate: the range test of chapter 9)
* ``inverse_time(k)``:          :math:`1/(1 + k t)`
* ``cosine(total, floor)``:     :math:`f + (1 - f)\,\tfrac12\big(1 + \cos(\pi\,\min(t, T)/T)\big)`, :math:`T` = total
* ``warmup(epochs, then)``:     :math:`(t + 1)/w` for :math:`t < w` = epochs, then ``then(t - w)`` (default 1)
"""
from __future__ import annotations

import math
from typing import Callable

from ._names import lookup
from .validation import fraction, nonnegative_number, positive_integer, positive_number

Schedule = Callable[[int], float]


def constant() -> Schedule:
    """Factor 1 at every epoch: the base rate throughout."""
    return lambda epoch: 1.0


def step(drop: float = 0.5, every: int = 50) -> Schedule:
    r"""Step decay: :math:`\text{drop}^{\lfloor t/\text{every}\rfloor}`, the rate multiplied by ``drop`` (in (0, 1])
    every ``every`` epochs."""
    drop = positive_number(drop, "step drop")
    if drop > 1:
        raise ValueError(f"step drop must be in (0, 1] (a factor that lowers the rate), got {drop!r}")
    every = positive_integer(every, "step every")
    return lambda epoch: drop ** (epoch // every)


def exponential(gamma: float = 0.99) -> Schedule:
    r"""Exponential schedule: :math:`\gamma^t` (``gamma > 0``; below 1 a decay, above 1 a growth)."""
    gamma = positive_number(gamma, "exponential gamma")
    return lambda epoch: gamma ** epoch


def inverse_time(k: float = 0.01) -> Schedule:
    r"""Inverse-time decay: :math:`1/(1 + k t)`, ``k >= 0``."""
    k = nonnegative_number(k, "inverse_time k")
    return lambda epoch: 1.0 / (1.0 + k * epoch)


def cosine(total: int = 100, floor: float = 0.0) -> Schedule:
    r"""Cosine annealing over ``total`` epochs: :math:`f + (1 - f)\,\tfrac12\big(1 + \cos(\pi t/T)\big)` for
    :math:`t \le T` = ``total``, and the floor :math:`f` = ``floor`` (in [0, 1)) after that.

    It starts at 1 with zero slope, falls fastest half-way, and reaches the floor with zero slope at :math:`T`.
    """
    total = positive_integer(total, "cosine total")
    floor = fraction(floor, "cosine floor")
    return lambda epoch: floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * min(epoch, total) / total))


def warmup(epochs: int = 5, then: Schedule | None = None) -> Schedule:
    r"""Linear warm-up: :math:`(t + 1)/w` for the first :math:`w` = ``epochs`` epochs, then ``then(t - w)``
    (constant 1 when ``then`` is None), so a schedule such as :func:`cosine` starts after the warm-up."""
    epochs = positive_integer(epochs, "warm-up epochs")
    after = constant() if then is None else then
    if not callable(after):
        raise TypeError(f"warmup's then must be a schedule (a function epoch -> factor), got {then!r}")
    return lambda epoch: (epoch + 1) / epochs if epoch < epochs else after(epoch - epochs)


SCHEDULES = {"constant": constant, "step": step, "exponential": exponential, "inverse_time": inverse_time,
             "cosine": cosine, "warmup": warmup}


def get_schedule(schedule: str | Schedule | None) -> Schedule:
    """A schedule from its name (default parameters), a callable ``epoch -> factor``, or None (constant)."""
    if schedule is None:
        return constant()
    if callable(schedule):
        return schedule
    return lookup("learning-rate schedule", schedule, SCHEDULES)()
