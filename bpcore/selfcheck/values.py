"""Keys for values: :class:`NumberKey` (one number) and :class:`ArrayKey` (an array of fixed shape)."""
from __future__ import annotations

from functools import cached_property
from typing import Any, Iterable

import numpy as np

from . import result as R
from ._base import GENERIC_MESSAGES, GENERIC_CHECKS, Array, Key, as_numbers, named_message, resolve, type_name, unwrap
from .result import CheckResult


class _ValueKey(Key):
    """Shared logic of :class:`NumberKey` and :class:`ArrayKey`: compare one array of numbers."""

    def __init__(self, reference: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self._reference = reference

    @cached_property
    def reference(self) -> Array:
        """The correct answer as a float array (computed on first use)."""
        ref = as_numbers(resolve(self._reference))
        if ref is None or not np.all(np.isfinite(ref)):
            raise ValueError(f"the reference of a {type(self).__name__} must be finite numbers")
        return self._normalise(ref)

    def _normalise(self, value: Array) -> Array:
        """Bring a numeric answer into canonical form (a NumberKey turns size-1 arrays into scalars)."""
        return value

    @cached_property
    def named(self) -> list[tuple[str, Array, str]]:
        """The named mistakes as ``(name, value, hint)``, values resolved and converted."""
        out = []
        for name, entry in self.wrong.items():
            value, hint = unwrap(entry)
            arr = as_numbers(resolve(value))
            if arr is None:
                raise ValueError(f"wrong answer {name!r} is not numeric")
            out.append((name, self._normalise(arr), hint))
        return out

    def _generic_candidates(self) -> Iterable[tuple[str, Array, str]]:
        for name, transform, message in GENERIC_CHECKS:
            if name == R.TRANSPOSED and self.reference.ndim < 2:
                continue
            yield name, transform(self.reference), message

    def typical_wrong_answers(self) -> list[tuple[str, Any]]:
        found: list[tuple[str, Array]] = [(name, value) for name, value, _ in self.named]
        for name, value, _ in self._generic_candidates():
            if self.same(value, self.reference) or any(self.same(value, v) for _, v in found):
                continue
            found.append((name, value))
        return [(name, self._present(value)) for name, value in found]

    def _present(self, value: Array) -> Any:
        """A wrong answer in the form a reader would give it."""
        return value

    def _shape_problem(self, exercise: str, ans: Array) -> CheckResult | None:
        return None

    def check(self, exercise: str, answer: Any) -> CheckResult:
        if callable(answer):
            return R.wrong(exercise, R.CALLABLE_GIVEN,
                           f"expected {self.kind}, but got a function: call it and pass the value it returns")
        ans = as_numbers(answer)
        if ans is None:
            return R.wrong(exercise, R.NOT_NUMERIC, f"expected {self.kind}, got {type_name(answer)}")
        ans = self._normalise(ans)
        ref = self.reference
        for name, value, hint in self.named:  # first: a named mistake may have its own (wrong) shape
            if self.same(ans, value):
                return R.wrong(exercise, name, named_message(name, hint))
        problem = self._shape_problem(exercise, ans)
        if problem is not None:
            return problem
        if np.isnan(ans).any():
            return R.wrong(exercise, R.NOT_FINITE, "the answer contains NaN (not a number): look for 0/0, "
                                                   "the log of a negative number, or an overflow")
        if np.isinf(ans).any():
            return R.wrong(exercise, R.NOT_FINITE, "the answer contains inf: look for an overflow "
                                                   "or a division by zero")
        if self.same(ans, ref):
            return R.correct(exercise)
        for name, value, message in self._generic_candidates():
            if self.same(ans, value):
                return R.wrong(exercise, name, message)
        if np.allclose(ans, ref, rtol=1e-2, atol=self.atol):
            return R.wrong(exercise, R.CLOSE, "close, but not within the required tolerance: "
                                              "avoid rounding intermediate results")
        return self._partly_or_wrong(exercise, ans)

    def _partly_or_wrong(self, exercise: str, ans: Array) -> CheckResult:
        return R.wrong(exercise, R.WRONG, "that is not the expected value")


class NumberKey(_ValueKey):
    """Key for a single number.

    Args:
        reference: the correct number, or a zero-argument callable computing it with bpcore.
        rtol, atol: tolerances (default ``rtol=1e-6``); loosen ``rtol`` only for answers the reader
            is expected to round, e.g. ``rtol=1e-3`` for "give four significant digits".
        wrong: named mistakes, ``{"description": number or Wrong(number, hint)}``.

    >>> key = NumberKey(0.25, wrong={"this is sigma(0), not sigma'(0)": 0.5})
    >>> key.check("demo", 0.5)
    Not yet: this is sigma(0), not sigma'(0).
    """

    kind = "a single number"

    def _shape_problem(self, exercise: str, ans: Array) -> CheckResult | None:
        if ans.size != 1:
            return R.wrong(exercise, R.WRONG_SHAPE, f"expected a single number, got an array of shape {ans.shape}")
        return None

    def _normalise(self, value: Array) -> Array:
        return value.reshape(()) if value.size == 1 else value

    def _present(self, value: Array) -> Any:
        return float(value)


class ArrayKey(_ValueKey):
    """Key for an array of fixed shape (the reader may pass a list or any array-like).

    Args:
        reference: the correct array, or a zero-argument callable computing it with bpcore.
        rtol, atol: tolerances of ``np.allclose`` (default ``rtol=1e-6, atol=1e-12``).
        wrong: named mistakes, ``{"description": array or Wrong(array, hint)}``.

    Besides the generic diagnoses it reports a wrong shape (with both shapes), a transposed array, the
    right numbers in the wrong shape, and how many entries are right when only some are.
    """

    kind = "an array"

    def _shape_problem(self, exercise: str, ans: Array) -> CheckResult | None:
        ref = self.reference
        if ans.shape == ref.shape:
            return None
        if ans.shape == ref.T.shape and self.same(ans.T, ref):
            return R.wrong(exercise, R.TRANSPOSED, GENERIC_MESSAGES[R.TRANSPOSED])
        if ans.size == ref.size and self.same(ans.reshape(ref.shape), ref):
            return R.wrong(exercise, R.RESHAPED, f"right numbers, wrong shape: got {ans.shape}, expected {ref.shape}")
        return R.wrong(exercise, R.WRONG_SHAPE, f"wrong shape: got {ans.shape}, expected {ref.shape}")

    def _partly_or_wrong(self, exercise: str, ans: Array) -> CheckResult:
        good = np.isclose(ans, self.reference, rtol=self.rtol, atol=self.atol)
        if good.any():
            return R.wrong(exercise, R.PARTLY,
                           f"{int(good.sum())} of {good.size} entries are right, the others are not")
        return R.wrong(exercise, R.WRONG, "none of the entries has the expected value")
