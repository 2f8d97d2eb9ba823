"""LoadGen logs (spec §3): ``mlperf_log_detail.txt`` (one ``:::MLLOG {json}`` per line) and
``mlperf_log_summary.txt`` (human-readable ``name : value`` lines).

Like the official checker's ``MLPerfLog`` we keep the *first* value of each key, read only
lines that *start* with the marker, and collect every entry whose metadata says ``is_error``
(VALID and errors can coexist, spec §4.2 item 2). A marker line that is not valid JSON makes
the official parser stop (``RuntimeError``); we count such lines in ``malformed_lines`` so the
checks can say so.

Speed: a detail log is ~170 KB, mostly a few long values no check reads (the 24,576-entry
``loaded_qsl_set``). A line written in LoadGen's own shape is cut with ``str.find`` and its
value checked by a linear pattern; only a line in another shape is decoded with ``json``. The
result is the same as decoding every line, at a third of the cost.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from validator.parsing import ParseError, safe_json
from validator.parsing.files import DETAIL_LOG_LIMIT, TEXT_LIMIT, read_text

MARKER = ":::MLLOG"
ENDPOINTS_MARKER = ":::ENDPTS"  # MLPerf Endpoints logs (the v6.0 parser accepts them)

# One MLLOG entry as LoadGen writes it (spec §3):
#   {"key": "K", "value": V, "time_ms": T, "namespace": "N", "event_type": "E",
#    "metadata": {"is_error": false, "is_warning": false, "file": "F", "line_no": L, ...}}
_KEY_START = ' {"key": "'
_VALUE_START = '", "value": '
_VALUE_END = ', "time_ms": '
_TAIL = re.compile(
    r', "time_ms": -?[0-9][0-9.eE+-]*, "namespace": "[^"\\]*", "event_type": "[^"\\]*", '
    r'"metadata": \{[^{}"\\]*(?:"[^"\\]*"[^{}"\\]*)*\}\}'
)
# Values that are certainly valid JSON without decoding them (everything else is decoded).
_SIMPLE_VALUE = re.compile(r'-?[0-9][0-9.eE+-]*|true|false|null|NaN|-?Infinity|"[^"\\]*"|\[\]')
# Values longer than this are not decoded to check them: only ``loaded_qsl_set`` (24,576 to
# 204,800 integers) is that long, and no check reads it; decoding it would cost more than all
# the rest of the log.
_UNREAD_VALUE_CHARS = 4096
_KEY_TEXT = re.compile(r'[^"\\]*')


@dataclass
class DetailLog:
    """The first value of each key (decoded on first use) and the logged errors/warnings."""

    path: Path
    raw: dict[str, str]
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    malformed_lines: int = 0
    first_line_is_marker: bool = True
    _decoded: dict[str, Any] = field(default_factory=dict, repr=False)

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self.raw:
            return default
        if key not in self._decoded:
            try:
                self._decoded[key] = safe_json.loads(self.raw[key])
            except ParseError:
                self._decoded[key] = self.raw[key]
        return self._decoded[key]

    def has(self, key: str) -> bool:
        return key in self.raw

    @property
    def num_errors(self) -> int:
        """Errors logged as entries, or the log's own ``num_errors`` count if that is larger."""
        counted = self.get("num_errors")
        counted = counted if isinstance(counted, int) and not isinstance(counted, bool) else 0
        return max(len(self.errors), counted)

    def official_has_error(self, *, counts_entries_only: bool) -> bool:
        """The official ``MLPerfLog.has_error()``: up to v5.1 the ``num_errors`` value when the
        key is present (compared with ``!= 0``), else the error entries; the v6.0 parser
        counts the error entries only."""
        if not counts_entries_only and self.has("num_errors"):
            return bool(self.get("num_errors") != 0)
        return bool(self.errors)


def _split_fast(rest: str) -> tuple[str, str, str] | None:
    """(key, raw value, metadata text) of a line in LoadGen's exact shape, else None."""
    if not rest.startswith(_KEY_START):
        return None
    key_end = rest.find(_VALUE_START, len(_KEY_START))
    if key_end < 0:
        return None
    key = rest[len(_KEY_START) : key_end]
    value_end = rest.rfind(_VALUE_END)
    if value_end <= key_end or not _KEY_TEXT.fullmatch(key):
        return None
    tail = rest[value_end:]
    if not _TAIL.fullmatch(tail.rstrip()):
        return None
    value = rest[key_end + len(_VALUE_START) : value_end]
    if len(value) <= _UNREAD_VALUE_CHARS and not _SIMPLE_VALUE.fullmatch(value):
        try:
            safe_json.loads(value)
        except ParseError:
            return None
    return key, value, tail[tail.rfind('"metadata": ') :]


