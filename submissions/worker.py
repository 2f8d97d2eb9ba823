"""The background worker: advances submissions through validating and reproducing.

The portal starts one :class:`Worker` in its own process (the one that owns the DuckDB file)
as a daemon thread; ``python -m submissions work`` runs :meth:`Worker.run_until_idle` when the
portal is not running. On start it first records a "resumed" audit entry for every submission
a previous process left in validating or reproducing, then redoes their step (steps are
idempotent, see :mod:`submissions.pipeline`). What it is doing right now is written to
``storage_dir/worker-status.json`` (pid, submission, state, child pid) for operators.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from errors import InferboardError
from submissions import children, pipeline
from submissions.audit_actions import AuditAction
from submissions.service import SubmissionService, ledger_of
from submissions.settings import SubmissionSettings
from submissions.states import State

log = logging.getLogger(__name__)
STATUS_FILE = "worker-status.json"


@dataclass(frozen=True)
class Doing:
    """What the worker is doing now (what ``worker-status.json`` says): replaced whole, under
    the worker's status lock, never changed in place."""

    submission_id: int | None = None
    state: State | None = None
    child_pid: int | None = None  # the child process running the step, if any


class Worker:
    """One background thread (or one synchronous drain) working through pending submissions."""

    def __init__(self, service: SubmissionService, settings: SubmissionSettings) -> None:
        self._ledger = ledger_of(service)
        self._settings = settings
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._resumed = False
        self._drain_lock = threading.Lock()
        # The worker thread changes what it is doing while stop() (another thread) reads the
        # child to kill and run_until_idle() may write the status too: one lock for both the
        # value and its file, so the file is always the newest value, written whole.
        self._status_lock = threading.Lock()
        self._doing = Doing()
        # notified whenever the worker finished a step or a pass: wait_until_idle sleeps on it
        self._progress = threading.Condition()

    # ----------------------------------------------------------------------- control
    def start(self) -> None:
        """Resume interrupted work, then keep working in a daemon thread until stopped."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._resume_interrupted()
        self._thread = threading.Thread(target=self._loop, name="inferboard-worker", daemon=True)
        self._thread.start()
        self._wake.set()

    def wake(self) -> None:
        """Start on new work now instead of at the next poll (call after ``receive``)."""
        self._wake.set()

    def stop(self, timeout_s: float = 10) -> None:
        """Stop after the current child process (which is killed); unfinished work resumes
        at the next start."""
        self._stop.set()
        self._wake.set()
        child = self.doing.child_pid
        if child is not None:
            children.kill_child_group(child)
        if self._thread is not None:
            self._thread.join(timeout_s)

    def run_until_idle(self) -> int:
        """Synchronously advance everything pending; returns how many submissions moved."""
        self._resume_interrupted()
        return self._drain()

    def wait_until_idle(self, timeout_s: float) -> bool:
        """Block until no submission waits for the worker (True) or ``timeout_s`` has passed
        (False). The pending work is read from the table each time the worker reports
        progress, so a submission received at any moment is waited for, never missed."""
        deadline = time.monotonic() + timeout_s
        with self._progress:
            while self._ledger.pending_work():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._progress.wait(remaining)
        return True

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def doing(self) -> Doing:
        """A consistent snapshot of what the worker is doing now."""
        with self._status_lock:
            return self._doing

    # ----------------------------------------------------------------------- work
    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self._drain()
            except Exception:  # the thread must survive anything; the log keeps the trace
                log.exception("worker: unexpected failure; retrying at the next poll")
            self._wake.wait(self._settings.worker_poll_s)

    def _drain(self) -> int:
        advanced: set[int] = set()
        with self._drain_lock:
            while not self._stop.is_set():
                pending = self._ledger.pending_work()
                if not pending:
                    break
                for submission_id in pending:
                    if self._stop.is_set():
                        break
                    self._advance(submission_id)
                    advanced.add(submission_id)
                    self._report_progress()
        self._write_status(None, None)
        self._report_progress()
        return len(advanced)

    def _report_progress(self) -> None:
        with self._progress:
            self._progress.notify_all()

    def _advance(self, submission_id: int) -> None:
        """Take one submission as far as it goes, walking :data:`pipeline.STEPS`."""
        ledger = self._ledger
        while not self._stop.is_set():
            submission = ledger.load(submission_id)
            step = pipeline.STEPS.get(submission.state)
            if step is None:
                return  # awaiting review or final: nothing for the worker
            ctx = pipeline.StepContext(ledger, submission, self._on_child, self._stop.is_set)
            attempts, last_error = ledger.work_attempts(submission_id)
            if attempts >= pipeline.MAX_ATTEMPTS and step.give_up is not None:
                ledger.finish(submission_id, step.state, step.give_up(ctx, last_error or "?"))
                continue
            ledger.note(submission_id, step.state, work_attempts=attempts + 1)
            self._write_status(submission_id, step.state)
            try:
                outcome = step.run(ctx)
            except children.StoppedError:
                return
            except (pipeline.StepFailedError, InferboardError, OSError) as exc:
                if self._stop.is_set():
                    return
                message = exc.message if isinstance(exc, InferboardError) else str(exc)
                log.warning(
                    "worker: submission %s, %s failed: %s", submission_id, step.state, message
                )
                ledger.note(submission_id, step.state, last_error=message[:2000])
                continue
            if outcome.state not in step.outcomes:  # a step may only go where the table says
                raise RuntimeError(f"step {step.state} returned {outcome.state}")
            ledger.finish(submission_id, step.state, outcome)

    def _resume_interrupted(self) -> None:
        """Audit every submission a previous process left mid-step, once per worker."""
        if self._resumed:
            return
        self._resumed = True
        for submission_id in self._ledger.pending_work():
            state = self._ledger.load(submission_id).state
            if state in (State.VALIDATING, State.REPRODUCING):
                self._ledger.note(
                    submission_id,
                    state,
                    action=AuditAction.RESUMED,
                    reason=f"picked up again in {state.label} after a restart",
                    progress=f"resumed after a restart: {state.label}",
                )

    # ----------------------------------------------------------------------- status
    def _on_child(self, pid: int | None) -> None:
        with self._status_lock:
            self._record(replace(self._doing, child_pid=pid))

    def _write_status(self, submission_id: int | None, state: State | None) -> None:
        with self._status_lock:
            self._record(replace(self._doing, submission_id=submission_id, state=state))

    def _record(self, doing: Doing) -> None:
        """Hold the status lock: the new value, then its file."""
        self._doing = doing
        status = {
            "pid": os.getpid(),
            "submission_id": doing.submission_id,
            "state": str(doing.state) if doing.state is not None else None,
            "child_pid": doing.child_pid if doing.submission_id is not None else None,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self._ledger.storage.write_json(self._ledger.storage.root / STATUS_FILE, status)
