"""Key for a function the reader writes: :class:`FunctionKey`, which calls it on several inputs."""
from __future__ import annotations

import copy
import re
import warnings
from functools import cached_property
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from . import result as R
from ._base import (GENERIC_CHECKS, Args, Array, Key, as_numbers, named_message, resolve, type_name, unwrap,
                    describe)
from .result import CheckResult


def _ndim(value: Any) -> int:
    """Dimensions of one input; a call with several arguments (``Args``) counts as an array input."""
    return 1 if isinstance(value, Args) else int(np.ndim(value))


_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


class _Raised:
    """What a call raised (kept instead of an output)."""

    def __init__(self, error: Exception):
        self.error = error

    def text(self) -> str:
        first = (str(self.error).strip().splitlines() or [""])[0]
        first = _ADDRESS.sub("0x...", first)  # object addresses would make the text nondeterministic
        if len(first) > 80:
            first = first[:77] + "..."
        return f"{type(self.error).__name__}: {first}" if first else type(self.error).__name__


def _call(fn: Callable, value: Any, overflow_is_error: bool = False) -> tuple[Any, bool]:
    """Call ``fn`` on a private copy of ``value``; return ``(output or _Raised, input_was_modified)``.

    NumPy warnings are silenced (an overflow shows up as inf/NaN in the output instead), so the
    printed text does not depend on which warnings were already shown; with ``overflow_is_error``
    a floating-point overflow raises ``FloatingPointError`` instead.
    """
    arguments = tuple(value) if isinstance(value, Args) else (value,)
    private = copy.deepcopy(arguments)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore", over="raise" if overflow_is_error else "ignore"):
            warnings.simplefilter("ignore")
            out = fn(*private)
    except Exception as error:  # noqa: BLE001 - the reader's code may raise anything; we report it
        return _Raised(error), False
    modified = any(
        isinstance(a, np.ndarray) and not np.array_equal(a, p, equal_nan=True) for a, p in zip(arguments, private)
    )
    return out, modified


