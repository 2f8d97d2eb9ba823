"""The work done on one submission: validating, then reproducing, then waiting for review.

Each step is idempotent: it rebuilds its scratch folder, writes its outputs whole (by
rename) and only then moves the state on, so after a crash or a kill the worker simply redoes
the step the submission is in. CPU-heavy work runs in child processes (the validator, the
reference runner), never in the web process; a child that outlives its time limit is stopped
and the submission rejected with that reason. A step that fails for a reason that is not the
bundle's (a crash, a full disk) is retried; after :data:`MAX_ATTEMPTS` the submission is
rejected (validation) or sent to review with the failure written down (reproduction).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from submissions.recompute import recompute_logs
from submissions.service import SubmissionService
from submissions.settings import PROJECT_ROOT, SubmissionSettings
from submissions.states import State
from submissions.storage import archive_suffix
from validator.archive import ArchiveLimits, bundle_root, extract_archive

MAX_ATTEMPTS = 3
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")

ChildStarted = Callable[[int | None], None]


class StepFailedError(Exception):
    """A step could not finish for a reason that is not the bundle's; it is retried."""


@dataclass(frozen=True)
class ChildResult:
    returncode: int | None  # None: stopped after the time limit
    output: str


def kill_child_group(pid: int) -> None:
    """Kill a child started by :func:`run_child` and everything in its process group."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def run_child(
    command: list[str], timeout_s: float, on_start: ChildStarted, stop_requested: Callable[[], bool]
) -> ChildResult:
    """Run a child process with a time limit, reporting its pid (status file, stop).

    The child leads a process group of its own, so a time limit or the worker's stop kills it
    together with whatever it started (:func:`kill_child_group`)."""
    process = subprocess.Popen(  # our own interpreter and modules, no shell
        command,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    on_start(process.pid)
    try:
        output, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        kill_child_group(process.pid)
        output, _ = process.communicate()
        return ChildResult(None, output or "")
    finally:
        on_start(None)
    if stop_requested():
        raise StepFailedError("stopped with the worker")
    return ChildResult(process.returncode, output or "")


def _archive_link(service: SubmissionService, submission_id: int, work: Path) -> Path:
    """The stored blob under a name with its archive suffix (the validator reads the type
    from the name); a symbolic link, so nothing is copied."""
    submission = service.load(submission_id)
    suffix = archive_suffix(submission.filename)
    stem = _SAFE_NAME.sub("_", submission.filename[: -len(suffix)]).strip("._") or "bundle"
    link = work / f"{stem}{suffix}"
    link.unlink(missing_ok=True)
    link.symlink_to(service.storage.blob_path(submission.sha256))
    return link


def validate(
    service: SubmissionService,
    submission_id: int,
    on_child: ChildStarted,
    stop_requested: Callable[[], bool],
) -> None:
    """validating -> reproducing (or -> rejected when the archive is refused)."""
    settings = service.settings
    work = service.storage.work_dir(submission_id, fresh=True)
    out = service.storage.submission_dir(submission_id)
    for stale in ("report.json", "summary.csv", "reproduction.json"):
        (out / stale).unlink(missing_ok=True)
    archive = _archive_link(service, submission_id, work)
    service.note(submission_id, State.VALIDATING, progress="extracting and checking the bundle")
    command = [
        sys.executable,
        "-m",
        "submissions.validate_child",
        "--archive",
        str(archive),
        "--work",
        str(work),
        "--out",
        str(out),
        "--jobs",
        str(settings.validation_jobs),
        "--max-files",
        str(settings.archive_max_files),
        "--max-total-bytes",
        str(settings.archive_max_total_bytes),
        "--parent-pid",
        str(os.getpid()),
    ]
    result = run_child(command, settings.validation_timeout_s, on_child, stop_requested)
    if result.returncode is None:
        service.advance(
            submission_id,
            State.VALIDATING,
            State.REJECTED,
            progress="rejected: validation took too long",
            action="rejected",
            reason=f"validation did not finish within {settings.validation_timeout_s} s; "
            "split the bundle or ask a maintainer to raise validation_timeout_s",
            decision_reason="validation timed out",
            decided_by="Inferboard worker",
            verdict="rejected",
        )
        return
    report = service.storage.read_json(out / "report.json")
    if result.returncode != 0 or report is None:
        raise StepFailedError(f"the validator child failed ({result.returncode}): {_tail(result)}")
    counts = _counts(report)
    if report.get("archive_refused"):
        messages = "; ".join(f["message"] for f in report["findings"][:5])
        reason = f"archive refused: {messages}"
        service.advance(
            submission_id,
            State.VALIDATING,
            State.REJECTED,
            progress="rejected: the archive cannot be opened safely",
            action="rejected",
            reason=reason,
            decision_reason=reason,
            decided_by="Inferboard worker",
            **counts,
        )
        service.storage.remove_work_dir(submission_id)
        return
    service.advance(
        submission_id,
        State.VALIDATING,
        State.REPRODUCING,
        progress=f"recomputing from the logs ({counts['result_count']} results checked)",
        work_attempts=0,
        last_error=None,
        **counts,
    )


def reproduce(
    service: SubmissionService,
    submission_id: int,
    on_child: ChildStarted,
    stop_requested: Callable[[], bool],
) -> None:
    """reproducing -> awaiting_review, with reproduction.json written."""
    settings = service.settings
    work = service.storage.work_dir(submission_id)
    tree = work / "tree"
    if not tree.is_dir():  # scratch lost (cleaned by hand): unpack again, already vetted
        tree.mkdir()
        archive = _archive_link(service, submission_id, work)
        limits = ArchiveLimits(
            max_total_bytes=settings.archive_max_total_bytes, max_files=settings.archive_max_files
        )
        if extract_archive(archive, tree, limits):
            raise StepFailedError("the stored archive could not be unpacked again")
    root = bundle_root(tree)
    service.note(submission_id, State.REPRODUCING, progress="recounting tokens in the logs")
    data: dict[str, Any] = {"log_checks": recompute_logs(root)}
    if settings.spot_check_configured:
        service.note(
            submission_id, State.REPRODUCING, progress="regenerating sampled queries (spot check)"
        )
        data["spot_check"] = _spot_check(service, submission_id, root, on_child, stop_requested)
    else:
        data["spot_check"] = {
            "status": "not configured",
            "message": "no reference model in the settings "
            "(reference_backend, reference_model, reference_dataset); only the log-level "
            "recomputation ran",
        }
    service.storage.write_json(service.reproduction_path(submission_id), data)
    service.advance(
        submission_id,
        State.REPRODUCING,
        State.AWAITING_REVIEW,
        progress="waiting for a maintainer's review",
        work_attempts=0,
        last_error=None,
    )


def give_up(service: SubmissionService, submission_id: int, state: State, error: str) -> None:
    """After :data:`MAX_ATTEMPTS` failed attempts: stop retrying, say why."""
    reason = f"could not be processed after {MAX_ATTEMPTS} attempts: {error}"
    if state is State.VALIDATING:
        service.advance(
            submission_id,
            State.VALIDATING,
            State.REJECTED,
            progress="rejected: validation kept failing",
            action="rejected",
            reason=reason,
            decision_reason=reason + " (ask a maintainer; the bundle is kept)",
            decided_by="Inferboard worker",
        )
    elif state is State.REPRODUCING:
        service.storage.write_json(
            service.reproduction_path(submission_id),
            {"log_checks": [], "spot_check": {"status": "failed", "message": reason}},
        )
        service.advance(
            submission_id,
            State.REPRODUCING,
            State.AWAITING_REVIEW,
            progress="waiting for review (reproduction failed)",
            reason=reason,
        )


def _spot_check(
    service: SubmissionService,
    submission_id: int,
    root: Path,
    on_child: ChildStarted,
    stop_requested: Callable[[], bool],
) -> dict[str, Any]:
    settings: SubmissionSettings = service.settings
    report_path = service.storage.submission_dir(submission_id) / "spot_check.json"
    report_path.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "submissions.child_guard",  # the spot check ends if the portal is killed
        "--parent-pid",
        str(os.getpid()),
        "--",
        sys.executable,
        "-m",
        "reference_runner",
        "reproduce",
        str(root),
        "--backend",
        str(settings.reference_backend),
        "--dataset",
        str(settings.reference_dataset),
        "--samples",
        str(settings.spot_check_samples),
        "--report",
        str(report_path),
    ]
    if settings.reference_model:
        command += ["--model", settings.reference_model]
    if settings.reference_tokenizer:
        command += ["--tokenizer", settings.reference_tokenizer]
    result = run_child(command, settings.validation_timeout_s, on_child, stop_requested)
    if result.returncode is None:
        return {
            "status": "timed out",
            "message": f"the spot check did not finish within {settings.validation_timeout_s} s",
        }
    try:
        details = json.loads(report_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {
            "status": "failed",
            "message": f"the reference runner exited with {result.returncode}: {_tail(result)}",
        }
    status = "done" if result.returncode == 0 else "differences found"
    return {"status": status, "exit_status": result.returncode, "report": details}


def _counts(report: dict[str, Any]) -> dict[str, Any]:
    counts = report.get("counts", {})
    results = report.get("results", [])
    return {
        "verdict": report.get("verdict"),
        "error_count": int(counts.get("error", 0)),
        "warning_count": int(counts.get("warning", 0)),
        "result_count": len(results),
        "valid_result_count": sum(1 for r in results if r.get("valid")),
    }


def _tail(result: ChildResult, chars: int = 600) -> str:
    text = result.output.strip()
    return text[-chars:] if text else "no output"
