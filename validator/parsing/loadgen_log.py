"""LoadGen logs (spec §3): ``mlperf_log_detail.txt`` (one ``:::MLLOG {json}`` per line) and
``mlperf_log_summary.txt`` (human-readable ``name : value`` lines).

Like the official checker's ``MLPerfLog`` we keep the *first* value of each key, and collect
every entry whose metadata says ``is_error`` (VALID and errors can coexist, spec §4.2 item 2).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from validator.parsing import ParseError

_PREFIX = ":::MLLOG "
_MISSING = object()


@dataclass(frozen=True)
class DetailLog:
    path: Path
    values: dict[str, Any]
    errors: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def has(self, key: str) -> bool:
        return key in self.values

    @property
    def num_errors(self) -> int:
        """Errors logged as entries, or the log's own ``num_errors`` count if that is larger."""
        counted = self.values.get("num_errors")
        counted = counted if isinstance(counted, int) else 0
        return max(len(self.errors), counted)


def read_detail_log(path: Path) -> DetailLog:
    """Parse a detail log. Raises :class:`ParseError` when it holds no MLLOG line at all."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ParseError(f"cannot read {path.name}: {exc.strerror}") from exc
    values: dict[str, Any] = {}
    errors: list[str] = []
    warnings: list[str] = []
    bad_lines = 0
    for line in text.splitlines():
        start = line.find(_PREFIX)
        if start < 0:
            continue
        try:
            entry = json.loads(line[start + len(_PREFIX) :])
            key = entry["key"]
        except (ValueError, KeyError, TypeError):
            bad_lines += 1
            continue
        value = entry.get("value")
        if key not in values:
            values[key] = value
        metadata = entry.get("metadata") or {}
        if isinstance(metadata, dict):
            if metadata.get("is_error"):
                errors.append(str(value))
            elif metadata.get("is_warning"):
                warnings.append(str(value))
    if not values:
        raise ParseError(
            f"{path.name} holds no ':::MLLOG {{...}}' lines"
            + (f" ({bad_lines} malformed)" if bad_lines else "")
        )
    return DetailLog(path=path, values=values, errors=tuple(errors), warnings=tuple(warnings))


_SUMMARY_LINE = re.compile(r"^\s*([^:]+?)\s*:\s*(.+?)\s*$")


def read_summary_log(path: Path) -> dict[str, str]:
    """The ``name : value`` pairs of a summary log, first occurrence of each name."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ParseError(f"cannot read {path.name}: {exc.strerror}") from exc
    pairs: dict[str, str] = {}
    for line in text.splitlines():
        match = _SUMMARY_LINE.match(line)
        if match and match.group(1) not in pairs:
            pairs[match.group(1)] = match.group(2)
    return pairs
