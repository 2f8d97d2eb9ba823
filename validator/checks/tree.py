"""Folder-structure checks over the whole tree (spec §4.1 items 1–3)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from validator.bundle import list_dirs, list_files
from validator.findings import Finding, finding
from validator.options import Options
from validator.rules import CommonRules, RoundRules

IGNORED_ROOT_DIRS = {".git", ".github", "assets"}


def check_root(root: Path, common: CommonRules) -> Iterator[Finding]:
    for name in list_files(root):
        if not name.endswith(common.root_file_suffixes):
            yield finding("structure.root_extra_file", name, f"{name} is outside any division")
    for name in list_dirs(root):
        if name not in common.divisions and name not in IGNORED_ROOT_DIRS:
            yield finding("structure.division_unknown", name, f"{name!r} is not a division")
    for division in list_dirs(root):
        if division in common.divisions:
            for name in list_files(root / division):
                yield finding(
                    "structure.division_has_files",
                    f"{division}/{name}",
                    f"{name} is outside any submitter folder",
                    scope=(division,),
                )


def check_submitter_tree(
    root: Path, division: str, submitter: str, common: CommonRules
) -> Iterator[Finding]:
    """Names, sizes, links and empty folders, found in one walk of the submitter's tree
    (``os.scandir`` entries carry their type and size, so no file is stat-ed twice)."""
    scope = (division, submitter)
    pending = [f"{division}/{submitter}"]
    limit = common.file_size_limit_bytes
    while pending:
        rel_dir = pending.pop()
        with os.scandir(root / rel_dir) as listing:
            entries = list(listing)
        if not entries:
            yield finding("structure.empty_dir", rel_dir, "empty folder", scope=scope)
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}"
            yield from _name_findings(entry.name, rel, scope)
            if entry.is_dir(follow_symlinks=False):
                if entry.name == "__pycache__":
                    yield finding("structure.pycache", rel, "__pycache__ folder", scope=scope)
                pending.append(rel)
            elif entry.is_symlink() and not Path(entry.path).exists():
                yield finding("structure.broken_symlink", rel, "broken symbolic link", scope=scope)
            elif (size := entry.stat().st_size) > limit:
                yield finding(
                    "structure.file_too_large",
                    rel,
                    f"{size / 1024**2:.1f} MB, more than {limit // 1024**2} MB",
                    scope=scope,
                )


def _name_findings(name: str, rel: str, scope: tuple[str, ...]) -> Iterator[Finding]:
    if name.startswith("."):
        yield finding("structure.hidden_name", rel, f"{name!r} starts with '.'", scope=scope)
    if " " in name:
        yield finding("structure.space_in_name", rel, f"{name!r} contains a space", scope=scope)


def check_submitter_layout(
    root: Path, division: str, submitter: str, rules: RoundRules, options: Options
) -> Iterator[Finding]:
    """Every system and measurements folder has results; calibration.md where required."""
    scope = (division, submitter)
    base = root / division / submitter
    with_results = set(list_dirs(base / "results"))
    if rules.requires_results_for_every_system:
        for system in list_dirs(base / "measurements"):
            if system not in with_results:
                yield finding(
                    "structure.measurements_without_results",
                    f"{division}/{submitter}/measurements/{system}",
                    f"measurements/{system} has no results/{system}",
                    scope=scope,
                )
        for name in list_files(base / "systems"):
            if name.endswith(".json") and name[: -len(".json")] not in with_results:
                yield finding(
                    "structure.system_without_results",
                    f"{division}/{submitter}/systems/{name}",
                    f"systems/{name} has no results/{name[: -len('.json')]}",
                    scope=scope,
                )
    needs_calibration = rules.requires_calibration_doc and division != "open"
    if needs_calibration and not options.skip_calibration_check:
        candidates = (base / "calibration.md", base / "documentation" / "calibration.md")
        if not any(p.is_file() for p in candidates):
            yield finding(
                "structure.calibration_missing",
                f"{division}/{submitter}/documentation/calibration.md",
                "calibration.md is missing",
                scope=scope,
            )


def file_list_findings(
    folder: Path,
    required: tuple[str, ...] | list[str],
    optional: tuple[str, ...] | list[str],
    ignorable: tuple[str, ...],
    rel: str,
    scope: tuple[str, ...],
) -> Iterator[Finding]:
    """The official lists are exact: a symmetric difference less the tolerated names."""
    present = set(list_files(folder))
    missing = sorted(set(required) - present)
    extra = sorted(present - set(required) - set(optional) - set(ignorable))
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected {', '.join(extra)}")
        yield finding("structure.file_list_mismatch", rel, "; ".join(parts), scope=scope)
