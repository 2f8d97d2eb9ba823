"""The work done on one submission, as one table of steps (house style §4, "rules are data").

:data:`STEPS` maps each work state to its :class:`Step`: the function that does the work, the
states it may lead to, and what happens when it keeps failing (``give_up``). The worker only
walks the table (:mod:`submissions.worker`); nothing else decides where a submission goes.

    state         step          next (normal)          other outcomes          give-up
    received      start         validating             -                       -
    validating    validate      reproducing            rejected_by_validator   rejected
                                                       rejected (timed out,
                                                       out of memory)
    reproducing   reproduce     awaiting_review        -                       awaiting_review
                                                                               (failure noted)

Each step is idempotent: it rebuilds its scratch folder, writes its outputs whole (by
rename) and only then returns its :class:`~submissions.models.StepOutcome`, which the ledger
applies with the audit entry in one transaction. Everything derived from a bundle runs in a
child process with its own time and memory limits (:mod:`submissions.children`), never in the
web process; nothing is recounted or re-run for a bundle the validator rejected.

The reproduction child (``python -m reference_runner reproduce``) runs every tier the settings
allow (:attr:`~submissions.settings.SubmissionSettings.reproduction_tiers`), with the whole
accuracy logs uploaded beside the submission (:mod:`submissions.whole_logs`). A submission in
review goes back to reproducing when a whole log is uploaded (``SubmissionService.
attach_accuracy_log``); that move is the service's, not this table's.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from errors import ERROR_LINE_PREFIX
from scoring.tiers import ReproductionStatus
from submissions import children, whole_logs
from submissions.archive_budget import scrub_paths
from submissions.audit_actions import AuditAction
from submissions.children import ChildLimits, ChildResult, ChildStarted
from submissions.ledger import Ledger
from submissions.models import StepOutcome, Submission
from submissions.settings import PROJECT_ROOT
from submissions.states import State
from submissions.storage import archive_suffix
from validator.report import Outcome, Report

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
WORKER_NAME = "Inferboard worker"
VALIDATOR_NAME = "Inferboard validator"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class StepFailedError(Exception):
    """A step could not finish for a reason that is not the bundle's; it is retried."""


@dataclass(frozen=True)
class StepContext:
    """What a step works with: the bookkeeping, the submission, and the worker's hooks."""

    ledger: Ledger
    submission: Submission
    on_child: ChildStarted
    stop_requested: Callable[[], bool]

    @property
    def submission_id(self) -> int:
        return self.submission.submission_id


@dataclass(frozen=True)
class Step:
    """One row of the workflow table."""

    state: State
    run: Callable[[StepContext], StepOutcome]
    next: State  # where a normal finish goes
    outcomes: frozenset[State]  # every state ``run`` may return
    give_up: Callable[[StepContext, str], StepOutcome] | None  # after MAX_ATTEMPTS failures


# ============================================================================ received
def start(ctx: StepContext) -> StepOutcome:
    return StepOutcome(State.VALIDATING, "starting validation")