def _split_general(rest: str) -> tuple[str, str, bool, bool] | None:
    try:
        entry = safe_json.loads(rest)
    except ParseError:
        return None
    if not isinstance(entry, dict) or "key" not in entry:
        return None
    metadata = entry.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    try:
        value = json.dumps(entry.get("value"))
    except ValueError:
        return None
    return (
        str(entry["key"]),
        value,
        metadata.get("is_error") is True,
        metadata.get("is_warning") is True,
    )


def parse_detail_log(text: str, path: Path) -> DetailLog:
    raw: dict[str, str] = {}
    errors: list[str] = []
    warnings: list[str] = []
    malformed = 0
    lines = text.split("\n")
    first = lines[0].rstrip() if lines else ""
    for line in lines:
        line = line.rstrip()
        if not line.startswith(MARKER):
            continue
        rest = line[len(MARKER) :]
        fast = _split_fast(rest)
        if fast is not None:
            key, value, meta = fast
            is_error = '"is_error": true' in meta
            is_warning = '"is_warning": true' in meta
        else:
            general = _split_general(rest)
            if general is None:
                malformed += 1
                continue
            key, value, is_error, is_warning = general
        key = safe_json.clean_text(key)
        raw.setdefault(key, value)
        if is_error:
            errors.append(_message(value))
        elif is_warning:
            warnings.append(_message(value))
    if not raw:
        raise ParseError(
            f"{path.name} holds no ':::MLLOG {{...}}' lines"
            + (f" ({malformed} malformed)" if malformed else ""),
            hint="Submit mlperf_log_detail.txt exactly as LoadGen wrote it.",
        )
    return DetailLog(
        path,
        raw,
        tuple(errors),
        tuple(warnings),
        malformed,
        first.startswith((MARKER, ENDPOINTS_MARKER)),
    )


def _message(raw_value: str) -> str:
    try:
        value = safe_json.loads(raw_value)
    except ParseError:
        value = raw_value
    return safe_json.clean_text(str(value))[:2000]


def read_detail_log(path: Path, root: Path | None = None) -> DetailLog:
    """Parse a detail log. Raises :class:`ParseError` when it cannot be read or holds no MLLOG
    line at all."""
    return parse_detail_log(read_text(path, DETAIL_LOG_LIMIT, root=root), path)


# "name : value": the name has no colon; both sides trimmed. Lines are capped first and the
# pattern has no nested quantifiers over the same characters, so matching is linear.
_SUMMARY_LINE = re.compile(r"([^:]*):(.*)")
MAX_SUMMARY_LINE = 512


def parse_summary_log(text: str) -> dict[str, str]:
    """The ``name : value`` pairs of a summary log, first occurrence of each name."""
    pairs: dict[str, str] = {}
    for line in text.splitlines():
        if len(line) > MAX_SUMMARY_LINE:
            continue  # LoadGen's summary lines are short; a longer one is not a pair
        match = _SUMMARY_LINE.fullmatch(line)
        if not match:
            continue
        name, value = match.group(1).strip(), match.group(2).strip()
        if name and value and name not in pairs:
            pairs[name] = value
    return pairs


def read_summary_log(path: Path, root: Path | None = None) -> dict[str, str]:
    return parse_summary_log(read_text(path, TEXT_LIMIT, root=root))


def read_values(path: Path, keys: tuple[str, ...], root: Path | None = None) -> tuple[Any, ...]:
    """The first value of a few keys, without parsing the rest of the log (round detection
    reads the seeds of every performance log before the checks parse them fully)."""
    try:
        text = read_text(path, DETAIL_LOG_LIMIT, root=root)
    except ParseError:
        return tuple(None for _ in keys)
    values = []
    for key in keys:
        marker = f"{MARKER}{_KEY_START}{key}{_VALUE_START}"
        start = text.find(marker)
        end = text.find(_VALUE_END, start) if start >= 0 else -1
        value: Any = None
        if end > start >= 0:
            try:
                value = safe_json.loads(text[start + len(marker) : end])
            except ParseError:
                value = None
        values.append(value)
    return tuple(values)
