"""The workflow's one entry point for pages, the CLI and the worker.

Every public method takes the acting :class:`Principal` and checks it here (role with
:func:`~submissions.roles.require`, ownership against the stored subject), so the UI hiding a
button is never the only guard. Someone who may not see a submission gets the same
:class:`NotFoundError` as for a missing id, so ids reveal nothing.

Writes are serialised by one lock (one process owns the DuckDB file, house style §9) and each
runs in one transaction together with its audit entry, so a state change is never recorded
without its reason, nor the reverse.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

import duckdb

from leaderboard.db import Store
from leaderboard.errors import LeaderboardError
from leaderboard.importers import submission_rows
from leaderboard.ingest import insert_rows, refresh_hardware
from leaderboard.transactions import transaction
from submissions import audit, sql
from submissions.acceptance import read_summary_records
from submissions.errors import (
    InvalidTransitionError,
    NotFoundError,
    RateLimitedError,
    SubmissionError,
)
from submissions.models import AuditEntry, Receipt, Submission
from submissions.roles import SYSTEM, Principal, Role, require
from submissions.settings import SubmissionSettings
from submissions.states import FINAL_STATES, WORK_STATES, State, check_transition
from submissions.storage import Spooled, Storage, archive_suffix, display_name

UNDECIDED_STATES = (State.RECEIVED, State.VALIDATING, State.REPRODUCING, State.AWAITING_REVIEW)
AUDIT_HEAD_FILE = "audit-head.json"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Row:
    """A submissions row as read, changed field by field, then written back."""

    values: dict[str, Any]

    @property
    def state(self) -> State:
        return State(self.values["state"])

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


class SubmissionService:
    """Receive, track, review and accept submissions (the API pages and the CLI call)."""

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
        self._migrate()

    # =========================================================================== submitters
    def receive(
        self,
        principal: Principal,
        stream: BinaryIO,
        filename: str,
        *,
        replaces: int | None = None,
    ) -> Receipt:
        """Spool, hash and store an upload; return its receipt at once (work runs later)."""
        require(principal, Role.SUBMITTER, "submit a bundle")
        name = display_name(filename)
        archive_suffix(name)
        with self._reading() as con:
            self._check_rate_limit(con, principal)  # fail before reading a large upload
            if replaces is not None:
                self._replaceable(con, principal, replaces)
        spooled = self.storage.spool(stream, self.settings.max_upload_bytes)
        try:
            return self._record_upload(principal, spooled, name, replaces)
        finally:
            self.storage.discard(spooled)  # gone already when stored as a blob

    def mine(self, principal: Principal) -> list[Submission]:
        """The principal's own submissions, newest first."""
        require(principal, Role.SUBMITTER, "see your submissions")
        with self._reading() as con:
            rows = con.sql(
                sql.SUBMISSIONS_BY_OWNER, params={"owner_subject": principal.subject}
            ).pl()
        return [Submission.from_row(row) for row in rows.to_dicts()]

    def get(self, principal: Principal, submission_id: int) -> Submission:
        """One submission, for its owner or a maintainer; anyone else: not found."""
        with self._reading() as con:
            return Submission.from_row(self._visible(con, principal, submission_id).values)

    def report(self, principal: Principal, submission_id: int) -> dict[str, Any] | None:
        """The validator's report (``Report.to_dict()``) as stored; None until validated."""
        self.get(principal, submission_id)
        return self.storage.read_json(self.report_path(submission_id))

    def reproduction(self, principal: Principal, submission_id: int) -> dict[str, Any] | None:
        """The reproduction step's report (log recomputation, spot check); None until done."""
        self.get(principal, submission_id)
        return self.storage.read_json(self.reproduction_path(submission_id))

    def withdraw(self, principal: Principal, submission_id: int, reason: str) -> Submission:
        """The owner or a maintainer withdraws a submission that is not decided yet."""
        reason = reason.strip() or "no reason given"
        with self._writing() as con:
            row = self._visible(con, principal, submission_id)
            done = self._move(
                con,
                row,
                State.WITHDRAWN,
                principal,
                action="withdrawn",
                reason=reason,
                progress="withdrawn",
                decision_reason=reason,
                decided_by=principal.label,
            )
        self.storage.remove_work_dir(submission_id)
        return done

    # =========================================================================== maintainers
    def queue(self, principal: Principal) -> list[Submission]:
        """Every undecided submission, oldest first."""
        require(principal, Role.MAINTAINER, "see the review queue")
        return self._in_states(UNDECIDED_STATES)

    def decided(self, principal: Principal, limit: int = 100) -> list[Submission]:
        """Accepted, rejected and withdrawn submissions, newest decision first."""
        require(principal, Role.MAINTAINER, "see decided submissions")
        with self._reading() as con:
            rows = con.sql(
                sql.DECIDED,
                params={"states": [str(s) for s in FINAL_STATES], "limit": max(1, int(limit))},
            ).pl()
        return [Submission.from_row(row) for row in rows.to_dicts()]

    def accept(self, principal: Principal, submission_id: int, reason: str) -> Submission:
        """Put the submission's valid results into the leaderboard and record the decision,
        all in one transaction: the leaderboard shows them at once, or nothing changed."""
        require(principal, Role.MAINTAINER, "accept submissions")
        reason = _required_reason(reason)
        with self._writing() as con:
            row = self._existing(con, submission_id)
            check_transition(row.state, State.ACCEPTED, principal.role)
            if row["verdict"] != "accepted":
                raise SubmissionError(
                    "review.verdict_rejected",
                    f"the validator rejected submission {submission_id}; only a bundle the "
                    "validator accepts can enter the leaderboard: reject it with a reason",
                )
            records = read_summary_records(self.summary_path(submission_id))
            try:
                rows = submission_rows(records, submission_id, row["filename"])
                added = insert_rows(
                    con,
                    rows,
                    import_id=f"submission:{submission_id}",
                    kind="submission",
                    source=f"submission {submission_id} ({row['filename']})",
                    verification=f"accepted submission {submission_id}",
                    own_transaction=False,
                )
            except LeaderboardError as exc:
                raise SubmissionError("review.import_failed", exc.message) from exc
            already = rows.height - added
            progress = f"accepted: {added} results added to the leaderboard" + (
                f" ({already} were already there)" if already else ""
            )
            done = self._move(
                con,
                row,
                State.ACCEPTED,
                principal,
                action="accepted",
                reason=reason,
                progress=progress,
                decision_reason=reason,
                decided_by=principal.label,
            )
        with self._reading() as con:
            refresh_hardware(con)  # catalogue names for new accelerators; its own transaction
        self.storage.remove_work_dir(submission_id)
        return done

    def reject(self, principal: Principal, submission_id: int, reason: str) -> Submission:
        """Reject with a reason; the bundle and its reports are kept."""
        require(principal, Role.MAINTAINER, "reject submissions")
        reason = _required_reason(reason)
        with self._writing() as con:
            row = self._existing(con, submission_id)
            done = self._move(
                con,
                row,
                State.REJECTED,
                principal,
                action="rejected",
                reason=reason,
                progress="rejected by a maintainer",
                decision_reason=reason,
                decided_by=principal.label,
            )
        self.storage.remove_work_dir(submission_id)
        return done

    def audit_log(self, principal: Principal, submission_id: int | None = None) -> list[AuditEntry]:
        """Maintainers: every entry (or one submission's). Owners: their submission's only."""
        if submission_id is None:
            require(principal, Role.MAINTAINER, "read the audit log")
        else:
            self.get(principal, submission_id)  # owner or maintainer, else not found
        with self._reading() as con:
            return audit.entries(con, submission_id)

    def verify_audit_chain(self, principal: Principal) -> list[str]:
        """Problems found in the audit log's hash chain (``[]`` = intact)."""
        require(principal, Role.MAINTAINER, "verify the audit log")
        stored = self.storage.read_json(self.storage.root / AUDIT_HEAD_FILE)
        head = (int(stored["sequence"]), str(stored["entry_hash"])) if stored else None
        with self._reading() as con:
            return audit.verify_chain(con, head)

    def pending_work(self) -> list[int]:
        """Ids the worker still has to advance, oldest first."""
        return [s.submission_id for s in self._in_states(tuple(WORK_STATES))]

    # =========================================================================== worker API
    # Used by submissions.worker / pipeline only; they act as SYSTEM.
    def report_path(self, submission_id: int) -> Any:
        return self.storage.submission_dir(submission_id) / "report.json"

    def summary_path(self, submission_id: int) -> Any:
        return self.storage.submission_dir(submission_id) / "summary.csv"

    def reproduction_path(self, submission_id: int) -> Any:
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
        action: str = "state_changed",
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
        action: str | None = None,
        reason: str | None = None,
        **changes: Any,
    ) -> bool:
        """Change fields (progress, attempts, verdict counts) without a state change, with an
        audit entry when ``action`` is given; False if the state moved meanwhile."""
        with self._writing() as con:
            row = self._existing(con, submission_id)
            if row.state is not expected:
                return False
            self._update(con, row, {**changes, "updated_at": self._now()})
            if action:
                audit.append(
                    con,
                    at=self._now(),
                    actor=SYSTEM,
                    submission_id=submission_id,
                    action=action,
                    from_state=expected,
                    to_state=expected,
                    reason=reason,
                )
            return True

    # =========================================================================== internals
    def _migrate(self) -> None:
        with self._lock, self._reading() as con:
            con.execute(sql.CREATE_LEDGER)
            applied = {row[0] for row in con.execute(sql.APPLIED_VERSIONS).fetchall()}
            for version, description, statements in sql.MIGRATIONS:
                if version in applied:
                    continue
                with transaction(con):
                    for statement in statements:
                        con.execute(statement)
                    con.execute(
                        sql.RECORD_MIGRATION, {"version": version, "description": description}
                    )

    @contextmanager
    def _reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self._store.cursor()
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def _writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction at a time; afterwards the audit head goes to a file."""
        with self._lock, self._reading() as con:
            with transaction(con):
                yield con
            head = con.execute(sql.AUDIT_HEAD).fetchall()
            if head:
                self.storage.write_json(
                    self.storage.root / AUDIT_HEAD_FILE,
                    {"sequence": head[0][0], "entry_hash": head[0][1]},
                )

    def _now(self) -> datetime:
        return self._clock().astimezone(UTC).replace(tzinfo=None)

    def _fetch(self, con: duckdb.DuckDBPyConnection, submission_id: int) -> _Row | None:
        rows = con.sql(sql.SUBMISSION_BY_ID, params={"submission_id": int(submission_id)}).pl()
        return _Row(rows.to_dicts()[0]) if rows.height else None

    def _existing(self, con: duckdb.DuckDBPyConnection, submission_id: int) -> _Row:
        row = self._fetch(con, submission_id)
        if row is None:
            raise _not_found(submission_id)
        return row

    def _visible(
        self, con: duckdb.DuckDBPyConnection, principal: Principal, submission_id: int
    ) -> _Row:
        require(principal, Role.SUBMITTER, "see submissions")
        row = self._fetch(con, submission_id)
        if row is None or not (
            principal.can(Role.MAINTAINER) or row["owner_subject"] == principal.subject
        ):
            raise _not_found(submission_id)
        return row

    def _in_states(self, states: tuple[State, ...]) -> list[Submission]:
        with self._reading() as con:
            rows = con.sql(
                sql.SUBMISSIONS_IN_STATES, params={"states": [str(s) for s in states]}
            ).pl()
        return [Submission.from_row(row) for row in rows.to_dicts()]

    def _update(self, con: duckdb.DuckDBPyConnection, row: _Row, changes: dict[str, Any]) -> _Row:
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
        return _Row({k: v for k, v in values.items() if k != "expected_state"})

    def _move(
        self,
        con: duckdb.DuckDBPyConnection,
        row: _Row,
        target: State,
        actor: Principal,
        *,
        action: str,
        reason: str | None,
        progress: str,
        **changes: Any,
    ) -> Submission:
        check_transition(row.state, target, actor.role)
        now = self._now()
        new = self._update(
            con, row, {**changes, "state": target, "progress": progress, "updated_at": now}
        )
        audit.append(
            con,
            at=now,
            actor=actor,
            submission_id=row["submission_id"],
            action=action,
            from_state=row.state,
            to_state=target,
            reason=reason,
        )
        return Submission.from_row(new.values)

    def _check_rate_limit(self, con: duckdb.DuckDBPyConnection, principal: Principal) -> None:
        window = timedelta(seconds=self.settings.rate_limit_window_s)
        count, oldest = con.execute(
            sql.RECENT_BY_OWNER,
            {"owner_subject": principal.subject, "since": self._now() - window},
        ).fetchall()[0]
        if count >= self.settings.rate_limit_count:
            retry_at = (oldest + window).replace(tzinfo=UTC)
            raise RateLimitedError(
                "upload.rate_limited",
                f"you have sent {count} submissions in the last "
                f"{_duration(self.settings.rate_limit_window_s)}, the most allowed; you can "
                f"submit again at {retry_at:%Y-%m-%d %H:%M:%S} UTC",
                retry_at=retry_at,
            )

    def _replaceable(
        self, con: duckdb.DuckDBPyConnection, principal: Principal, replaces: int
    ) -> _Row:
        old = self._fetch(con, replaces)
        if old is None or old["owner_subject"] != principal.subject:
            raise _not_found(replaces)  # only the owner can replace, whoever else asks
        if old.state is State.ACCEPTED:
            raise InvalidTransitionError(
                "replace.accepted",
                f"submission {replaces} is accepted and cannot be replaced; send the corrected "
                "bundle as a new submission and ask a maintainer about the old results",
            )
        if old["replaced_by"] is not None:
            raise InvalidTransitionError(
                "replace.already_replaced",
                f"submission {replaces} was already replaced by submission "
                f"{old['replaced_by']}; replace that one instead",
            )
        return old

    def _record_upload(
        self, principal: Principal, spooled: Spooled, name: str, replaces: int | None
    ) -> Receipt:
        with self._writing() as con:
            duplicate = con.sql(
                sql.DUPLICATE_OF,
                params={"owner_subject": principal.subject, "sha256": spooled.sha256},
            ).pl()
            if duplicate.height:
                found = duplicate.to_dicts()[0]
                return Receipt(
                    submission_id=found["submission_id"],
                    sha256=found["sha256"],
                    size_bytes=found["size_bytes"],
                    received_at=found["received_at"],
                    filename=found["filename"],
                    already_received=True,
                )
            self._check_rate_limit(con, principal)
            old = self._replaceable(con, principal, replaces) if replaces is not None else None
            submission_id = con.execute(sql.NEXT_SUBMISSION_ID).fetchall()[0][0]
            self.storage.store_blob(spooled)
            now = self._now()
            con.execute(
                sql.INSERT_SUBMISSION,
                {
                    "submission_id": submission_id,
                    "owner_subject": principal.subject,
                    "owner_label": principal.label,
                    "filename": name,
                    "sha256": spooled.sha256,
                    "size_bytes": spooled.size_bytes,
                    "state": str(State.RECEIVED),
                    "received_at": now,
                    "updated_at": now,
                    "progress": "waiting for the validator",
                    "replaces": replaces,
                    "replaced_by": None,
                    "verdict": None,
                    "error_count": 0,
                    "warning_count": 0,
                    "result_count": 0,
                    "valid_result_count": 0,
                    "decision_reason": None,
                    "decided_by": None,
                    "work_attempts": 0,
                    "last_error": None,
                },
            )
            audit.append(
                con,
                at=now,
                actor=principal,
                submission_id=submission_id,
                action="received",
                to_state=State.RECEIVED,
                reason=f"{name}: {spooled.size_bytes} bytes, sha256 {spooled.sha256}"
                + (f", replaces submission {replaces}" if replaces is not None else ""),
            )
            if old is not None:
                self._link_replacement(con, principal, old, submission_id)
        return Receipt(
            submission_id=submission_id,
            sha256=spooled.sha256,
            size_bytes=spooled.size_bytes,
            received_at=now,
            filename=name,
            already_received=False,
        )

    def _link_replacement(
        self, con: duckdb.DuckDBPyConnection, actor: Principal, old: _Row, new_id: int
    ) -> None:
        reason = f"replaced by submission {new_id}"
        if old.state in FINAL_STATES:  # a rejected one keeps its state; only the link is added
            self._update(con, old, {"replaced_by": new_id, "updated_at": self._now()})
            audit.append(
                con,
                at=self._now(),
                actor=actor,
                submission_id=old["submission_id"],
                action="replaced",
                reason=reason,
            )
            return
        self._move(
            con,
            old,
            State.WITHDRAWN,
            actor,
            action="withdrawn",
            reason=reason,
            progress=reason,
            replaced_by=new_id,
            decision_reason=reason,
            decided_by=actor.label,
        )


def _required_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise SubmissionError(
            "review.reason_required",
            "a decision needs a reason: say what was checked or what the submitter must fix",
        )
    return text


def _not_found(submission_id: int) -> NotFoundError:
    return NotFoundError(
        "submission.not_found",
        f"there is no submission {submission_id} that you can see; check the number, or log "
        "in as the user who sent it",
    )


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "hour" if hours == 1 else f"{hours} hours"
    if seconds % 60 == 0:
        return f"{seconds // 60} minutes"
    return f"{seconds} seconds"