# ============================================================================ validating
def validate(ctx: StepContext) -> StepOutcome:
    """Extract and validate in a child; the validator's verdict decides where it goes."""
    ledger, sid = ctx.ledger, ctx.submission_id
    settings = ledger.settings
    work = ledger.storage.work_dir(sid, fresh=True)
    out = ledger.storage.submission_dir(sid)
    for stale in ("report.json", "reproduction.json", "spot_check.json"):
        (out / stale).unlink(missing_ok=True)
    archive = _archive_link(ctx, work)
    ledger.note(sid, State.VALIDATING, progress="extracting and checking the bundle")
    limits = ChildLimits(
        settings.validation_timeout_s, settings.memory_bytes(settings.validation_memory_mib)
    )
    arguments = [
        *("--archive", str(archive), "--work", str(work), "--out", str(out)),
        *("--jobs", str(settings.validation_jobs)),
        *("--max-files", str(settings.archive_max_files)),
        *("--max-total-bytes", str(settings.archive_max_total_bytes)),
        *("--max-ratio", str(settings.archive_max_ratio)),
    ]
    result = _run(ctx, "submissions.validate_child", arguments, limits)
    if result.timed_out:
        return _worker_rejects(
            "validation took too long",
            "validation timed out",
            f"validation did not finish within {settings.validation_timeout_s:g} s; split "
            "the bundle or ask a maintainer to raise validation_timeout_s",
        )
    if result.out_of_memory:
        return _worker_rejects(
            "validation needed too much memory",
            "validation ran out of memory",
            f"validation needed more than {settings.validation_memory_mib} MiB; split the "
            "bundle or ask a maintainer to raise validation_memory_mib",
        )
    report = ledger.report(sid) if result.returncode == 0 else None
    if report is None:
        raise _child_failed(ctx, "validator", result, work)
    counts = _counts(report)
    if report.archive_refused:
        reason = "archive refused: " + "; ".join(f.message for f in report.findings[:5])
        return _validator_rejects("the archive cannot be opened safely", reason, counts)
    if report.verdict is not Outcome.ACCEPTED:
        errors = counts["error_count"]
        reason = (
            f"the validator found {errors} error{'s' if errors != 1 else ''}: see the report, "
            "fix the bundle and submit a replacement"
        )
        return _validator_rejects(f"{errors} errors", reason, counts)
    return StepOutcome(
        State.REPRODUCING,
        f"recomputing from the logs ({counts['result_count']} results checked)",
        changes=counts,
    )


def give_up_validation(ctx: StepContext, error: str) -> StepOutcome:
    reason = f"could not be processed after {MAX_ATTEMPTS} attempts: {error}"
    return _worker_rejects(
        "validation kept failing", reason + " (ask a maintainer; the bundle is kept)", reason
    )


# ============================================================================ reproducing
def reproduce(ctx: StepContext) -> StepOutcome:
    """Recount the result folders' accuracy logs, then run the reproduction tiers the
    settings allow with the uploaded whole logs; both in limited children. Only a bundle the
    validator accepted gets here."""
    ledger, sid = ctx.ledger, ctx.submission_id
    if ctx.submission.verdict is not Outcome.ACCEPTED:  # the table never sends one here
        raise StepFailedError("only a bundle the validator accepted is reproduced")
    settings = ledger.settings
    work = ledger.storage.work_dir(sid)
    tree = work / "tree"
    ledger.note(sid, State.REPRODUCING, progress="recounting tokens in the logs")
    data: dict[str, Any] = {"log_checks": _recount(ctx, work, tree)}
    tiers = settings.reproduction_tiers
    for _ in range(MAX_ATTEMPTS):  # again when a whole log arrives while the child runs
        used = whole_logs.attached(ledger.storage, sid)
        logs, data["whole_logs_ignored"] = whole_logs.runner_arguments(ledger.storage, sid)
        ledger.note(
            sid,
            State.REPRODUCING,
            progress=f"reproducing: tiers {', '.join(map(str, tiers))} (scoring.tiers)",
        )
        data["spot_check"] = _spot_check(ctx, tree, logs)
        if whole_logs.attached(ledger.storage, sid) == used:
            break
    ledger.storage.write_json(ledger.reproduction_path(sid), data)
    return StepOutcome(State.AWAITING_REVIEW, "waiting for a maintainer's review")


def give_up_reproduction(ctx: StepContext, error: str) -> StepOutcome:
    reason = f"could not be processed after {MAX_ATTEMPTS} attempts: {error}"
    ctx.ledger.storage.write_json(
        ctx.ledger.reproduction_path(ctx.submission_id),
        {"log_checks": [], "spot_check": {"status": ReproductionStatus.FAILED, "message": reason}},
    )
    return StepOutcome(
        State.AWAITING_REVIEW, "waiting for review (reproduction failed)", reason=reason
    )


# ============================================================================ the table
STEPS: dict[State, Step] = {
    State.RECEIVED: Step(
        State.RECEIVED, start, State.VALIDATING, frozenset({State.VALIDATING}), None
    ),
    State.VALIDATING: Step(
        State.VALIDATING,
        validate,
        State.REPRODUCING,
        frozenset({State.REPRODUCING, State.REJECTED_BY_VALIDATOR, State.REJECTED}),
        give_up_validation,
    ),
    State.REPRODUCING: Step(
        State.REPRODUCING,
        reproduce,
        State.AWAITING_REVIEW,
        frozenset({State.AWAITING_REVIEW}),
        give_up_reproduction,
    ),
}


