"""JSON from a bundle, parsed with limits (house style §18).

``json.loads`` raises ``RecursionError`` on input nested about a thousand levels deep and
``ValueError`` on an integer of more than 4,300 digits; strings may hold lone surrogates
(``"\\ud800"``) that cannot be printed or encoded. :func:`loads` refuses nesting of
``max_depth`` levels or more and integers longer than ``max_int_digits`` with a
:class:`ParseError`, and replaces lone surrogates with U+FFFD. ``NaN`` and ``Infinity`` are kept
as floats, because the official checker (Python's ``json``) reads them so; the truth checks then
report them.

No parsed value nests deeper than :data:`MAX_DEPTH` (code that walks a value, printing or
pickling it, recurses). A document the official checkers read whole is refused only where their
``json.load`` fails (``max_depth`` from the round's rules, close to Python's recursion limit):
below that it is read with the stack it takes, and every container nested deeper than
``MAX_DEPTH`` is cut to a stand-in of the same type and emptiness, so the value keeps what the
checks look at (its type, its keys, what is empty) and nothing downstream recurses deeper.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Callable
from typing import Any

from validator.parsing import ParseError

MAX_DEPTH = 200  # real files nest < 10; json.loads fails near 1,000
CUT = "\u2026"  # what a container nested deeper than MAX_DEPTH holds instead of its items
MAX_INT_DIGITS = 4300  # Python's own limit, where the official checker fails too

# A JSON string (escapes included) or one bracket. A string left open runs to the end of the
# text, as json reads it: were the closing quote required, every quote after an open one would
# start a scan to the end (a text of 8 MB would take hours). Possessive, so nothing backtracks.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")


def nesting_depth(text: str, stop_at: int) -> int:
    """The deepest bracket nesting outside strings, counting up to ``stop_at`` only; 0 for a
    text that cannot nest ``stop_at`` or ``MAX_DEPTH`` levels deep."""
    if text.count("[") + text.count("{") < min(stop_at, MAX_DEPTH):
        return 0  # cannot reach either bound: skip the scan (the common case)
    depth = deepest = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest >= stop_at:
                return deepest
        elif token in "]}":
            depth -= 1
    return deepest


def _bounded_int(max_digits: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if len(text.lstrip("-")) > max_digits:
            raise ParseError(
                f"holds an integer of {len(text)} digits", hint="Numbers are never that long."
            )
        return int(text)

    return parse


def clean_text(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD (they cannot be encoded or printed)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): _clean(v) for k, v in value.items()}
    return value


def _cut(value: Any, depth: int) -> Any:
    """``value`` (at nesting ``depth``) with every container below MAX_DEPTH cut."""
    if not isinstance(value, list | dict):
        return value
    if depth >= MAX_DEPTH:
        if not value:
            return value
        return [CUT] if isinstance(value, list) else {CUT: CUT}
    if isinstance(value, list):
        return [_cut(v, depth + 1) for v in value]
    return {k: _cut(v, depth + 1) for k, v in value.items()}


_DEEP = threading.Lock()  # one deep parse at a time: it raises the process's recursion limit


def _decode(text: str, max_int_digits: int, depth: int) -> Any:
    if depth < MAX_DEPTH:
        return _clean(json.loads(text, parse_int=_bounded_int(max_int_digits)))
    with _DEEP:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(limit + depth + 100)  # json and _cut recurse once per level
        try:
            value = json.loads(text, parse_int=_bounded_int(max_int_digits))
            return _clean(_cut(value, 1))
        finally:
            sys.setrecursionlimit(limit)


def loads(text: str, *, max_depth: int = MAX_DEPTH, max_int_digits: int = MAX_INT_DIGITS) -> Any:
    """Parse ``text`` within the limits; raises :class:`ParseError` with a short reason."""
    depth = nesting_depth(text, max_depth)
    if depth >= max_depth:
        raise ParseError(
            f"is nested {max_depth} levels deep or more", hint="Submit the file as written."
        )
    try:
        return _decode(text, max_int_digits, depth)
    except json.JSONDecodeError as exc:
        raise ParseError(f"is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:  # the depth scan makes this unreachable; kept as a last guard
        raise ParseError(f"is nested {max_depth} levels deep or more") from None
