"""Folder structure of the whole tree and of each submitter (spec §4.1 items 1–3).

The checkers up to v5.1 run these; the v6.0 package does not (its structure check is never
called), so there the same findings are Inferboard warnings: they say nothing about the
numbers, and the official verdict does not change.
"""

from __future__ import annotations

from collections.abc import Iterator

from validator.checks.context import SubmitterContext, TreeContext
from validator.checks.registry import Level, check
from validator.codes import Verdict
from validator.findings import STOPS, Finding, FindingOptions, Severity, finding


@check(Level.TREE, codes=("structure.root_extra_file",))
def check_root_files(ctx: TreeContext) -> Iterator[Finding]:
    """A file at the root other than .md/.pdf stops the classic checker before any result."""
    extra = [n for n in ctx.root_files if not n.endswith(ctx.common.root_file_suffixes)]
    if not extra:
        return
    official = ctx.rules is None or ctx.rules.checker.root_files_checked
    for name in extra:
        yield finding(
            "structure.root_extra_file",
            name,
            f"{name} is outside any division folder",
            **_hygiene(official=official),
        )


@check(Level.TREE, codes=("structure.division_unknown", "structure.division_has_files"))
def check_divisions(ctx: TreeContext) -> Iterator[Finding]:
    for name in ctx.root_dirs:
        if name not in ctx.common.divisions and name not in ctx.common.ignored_root_dirs:
            # the checker logs an error and ignores the folder: the exit status is unchanged
            yield finding(
                "structure.division_unknown",
                name,
                f"{name!r} is not a division",
                severity=Severity.WARNING,
            )
    official = ctx.rules is None or ctx.rules.checker.style == "classic"
    for division, files in ctx.division_files.items():
        for name in files:
            yield finding(
                "structure.division_has_files",
                f"{division}/{name}",
                f"{name} is outside any submitter folder",
                scope=(division,),
                **_hygiene(official=official),
            )


@check(Level.TREE, codes=("structure.no_results",))
def check_results_present(ctx: TreeContext) -> Iterator[Finding]:
    """Each submitter folder holds ``results/``, and the tree holds some result.

    The classic checkers skip a submitter without ``results/`` (and exit 0 on a tree where they
    find nothing to judge); v6.0 lists every submitter's ``results/`` and stops without one.
    A bundle without any result is still nothing Inferboard can accept."""
    rules = ctx.rules
    for division, submitter, kind in ctx.submitters:
        if kind == "folder":
            continue
        path = f"{division}/{submitter}/results"
        if rules is not None and (rules.checker.results_folder_required or kind == "other"):
            # v6.0 lists it; the classic checkers list it once it exists (as a file: they stop)
            what = "is not a folder" if kind == "other" else "is missing"
            yield finding("structure.no_results", path, f"{path} {what}" + STOPS, scope=())
        else:
            yield finding(
                "structure.no_results",
                path,
                f"{division}/{submitter} has no results/ folder: the official checker skips it",
                **_hygiene(),
            )
    if ctx.result_count == 0:
        # without a round there is no checker to say what it makes of the tree: refused
        yield finding(
            "structure.no_results",
            ".",
            "no <division>/<submitter>/results/<system>/<benchmark>/<scenario> folder found",
            **(FindingOptions() if rules is None else FindingOptions(verdict=Verdict.INFERBOARD)),
        )


def _hygiene(*, official: bool = False, voids: bool = True) -> FindingOptions:
    """Folder hygiene the round's checker does not run (``official`` False): an Inferboard
    warning; ``voids`` False for a finding that fails the verdict without voiding a result."""
    options = (
        FindingOptions()
        if official
        else FindingOptions(verdict=Verdict.INFERBOARD, severity=Severity.WARNING)
    )
    if not voids:
        options["voids"] = False
    return options