# ============================================================================ helpers
def _run(ctx: StepContext, module: str, arguments: list[str], limits: ChildLimits) -> ChildResult:
    command = children.guarded(module, arguments, limits)
    return children.run_child(command, limits.timeout_s, ctx.on_child, ctx.stop_requested)


def _archive_link(ctx: StepContext, work: Path) -> Path:
    """The stored blob under a name with its archive suffix (the validator reads the type
    from the name); a symbolic link, so nothing is copied."""
    submission = ctx.submission
    suffix = archive_suffix(submission.filename)
    stem = _SAFE_NAME.sub("_", submission.filename[: -len(suffix)]).strip("._") or "bundle"
    link = work / f"{stem}{suffix}"
    link.unlink(missing_ok=True)
    link.symlink_to(ctx.ledger.storage.blob_path(submission.sha256))
    return link


def _recount(ctx: StepContext, work: Path, tree: Path) -> list[dict[str, Any]]:
    settings = ctx.ledger.settings
    out = work / "log_checks.json"
    out.unlink(missing_ok=True)
    arguments = [
        *("--tree", str(tree), "--archive", str(_archive_link(ctx, work)), "--out", str(out)),
        *("--hashes-out", str(work / whole_logs.HASHES_FILE)),
        *("--max-files", str(settings.archive_max_files)),
        *("--max-total-bytes", str(settings.archive_max_total_bytes)),
        *("--max-ratio", str(settings.archive_max_ratio)),
    ]
    limits = ChildLimits(
        settings.recount_timeout_s, settings.memory_bytes(settings.validation_memory_mib)
    )
    result = _run(ctx, "submissions.recount_child", arguments, limits)
    if result.timed_out or result.out_of_memory:
        why = (
            f"did not finish within {settings.recount_timeout_s:g} s (recount_timeout_s)"
            if result.timed_out
            else f"needed more than {settings.validation_memory_mib} MiB (validation_memory_mib)"
        )
        return [{"path": "", "status": "not recounted", "message": f"the recount {why}"}]
    try:
        checks = json.loads(out.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError) as exc:
        raise _child_failed(ctx, "recount", result, tree) from exc
    return checks if isinstance(checks, list) else []


