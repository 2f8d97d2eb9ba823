"""Query parameters of the pages and the read API: one table, one parser, problems collected.

Anyone can type a URL, so every value is checked before it is used, and a bad one becomes a
:class:`Problem` (stable code, the parameter, a message saying what to send instead) rather
than a guess or a traceback: the pages show problems and fall back to the default of that one
field; the API answers 400 with all of them. Checks here need no database; whether a benchmark
or a round exists is :func:`leaderboard.queries.unknown_values`.

Hostile input this refuses: integers with non-ASCII digits (``²``, ``١٢``), thousands of
digits, signs or out-of-range values; NaN, Infinity and exponents; control characters; a
single-valued parameter given twice; values or lists longer than the limits below; parameter
names the endpoint does not know (API only: pages ignore names that are not theirs, since
Streamlit's history can hand a page another page's parameters).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Final, Literal, TypeVar

from leaderboard.filters import LIST_FILTER_NAMES, MAX_ACCELERATORS, SORT_COLUMNS, Filters
from leaderboard.normalisation import Normalisation

Kind = Literal["text", "list", "int", "float", "choice", "bool"]
# A checked value: text and choice -> str, int -> int, float -> float, bool -> bool,
# list -> tuple[str, ...] (read them through ParsedQuery's typed accessors)
Value = str | int | float | bool | tuple[str, ...]
_T = TypeVar("_T")
MAX_VALUE_CHARS: Final = 500
MAX_LIST_ITEMS: Final = 100
MAX_ROWS: Final = 1_000_000
_INTEGER = re.compile(r"[0-9]{1,9}")
_DECIMAL = re.compile(r"[0-9]{1,7}(?:\.[0-9]{1,9})?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Param:
    """One query parameter: its kind, what it means, and its allowed values or range."""

    kind: Kind
    help: str
    choices: tuple[str, ...] = ()
    low: float = 0
    high: float = 0


@dataclass(frozen=True)
class Problem:
    """A query parameter that cannot be used as given (``code`` is stable)."""

    code: str
    parameter: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "parameter": self.parameter, "message": self.message}


def _list_help(what: str) -> str:
    return f"{what}; several as a comma-separated list or repeated parameters"


# Filled in below from the filters table, so a new list filter needs no entry here.
PARAMETERS: dict[str, Param] = {
    "benchmark": Param("text", "MLPerf benchmark, e.g. llama2-70b-99 (the default)"),
    "scenario": Param("text", "Offline (the default), Server, Interactive, SingleStream, ..."),
    "min_accelerators": Param(
        "int", "at least this many accelerators in total", low=0, high=MAX_ACCELERATORS
    ),
    "max_accelerators": Param(
        "int", "at most this many accelerators in total", low=0, high=MAX_ACCELERATORS
    ),
    "search": Param("text", "text in the system name or id, submitter, accelerator or framework"),
    "normalisation": Param(
        "choice",
        "per_accelerator (the default), reported, per_node or per_watt; anything but "
        "'reported' is derived, not an official MLPerf result",
        choices=tuple(n.value for n in Normalisation),
    ),
    "sort": Param(
        "choice", "column to sort by (default metric)", choices=tuple(sorted(SORT_COLUMNS))
    ),
    "descending": Param("bool", "1 (the default) or 0"),
    "columns": Param("list", _list_help("columns to return, in order (default: the table's)")),
    "chart": Param("choice", "the leaderboard page's chart"),
    "interactivity": Param(
        "float", "tokens per second per user to read the frontier at", low=0.001, high=100_000
    ),
    "limit": Param("int", "at most this many rows (default: all)", low=1, high=MAX_ROWS),
    "offset": Param("int", "skip this many rows first (default 0)", low=0, high=MAX_ROWS),
    "systems": Param("list", _list_help("two to four system ids to compare")),
    "system": Param("text", "one system id: round/division/submitter/system"),
    "as_of": Param(
        "int",
        "a published snapshot's version: the numbers as they were then, while it is kept "
        "(default: the newest)",
        low=1,
        high=99_999_999,
    ),
}
for _name in LIST_FILTER_NAMES:
    PARAMETERS[_name] = Param("list", _list_help(f"only these {_name.replace('_', ' ')}"))
PARAMETERS["provenance"] = Param(
    "list",
    _list_help(
        "only results of these sources: published (by MLCommons), checked (by Inferboard), "
        "accepted (a submission an Inferboard maintainer accepted); default published,checked "
        "(the official results), empty for all"
    ),
)

FILTER_PARAMS: Final = frozenset(
    {"benchmark", "scenario", *LIST_FILTER_NAMES, "min_accelerators", "max_accelerators"}
    | {"search", "normalisation"}
)
VIEW_PARAMS: Final = frozenset({"sort", "descending", "columns"})


@dataclass(frozen=True)
class ParsedQuery:
    """Checked values by parameter name, and every problem found (empty when all is well).

    Read a value through the accessor of its parameter's kind (:meth:`text`, :meth:`integer`,
    :meth:`number`, :meth:`flag`, :meth:`items`): each returns None when the query did not give
    it, and raises TypeError when asked for a parameter of another kind (a caller's bug: the
    kind is in :data:`PARAMETERS`).
    """

    values: dict[str, Value] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    def text(self, name: str) -> str | None:
        """A text or choice parameter."""
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        raise _wrong_kind(name, "text")

    def integer(self, name: str) -> int | None:
        """A whole-number parameter."""
        value = self.values.get(name)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise _wrong_kind(name, "int")

    def number(self, name: str) -> float | None:
        """A decimal-number parameter."""
        value = self.values.get(name)
        if value is None or isinstance(value, float):
            return value
        raise _wrong_kind(name, "float")

    def flag(self, name: str) -> bool | None:
        """A 1/0 parameter."""
        value = self.values.get(name)
        if value is None or isinstance(value, bool):
            return value
        raise _wrong_kind(name, "bool")

    def items(self, name: str) -> tuple[str, ...] | None:
        """A list parameter (duplicates dropped, in the order given)."""
        value = self.values.get(name)
        if value is None or isinstance(value, tuple):
            return value
        raise _wrong_kind(name, "list")

    def filters(self, base: Filters | None = None) -> Filters:
        """The filters these values set, over ``base`` (the defaults). Every field of
        :class:`Filters` is a parameter here (tests/leaderboard/test_params.py checks)."""
        base = base or Filters()
        normalisation = self.text("normalisation")
        filters = replace(
            base,
            benchmark=_given(self.text("benchmark"), base.benchmark),
            scenario=_given(self.text("scenario"), base.scenario),
            min_accelerators=_given(self.integer("min_accelerators"), base.min_accelerators),
            max_accelerators=_given(self.integer("max_accelerators"), base.max_accelerators),
            search=_given(self.text("search"), base.search),
            normalisation=(
                base.normalisation if normalisation is None else Normalisation.parse(normalisation)
            ),
            sort=_given(self.text("sort"), base.sort),
            descending=_given(self.flag("descending"), base.descending),
            columns=_given(self.items("columns"), base.columns),
        )
        for name in LIST_FILTER_NAMES:
            if (chosen := self.items(name)) is not None:
                filters = filters.with_list(name, chosen)
        return filters


def _given(value: _T | None, default: _T) -> _T:
    return default if value is None else value


def _wrong_kind(name: str, asked: Kind) -> TypeError:
    kind = PARAMETERS[name].kind if name in PARAMETERS else "unknown"
    return TypeError(f"query parameter {name!r} is of kind {kind!r}, not {asked!r}")


def _shown(text: str, limit: int = 40) -> str:
    """A value for a message: quoted, cut short, control characters visible."""
    cut = text if len(text) <= limit else text[:limit] + "…"
    return repr(cut)


def _refused(name: str, raw: str) -> Problem | None:
    """What no value of any kind may hold: too many characters, a control character."""
    if len(raw) > MAX_VALUE_CHARS:
        return Problem(
            "query.too_long", name, f"{name} is {len(raw)} characters; at most {MAX_VALUE_CHARS}"
        )
    if _CONTROL.search(raw):
        return Problem("query.control_character", name, f"{name} holds a control character")
    return None


def _list(name: str, raw: str) -> tuple[str, ...] | Problem:
    """A list value: comma-separated, blanks and duplicates dropped."""
    if problem := _refused(name, raw):
        return problem
    return tuple(dict.fromkeys(v.strip() for v in raw.split(",") if v.strip()))


def _one(name: str, spec: Param, raw: str) -> str | int | float | bool | Problem:
    """A single value of any kind but ``list``."""
    if problem := _refused(name, raw):
        return problem
    if spec.kind == "text":
        return raw.strip()
    if spec.kind == "int":
        text = raw.strip()
        if not _INTEGER.fullmatch(text):
            return Problem(
                "query.not_an_integer",
                name,
                f"{name}={_shown(raw)} is not a whole number written with the digits 0-9",
            )
        number = int(text)
        if not spec.low <= number <= spec.high:
            return Problem(
                "query.out_of_range",
                name,
                f"{name}={number} is outside {int(spec.low)}-{int(spec.high)}",
            )
        return number
    if spec.kind == "float":
        text = raw.strip()
        decimal = float(text) if _DECIMAL.fullmatch(text) else math.nan
        if not math.isfinite(decimal):
            return Problem(
                "query.not_a_number",
                name,
                f"{name}={_shown(raw)} is not a decimal number such as 12.5 (digits 0-9, "
                "no sign, exponent, NaN or Infinity)",
            )
        if not spec.low <= decimal <= spec.high:
            return Problem(
                "query.out_of_range", name, f"{name}={text} is outside {spec.low:g}-{spec.high:g}"
            )
        return decimal
    if spec.kind == "bool":
        if raw.strip().lower() in ("1", "true"):
            return True
        if raw.strip().lower() in ("0", "false"):
            return False
        return Problem("query.not_a_boolean", name, f"{name}={_shown(raw)}: use 1 or 0")
    if raw.strip() in spec.choices:
        return raw.strip()
    return Problem(
        "query.unknown_choice",
        name,
        f"{name}={_shown(raw)} is not one of: {', '.join(spec.choices)}",
    )


def parse(
    pairs: Iterable[tuple[str, str]],
    allowed: Iterable[str],
    *,
    strict: bool = True,
    choices: Mapping[str, tuple[str, ...]] | None = None,
) -> ParsedQuery:
    """Check ``pairs`` (name, value; a name may repeat) against the parameters ``allowed``.

    ``strict`` (the API) reports names not in ``allowed``; pages pass ``strict=False``.
    ``choices`` supplies choice lists known only to the caller (the chart registry).
    """
    allowed = frozenset(allowed)
    grouped: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for name, raw in pairs:
        if name not in allowed:
            if strict:
                problems.append(
                    Problem(
                        "query.unknown_parameter",
                        _shown(name),
                        f"unknown parameter {_shown(name)}; this endpoint takes: "
                        + ", ".join(sorted(allowed)),
                    )
                )
            continue
        grouped.setdefault(name, []).append(str(raw))
    values: dict[str, Value] = {}
    for name, raws in grouped.items():
        spec = PARAMETERS[name]
        if choices and name in choices:
            spec = replace(spec, choices=choices[name])
        if spec.kind != "list" and len(raws) > 1:
            problems.append(
                Problem(
                    "query.repeated",
                    name,
                    f"{name} was given {len(raws)} times; give it once",
                )
            )
            continue
        if spec.kind != "list":
            value = _one(name, spec, raws[0])
            if isinstance(value, Problem):
                problems.append(value)
            else:
                values[name] = value
            continue
        lists = [_list(name, raw) for raw in raws]
        bad = [found for found in lists if isinstance(found, Problem)]
        if bad:
            problems.extend(bad[:1])
            continue
        items = tuple(
            dict.fromkeys(v for found in lists if not isinstance(found, Problem) for v in found)
        )
        if len(items) > MAX_LIST_ITEMS:
            problems.append(
                Problem(
                    "query.too_many_values",
                    name,
                    f"{name} lists {len(items)} values; at most {MAX_LIST_ITEMS}",
                )
            )
            continue
        values[name] = items
    low, high = values.get("min_accelerators"), values.get("max_accelerators")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        problems.append(
            Problem(
                "query.empty_range",
                "min_accelerators",
                f"min_accelerators={low} is above max_accelerators={high}",
            )
        )
        values.pop("min_accelerators")
        values.pop("max_accelerators")
    return ParsedQuery(values, tuple(problems))