class FunctionKey(Key):
    """Key for a function the reader writes, tried on several inputs (edge cases included).

    Args:
        reference: the correct function (usually bpcore's own, e.g. ``Sigmoid().derivative``).
        inputs: ``{"label shown to the reader": argument}``, or a list of arguments (labelled by shape),
            or a zero-argument callable returning either. Use :func:`args` for several arguments per
            call: ``{"4 samples": args(a, y)}``. Include edge cases: ``z = 0``, large ``|z|``, arrays
            of several shapes. Labels are printed; keep them free of the answer.
        wrong: named mistakes, ``{"description": function or Wrong(function, hint)}``; each is run on
            the same inputs and recognised when the reader's outputs match it on every input.
        rtol, atol: tolerances (default ``rtol=1e-6, atol=1e-12``).
        overflow_is_error: if True, a floating-point overflow inside the reader's function (the naive
            ``1/(1+np.exp(-z))`` at ``z = -800``) is a mistake even when the result happens to be right.

    Diagnoses, in order: not callable; raised NotImplementedError (still a TODO); overflowed (with
    ``overflow_is_error``); raised another exception (scalars vs arrays distinguished); returned None;
    returned non-numbers; NaN/inf where the reference is finite; correct (but fails if it modified its input in place); a named mistake;
    sign / factor 2 / factor 1/2 / transposed; wrong output shape; right on some inputs only; wrong.
    """

    kind = "a function"

    def __init__(self, reference: Callable[..., Any], inputs: Any, *, overflow_is_error: bool = False,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.overflow_is_error = overflow_is_error
        if not callable(reference):
            raise TypeError(f"the reference of a FunctionKey must be callable, got {type_name(reference)}")
        self.reference = reference
        self._inputs = inputs
        for name, entry in self.wrong.items():
            if not callable(unwrap(entry)[0]):
                raise TypeError(f"wrong answer {name!r} of a FunctionKey must be a function")

    @cached_property
    def inputs(self) -> dict[str, Any]:
        """The test inputs, label -> argument (or :class:`Args`)."""
        raw = resolve(self._inputs)
        if isinstance(raw, Mapping):
            table = dict(raw)
        else:
            table = {f"input {k + 1} ({describe(v)})": v for k, v in enumerate(raw)}
        if not table:
            raise ValueError("a FunctionKey needs at least one input")
        return table

    def _outputs(self, fn: Callable) -> dict[str, Array]:
        """Outputs of a trusted function (reference or named mistake) as float arrays."""
        out = {}
        for label, value in self.inputs.items():
            result, _ = _call(fn, value)
            if isinstance(result, _Raised):
                raise RuntimeError(f"key function raised on input {label!r}: {result.text()}") from result.error
            out[label] = np.asarray(result, dtype=float)
        return out

    @cached_property
    def reference_outputs(self) -> dict[str, Array]:
        return self._outputs(self.reference)

    @cached_property
    def named(self) -> list[tuple[str, Callable, dict[str, Array], str]]:
        """The named mistakes as ``(name, function, outputs on the inputs, hint)``."""
        out = []
        for name, entry in self.wrong.items():
            fn, hint = unwrap(entry)
            out.append((name, fn, self._outputs(fn), hint))
        return out

    def _matches(self, outs: Mapping[str, Array], targets: Mapping[str, Array]) -> bool:
        return all(self.same(outs[k], targets[k]) for k in targets)

    def _generic_targets(self) -> Iterable[tuple[str, dict[str, Array], str]]:
        for name, transform, message in GENERIC_CHECKS:
            targets = {k: transform(v) for k, v in self.reference_outputs.items()}
            yield name, targets, message

    def typical_wrong_answers(self) -> list[tuple[str, Any]]:
        found: list[tuple[str, Callable, dict[str, Array]]] = [(n, f, o) for n, f, o, _ in self.named]
        ref = self.reference_outputs
        for name, targets, _ in self._generic_targets():
            if self._matches(targets, ref) or any(self._matches(targets, o) for _, _, o in found):
                continue
            transform = dict((n, t) for n, t, _ in GENERIC_CHECKS)[name]
            reference = self.reference

            def mistaken(*a: Any, _t: Callable = transform, _f: Callable = reference) -> Array:
                return _t(np.asarray(_f(*a), dtype=float))

            found.append((name, mistaken, targets))
        return [(name, fn) for name, fn, _ in found]

    def check(self, exercise: str, answer: Any) -> CheckResult:
        if not callable(answer):
            return R.wrong(exercise, R.NOT_CALLABLE, f"expected a function, got {type_name(answer)}: pass the "
                                                     "function itself, without calling it")
        ref = self.reference_outputs
        raw: dict[str, Any] = {}
        modified = False
        for label, value in self.inputs.items():
            raw[label], changed = _call(answer, value, self.overflow_is_error)
            modified = modified or changed
        problem = self._call_problem(exercise, raw)
        if problem is not None:
            return problem
        outs = {label: np.asarray(v, dtype=float) for label, v in raw.items()}
        for label, out in outs.items():
            if out.shape == ref[label].shape and (~np.isfinite(out) & np.isfinite(ref[label])).any():
                return R.wrong(exercise, R.NOT_FINITE, f"it returns NaN or inf for the input '{label}' where the "
                                                       "true value is finite: an overflow (exp of a large number?)")
        if self._matches(outs, ref):
            if modified:
                return R.wrong(exercise, R.MUTATES_INPUT, "the values are right, but the function changes its input "
                                                          "array in place: build a new array instead")
            return R.correct(exercise)
        for name, _, targets, hint in self.named:
            if self._matches(outs, targets):
                return R.wrong(exercise, name, named_message(name, hint))
        for name, targets, message in self._generic_targets():
            if self._matches(outs, targets):
                return R.wrong(exercise, name, message)
        for label, out in outs.items():
            if out.shape != ref[label].shape:
                return R.wrong(exercise, R.WRONG_SHAPE, f"for the input '{label}' it returned shape {out.shape}, "
                                                        f"expected {ref[label].shape}")
        good = [label for label in ref if self.same(outs[label], ref[label])]
        if good:
            bad = [label for label in ref if label not in good]
            return R.wrong(exercise, R.PARTLY, "right for " + ", ".join(f"'{g}'" for g in good)
                           + " but wrong for " + ", ".join(f"'{b}'" for b in bad))
        return R.wrong(exercise, R.WRONG, "the values differ from the expected ones on every test input")

    def _call_problem(self, exercise: str, raw: Mapping[str, Any]) -> CheckResult | None:
        """The first failure that is not about values: exceptions, None, non-numbers."""
        raised = {label: r for label, r in raw.items() if isinstance(r, _Raised)}
        if any(isinstance(r.error, NotImplementedError) for r in raised.values()):
            return R.wrong(exercise, R.NOT_IMPLEMENTED, "the function still raises NotImplementedError: "
                                                        "replace the TODO line with your code")
        for label, r in raised.items():
            if isinstance(r.error, (FloatingPointError, OverflowError)):
                return R.wrong(exercise, R.OVERFLOW,
                               f"it overflows on the input '{label}' (exp of a large number?): "
                               "rearrange it so that only exp of numbers <= 0 is formed")
        if raised:
            label, r = next(iter(raised.items()))
            scalars_ok = any(_ndim(self.inputs[k]) == 0 and k not in raised for k in raw)
            hint = ""
            if scalars_ok and _ndim(self.inputs[label]) > 0:
                hint = " (it works on single numbers, not on arrays: use NumPy functions such as np.exp)"
            return R.wrong(exercise, R.EXCEPTION, f"it raised {r.text()} on the input '{label}'{hint}")
        for label, value in raw.items():
            if value is None:
                return R.wrong(exercise, R.RETURNED_NONE, f"it returned None for the input '{label}': "
                                                          "is a return statement missing?")
            if as_numbers(value) is None:
                return R.wrong(exercise, R.NOT_NUMERIC, f"it returned {type_name(value)}, not numbers, "
                                                        f"for the input '{label}'")
        return None

