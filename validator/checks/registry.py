"""The check registry: one shape for every check (house style §5).

A check is a function ``(context) -> Iterable[Finding]`` registered with ``@check(level,
codes=...)``, declaring every code it may emit. The engine runs the checks of a level on that
level's context, in any order: checks only read their context (parsed files, rules, and for
the benchmark level the results' outcomes), never each other's output, and never raise for bad
input. A code a check did not declare is a programming error caught by the tests
(``tests/validator/test_codes.py``) and by :func:`run`.

Levels, from the bundle down: ``TREE`` (the root), ``SUBMITTER`` (one ``<division>/<org>``),
``SYSTEM`` (one ``systems/<system>.json`` and its results), ``RESULT`` (one
``results/<system>/<benchmark>/<scenario>``) and ``BENCHMARK`` (the scenarios of one
``results/<system>/<benchmark>``, run after its results).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from validator.codes import CODES
from validator.findings import Finding


class Level(StrEnum):
    TREE = "tree"
    SUBMITTER = "submitter"
    SYSTEM = "system"
    RESULT = "result"
    BENCHMARK = "benchmark"


@dataclass(frozen=True)
class CheckSpec:
    name: str
    level: Level
    codes: frozenset[str]
    func: Callable[[Any], Iterable[Finding]]


REGISTRY: list[CheckSpec] = []
F = TypeVar("F", bound=Callable[..., Iterable[Finding]])


class UndeclaredCodeError(AssertionError):
    """A check emitted a code it did not declare (a bug in the check, never bad input)."""


def check(level: Level, *, codes: tuple[str, ...]) -> Callable[[F], F]:
    """Register a check of ``level`` that may emit ``codes`` (each registered in CODES)."""
    unknown = [c for c in codes if c not in CODES]
    if unknown:
        raise UndeclaredCodeError(f"unregistered codes {unknown}")

    def register(func: F) -> F:
        REGISTRY.append(
            CheckSpec(f"{func.__module__}.{func.__qualname__}", level, frozenset(codes), func)
        )
        return func

    return register


def checks_of(level: Level) -> list[CheckSpec]:
    _load_all()
    return [spec for spec in REGISTRY if spec.level is level]


def run(level: Level, context: object) -> list[Finding]:
    """Every check of ``level`` on ``context``; each finding's code must be declared."""
    found: list[Finding] = []
    for spec in checks_of(level):
        for f in spec.func(context):
            if f.code not in spec.codes:
                raise UndeclaredCodeError(f"{spec.name} emitted undeclared code {f.code}")
            found.append(f)
    return found


def _load_all() -> None:
    """Import every check module once, so their ``@check`` decorators have run."""
    from validator.checks import (  # noqa: F401
        accuracy,
        compliance,
        measurements,
        performance,
        power,
        scenarios,
        system,
        tree,
        truth,
        values,
    )
