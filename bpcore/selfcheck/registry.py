"""Finding answer keys: every module in :mod:`bpcore.selfcheck.keys` that defines ``KEYS``.

Modules are discovered with :mod:`pkgutil`, so a chapter adds keys by adding one file
(``bpcore/selfcheck/keys/chNN.py``); nothing else has to be edited. Discovery happens on the
first ``check`` call and is cached for the session (restart the kernel after adding keys).
"""
from __future__ import annotations

import difflib
import importlib
import pkgutil
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

from . import keys as keys_package
from .keytypes import Key


class KeyModuleError(ImportError):
    """A keys module could not be imported, or its ``KEYS`` is malformed."""


@lru_cache(maxsize=1)
def _discover() -> tuple[Mapping[str, Key], Mapping[str, str], Mapping[str, str]]:
    """``(keys, id -> module, module -> import error text)`` for all keys modules."""
    found: dict[str, Key] = {}
    owner: dict[str, str] = {}
    broken: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(keys_package.__path__), key=lambda m: m.name):
        module_name = f"{keys_package.__name__}.{info.name}"
        try:
            module = importlib.import_module(module_name)
        except Exception as error:  # noqa: BLE001 - one broken chapter must not hide every other key
            broken[module_name] = f"{type(error).__name__}: {error}"
            continue
        table = getattr(module, "KEYS", None)
        if not isinstance(table, Mapping):
            broken[module_name] = "it defines no KEYS dict"
            continue
        for exercise, key in table.items():
            if not isinstance(exercise, str) or not isinstance(key, Key):
                broken[module_name] = f"KEYS[{exercise!r}] is not a str -> Key entry"
                continue
            if exercise in found:
                raise KeyModuleError(f"exercise id {exercise!r} is defined twice: in {owner[exercise]} "
                                     f"and in {module_name}")
            found[exercise] = key
            owner[exercise] = module_name
    return MappingProxyType(found), MappingProxyType(owner), MappingProxyType(broken)


def all_keys() -> Mapping[str, Key]:
    """Every registered key, exercise id -> :class:`~bpcore.selfcheck.keytypes.Key` (read-only)."""
    return _discover()[0]


def key_module(exercise: str) -> str:
    """The module that defines ``exercise`` (for error messages and tests)."""
    return _discover()[1][exercise]


def broken_modules() -> Mapping[str, str]:
    """Keys modules that failed to import, module name -> error text (empty when all is well)."""
    return _discover()[2]


def exercise_ids() -> list[str]:
    """All registered exercise ids, sorted."""
    return sorted(all_keys())


def get_key(exercise: str) -> Key:
    """The key for ``exercise``; a ValueError naming the closest ids if there is none."""
    if not isinstance(exercise, str):
        raise TypeError(f"the exercise id must be a str such as 'ch04.sigmoid_prime', got {type(exercise).__name__}")
    table = all_keys()
    if exercise in table:
        return table[exercise]
    chapter = exercise.split(".", 1)[0] + "."
    close = difflib.get_close_matches(exercise, list(table), n=5, cutoff=0.6)
    close += [k for k in sorted(table) if k.startswith(chapter) and k not in close][: max(0, 5 - len(close))]
    message = f"unknown exercise id {exercise!r}."
    message += f" Close ids: {', '.join(close)}." if close else f" Known ids: {', '.join(sorted(table)) or 'none'}."
    if broken_modules():
        failed = "; ".join(f"{module} ({error})" for module, error in broken_modules().items())
        message += f" Keys modules that failed to import: {failed}"
    raise ValueError(message)

