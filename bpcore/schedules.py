r"""Learning-rate schedules: the factor that multiplies the base rate at each epoch (0-based).

* ``constant``:            :math:`1`
* ``step(drop, every)``:   :math:`\text{drop}^{\lfloor t/\text{every}\rfloor}`
* ``exponential(gamma)``:  :math:`\gamma^t`
* ``inverse_time(k)``:     :math:`1/(1 + k t)`
"""
from __future__ import annotations

from typing import Callable

from ._names import lookup

Schedule = Callable[[int], float]


def constant() -> Schedule:
    return lambda epoch: 1.0


def step(drop: float = 0.5, every: int = 50) -> Schedule:
    return lambda epoch: drop ** (epoch // every)


def exponential(gamma: float = 0.99) -> Schedule:
    return lambda epoch: gamma ** epoch


def inverse_time(k: float = 0.01) -> Schedule:
    return lambda epoch: 1.0 / (1.0 + k * epoch)


SCHEDULES = {"constant": constant, "step": step, "exponential": exponential, "inverse_time": inverse_time}


def get_schedule(schedule: str | Schedule | None) -> Schedule:
    """A schedule from its name (default parameters), a callable ``epoch -> factor``, or None (constant)."""
    if schedule is None:
        return constant()
    if callable(schedule):
        return schedule
    return lookup("learning-rate schedule", schedule, SCHEDULES)()
