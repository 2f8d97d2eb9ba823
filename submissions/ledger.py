"""The workflow's bookkeeping: its tables (own migrations ledger), one write lock,
transactions that carry their audit entry, and the state moves the worker makes.

:class:`Ledger` has no role checks: it is the worker's and the service's tool, never a page's.
Pages get :class:`~submissions.service.SubmissionService`, which holds a ledger privately and
whose every method checks the acting principal; the worker's bookkeeping (``advance``,
``note``, ``load``, ``work_attempts``) lives only here.

One process owns the DuckDB file (house style §9): every thread takes its own cursor, and
writes are serialised by one lock so the audit chain never forks. Each write runs in one
transaction together with its audit entry, so a state change is never recorded without its
reason, nor the reverse; after the commit the chain's head is copied to ``audit-head.json``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from pydantic import ValidationError

from leaderboard.db import SchemaVersions, Store, migrate
from leaderboard.transactions import transaction
from submissions import audit, sql
from submissions.audit_actions import AuditAction
from submissions.errors import InvalidTransitionError, NotFoundError, SubmissionError
from submissions.models import StepOutcome, Submission
from submissions.roles import SYSTEM, Principal, Role, require
from submissions.settings import SubmissionSettings
from submissions.states import WORK_STATES, State, check_transition
from submissions.storage import Storage
from validator.report import Report, report_from_json

AUDIT_HEAD_FILE = "audit-head.json"
# The workflow's own schema-versions table, applied by the leaderboard's migrate().
WORKFLOW_VERSIONS = SchemaVersions(
    sql.CREATE_VERSIONS_TABLE, sql.APPLIED_VERSIONS, sql.RECORD_MIGRATION
)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Row:
    """A submissions row as read, changed field by field, then written back."""

    values: dict[str, Any]

    @property
    def state(self) -> State:
        return State(self.values["state"])

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


class Ledger:
    """Tables, transactions and state moves, without role checks (worker and service only)."""

    def __init__(
        self,
        store: Store,
        settings: SubmissionSettings,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._store = store
        self.settings = settings
        self.storage = Storage(settings.storage_dir)
        self._clock = clock
        self._lock = threading.RLock()
        self._finished: list[int] = []  # submissions that reached a final state in this write
        self._migrate()
        self.audit_key = audit.load_or_create_key(settings.audit_key, self.storage.root)

    def pending_work(self) -> list[int]:
        """Ids the worker still has to advance, oldest first."""
        return [s.submission_id for s in self._in_states(tuple(WORK_STATES))]

    # =========================================================================== worker API
    # Used by submissions.worker / pipeline only; they act as SYSTEM.
    def report_path(self, submission_id: int) -> Path:
        return self.storage.submission_dir(submission_id) / "report.json"

    def report(self, submission_id: int) -> Report | None:
        """The validator's stored report, as the typed model; None until it was written."""
        path = self.report_path(submission_id)
        try:
            return report_from_json(path.read_bytes())
        except FileNotFoundError:
            return None
        except ValidationError as exc:
            raise SubmissionError(
                "report.unreadable",
                f"the stored validator report of submission {submission_id} cannot be read "
                f"({exc.error_count()} problems: it was changed or written by another "
                "version); the bundle is kept: ask the submitter to send it again as a "
                "replacement",
            ) from exc

    def reproduction_path(self, submission_id: int) -> Path:
        return self.storage.submission_dir(submission_id) / "reproduction.json"

    def load(self, submission_id: int) -> Submission:
        """A submission without a role check (worker and CLI internals)."""
        with self._reading() as con:
            return Submission.from_row(self._existing(con, submission_id).values)

    def work_attempts(self, submission_id: int) -> tuple[int, str | None]:
        with self._reading() as con:
            row = self._existing(con, submission_id)
        return row["work_attempts"], row["last_error"]

    def advance(
        self,
        submission_id: int,
        expected: State,
        target: State,
        *,
        progress: str,
        action: AuditAction = AuditAction.STATE_CHANGED,
        reason: str | None = None,
        **changes: Any,
    ) -> Submission | None:
        """Move ``expected`` -> ``target`` as the worker; None if the state moved meanwhile
        (withdrawn by its owner while the worker was busy)."""
        with self._writing() as con:
            row = self._existing(con, submission_id)
            if row.state is not expected:
                return None
            return self._move(
                con, row, target, SYSTEM, action=action, reason=reason, progress=progress, **changes
            )

    def note(
        self,
        submission_id: int,
        expected: State,
        *,
        action: AuditAction | None = None,
        reason: str | None = None,
        **changes: Any,
    ) -> bool:
        """Change fields (progress, attempts, verdict counts) without a state change, with an
        audit entry when ``action`` is given; False if the state moved meanwhile."""
        with self._writing() as con:
            row = self._existing(con, submission_id)
            if row.state is not expected:
                return False
            self._update(con, row, {**changes, "updated_at": self.now()})
            if action:
                self.audit(
                    con,
                    actor=SYSTEM,
                    submission_id=submission_id,
                    action=action,
                    from_state=expected,
                    to_state=expected,
                    reason=reason,
                )
            return True

    def finish(
        self, submission_id: int, expected: State, outcome: StepOutcome
    ) -> Submission | None:
        """Apply a step's outcome (see :mod:`submissions.steps`); the attempt counter starts
        again for the next step. None if the state moved meanwhile."""
        return self.advance(
            submission_id,
            expected,
            outcome.state,
            progress=outcome.progress,
            action=outcome.action,
            reason=outcome.reason,
            work_attempts=0,
            last_error=None,
            **outcome.changes,
        )

    # =========================================================================== internals
    def _migrate(self) -> None:
        with self._lock, self._reading() as con:
            migrate(con, sql.MIGRATIONS, WORKFLOW_VERSIONS)

    @contextmanager
    def _reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self._store.cursor()
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def _writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction at a time; afterwards the audit head goes to a file (keyed,
        so it cannot be rewritten to match a rewritten log) and the work folders of
        submissions that reached a final state are removed."""
        with self._lock, self._reading() as con:
            self._finished.clear()
            try:
                with transaction(con):
                    yield con
            except BaseException:
                self._finished.clear()
                raise
            head = con.execute(sql.AUDIT_HEAD).fetchall()
            if head:
                self.storage.write_json(
                    self.storage.root / AUDIT_HEAD_FILE,
                    audit.signed_head(self.audit_key, head[0][0], head[0][1]),
                )
            finished, self._finished[:] = list(self._finished), []
        for submission_id in finished:  # every final state, however it was reached
            self.storage.remove_work_dir(submission_id)

    def now(self) -> datetime:
        """Naive UTC, as the tables store time."""
        return self._clock().astimezone(UTC).replace(tzinfo=None)

    def _fetch(self, con: duckdb.DuckDBPyConnection, submission_id: int) -> Row | None:
        rows = con.sql(sql.SUBMISSION_BY_ID, params={"submission_id": int(submission_id)}).pl()
        return Row(rows.to_dicts()[0]) if rows.height else None

    def _existing(self, con: duckdb.DuckDBPyConnection, submission_id: int) -> Row:
        row = self._fetch(con, submission_id)
        if row is None:
            raise not_found(submission_id)
        return row

    def _visible(
        self, con: duckdb.DuckDBPyConnection, principal: Principal, submission_id: int
    ) -> Row:
        require(principal, Role.SUBMITTER, "see submissions")
        row = self._fetch(con, submission_id)
        if row is None or not (
            principal.can(Role.MAINTAINER) or row["owner_subject"] == principal.subject
        ):
            raise not_found(submission_id)
        return row

    def _in_states(self, states: tuple[State, ...]) -> list[Submission]:
        with self._reading() as con:
            rows = con.sql(
                sql.SUBMISSIONS_IN_STATES, params={"states": [str(s) for s in states]}
            ).pl()
        return [Submission.from_row(row) for row in rows.to_dicts()]

    def _update(self, con: duckdb.DuckDBPyConnection, row: Row, changes: dict[str, Any]) -> Row:
        values = {**row.values, **changes, "expected_state": str(row.state)}
        values["state"] = str(values["state"])
        params = {k: v for k, v in values.items() if f"${k}" in sql.UPDATE_SUBMISSION}
        changed = con.execute(sql.UPDATE_SUBMISSION, params).fetchall()[0][0]
        if changed != 1:
            raise InvalidTransitionError(
                "state.changed",
                f"submission {row['submission_id']} changed while this was being done; "
                "reload and try again",
            )
        return Row({k: v for k, v in values.items() if k != "expected_state"})

    def _move(
        self,
        con: duckdb.DuckDBPyConnection,
        row: Row,
        target: State,
        actor: Principal,
        *,
        action: AuditAction,
        reason: str | None,
        progress: str,
        **changes: Any,
    ) -> Submission:
        check_transition(row.state, target, actor.role)
        now = self.now()
        new = self._update(
            con, row, {**changes, "state": target, "progress": progress, "updated_at": now}
        )
        self.audit(
            con,
            at=now,
            actor=actor,
            submission_id=row["submission_id"],
            action=action,
            from_state=row.state,
            to_state=target,
            reason=reason,
        )
        if target.is_final:
            self._finished.append(int(row["submission_id"]))
        return Submission.from_row(new.values)

    def audit(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        actor: Principal,
        action: AuditAction,
        submission_id: int | None = None,
        from_state: State | None = None,
        to_state: State | None = None,
        reason: str | None = None,
        at: datetime | None = None,
    ) -> tuple[int, str]:
        """One audit entry, keyed with this ledger's secret, in the caller's transaction; ``at``
        is now unless the caller stamps other rows of the same change with its own time."""
        return audit.append(
            con,
            self.audit_key,
            at=self.now() if at is None else at,
            actor=actor,
            submission_id=submission_id,
            action=action,
            from_state=from_state,
            to_state=to_state,
            reason=reason,
        )


def not_found(submission_id: int) -> NotFoundError:
    return NotFoundError(
        "submission.not_found",
        f"there is no submission {submission_id} that you can see; check the number, or log "
        "in as the user who sent it",
    )
