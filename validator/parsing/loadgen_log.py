"""LoadGen logs (spec §3): ``mlperf_log_detail.txt`` (one ``:::MLLOG {json}`` per line) and
``mlperf_log_summary.txt`` (human-readable ``name : value`` lines).

Like the official checker's ``MLPerfLog`` we keep the *first* value of each key, read only
lines that *start* with the marker, and collect every entry whose metadata says ``is_error``
(VALID and errors can coexist, spec §4.2 item 2).

Speed: a round holds ~850 MB of detail logs, mostly a few long values no check reads
(``loaded_qsl_set``, per-sample accuracy-run entries). A key is found when a check first asks
for it, by a literal search of its line prefix in the bytes (``bytes.find``, far faster than
matching every line), and its value is decoded then, once. Lines the official parser would
refuse (a marker line that is not LoadGen's JSON object) are counted from the structure every
LoadGen line has, so a truncated or hand-edited log is reported, at a fraction of the cost of
decoding every line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from validator.parsing import ParseError, safe_json
from validator.parsing.files import DETAIL_LOG_LIMIT, TEXT_LIMIT, read_bytes, read_head, read_text
from validator.parsing.utf8 import find_not_utf8

MARKER = b":::MLLOG"
ENDPOINTS_MARKER = b":::ENDPTS"  # MLPerf Endpoints logs (the v6.0 parser accepts them)
_FIRST_KEY = re.compile(rb':::MLLOG \{"key": "([^"\\\n]*)", "value": ')
_UNSAFE_KEY = re.compile(r'["\\\n]')  # a key LoadGen's lines cannot hold
_VALUE_END = b', "time_ms": '
_ERROR_FLAG = b'"is_error": true'
_WARNING_FLAG = b'"is_warning": true'
_TAIL = re.compile(
    rb', "time_ms": -?[0-9][0-9.eE+-]*, "namespace": "[^"\\\n]*", "event_type": "[^"\\\n]*", '
    rb'"metadata": \{"is_error": (true|false), "is_warning": (true|false)[^{}\n]*\}\}[ \t\r]*'
)
_MESSAGE_CHARS = 2000
HEAD_BYTES = 32 * 1024  # LoadGen logs its effective settings (seeds within ~21 KB) first


@dataclass
class DetailLog:
    """The first value of each key (found and decoded on first use) and the logged
    errors/warnings."""

    path: Path
    data: bytes = field(repr=False)
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    malformed_lines: int = 0
    first_line_is_marker: bool = True
    _starts: dict[str, int | None] = field(default_factory=dict, repr=False)
    _decoded: dict[str, Any] = field(default_factory=dict, repr=False)
    _index: dict[bytes, int] | None = field(default=None, repr=False)
    _indexed_to: int = field(default=0, repr=False)  # every marker line before it is indexed
    _searched: int = field(default=0, repr=False)  # bytes read by searches for single keys

    def start(self, key: str) -> int | None:
        """Where the first value of ``key`` starts: the first line that starts with the
        marker and this key (as the official parser keeps the first), or None."""
        if key in self._starts:
            return self._starts[key]
        found: int | None = None
        if not _UNSAFE_KEY.search(key):
            encoded = key.encode("utf-8")
            if self._index is None and self._searched >= INDEX_AFTER * len(self.data):
                self._index, self._indexed_to = index_keys(self.data, INDEXED_LINES)
            if self._index is None:  # a log asked a few keys is searched for each
                found = find_key(self.data, encoded)
                self._searched += len(self.data) if found is None else found
            elif encoded in self._index:
                found = self._index[encoded]
            elif self._indexed_to < len(self.data):  # not in the indexed lines: search on
                found = find_key(self.data, encoded, max(self._indexed_to - 1, 0))
        self._starts[key] = found
        return found

    def raw(self, key: str) -> str | None:
        """The value's JSON text as written, or None when the key is absent."""
        start = self.start(key)
        if start is None:
            return None
        line_end = self.data.find(b"\n", start)
        end = self.data.rfind(_VALUE_END, start, line_end if line_end >= 0 else len(self.data))
        chunk = self.data[start : end if end >= 0 else line_end]
        return chunk.decode("utf-8", errors="replace")

    def get(self, key: str, default: Any = None) -> Any:
        if self.start(key) is None:
            return default
        if key not in self._decoded:
            text = self.raw(key) or ""
            try:
                self._decoded[key] = safe_json.loads(text)
            except ParseError:
                self._decoded[key] = text
        return self._decoded[key]

    def has(self, key: str) -> bool:
        return self.start(key) is not None

    @property
    def is_empty(self) -> bool:
        """No line starts with the marker: the official parsers find no entry at all."""
        return not (self.data.startswith(MARKER) or b"\n" + MARKER in self.data)

    @property
    def num_errors(self) -> int:
        """Errors logged as entries, or the log's own ``num_errors`` count if that is larger."""
        counted = self.get("num_errors")
        counted = counted if isinstance(counted, int) and not isinstance(counted, bool) else 0
        return max(len(self.errors), counted)

    def official_has_error(self, *, counts_entries_only: bool) -> bool:
        """The official ``MLPerfLog.has_error()``: in v5.1 the ``num_errors`` value when the
        key is present (compared with ``!= 0``), else the error entries; the other rounds'
        parsers count the error entries only."""
        if not counts_entries_only and self.has("num_errors"):
            return bool(self.get("num_errors") != 0)
        return bool(self.errors)


