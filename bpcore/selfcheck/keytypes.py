"""Answer keys: what a correct answer is, and which typical mistakes to recognise.

Three kinds of key, one per kind of answer:

* :class:`NumberKey` -- a single number (``0.25``).
* :class:`ArrayKey` -- an array with a fixed shape (a gradient ``dW``, a ``delta``).
* :class:`FunctionKey` -- the reader's own function, called on several inputs, edge cases included.

Every key recognises the *generic* mistakes by itself (sign flipped, off by a factor of two either
way, transposed, wrong shape, NaN/inf, not a number, exceptions, ...) and, in addition, the named
mistakes passed as ``wrong={"description": answer_or_Wrong, ...}``. Diagnoses are tried in a
fixed order (named mistakes before generic ones), so the text is deterministic. No message ever
contains the reference answer.

References and wrong answers of number/array keys may be given as zero-argument callables; they
are then computed on first use, so a keys module can call into bpcore without slowing imports.
"""
from __future__ import annotations

from ._base import Args, Key, Wrong, args, describe
from .functions import FunctionKey
from .values import ArrayKey, NumberKey

__all__ = ["Key", "NumberKey", "ArrayKey", "FunctionKey", "Wrong", "Args", "args", "describe"]
