"""JSON from a bundle, parsed with limits (house style §18).

``json.loads`` raises ``RecursionError`` on input nested a few thousand levels deep and
``ValueError`` on an integer of more than 4,300 digits; strings may hold lone surrogates
(``"\\ud800"``) that cannot be printed or encoded. :func:`loads` refuses nesting deeper than
``max_depth`` and integers longer than ``max_int_digits`` with a :class:`ParseError`, and
replaces lone surrogates with U+FFFD. ``NaN`` and ``Infinity`` are kept as floats, because the
official checker (Python's ``json``) reads them so; the truth checks then report them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from validator.parsing import ParseError

MAX_DEPTH = 200  # real files nest < 10; json.loads fails near 1,000
MAX_INT_DIGITS = 4300  # Python's own limit, where the official checker fails too

# A JSON string (escapes included) or one bracket. The alternatives inside the string are
# disjoint, so matching is linear in the input.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")


def nesting_depth(text: str, stop_at: int) -> int:
    """The deepest bracket nesting outside strings, counting up to ``stop_at`` only."""
    if text.count("[") + text.count("{") < stop_at:
        return 0  # cannot reach the limit: skip the scan (the common case)
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


def loads(text: str, *, max_depth: int = MAX_DEPTH, max_int_digits: int = MAX_INT_DIGITS) -> Any:
    """Parse ``text`` within the limits; raises :class:`ParseError` with a short reason."""
    if nesting_depth(text, max_depth) >= max_depth:
        raise ParseError(
            f"is nested more than {max_depth} levels deep", hint="Submit the file as written."
        )
    try:
        value = json.loads(text, parse_int=_bounded_int(max_int_digits))
    except json.JSONDecodeError as exc:
        raise ParseError(f"is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:  # the depth scan makes this unreachable; kept as a last guard
        raise ParseError(f"is nested more than {max_depth} levels deep") from None
    return _clean(value)