_LINE_HEAD = b':::MLLOG {"key": "'
_VALUE_SEPARATOR = b'", "value": '
# A log is indexed once searches for single keys have read it twice over: a performance log
# (~120 lines, most of its bytes in one) is asked ~25 keys, mostly results near its end or
# absent; an accuracy log (hundreds of short lines) is asked four, three near its start.
INDEX_AFTER = 2
INDEXED_LINES = 1024


def find_key(data: bytes, key: bytes, offset: int = 0) -> int | None:
    """Where the value of the first line at or after ``offset`` (0, or just before a line
    start) that starts with the marker and ``key`` starts (``key`` holds no quote, backslash
    or line end); None when there is none."""
    prefix = _LINE_HEAD + key + _VALUE_SEPARATOR
    if offset == 0 and data.startswith(prefix):
        return len(prefix)
    at = data.find(b"\n" + prefix, offset)
    return at + 1 + len(prefix) if at >= 0 else None


def index_keys(data: bytes, max_lines: int) -> tuple[dict[bytes, int], int]:
    """Where the value of each key's first marker line starts (what :func:`find_key` finds),
    for the first ``max_lines`` marker lines, and the offset before which every marker line
    is indexed (``len(data)`` when all are). One pass that jumps from marker line to marker
    line, instead of one search through the log per key: a performance log's results are
    asked for one by one, and most of the bytes they follow are one long line."""
    index: dict[bytes, int] = {}
    line_head = b"\n" + _LINE_HEAD
    if data.startswith(_LINE_HEAD):
        line = 0
    else:
        at = data.find(line_head)
        line = at + 1 if at >= 0 else -1
    lines = 0
    while line >= 0 and lines < max_lines:
        key_start = line + len(_LINE_HEAD)
        quote = data.find(b'"', key_start)
        if quote < 0:  # no quote after this: no further line holds a key
            return index, len(data)
        if data.startswith(_VALUE_SEPARATOR, quote):
            index.setdefault(data[key_start:quote], quote + len(_VALUE_SEPARATOR))
        lines += 1
        at = data.find(line_head, key_start)
        line = at + 1 if at >= 0 else -1
    return index, (len(data) if line < 0 else line)


def _line_at(data: bytes, position: int) -> bytes:
    start = data.rfind(b"\n", 0, position) + 1
    end = data.find(b"\n", position)
    return data[start : end if end >= 0 else len(data)]


def _flagged(data: bytes, flag: bytes) -> list[str]:
    """The values of the entries whose metadata carries ``flag`` (errors are rare).

    The flag is looked for from the end first: a log without it (nearly every log) is read
    once by ``rfind``, which runs about twice as fast as ``find`` over LoadGen's long lines of
    numbers (it compares the flag's first byte, a quote, which they lack); a log with it is
    searched forward only up to its last occurrence."""
    last = data.rfind(flag)
    if last < 0:
        return []
    out: list[str] = []
    stop = last + len(flag)  # every occurrence lies before this
    at = data.find(flag, 0, stop)
    while at >= 0 and len(out) < 10_000:
        line = _line_at(data, at)
        if line.startswith(MARKER):
            head = _FIRST_KEY.match(line)
            end = line.rfind(_VALUE_END)
            if head is not None and end > head.end():
                text = line[head.end() : end].decode("utf-8", errors="replace")
                try:
                    value = safe_json.loads(text)
                except ParseError:
                    value = text
                out.append(safe_json.clean_text(str(value))[:_MESSAGE_CHARS])
        next_line = data.find(b"\n", at)
        at = data.find(flag, next_line, stop) if next_line >= 0 else -1
    return out


