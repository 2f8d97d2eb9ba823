"""How far the classic checker gets through each result, and what it never reads.

The classic checkers (v4.0–v5.1) walk a scenario folder step by step and leave it at the first
failure of an early step (``classic_scenario_walk`` in ``rules/common.yaml``); before that walk
they skip a whole division, submitter, system or benchmark that failed its own checks. Our checks
all run, so a finding about a step the walk never reaches (a file the checker would choke on
included) is not the official checker's: it stays a finding about that result, under the
Inferboard verdict, with the failure that ended the walk as its cause. Without this, a crash we
predict in a scenario the checker has already left would void every result of the bundle.

The v6.0 package runs every check of every scenario, so its findings are all reached.
"""

from __future__ import annotations

from validator.bundle import ScenarioDirs
from validator.codes import Verdict
from validator.findings import STOPS, Finding, Scope, with_changes
from validator.rules import WalkStep


def _failed(f: Finding) -> bool:
    """An official error that keeps the checker from going on with what it concerns."""
    return f.counts_against(Verdict.OFFICIAL) and f.voids


def _step_of(f: Finding, dirs: ScenarioDirs, steps: tuple[WalkStep, ...]) -> int | None:
    for index, step in enumerate(steps):
        if f.code == "structure.file_list_mismatch":
            if any(f.path == dirs.relative(dirs.results / folder) for folder in step.file_lists):
                return index
            continue
        if any(f.code == c or (c.endswith(".") and f.code.startswith(c)) for c in step.codes):
            return index
    return None


def _not_reached(f: Finding, key: Scope, cause: Finding, where: str) -> Finding:
    return with_changes(
        f,
        verdict=Verdict.INFERBOARD,
        scope=key if len(f.scope) < len(key) else f.scope,
        message=f.message.replace(STOPS, "")
        + f" (the official checker never gets here: it {where} at {cause.code})",
        caused_by=(*f.caused_by, cause.ref),
    )


def walked(
    findings: list[Finding], dirs: ScenarioDirs, steps: tuple[WalkStep, ...]
) -> list[Finding]:
    """One result's findings as the classic walk meets them: those of steps after the one that
    ended the walk (or that it skipped, or a summary row never written) become Inferboard's."""
    step_of = {id(f): _step_of(f, dirs, steps) for f in findings}
    names = {step.step: index for index, step in enumerate(steps)}
    ended: tuple[int, Finding] | None = None
    skipped: dict[int, Finding] = {}
    unclean: Finding | None = None
    for f in findings:
        if not _failed(f):
            continue
        index = step_of[id(f)]
        if index is None or not steps[index].needs_clean_result:
            unclean = unclean or f
        if index is None:
            continue
        if steps[index].ends_walk and (ended is None or index < ended[0]):
            ended = (index, f)
        for name in steps[index].skips:
            skipped.setdefault(names[name], f)
    out: list[Finding] = []
    for f in findings:
        index = step_of[id(f)]
        if index is None or f.verdict is not Verdict.OFFICIAL:
            out.append(f)
        elif ended is not None and index > ended[0]:
            out.append(_not_reached(f, dirs.key, ended[1], "leaves the scenario earlier"))
        elif index in skipped:
            out.append(
                _not_reached(f, dirs.key, skipped[index], f"skips its {steps[index].step} checks")
            )
        elif steps[index].needs_clean_result and unclean is not None:
            out.append(_not_reached(f, dirs.key, unclean, "writes no summary row"))
        else:
            out.append(f)
    return out


def skip_points(findings: list[Finding]) -> dict[Scope, Finding]:
    """The divisions, submitters, systems and benchmarks the classic checker skips (an official
    error that voids them), each with the first finding that makes it skip."""
    out: dict[Scope, Finding] = {}
    for f in findings:
        if _failed(f) and 0 < len(f.scope) < 5:
            out.setdefault(f.scope, f)
    return out


def unwalked(findings: list[Finding], key: Scope, skips: dict[Scope, Finding]) -> list[Finding]:
    """A result's findings when the checker skipped what holds it: none is official."""
    cause = next((skips[key[:n]] for n in range(1, len(key)) if key[:n] in skips), None)
    if cause is None:
        return findings
    what = ("division", "submitter", "system", "benchmark")[len(cause.scope) - 1]
    return [
        _not_reached(f, key, cause, f"skips the {what}") if f.verdict is Verdict.OFFICIAL else f
        for f in findings
    ]


__all__ = ["skip_points", "unwalked", "walked"]
