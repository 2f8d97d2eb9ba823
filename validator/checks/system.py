"""System-description checks on ``systems/<system>.json`` (spec §2).

A failure voids every result of the system, as in both checkers. Where the official checker
would stop with an exception (a value of the wrong type where it calls a string method, an
unreadable JSON file), the finding's scope is the whole bundle: that checker gives no verdict
on any result then.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from validator.checks.context import ResultContext, SubmitterContext, SystemContext
from validator.checks.registry import Level, check
from validator.findings import STOPS, Finding, Severity, finding
from validator.parsing import ParseError
from validator.summary_csv import package_notes, python_int


def _description(ctx: SystemContext) -> dict[str, Any] | None:
    return ctx.description if isinstance(ctx.description, dict) else None


def _not_text(ctx: SystemContext, code: str, field: str, value: object) -> Finding:
    """A field the classic checker calls a string method on holds something else: that
    checker stops with an exception (the whole bundle), the package one fails the system."""
    classic = ctx.rules.checker.style == "classic"
    return finding(
        code,
        ctx.path,
        f"{field} is {value!r}, not a text" + (STOPS if classic else ""),
        scope=() if classic else ctx.scope,
    )


def is_network_system(data: dict[str, Any]) -> bool | None:
    """``is_network`` as the checker reads it (``.lower() == "true"``); None when it would
    raise (a value that is not a string)."""
    value = data.get("is_network")
    if value is None:
        return False
    if not isinstance(value, str):
        return None
    return value.lower() == "true"


@check(Level.SUBMITTER, codes=("structure.system_description_missing",))
def check_systems_described(ctx: SubmitterContext) -> Iterator[Finding]:
    """Every folder of ``results/`` has its ``systems/<folder>.json``, results in it or not:
    the classic checker skips such a system and exits 1, the v6.0 loader stops on it."""
    classic = ctx.rules.checker.style == "classic"
    described = set(ctx.system_files)
    for system in ctx.results_systems:
        if f"{system}.json" in described:
            continue
        yield finding(
            "structure.system_description_missing",
            f"{ctx.division}/{ctx.submitter}/systems/{system}.json",
            f"{system}.json is missing for results/{system}" + ("" if classic else STOPS),
            scope=(*ctx.scope, system) if classic else (),
        )


@check(Level.SYSTEM, codes=("system.json_invalid",))
def check_description_readable(ctx: SystemContext) -> Iterator[Finding]:
    if isinstance(ctx.description, ParseError):
        yield finding("system.json_invalid", ctx.path, ctx.description.message + STOPS, scope=())


@check(Level.SYSTEM, codes=("system.status_invalid", "system.system_type_invalid"))
def check_status_and_type(ctx: SystemContext) -> Iterator[Finding]:
    data = _description(ctx)
    if data is None:
        return
    status = data.get("status")
    if not isinstance(status, str):
        yield _not_text(ctx, "system.status_invalid", "status", status)
    elif status.lower() not in ctx.common.availabilities:
        yield finding("system.status_invalid", ctx.path, f"status is {status!r}", scope=ctx.scope)
    system_type = data.get("system_type")
    if not isinstance(system_type, str) or system_type not in ctx.common.system_types:
        yield finding(
            "system.system_type_invalid",
            ctx.path,
            f"system_type is {system_type!r}; use datacenter, edge or datacenter,edge",
            scope=ctx.scope,
        )


@check(Level.SYSTEM, codes=("system.network_flag", "system.network_field_missing"))
def check_network_mode(ctx: SystemContext) -> Iterator[Finding]:
    data = _description(ctx)
    if data is None:
        return
    network = is_network_system(data)
    if network is None:
        yield finding(
            "system.network_flag",
            ctx.path,
            f'is_network is {data.get("is_network")!r}, not the text "true" or "false"'
            + (STOPS if ctx.rules.checker.style == "classic" else ""),
            scope=() if ctx.rules.checker.style == "classic" else ctx.scope,
        )
        return
    expected = {"network": True, "closed": False}.get(ctx.division)
    if expected is not None and network is not expected:
        yield finding(
            "system.network_flag",
            ctx.path,
            f"the {ctx.division} division needs is_network {str(expected).lower()}",
            scope=ctx.scope,
        )
    # the v6.0 checker requires the network fields whenever is_network is truthy (even "false")
    wants_fields = network if ctx.rules.checker.style == "classic" else bool(data.get("is_network"))
    if wants_fields:
        for key in ctx.common.system_description.network:
            if key not in data:
                yield finding(
                    "system.network_field_missing",
                    ctx.path,
                    f"field {key!r} is missing",
                    scope=ctx.scope,
                )


@check(
    Level.SYSTEM,
    codes=(
        "system.field_missing",
        "system.field_empty",
        "system.unknown_field",
    ),
)
def check_fields(ctx: SystemContext) -> Iterator[Finding]:
    data = _description(ctx)
    if data is None:
        return
    rules = ctx.common.system_description
    for key in rules.required:
        if key not in data:
            yield finding(
                "system.field_missing", ctx.path, f"field {key!r} is missing", scope=ctx.scope
            )
        elif key in rules.meaningful and not data[key]:
            yield finding(
                "system.field_empty", ctx.path, f"field {key!r} is {data[key]!r}", scope=ctx.scope
            )
    known = set(rules.required) | set(rules.power) | set(rules.network)
    for key in sorted(set(data) - known):
        yield finding(
            "system.unknown_field",
            ctx.path,
            f"unknown field {key!r}",
            scope=ctx.scope,
            severity=Severity.WARNING,
        )


@check(Level.RESULT, codes=("system.field_not_text",))
def check_summary_row_text(ctx: ResultContext) -> Iterator[Finding]:
    """The classic checker joins some system fields into a result's summary row with ``+``:
    a value that is not a string stops it there, when it writes that row (a falsy one never
    gets there: the system fails its meaningful-field check first)."""
    data = ctx.system
    if data is None or ctx.rules.checker.style != "classic":
        return
    path = f"{ctx.dirs.division}/{ctx.dirs.submitter}/systems/{ctx.dirs.system}.json"
    for key in ctx.common.system_description.must_be_text:
        value = data.get(key)
        if value and not isinstance(value, str):
            yield finding("system.field_not_text", path, _row_field_not_text(key, value), scope=())
    bad = _notes_problem(data)
    if bad:
        yield finding("system.field_not_text", path, _row_field_not_text(*bad), scope=())


def _row_field_not_text(key: str, value: object) -> str:
    return f"field {key!r} is a {type(value).__name__}, not a string" + STOPS


def _notes_problem(data: dict[str, Any]) -> tuple[str, object] | None:
    """The notes column: ``hw_notes`` (default ""), and when ``sw_notes`` is truthy
    ``(hw_notes + ". " if hw_notes else "") + sw_notes``; a ``+`` on a non-string raises."""
    hw = data.get("hw_notes", "")
    sw = data.get("sw_notes")
    if not sw:
        return None if isinstance(hw, str) else ("hw_notes", hw)
    if hw and not isinstance(hw, str):
        return ("hw_notes", hw)
    return None if isinstance(sw, str) else ("sw_notes", sw)


@check(Level.SYSTEM, codes=("system.division_mismatch", "system.submitter_mismatch"))
def check_division_and_submitter(ctx: SystemContext) -> Iterator[Finding]:
    data = _description(ctx)
    if data is None:
        return
    declared = data.get("submitter")
    if not isinstance(declared, str):
        yield _not_text(ctx, "system.submitter_mismatch", "submitter", declared)
    elif declared.lower() != ctx.submitter.lower():
        yield finding(
            "system.submitter_mismatch",
            ctx.path,
            f"submitter is {declared!r}, the folder is {ctx.submitter!r}",
            scope=ctx.scope,
        )
    division = data.get("division")
    same = (
        division == ctx.division
        if ctx.rules.checker.style == "classic"
        else isinstance(division, str) and division.lower() == ctx.division.lower()
    )
    if not same:
        yield finding(
            "system.division_mismatch",
            ctx.path,
            f"division is {division!r}, the folder is {ctx.division!r}",
            scope=ctx.scope,
        )


@check(Level.SYSTEM, codes=("system.field_not_integer", "system.field_not_text"))
def check_package_row_fields(ctx: SystemContext) -> Iterator[Finding]:
    """The v6.0 exporter computes two columns of every row it writes from the description:
    ``int(number_of_nodes) * int(accelerators_per_node)`` and ``hw_notes + ". " + sw_notes``.
    Where either raises, it stops at the first result of the system it writes; the findings
    void the system's results (a system whose results all fail is never written, so the run
    fails either way)."""
    data = _description(ctx)
    if data is None or ctx.rules.checker.csv_style != "package":
        return
    for key in ("number_of_nodes", "accelerators_per_node"):
        if key in data and python_int(data[key]) is None:
            yield finding(
                "system.field_not_integer",
                ctx.path,
                f"field {key!r} is {str(data[key])[:40]!r}: the official checker's int() fails "
                "on it when it writes a result's summary row (it stops with an exception there)",
                scope=ctx.scope,
            )
    if package_notes(data) is None:
        yield finding(
            "system.field_not_text",
            ctx.path,
            "hw_notes and sw_notes are joined into the notes column, and one of them is not a "
            "string: the official checker stops with an exception when it writes a result's "
            "summary row",
            scope=ctx.scope,
        )
