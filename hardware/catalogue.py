"""Accelerator names as written by submitters -> catalogue entries (``accelerators.yaml``).

``systems/*.json`` holds ``accelerator_model_name`` as free text: the same chip is spelled
``NVIDIA H100-SXM-80GB``, ``H100-SXM-80GB``, ``NVIDIA H100 80GB HBM3`` or
``Virtualized NVIDIA H100-SXM-80GB``, and one string can describe a heterogeneous cluster
(``... MI300X ... (x32), ... MI325X ... (x16)``). The patterns live in the YAML table, so a
new spelling or chip is a data change; this module only normalises and matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from hardware.spec import CPU_ONLY, AcceleratorSpec

CATALOGUE_PATH = Path(__file__).with_name("accelerators.yaml")

_CPU_ONLY_SPELLINGS = frozenset({"n/a", "na", "none", "cpu", "cpu only", "cpu-only"})
_MARKS = re.compile(r"\((?:r|tm)\)|[®™]", re.IGNORECASE)
_OEM_TAG = re.compile(r"^\s*\[[^\]]*\]\s*")
_VIRTUALISED = re.compile(r"^\s*virtuali[sz]ed\s+", re.IGNORECASE)
_COUNT_SUFFIX = re.compile(r"\(\s*x\s*(\d+)\s*\)", re.IGNORECASE)
_OTHER_SUFFIX = re.compile(r"\((?:[^)]*\b(?:power cap|cap|w)\b[^)]*)\)", re.IGNORECASE)
# Heterogeneous strings list parts with ", " or " and ".
_PART_SEPARATOR = re.compile(r"\s*,\s*|\s+and\s+", re.IGNORECASE)


class CatalogueError(ValueError):
    """The catalogue file itself is broken (a maintainer's mistake, reported with the fix)."""


@dataclass(frozen=True)
class _Entry:
    spec: AcceleratorSpec
    patterns: tuple[re.Pattern[str], ...]


@cache
def _entries(path: Path = CATALOGUE_PATH) -> tuple[_Entry, ...]:
    """Load and compile the YAML table once per process (it never changes at run time)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries: list[_Entry] = []
    seen: set[str] = set()
    for position, item in enumerate(raw.get("accelerators", [])):
        try:
            patterns = tuple(re.compile(p, re.IGNORECASE) for p in item.pop("patterns"))
            spec = AcceleratorSpec(**item)
        except (KeyError, TypeError, re.error) as exc:
            raise CatalogueError(
                f"{path}: entry #{position + 1} is malformed ({exc}); every entry needs key, "
                "vendor, family, model, memory_gb, peak_dense_tflops, peak_precision, "
                "memory_bandwidth_tbs, source and a list of valid regex patterns"
            ) from exc
        if spec.key in seen:
            raise CatalogueError(f"{path}: key {spec.key!r} appears twice; keys must be unique")
        seen.add(spec.key)
        entries.append(_Entry(spec, patterns))
    return tuple(entries)


def catalogue() -> tuple[AcceleratorSpec, ...]:
    """Every known accelerator, in catalogue order (CPU-only marker first)."""
    return (CPU_ONLY, *(entry.spec for entry in _entries()))


def normalise(name: str) -> str:
    """Lower-case a submitted name and strip marks, OEM tags, 'Virtualized' and suffixes."""
    text = _MARKS.sub("", name)
    text = _OEM_TAG.sub("", text)
    text = _VIRTUALISED.sub("", text)
    text = _COUNT_SUFFIX.sub("", text)
    text = _OTHER_SUFFIX.sub("", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def _match_one(part: str) -> AcceleratorSpec | None:
    text = normalise(part)
    if text in _CPU_ONLY_SPELLINGS:
        return CPU_ONLY
    for entry in _entries():
        if any(pattern.search(text) for pattern in entry.patterns):
            return entry.spec
    return None


def _split_parts(name: str) -> list[str]:
    return [part for part in _PART_SEPARATOR.split(name.strip()) if part]


def parse_accelerators(name: str) -> list[tuple[AcceleratorSpec | None, int | None]]:
    """Split a possibly heterogeneous name into (spec, count) pairs.

    ``count`` is the ``(xN)`` suffix as written (``None`` when absent: the count then comes
    from ``accelerators_per_node``). An unknown part yields ``(None, count)`` so the caller can
    show the raw name instead of dropping the row.
    """
    pairs: list[tuple[AcceleratorSpec | None, int | None]] = []
    for part in _split_parts(name):
        count_match = _COUNT_SUFFIX.search(part)
        count = int(count_match.group(1)) if count_match else None
        pairs.append((_match_one(part), count))
    return pairs


def identify(name: str) -> AcceleratorSpec | None:
    """The catalogue entry for one accelerator name, or ``None`` when unknown.

    ``N/A`` gives the CPU-only marker (``spec.is_cpu_only``), not ``None``. A heterogeneous
    string naming several different models gives ``None``: there is no single answer, use
    :func:`parse_accelerators` for it.
    """
    specs = {spec for spec, _ in parse_accelerators(name)}
    if len(specs) != 1:
        return None
    return specs.pop()


def unknown_names(names: Iterable[str]) -> list[str]:
    """The names (sorted, unique) that do not fully map, for the maintainers' list."""
    return sorted(
        {name for name in names if any(spec is None for spec, _ in parse_accelerators(name))}
    )