def _malformed(data: bytes) -> int:
    """Marker lines the official parsers refuse (each makes them refuse the log).

    Decoding every line is what they do, and costs seconds on a round (~2.5 s of CPU for the
    v5.1 round's 936 MB of logs); so the log is first screened for what a sound LoadGen log
    never holds (whole-file tests at memory speed): brackets LoadGen would not write (a line
    without its metadata object, a value replaced by "[[[["), a last line cut short, a NUL
    byte, a carriage return (the checkers' text mode ends a line there). Only a log the screen
    cannot clear is read line by line, as the parsers read it. A corruption that keeps every
    bracket and the last line intact (a digit turned into a letter) passes the screen: the
    values our checks read are decoded, the others are not."""
    if b"\x00" not in data and b"\r" not in data and _brackets_as_loadgen_writes(data):
        tail_start = data.rfind(b"\n" + MARKER) + 1
        last = data[tail_start:]
        if not last.startswith(MARKER) or _TAIL.search(last):
            return 0
    return _refused_lines(data)


_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}\n")


def _brackets_as_loadgen_writes(data: bytes) -> bool:
    """Every line is an object holding the metadata object (at least two '{') and every
    bracket is closed: a line cut short (it loses its closing braces), a line without the
    metadata object, a line that is not LoadGen's or a value replaced by "[[[[" breaks this.
    (Brackets inside strings, rare in LoadGen's logs, only send a sound log to the
    line-by-line reading.)"""
    brackets = data.translate(None, _NOT_BRACKETS)
    lines = brackets.count(b"\n") + (not data.endswith(b"\n"))
    opened = brackets.count(b"{")
    return (
        opened == brackets.count(b"}")
        and opened >= 2 * lines  # more where a value is an object (loadgen_file_sha1)
        and brackets.count(b"[") == brackets.count(b"]")
    )


def _refused_lines(data: bytes) -> int:
    """Marker lines ``MLPerfLog``/``LoadgenParser`` cannot load: text-mode lines (universal
    newlines) stripped on the right, starting with the marker, whose rest ``json.loads`` must
    read as an object with a (hashable) ``key`` and ``metadata.is_error``."""
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    marker = MARKER.decode()
    bad = 0
    for line in text.split("\n"):
        line = line.rstrip()
        if not line.startswith(marker):
            continue
        try:
            message = json.loads(line[len(marker) :])
            hash(message["key"])
            message["metadata"]["is_error"]
        except (ValueError, RecursionError, TypeError, KeyError, IndexError):
            bad += 1
    return bad


def parse_detail_log(data: bytes, path: Path) -> DetailLog:
    """A detail log as the official parsers read it. A file without any ':::MLLOG' line (an
    empty one included) is not an error for them: it is a log of no entries, which each check
    judges (``DetailLog.is_empty``)."""
    errors = _flagged(data, _ERROR_FLAG)
    warnings = _flagged(data, _WARNING_FLAG)
    return DetailLog(
        path=path,
        data=data,
        errors=tuple(errors),
        warnings=tuple(warnings),
        malformed_lines=_malformed(data),
        first_line_is_marker=data.lstrip(b"\xef\xbb\xbf").startswith((MARKER, ENDPOINTS_MARKER))
        or not data,
    )


def read_detail_log(path: Path, root: Path | None = None) -> DetailLog:
    """Parse a detail log. Raises :class:`ParseError` when it cannot be read or is not UTF-8."""
    data = read_bytes(path, DETAIL_LOG_LIMIT, root=root)
    bad = find_not_utf8(data)  # the official parsers read the whole log as UTF-8
    if bad is not None:
        raise ParseError(
            bad.describe(path.name) + ", which the official log parser refuses",
            hint="Submit mlperf_log_detail.txt exactly as LoadGen wrote it.",
        )
    return parse_detail_log(data, path)


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
    """The first value of a few keys (round detection reads the seeds of every performance
    log before the checks parse them)."""
    try:
        head = read_head(path, HEAD_BYTES, root=root)
        log = parse_detail_log(head[: head.rfind(b"\n") + 1] or head, path)
        if not all(log.has(key) for key in keys) and len(head) == HEAD_BYTES:
            log = read_detail_log(path, root)  # a log that logs them later: read it whole
    except ParseError:
        return tuple(None for _ in keys)
    return tuple(log.get(key) for key in keys)
