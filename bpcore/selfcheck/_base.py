"""Shared pieces of the answer keys: the :class:`Key` base class, :class:`Wrong`, :func:`args`, helpers."""
from __future__ import annotations

from functools import cached_property
from typing import Any, Callable, Mapping

import numpy as np

from . import result as R
from .result import CheckResult

Array = np.ndarray


class Wrong:
    """A typical wrong answer plus an optional hint printed after its name.

    >>> Wrong(lambda z: z, hint="the derivative of a linear unit is 1, not z")  # doctest: +ELLIPSIS
    <Wrong ...>
    """

    def __init__(self, answer: Any, hint: str = ""):
        self.answer = answer
        self.hint = hint

    def __repr__(self) -> str:
        return f"<Wrong answer, hint={self.hint!r}>"


class Args(tuple):
    """Positional arguments of ONE call of a function under test (for functions of several arguments)."""


def args(*values: Any) -> Args:
    """Mark ``values`` as the positional arguments of one call: ``inputs={"n=4": args(a, y)}``."""
    return Args(values)


def describe(value: Any) -> str:
    """A short, value-free description of an input: ``'a number'``, ``'an array of shape (3, 2)'``."""
    if isinstance(value, Args):
        return "arguments (" + ", ".join(describe(v) for v in value) + ")"
    if np.ndim(value) == 0:
        return "a number"
    return f"an array of shape {np.shape(value)}"


def resolve(value: Any) -> Any:
    """A lazily given value: call zero-argument callables, pass everything else through."""
    return value() if callable(value) else value


def unwrap(entry: Any) -> tuple[Any, str]:
    """``(answer, hint)`` from a ``wrong`` dict entry (a plain answer or a :class:`Wrong`)."""
    return (entry.answer, entry.hint) if isinstance(entry, Wrong) else (entry, "")


def as_numbers(value: Any) -> Array | None:
    """``value`` as a float array, or None if it is not numeric (str, None, objects, bool)."""
    if value is None or isinstance(value, (str, bytes, bool, np.bool_)):
        return None
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return arr


def type_name(value: Any) -> str:
    """What ``value`` is, with an article: ``'a float'``, ``'an ndarray'``, ``'None'``, ``'...'`` (Ellipsis)."""
    if value is None or value is Ellipsis:
        return repr(value)
    name = type(value).__name__
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


# generic transformations of a reference answer, as (diagnosis, transform, message)
GENERIC_CHECKS: tuple[tuple[str, Callable[[Array], Array], str], ...] = (
    (R.SIGN, lambda r: -r, "the sign is flipped: check the order of a subtraction or a missing minus"),
    (R.FACTOR_TWO, lambda r: 2.0 * r, "twice the expected value: look for a missing one-half factor "
                                     "or a term counted twice"),
    (R.FACTOR_HALF, lambda r: 0.5 * r, "half the expected value: look for a stray one-half factor "
                                      "or a missing term"),
    (R.TRANSPOSED, lambda r: r.T, "the result is transposed: check the order of the matrix product "
                                  "or which axis is samples"),
)
GENERIC_MESSAGES = {name: message for name, _, message in GENERIC_CHECKS}


def named_message(name: str, hint: str) -> str:
    return f"{name}. {hint}" if hint else name


class Key:
    """Base class of all answer keys.

    Subclasses implement :meth:`diagnose` (answer -> result) and :meth:`typical_wrong_answers`.

    Args:
        wrong: named typical mistakes, ``{"description shown to the reader": answer or Wrong(answer, hint)}``.
            The description must not contain the correct answer.
        rtol, atol: tolerances of ``np.allclose`` used for every comparison.
        given: optional data the exercise hands to the reader (a dict, or a zero-argument callable
            returning one), so notebook and key use the very same numbers.
    """

    kind = "answer"

    def __init__(self, *, wrong: Mapping[str, Any] | None = None, rtol: float = 1e-6, atol: float = 1e-12,
                 given: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None):
        if rtol < 0 or atol < 0:
            raise ValueError(f"tolerances must be >= 0, got rtol={rtol}, atol={atol}")
        self.wrong = dict(wrong or {})
        self.rtol = float(rtol)
        self.atol = float(atol)
        self._given = given

    @cached_property
    def given(self) -> dict[str, Any]:
        """Data the exercise hands to the reader (``bpcore.selfcheck.given(id)``), name -> value."""
        return dict(resolve(self._given) or {})

    def same(self, a: Array, b: Array) -> bool:
        """True when ``a`` and ``b`` have the same shape and agree within the key's tolerances."""
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=self.rtol, atol=self.atol))

    def check(self, exercise: str, answer: Any) -> CheckResult:
        """Judge ``answer`` for the exercise called ``exercise``."""
        raise NotImplementedError  # pragma: no cover - every key type defines it

    def typical_wrong_answers(self) -> list[tuple[str, Any]]:
        """``(diagnosis, answer)`` pairs this key must recognise: its named mistakes, then the generic
        ones (sign, factor 2, factor 1/2, transpose) that differ from the reference and from each other."""
        raise NotImplementedError  # pragma: no cover