@check(
    Level.SUBMITTER,
    codes=(
        "structure.broken_symlink",
        "structure.file_too_large",
        "structure.hidden_name",
        "structure.space_in_name",
        "structure.pycache",
        "structure.empty_dir",
    ),
)
def check_folder_hygiene(ctx: SubmitterContext) -> Iterator[Finding]:
    """Names, links, sizes and empty folders of the submitter tree (spec §4.1 item 2).

    The classic checker stops at the first kind of problem and skips the submitter; we report
    every problem, and any one of them voids the submitter's results, as it does there."""
    if not ctx.has_results_folder:
        return
    limit = ctx.common.file_size_limit_bytes
    scope = ctx.scope
    extra = _hygiene(official=ctx.rules.checker.folder_hygiene)
    yield from _size_unreadable(ctx, extra)
    for entry in ctx.walk:
        name = entry.rel.rsplit("/", 1)[-1]
        if not entry.is_dir and entry.is_link and not entry.link_target_exists:
            yield finding(
                "structure.broken_symlink", entry.rel, "broken symbolic link", scope=scope, **extra
            )
        elif not entry.is_dir and entry.size > limit:
            yield finding(
                "structure.file_too_large",
                entry.rel,
                f"{entry.size / 1024**2:.1f} MB, more than {limit // 1024**2} MB",
                scope=scope,
                **extra,
            )
        if name.startswith("."):
            yield finding(
                "structure.hidden_name",
                entry.rel,
                f"{name!r} starts with '.'",
                scope=scope,
                **extra,
            )
        if " " in name:
            yield finding(
                "structure.space_in_name",
                entry.rel,
                f"{name!r} contains a space",
                scope=scope,
                **extra,
            )
        if entry.is_dir and entry.rel.endswith("__pycache__"):
            yield finding(
                "structure.pycache", entry.rel, "__pycache__ folder", scope=scope, **extra
            )
        if entry.is_dir and entry.is_empty_dir:
            yield finding("structure.empty_dir", entry.rel, "empty folder", scope=scope, **extra)


def _size_unreadable(ctx: SubmitterContext, extra: FindingOptions) -> Iterator[Finding]:
    """The classic checker tests every file for a broken link (its target read from the tree
    root) and, only when none is, asks every file's size (the link read from its own folder).
    A link sound by the first test and unreadable by the second raises there and stops it."""
    if any(e.is_link and not e.link_target_exists for e in ctx.walk if not e.is_dir):
        return
    for entry in ctx.walk:
        if not entry.is_dir and entry.size_unreadable:
            official = not extra
            yield finding(
                "structure.broken_symlink",
                entry.rel,
                "symbolic link whose target exists when read from the tree root but not from "
                "the link's folder" + (STOPS if official else ""),
                scope=() if official else ctx.scope,
                **extra,
            )


@check(
    Level.SUBMITTER,
    codes=(
        "structure.measurements_without_results",
        "structure.system_without_results",
        "structure.calibration_missing",
    ),
)
def check_submitter_layout(ctx: SubmitterContext) -> Iterator[Finding]:
    """Every system and measurements folder has results; calibration.md where required.

    The classic checker logs these and exits 1 but still writes the submitter's rows, so they
    fail the verdict without voiding a result. The v6.0 checker does not look."""
    if not ctx.has_results_folder:
        return
    behaviour = ctx.rules.checker
    extra = _hygiene(official=behaviour.systems_need_results, voids=False)
    base = f"{ctx.division}/{ctx.submitter}"
    with_results = set(ctx.results_systems)
    for system in ctx.measurement_systems:
        if system not in with_results:
            yield finding(
                "structure.measurements_without_results",
                f"{base}/measurements/{system}",
                f"measurements/{system} has no results/{system}",
                scope=ctx.scope,
                **extra,
            )
    for name in ctx.system_files:
        if name.endswith(".json") and name.replace(".json", "") not in with_results:
            yield finding(
                "structure.system_without_results",
                f"{base}/systems/{name}",
                f"systems/{name} has no results/{name.replace('.json', '')}",
                scope=ctx.scope,
                **extra,
            )
    if ctx.division == "open" or ctx.options.skip_calibration_check:
        return
    candidates = (ctx.base / "calibration.md", ctx.base / "documentation" / "calibration.md")
    if not any(p.exists() for p in candidates):
        extra = _hygiene(official=behaviour.calibration_document, voids=False)
        yield finding(
            "structure.calibration_missing",
            f"{base}/documentation/calibration.md",
            "calibration.md is missing (at the submitter root or in documentation/)",
            scope=ctx.scope,
            **extra,
        )
