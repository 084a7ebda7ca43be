"""The verdict of one self-check: a short, deterministic sentence that never contains the answer."""
from __future__ import annotations

from dataclasses import dataclass

#: generic diagnosis names (``CheckResult.diagnosis``); a key's own named wrong answers add more
CORRECT = "correct"
FACTOR_TWO = "factor 2"
FACTOR_HALF = "factor 1/2"
SIGN = "sign flipped"
TRANSPOSED = "transposed"
RESHAPED = "right numbers, wrong shape"
WRONG_SHAPE = "wrong shape"
NOT_FINITE = "nan or inf"
NOT_NUMERIC = "not numeric"
NOT_CALLABLE = "not callable"
CALLABLE_GIVEN = "function given"
NOT_IMPLEMENTED = "not implemented"
OVERFLOW = "overflow"
EXCEPTION = "raised an exception"
RETURNED_NONE = "returned None"
MUTATES_INPUT = "modifies its input"
CLOSE = "close but not within tolerance"
PARTLY = "partly right"
WRONG = "wrong"

#: generic diagnoses a key can produce on its own (sign, scale, transpose), in the order tried
GENERIC_TRANSFORMS = (SIGN, FACTOR_TWO, FACTOR_HALF, TRANSPOSED)


@dataclass(frozen=True)
class CheckResult:
    """Outcome of ``check(exercise, answer)``.

    ``ok`` is True only for a correct answer; ``diagnosis`` is a short machine-readable name
    (``"correct"``, ``"sign flipped"``, a key's own named mistake, ...); ``message`` is the text
    shown to the reader. ``repr(result) == message``, and ``bool(result) == ok``.
    """

    exercise: str
    ok: bool
    diagnosis: str
    message: str

    def __repr__(self) -> str:
        return self.message

    __str__ = __repr__

    def __bool__(self) -> bool:
        return self.ok

    def _ipython_display_(self) -> None:
        """Show nothing: ``check`` has already printed the message (avoids printing it twice)."""


def correct(exercise: str) -> CheckResult:
    """The result for a correct answer."""
    return CheckResult(exercise, True, CORRECT, "Correct.")


def wrong(exercise: str, diagnosis: str, explanation: str) -> CheckResult:
    """The result for a wrong answer; ``explanation`` is one sentence without the answer in it."""
    text = explanation.strip()
    if not text.endswith((".", "?", "!")):
        text += "."
    return CheckResult(exercise, False, diagnosis, f"Not yet: {text}")
