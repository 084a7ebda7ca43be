"""Turning a name a reader typed into the thing it names, with a helpful error."""
from __future__ import annotations

import difflib
from typing import Mapping, TypeVar

T = TypeVar("T")


def name_key(name: str) -> str:
    """How a name is looked up: ``" Leaky-ReLU"`` -> ``"leaky_relu"``."""
    return name.strip().lower().replace("-", "_")


def lookup(kind: str, name: object, table: Mapping[str, T]) -> T:
    """Return ``table[name]``; otherwise raise an error that lists the choices.

    >>> lookup("loss", "mse", {"mse": 1})
    1
    """
    if not isinstance(name, str):
        raise TypeError(f"{kind} must be given by name (a str), got {type(name).__name__}: {name!r}")
    key = name_key(name)
    if key in table:
        return table[key]
    choices = ", ".join(sorted(table))
    close = difflib.get_close_matches(key, list(table), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"unknown {kind} {name!r}; expected one of: {choices}.{hint}")
