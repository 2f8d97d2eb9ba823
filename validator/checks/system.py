"""System-description checks on ``systems/<system>.json`` (spec §2)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from validator.findings import Finding, Scope, finding
from validator.rules import CommonRules


def check_system_description(
    data: dict[str, Any],
    path: str,
    scope: Scope,
    division: str,
    submitter: str,
    common: CommonRules,
) -> Iterator[Finding]:
    rules = common.system_description
    for key in rules.required:
        if key not in data:
            yield finding("system.field_missing", path, f"field {key!r} is missing", scope=scope)
        elif key not in rules.may_be_empty and not data[key]:
            yield finding(
                "system.field_empty", path, f"field {key!r} is {data[key]!r}", scope=scope
            )
    for key in rules.must_be_text:
        if key in data and not isinstance(data[key], str):
            yield finding(
                "system.field_not_text",
                path,
                f"field {key!r} is a {type(data[key]).__name__}, not a string",
                scope=scope,
            )
    status = data.get("status")
    if not isinstance(status, str) or status.lower() not in common.availabilities:
        yield finding("system.status_invalid", path, f"status is {status!r}", scope=scope)
    if data.get("system_type") not in common.system_types:
        yield finding(
            "system.system_type_invalid",
            path,
            f"system_type is {data.get('system_type')!r}",
            scope=scope,
        )
    if "division" in data and data["division"] != division:
        yield finding(
            "system.division_mismatch",
            path,
            f"division is {data['division']!r}, folder is {division!r}",
            scope=scope,
        )
    declared = data.get("submitter")
    if isinstance(declared, str) and declared.lower() != submitter.lower():
        yield finding(
            "system.submitter_mismatch",
            path,
            f"submitter is {declared!r}, folder is {submitter!r}",
            scope=scope,
        )
    yield from _check_network(data, path, scope, division, common)
    known = set(rules.required) | set(rules.power) | set(rules.network)
    for key in sorted(set(data) - known):
        yield finding("system.unknown_field", path, f"unknown field {key!r}", scope=scope)


def _check_network(
    data: dict[str, Any], path: str, scope: Scope, division: str, common: CommonRules
) -> Iterator[Finding]:
    flag = str(data.get("is_network", "")).lower() == "true"
    if division == "network":
        if not flag:
            yield finding(
                "system.network_flag", path, "network division needs is_network true", scope=scope
            )
        for key in common.system_description.network:
            if key not in data:
                yield finding(
                    "system.network_field_missing", path, f"field {key!r} is missing", scope=scope
                )
    elif flag:
        yield finding(
            "system.network_flag", path, f"{division} division needs is_network false", scope=scope
        )


def system_json_path(submitter_dir: Path, system: str) -> Path:
    return submitter_dir / "systems" / f"{system}.json"
