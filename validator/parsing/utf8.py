"""Where a bundle's text stops being UTF-8, and whether the official checker's reading meets it.

The checkers open every text file they read as UTF-8 (explicitly or by the locale) and Python's
reader raises ``UnicodeDecodeError`` on a byte sequence that is not UTF-8. Where that happens
decides the verdict: outside any ``try`` the checker stops; inside one the result fails. A
text-mode reader decodes the file in chunks of 8 KiB, so a loop that stops early (``break``)
meets a bad byte only within the chunks it has read; ``readlines()``, ``json.load`` and the
LoadGen log parsers read everything.

The check is one pass over the bytes (``isascii``, which LoadGen's logs pass) and a strict
decode only for files that hold other bytes, so no file is decoded twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CHUNK = 8192  # io.TextIOWrapper's _CHUNK_SIZE: what a text-mode read decodes at a time
_LINE_END = re.compile(rb"\r\n|\r|\n")


@dataclass(frozen=True)
class NotUtf8:
    """The first byte sequence of a file that is not UTF-8."""

    offset: int  # of its first byte
    value: int  # that byte
    at_end: bool  # a sequence cut off by the end of the file (met only when reading to EOF)
    line_ends: tuple[int, ...]  # offset just past each line (universal newlines)

    @property
    def line(self) -> int:
        """The 0-based line holding it."""
        return sum(1 for end in self.line_ends if end <= self.offset)

    def describe(self, name: str) -> str:
        return (
            f"{name} is not UTF-8 text: byte 0x{self.value:02x} at offset {self.offset} "
            f"(line {self.line + 1})"
        )

    def met_by_loop_stopping_after(self, line: int | None) -> bool:
        """Whether ``for line in open(path, encoding="utf-8")`` meets it when the loop stops
        after line ``line`` (0-based; None: it reads to the end)."""
        if line is None or line >= len(self.line_ends):
            return True
        if self.at_end:
            return False  # the reader raises it only when it reaches the end of the file
        decoded = -(-self.line_ends[line] // CHUNK) * CHUNK
        return self.offset < decoded


def decode(data: bytes) -> tuple[str, NotUtf8 | None]:
    """The text (bytes that are not UTF-8 become U+FFFD) and where it stops being UTF-8."""
    if data.isascii():
        return data.decode("ascii"), None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), find_not_utf8(data)


def find_not_utf8(data: bytes) -> NotUtf8 | None:
    """Where ``data`` stops being UTF-8, or None when it is UTF-8 throughout."""
    if data.isascii():
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        ends = tuple(m.end() for m in _LINE_END.finditer(data))
        if not data.endswith((b"\n", b"\r")):
            ends += (len(data),)
        cut = exc.reason == "unexpected end of data"
        return NotUtf8(exc.start, data[exc.start], cut, ends)
    return None