def _spot_check(ctx: StepContext, tree: Path, logs: list[str]) -> dict[str, Any]:
    """The reference runner's tiers (``logs``: its ``--accuracy-log`` arguments), in its own
    limited child."""
    settings = ctx.ledger.settings
    report_path = ctx.ledger.storage.submission_dir(ctx.submission_id) / "spot_check.json"
    report_path.unlink(missing_ok=True)
    arguments = [
        *("reproduce", str(_bundle_root(tree))),
        *("--tiers", ",".join(map(str, settings.reproduction_tiers))),
        *("--samples", str(settings.spot_check_samples)),
        *("--device", settings.reference_device),
        *("--batch-size", str(settings.reference_batch_size)),
        *("--max-new-tokens", str(settings.reference_max_new_tokens)),
        *("--jobs", str(settings.reproduction_jobs)),
        *("--report", str(report_path)),
        "--quiet",
        *logs,
    ]
    optional = {
        "--backend": settings.reference_backend,
        "--dataset": settings.reference_dataset,
        "--model": settings.reference_model,
        "--tokenizer": settings.reference_tokenizer,
        "--dtype": settings.reference_dtype,
        "--dataset-sha256": settings.reference_dataset_sha256,
    }
    for flag, value in optional.items():
        if value:
            arguments += [flag, str(value)]
    limits = ChildLimits(
        settings.spot_check_timeout_s, settings.memory_bytes(settings.reproduction_memory_mib)
    )
    result = _run(ctx, "reference_runner", arguments, limits)
    if result.timed_out:
        return {
            "status": ReproductionStatus.TIMED_OUT,
            "message": "the reproduction did not finish within "
            f"{settings.spot_check_timeout_s:g} s (spot_check_timeout_s)",
        }
    hidden = _server_folders(ctx, tree)
    try:
        details = json.loads(report_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {
            "status": ReproductionStatus.FAILED,
            "message": _child_said(ctx, "reference runner", result, tree),
        }
    if not isinstance(details, dict):
        return {
            "status": ReproductionStatus.FAILED,
            "message": "the reference runner wrote no report object",
        }
    details = scrub_paths(details, hidden)
    ctx.ledger.storage.write_json(report_path, details)
    return {
        "status": str(details.get("verdict", ReproductionStatus.FAILED)),
        "exit_status": result.returncode,
        "report": details,
    }


def _child_failed(ctx: StepContext, what: str, result: ChildResult, tree: Path) -> StepFailedError:
    """A child that wrote no result, as a step failure (retried; after the retries its text is
    the rejection's reason)."""
    return StepFailedError(_child_said(ctx, what, result, tree))


def _child_said(ctx: StepContext, what: str, result: ChildResult, tree: Path) -> str:
    """Why a child wrote no result, as the submitter may read it: the child's own last
    ``error:`` line with server paths removed, or only its exit status. Its whole output (a
    traceback, say) goes to the server's log."""
    log.warning(
        "submission %s: the %s child exited with %s:\n%s",
        ctx.submission_id,
        what,
        result.returncode,
        result.output[-8000:],
    )
    said = [
        line[len(ERROR_LINE_PREFIX) :].strip()
        for line in result.output.splitlines()
        if line.startswith(ERROR_LINE_PREFIX)
    ]
    if not said:
        return f"the {what} stopped unexpectedly (exit status {result.returncode})"
    line = str(scrub_paths(said[-1][:300], _server_folders(ctx, tree)))
    return f"the {what} failed: {_ABSOLUTE_PATH.sub('<server path>', line)}"


# what is left of a path outside the known folders once they are scrubbed (a library's file)
_ABSOLUTE_PATH = re.compile(r"(?<![\w.~-])/[^\s'\"]+")


def _server_folders(ctx: StepContext, tree: Path) -> list[tuple[Path, str]]:
    """Folders whose paths a reviewer or submitter must not see (house style: no server
    paths): the bundle, the storage (whole logs live there), the project, and the folders
    holding the configured model, tokenizer and dataset."""
    settings = ctx.ledger.settings
    folders = [(tree, ""), (ctx.ledger.storage.root, ""), (PROJECT_ROOT, "")]
    for value in (
        settings.reference_model,
        settings.reference_tokenizer,
        settings.reference_dataset,
    ):
        parent = Path(value).parent if value else None
        if parent is not None and parent.is_absolute() and len(parent.parts) > 1:
            folders.append((parent, ""))
    return folders


def _bundle_root(tree: Path) -> Path:
    """The folder the validator validated (archives often wrap the tree in one folder)."""
    from validator.archive import bundle_root

    return bundle_root(tree) if tree.is_dir() else tree


def _worker_rejects(what: str, decision: str, reason: str) -> StepOutcome:
    return StepOutcome(
        State.REJECTED,
        f"rejected: {what}",
        action=AuditAction.REJECTED,
        reason=reason,
        changes={
            "decision_reason": decision,
            "decided_by": WORKER_NAME,
            "verdict": Outcome.REJECTED.value,
        },
    )


def _validator_rejects(what: str, reason: str, counts: dict[str, Any]) -> StepOutcome:
    return StepOutcome(
        State.REJECTED_BY_VALIDATOR,
        f"rejected by the validator: {what}",
        action=AuditAction.REJECTED,
        reason=reason,
        changes={**counts, "decision_reason": reason, "decided_by": VALIDATOR_NAME},
    )


def _counts(report: Report) -> dict[str, Any]:
    """The report's figures the submissions table keeps (its columns, by name)."""
    counts = report.counts
    return {
        "verdict": report.verdict.value,
        "error_count": counts["error"],
        "warning_count": counts["warning"],
        "result_count": len(report.results),
        "valid_result_count": sum(1 for r in report.results if r.valid),
    }
