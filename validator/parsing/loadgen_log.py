"""LoadGen logs (spec §3): ``mlperf_log_detail.txt`` (one ``:::MLLOG {json}`` per line) and
``mlperf_log_summary.txt`` (human-readable ``name : value`` lines).

Like the official checker's ``MLPerfLog`` we keep the *first* value of each key, and collect
every entry whose metadata says ``is_error`` (VALID and errors can coexist, spec §4.2 item 2).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from validator.parsing import ParseError

_PREFIX = ":::MLLOG "


# One MLLOG entry as LoadGen writes it (spec §3):
#   {"key": "K", "value": V, "time_ms": T, "namespace": ..., "metadata": {"is_error": ...}}
# Values stay raw JSON text until asked for: a detail log is ~170 KB, mostly a few long values
# no check reads, so entries are cut with str.find rather than decoded.
_KEY_START = '{"key": "'
_VALUE_START = '", "value": '
_VALUE_END = ', "time_ms": '
_METADATA = '"metadata": '


class DetailLog:
    """The first value of each key, decoded on first use, and the logged errors/warnings."""

    def __init__(
        self, path: Path, raw: dict[str, str], errors: tuple[str, ...], warnings: tuple[str, ...]
    ) -> None:
        self.path = path
        self._raw = raw
        self._decoded: dict[str, Any] = {}
        self.errors = errors
        self.warnings = warnings

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self._raw:
            return default
        if key not in self._decoded:
            self._decoded[key] = _decode(self._raw[key])
        return self._decoded[key]

    def has(self, key: str) -> bool:
        return key in self._raw

    @property
    def num_errors(self) -> int:
        """Errors logged as entries, or the log's own ``num_errors`` count if that is larger."""
        counted = self.get("num_errors")
        counted = counted if isinstance(counted, int) else 0
        return max(len(self.errors), counted)


def _decode(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _split_entry(body: str) -> tuple[str, str, bool, bool] | None:
    """(key, raw value, is_error, is_warning) of one entry, or None if it is not an entry."""
    if body.startswith(_KEY_START):
        key_end = body.find(_VALUE_START, len(_KEY_START))
        value_end = body.find(_VALUE_END, key_end)
        meta_start = body.rfind(_METADATA)
        if 0 < key_end < value_end < meta_start:
            meta = body[meta_start:]
            return (
                body[len(_KEY_START) : key_end],
                body[key_end + len(_VALUE_START) : value_end],
                '"is_error": true' in meta,
                '"is_warning": true' in meta,
            )
    try:  # an entry written in another shape: the slow, general way
        entry = json.loads(body)
        metadata = entry.get("metadata") or {}
        return (
            str(entry["key"]),
            json.dumps(entry.get("value")),
            bool(isinstance(metadata, dict) and metadata.get("is_error")),
            bool(isinstance(metadata, dict) and metadata.get("is_warning")),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def read_detail_log(path: Path) -> DetailLog:
    """Parse a detail log. Raises :class:`ParseError` when it holds no MLLOG line at all."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ParseError(f"cannot read {path.name}: {exc.strerror}") from exc
    raw: dict[str, str] = {}
    errors: list[str] = []
    warnings: list[str] = []
    bad_lines = 0
    for line in text.splitlines():
        start = line.find(_PREFIX)
        if start < 0:
            continue
        parts = _split_entry(line[start + len(_PREFIX) :])
        if parts is None:
            bad_lines += 1
            continue
        key, value, is_error, is_warning = parts
        raw.setdefault(key, value)
        if is_error:
            errors.append(str(_decode(value)))
        elif is_warning:
            warnings.append(str(_decode(value)))
    if not raw:
        raise ParseError(
            f"{path.name} holds no ':::MLLOG {{...}}' lines"
            + (f" ({bad_lines} malformed)" if bad_lines else "")
        )
    return DetailLog(path, raw, tuple(errors), tuple(warnings))


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


def read_values(path: Path, keys: tuple[str, ...]) -> tuple[Any, ...]:
    """The first value of a few keys, without parsing the rest of the log (round detection
    reads the seeds of every performance log before the checks parse them fully)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return tuple(None for _ in keys)
    values = []
    for key in keys:
        marker = f"{_KEY_START}{key}{_VALUE_START}"
        start = text.find(marker)
        end = text.find(_VALUE_END, start) if start >= 0 else -1
        values.append(_decode(text[start + len(marker) : end]) if end > start else None)
    return tuple(values)
