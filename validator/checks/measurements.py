"""Measurements checks (spec §1, §2): the folder's files, the implementation JSON and the code
folder it points at. Classic rounds keep them in ``measurements/<sys>/<bench>/<scenario>/``
(``<sys>*.json``); v6.0 in the result folder (``measurements.json``, code in ``src/``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from validator.checks.context import ResultContext
from validator.checks.registry import Level, check
from validator.findings import Finding
from validator.parsing import ParseError

STOPS = " (the official checker stops with an exception here, so it judges no result)"


def _folder(ctx: ResultContext):  # type: ignore[no-untyped-def]
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
        if not any(re.match(pattern, name) for name in ctx.power.measurement_files):
            yield ctx.found(
                "measurements.power_file_missing",
                folder,
                f"no file matching {pattern!r} in the measurements folder or the three above it",
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
