"""Measurements folder checks (spec §1, §2): required files, the implementation JSON, and
the code folder it points at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from validator.bundle import list_files
from validator.checks.context import ResultContext
from validator.findings import Finding
from validator.parsing import ParseError
from validator.parsing.documents import read_json_object


def check_measurements(ctx: ResultContext) -> Iterator[Finding]:
    folder = ctx.dirs.measurements(ctx.rules.layout)
    if not folder.is_dir():
        yield ctx.found("structure.measurements_missing", folder, "measurements folder missing")
        return
    files = list_files(folder)
    required = list(ctx.common.measurement_files.required)
    if ctx.rules.requires_mlperf_conf_in_measurements:
        required.append("mlperf.conf")
    for name in required:
        if name not in files:
            yield ctx.found("measurements.file_missing", folder / name, f"{name} is missing")
        elif (folder / name).stat().st_size == 0:
            yield ctx.found("measurements.file_empty", folder / name, f"{name} is empty")
    implementation = _implementation_file(ctx, files)
    if implementation is None:
        expected = (
            "measurements.json" if ctx.rules.layout == "merged" else f"{ctx.dirs.system}*.json"
        )
        yield ctx.found(
            "measurements.implementation_missing", folder, f"no {expected} in the folder"
        )
        return
    yield from _check_implementation(ctx, folder / implementation)
    if not ctx.options.skip_code_check:
        yield from _check_code_dir(ctx, implementation)


def _implementation_file(ctx: ResultContext, files: list[str]) -> str | None:
    if ctx.rules.layout == "merged":
        return "measurements.json" if "measurements.json" in files else None
    system = ctx.dirs.system
    for name in files:  # first file named <sys>…_<scenario>.json, else <sys>….json (spec §1)
        if name.startswith(system) and name.endswith(f"_{ctx.dirs.scenario_dir}.json"):
            return name
    return next((n for n in files if n.startswith(system) and n.endswith(".json")), None)


def _check_implementation(ctx: ResultContext, path: Path) -> Iterator[Finding]:
    try:
        data = read_json_object(path)
    except ParseError as exc:
        yield ctx.found("measurements.implementation_invalid", path, str(exc))
        return
    weights = data.get("weight_data_types")
    ctx.weight_data_types = str(weights) if weights is not None else None
    for key in ctx.common.implementation_fields:
        if key not in data:
            yield ctx.found(
                "measurements.implementation_field_missing", path, f"field {key!r} is missing"
            )
        elif not data[key]:
            yield ctx.found(
                "measurements.implementation_field_empty", path, f"field {key!r} is empty"
            )


def _check_code_dir(ctx: ResultContext, implementation: str) -> Iterator[Finding]:
    submitter_dir = ctx.dirs.submitter_dir
    if ctx.rules.layout == "merged":
        code = submitter_dir / "src"
        if not code.is_dir():
            yield ctx.found("structure.code_missing", code, "src/ folder is missing")
        return
    code = submitter_dir / "code" / ctx.dirs.benchmark
    if not code.exists():
        yield ctx.found("structure.code_missing", code, f"code/{ctx.dirs.benchmark}/ is missing")


CHECKS = (check_measurements,)
