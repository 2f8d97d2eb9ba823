"""The one reader of ``accuracy.txt`` (spec §3, §4.3.1), for the validator, the workflow's
recount and the reference runner alike.

``accuracy.txt`` is the printout of the benchmark's accuracy script plus the ``hash=`` line of
the truncation step. The official checker ``re.match``-es **every line** against the round's
patterns (``scoring/accuracy_patterns.yaml``); a file may therefore hold several values for a
metric, and a fake line of good scores above the real one must not win. :func:`parse` keeps
every match with its line number, so each consumer applies the checker's own rule (the
validator emulates the checker's loop exactly; the recount uses the last value) from the same
parse.

Lines are read as Python's text mode yields them; a pattern only runs on a line holding one of
its anchors (a literal every match contains), and a line repeating an anchor more than
``max_anchor_repeats`` times is reported instead of searched: no pattern backtracks without
bound.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import NotRequired, TypedDict, cast

import yaml

PATTERNS_FILE = Path(__file__).with_name("accuracy_patterns.yaml")
MAX_LINE_CHARS = 1 << 20


@dataclass(frozen=True)
class MetricPattern:
    name: str
    regex: re.Pattern[str]
    anchors: tuple[str, ...]

    def match(self, line: str, max_repeats: int) -> tuple[str | None, bool]:
        """(captured text or None, whether the line was refused for repeating an anchor)."""
        if not any(a in line for a in self.anchors):
            return None, False
        if max(line.count(a) for a in self.anchors) > max_repeats:
            return None, True
        found = self.regex.match(line)
        return (found.group(1) if found else None), False


@dataclass(frozen=True)
class PatternTable:
    """One round's patterns, plus the ``hash=`` pattern."""

    round: str
    metrics: dict[str, MetricPattern]
    hash_regex: re.Pattern[str]
    max_anchor_repeats: int

    def subset(self, names: tuple[str, ...]) -> list[MetricPattern]:
        return [self.metrics[n] for n in names if n in self.metrics]


class _PatternEntry(TypedDict):
    regex: str
    anchors: list[str]


class _PatternFile(TypedDict):
    """The shape of ``accuracy_patterns.yaml``."""

    hash: str
    max_anchor_repeats: int
    rounds: dict[str, dict[str, _PatternEntry]]
    extra: NotRequired[dict[str, _PatternEntry]]


@cache
def _table_data() -> _PatternFile:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    # yaml.load returns Any; the file ships with the package and
    # tests/scoring/test_accuracy_text.py checks its shape, so it is not re-checked per load.
    return cast(_PatternFile, yaml.load(PATTERNS_FILE.read_text(encoding="utf-8"), Loader=loader))


@cache
def pattern_table(round_name: str) -> PatternTable:
    """The accuracy patterns of a round (``v4.0`` … ``v6.0``); KeyError for an unknown one."""
    data = _table_data()
    entries = {**data.get("extra", {}), **data["rounds"][round_name]}
    return PatternTable(
        round=round_name,
        metrics={
            name: MetricPattern(name, re.compile(e["regex"]), tuple(e["anchors"]))
            for name, e in entries.items()
        },
        hash_regex=re.compile(data["hash"]),
        max_anchor_repeats=int(data["max_anchor_repeats"]),
    )


def latest_round() -> str:
    data = _table_data()
    return sorted(data["rounds"], key=lambda n: tuple(int(x) for x in n[1:].split(".")))[-1]


@dataclass(frozen=True)
class Match:
    """One line's value for one metric: as written, and as a number when it is one."""

    line_no: int  # 0-based
    text: str

    @property
    def number(self) -> float | None:
        try:
            value = float(self.text)
        except ValueError:
            return None
        return value if math.isfinite(value) else None


@dataclass(frozen=True)
class AccuracyText:
    """Every line's matches for every metric of the table, and the ``hash=`` lines."""

    lines: tuple[str, ...]
    matches: dict[str, tuple[Match, ...]]
    hash_lines: tuple[Match, ...]
    refused_lines: tuple[int, ...] = field(default=())

    def last(self, name: str) -> Match | None:
        found = self.matches.get(name, ())
        return found[-1] if found else None

    def values(self, name: str) -> list[float | None]:
        return [m.number for m in self.matches.get(name, ())]

    @property
    def hash_value(self) -> str | None:
        return self.hash_lines[-1].text if self.hash_lines else None


def split_lines(text: str) -> tuple[str, ...]:
    """Lines as ``for line in open(path)`` yields them (universal newlines), without ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    return tuple(line[:MAX_LINE_CHARS] for line in text.split("\n")) if text else ()


@cache
def _any_anchor(anchors: frozenset[str]) -> re.Pattern[str]:
    """One pattern finding any of ``anchors``: a line without one cannot match any metric
    pattern, so it is passed over in one search (an accuracy.txt can hold thousands of lines,
    most of them per-sample output no pattern is about)."""
    if not anchors:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile("|".join(re.escape(a) for a in sorted(anchors, key=len, reverse=True)))


def parse(text: str, table: PatternTable, names: tuple[str, ...] | None = None) -> AccuracyText:
    """Match every line against the metric patterns of ``table`` (those in ``names``, or all)
    and the hash pattern."""
    lines = split_lines(text)
    wanted = {n: p for n, p in table.metrics.items() if names is None or n in names}
    matches: dict[str, list[Match]] = {name: [] for name in wanted}
    hashes: list[Match] = []
    refused: list[int] = []
    has_anchor = _any_anchor(frozenset(a for p in wanted.values() for a in p.anchors)).search
    for n, line in enumerate(lines):
        if line.startswith("hash=") and (found := table.hash_regex.match(line)):
            hashes.append(Match(n, found.group(1)))
        if not has_anchor(line):
            continue
        for name, pattern in wanted.items():
            value, was_refused = pattern.match(line, table.max_anchor_repeats)
            if was_refused and n not in refused:
                refused.append(n)
            if value is not None:
                matches[name].append(Match(n, value))
    return AccuracyText(
        lines=lines,
        matches={k: tuple(v) for k, v in matches.items() if v},
        hash_lines=tuple(hashes),
        refused_lines=tuple(refused),
    )
