"""Measurements checks (spec §1, §2): the folder's files, the implementation JSON and the code
folder it points at. Classic rounds keep them in ``measurements/<sys>/<bench>/<scenario>/``
(``<sys>*.json``); v6.0 in the result folder (``measurements.json``, code in ``src/``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from validator.checks.context import ResultContext
from validator.checks.registry import Level, check
from validator.findings import STOPS, Finding
from validator.parsing import ParseError


def _folder(ctx: ResultContext) -> Path:
    return ctx.dirs.measurements(ctx.rules.layout)


@check(
    Level.RESULT,
    codes=(
        "structure.measurements_missing",
        "measurements.file_missing",
        "measurements.file_empty",
        "measurements.power_file_missing",
    ),
)
def check_measurement_files(ctx: ResultContext) -> Iterator[Finding]:
    folder = _folder(ctx)
    if ctx.measurement_files is None:
        yield ctx.found(
            "structure.measurements_missing", folder, "the measurements folder is missing"
        )
        return
    required = list(ctx.common.measurement_files.required)
    if ctx.rules.checker.mlperf_conf_required:
        required.insert(0, "mlperf.conf")
    for name in required:
        if name not in ctx.measurement_files:
            yield ctx.found("measurements.file_missing", folder / name, f"{name} is missing")
            continue
        try:
            empty = (folder / name).stat().st_size == 0
        except OSError:
            empty = True
        if empty:
            yield ctx.found("measurements.file_empty", folder / name, f"{name} is empty")
    if ctx.power is None or ctx.rules.checker.style != "classic":
        return
    for pattern in ctx.common.power_measurement_patterns:
        matches = [(n, size) for n, size in ctx.power.measurement_files if re.match(pattern, n)]
        if not matches:
            yield ctx.found(
                "measurements.power_file_missing",
                folder,
                f"no file matching {pattern!r} in the measurements folder or the three above it",
            )
        elif matches[-1][1] == 0:
            # the checker tests the size of the last match (listing order, innermost first)
            yield ctx.found(
                "measurements.file_empty",
                folder,
                f"{matches[-1][0]} (the file matching {pattern!r} the checker reads last, in "
                "the measurements folder or the three above it) is empty",
            )


@check(
    Level.RESULT,
    codes=(
        "measurements.implementation_missing",
        "measurements.implementation_invalid",
        "measurements.implementation_field_missing",
        "measurements.implementation_field_empty",
    ),
)
def check_implementation(ctx: ResultContext) -> Iterator[Finding]:
    if ctx.measurement_files is None:
        return
    folder = _folder(ctx)
    classic = ctx.rules.checker.style == "classic"
    if ctx.implementation_name is None:
        expected = "measurements.json" if not classic else f"{ctx.dirs.system}*.json"
        yield ctx.found(
            "measurements.implementation_missing", folder, f"no {expected} in the folder"
        )
        return
    path = folder / ctx.implementation_name
    data = ctx.implementation
    if isinstance(data, ParseError):
        yield ctx.found("measurements.implementation_invalid", path, data.message + STOPS, scope=())
        return
    fields = ctx.common.implementation_fields
    stop = _stops_the_checker(ctx, data, fields)
    if stop:
        yield ctx.found(
            "measurements.implementation_field_missing"
            if isinstance(data, dict)
            else "measurements.implementation_invalid",
            path,
            stop + STOPS,
            scope=(),
        )
    if not isinstance(data, dict):
        if not stop:  # the checker finds none of the fields in it: the scenario fails
            yield ctx.found(
                "measurements.implementation_invalid",
                path,
                f"holds a JSON {_kind(data)}, not an object with the implementation fields",
            )
        return
    for key in fields:
        if key not in data:
            if not (stop and key == "weight_data_types"):
                yield ctx.found(
                    "measurements.implementation_field_missing", path, f"field {key!r} is missing"
                )
        elif not data[key]:
            yield ctx.found(
                "measurements.implementation_field_empty", path, f"field {key!r} is empty"
            )


def _kind(value: object) -> str:
    kinds = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return kinds.get(type(value), "number")


def _stops_the_checker(ctx: ResultContext, data: object, fields: tuple[str, ...]) -> str:
    """Why the round's checker raises on this JSON value, or "" when it reads it.

    v5.x index ``j["weight_data_types"]`` first (a non-object or a missing key raises); v4.x
    test ``k not in j`` and then index ``j[k]`` (a number, boolean or null is not searchable,
    and a string or array that holds a field name cannot be indexed by it); v6.0 catches
    everything inside its checks (only unreadable JSON stops its loader)."""
    behaviour = ctx.rules.checker
    if behaviour.style != "classic":
        return ""
    if behaviour.weight_data_types_read_first:
        if not isinstance(data, dict):
            return f"holds a JSON {_kind(data)}, so reading its weight_data_types fails"
        if "weight_data_types" not in data:
            return "field 'weight_data_types' is missing"
        return ""
    if isinstance(data, dict):
        return ""
    if not isinstance(data, list | str):
        return f"holds a JSON {_kind(data)}, which cannot be searched for its fields"
    found = [key for key in fields if key in data]
    if found:
        return f"holds a JSON {_kind(data)} containing {found[0]!r}, which cannot be indexed by it"
    return ""


@check(Level.RESULT, codes=("structure.code_missing",))
def check_code_folder(ctx: ResultContext) -> Iterator[Finding]:
    if ctx.options.skip_code_check or ctx.code_ok:
        return
    base = ctx.dirs.submitter_dir
    if ctx.rules.checker.measurements_in_results:
        yield ctx.found("structure.code_missing", base / "src", "the src/ folder is missing")
    elif ctx.implementation_name is not None:
        yield ctx.found(
            "structure.code_missing",
            base / "code" / ctx.dirs.benchmark,
            f"code/{ctx.dirs.benchmark}/ is missing",
        )


@check(Level.RESULT, codes=("measurements.weight_data_types_not_text",))
def check_weight_data_types_written(ctx: ResultContext) -> Iterator[Finding]:
    """The classic checkers of v5.x write ``'"' + weight_data_types + '"'`` into the summary
    row (v5.0 both rows, v5.1 the power row): a value that is not a string raises there.

    The finding voids this result: the checker stops when it writes the row, which it does
    only for a result that passed every check, so the run fails either way and the rows of
    the other results are as the checker wrote them before it stopped."""
    rows = ctx.rules.checker.weight_data_types_concatenated
    data = ctx.implementation
    if rows == "never" or not isinstance(data, dict) or "weight_data_types" not in data:
        return
    if rows == "power_row" and ctx.power is None:
        return
    value = data["weight_data_types"]
    if isinstance(value, str):
        return
    row = "power row" if rows == "power_row" else "summary row"
    yield ctx.found(
        "measurements.weight_data_types_not_text",
        _folder(ctx) / (ctx.implementation_name or ""),
        f"weight_data_types is a JSON {_json_kind(value)}, not a string: the official "
        f"checker stops with an exception when it writes this result's {row}",
    )


def _json_kind(value: object) -> str:
    kinds = {dict: "object", list: "array", bool: "boolean", type(None): "null"}
    return kinds.get(type(value), "number")


@check(Level.RESULT, codes=("measurements.conf_unreadable",))
def check_equal_issue_conf_readable(ctx: ResultContext) -> Iterator[Finding]:
    """v4.1 parses the measurements' mlperf.conf and user.conf for equal issue without a guard
    (validator/equal_issue_conf.py): a line that is not ``model.scenario.setting = value``
    before the deciding one, or a file that is not UTF-8, stops it."""
    conf = ctx.equal_issue_conf
    if conf is None or not conf.stops:
        return
    yield ctx.found(
        "measurements.conf_unreadable",
        _folder(ctx),
        f"{conf.stops}: the {ctx.rules.round} checker reads these files for equal issue" + STOPS,
        scope=(),
    )
