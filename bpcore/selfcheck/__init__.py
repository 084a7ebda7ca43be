r"""Self-checks: instant, answer-free feedback on an exercise.

In a notebook (the reader's side)::

    from bpcore.selfcheck import check
    check("ch04.sigmoid_prime", sigmoid_prime)     # a function the reader wrote
    check("basics.sigmoid_max", 0.25)              # a number
    check("ch05.delta_output", delta)              # an array

``check`` prints one deterministic line -- ``Correct.`` or ``Not yet: <what kind of wrong>`` --
and returns a :class:`CheckResult` (``bool(result)`` is ``result.ok``; its repr is the same line,
and in IPython it is not displayed a second time). The text names the *kind* of mistake (sign
flipped, off by a factor of two, the sigma' factor missing, transposed, wrong shape, NaN,
overflow, not callable, raised ``TypeError: ...``, ...) and never the answer itself. An unknown
exercise id raises ``ValueError`` listing the closest ids.

When the exercise gives the reader data, the notebook fetches it from the key, so the notebook
and the key always use the same numbers::

    from bpcore.selfcheck import given
    data = given("basics.output_delta_mse_sigmoid")   # {"Z": ..., "Y": ...}

In the (instructor's) notebook, the answer itself goes between ``# BEGIN SOLUTION`` and
``# END SOLUTION`` -- for a number or an array just as for a function -- so that the student edition
replaces it by ``raise NotImplementedError("TODO: ...")``. An answer typed in an ordinary cell
(``ratio = 0.0066`` followed by ``check(...)``) would be shown to every student, and
``tests/test_student_edition.py`` fails when a self-check passes in the student edition::

    # BEGIN SOLUTION
    ratio = float(delta_mse / delta_ce)
    # END SOLUTION
    check("ch08.mse_over_bce_delta", ratio)

Adding keys (the chapter author's side)
---------------------------------------
Create ``bpcore/selfcheck/keys/chNN.py`` defining ``KEYS``; it is discovered automatically::

    import numpy as np
    from bpcore.activations import Sigmoid, sigmoid
    from bpcore.selfcheck import FunctionKey, NumberKey, ArrayKey, Wrong, args

    sig = Sigmoid()
    KEYS = {
        "ch04.sigmoid_prime": FunctionKey(
            reference=sig.derivative,                          # compute with bpcore, no magic numbers
            inputs={"z = 0": 0.0,                              # labels are printed: no answers in them
                    "large |z|": np.array([-800.0, 800.0]),
                    "a (3, 4) array": np.linspace(-3, 3, 12).reshape(3, 4)},
            wrong={"this is sigma(z) itself, not its slope": sigmoid,
                   "a(1-a) was applied to z, not to a = sigma(z)":
                       Wrong(lambda z: z * (1 - z), hint="compute a = sigma(z) first")},
        ),
        "ch04.sigmoid_max": NumberKey(
            lambda: float(sig.derivative(np.linspace(-10, 10, 2001)).max()),   # lazy: computed on first use
            wrong={"that is sigma(0), not the slope there": 0.5},
        ),
        "ch05.some_delta": ArrayKey(
            lambda: ...,                                       # an array computed with bpcore
            given=lambda: {"Z": ..., "Y": ...},                # data shown to the reader via given(id)
            wrong={"the sigma'(z) factor is missing": lambda: ...},
        ),
    }

Rules that ``tests/test_selfcheck.py`` enforces for every key automatically:

* ids are ``"chNN.short_name"`` (``"basics.*"`` for shared keys in ``ch00_basics.py``), unique;
* the reference answer is accepted, ``check`` output never contains the answer;
* each key recognises at least TWO typical wrong answers, each with its own diagnosis: the named
  ones in ``wrong=`` plus the generic ones the key derives itself (sign flipped, factor 2,
  factor 1/2, transposed -- when they differ from the reference). A key whose reference is 0 has
  no generic mistakes: give it two named ones;
* a named mistake must differ from the reference and from the other named mistakes.

Function keys call the reader's function on a private copy of every input (in-place modification
is reported), silence NumPy warnings (so the text is deterministic) and, with
``overflow_is_error=True``, treat a floating-point overflow as a mistake. Tolerances default to
``rtol=1e-6, atol=1e-12``; loosen ``rtol`` only for answers meant to be rounded by hand.
"""
from __future__ import annotations

import copy
from typing import Any

from .keytypes import Args, ArrayKey, FunctionKey, Key, NumberKey, Wrong, args
from .registry import all_keys, exercise_ids, get_key
from .result import CheckResult

__all__ = ["check", "given", "exercise_ids", "CheckResult", "NumberKey", "ArrayKey", "FunctionKey",
           "Key", "Wrong", "Args", "args", "all_keys", "get_key"]


def check(exercise: str, answer: Any, *, quiet: bool = False) -> CheckResult:
    """Check ``answer`` (a number, an array, or a function) against the key of ``exercise``.

    Prints the verdict (unless ``quiet``) and returns it as a :class:`CheckResult`.

    Raises:
        ValueError: ``exercise`` is not a registered id (the message lists the closest ids).
    """
    result = get_key(exercise).check(exercise, answer)
    if not quiet:
        print(result.message)
    return result


def given(exercise: str) -> dict[str, Any]:
    """A fresh copy of the data that ``exercise`` hands to the reader (empty dict if none)."""
    return copy.deepcopy(get_key(exercise).given)
