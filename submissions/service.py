"""The workflow's one entry point for pages and the CLI.

Every public method takes the acting :class:`Principal` as its first argument and checks it
here (role with :func:`~submissions.roles.require`, ownership against the stored subject), so
the UI hiding a button is never the only guard. Someone who may not see a submission gets the
same :class:`NotFoundError` as for a missing id, so ids reveal nothing.

The tables, the write lock, the transactions that carry their audit entry and the worker's
bookkeeping (``advance``, ``note``, ``load``, ``work_attempts``) live in
:class:`~submissions.ledger.Ledger`, which the service holds privately: nothing a page can
call moves a submission without a principal. The worker gets the ledger through
:func:`ledger_of`, which only ``submissions.worker`` calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

import duckdb

from leaderboard.db import Store
from leaderboard.errors import LeaderboardError
from leaderboard.ingest import insert_rows, refresh_hardware
from leaderboard.queries import existing_results
from leaderboard.seed import result_id
from submissions import audit, sql, whole_logs
from submissions.acceptance import accepted_rows
from submissions.audit_actions import AuditAction
from submissions.errors import InvalidTransitionError, RateLimitedError, SubmissionError
from submissions.ledger import AUDIT_HEAD_FILE, Ledger, Row, not_found, utc_now
from submissions.models import AuditEntry, Receipt, Submission
from submissions.organisation_registry import OrganisationRegistry
from submissions.reproduction import summarize
from submissions.roles import Principal, Role, require
from submissions.settings import SubmissionSettings
from submissions.states import FINAL_STATES, State, check_transition
from submissions.storage import Spooled, archive_suffix, display_name
from validator.report import Outcome, Report

__all__ = ["SubmissionService", "ledger_of", "utc_now"]

UNDECIDED_STATES = (State.RECEIVED, State.VALIDATING, State.REPRODUCING, State.AWAITING_REVIEW)
# the same bytes again point to these; after a rejection or withdrawal they make a new one
DUPLICATE_STATES = (*UNDECIDED_STATES, State.ACCEPTED)


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
        self._ledger = Ledger(store, settings, clock=clock)
        # who may submit for which organisation, and the review flag (principal-checked)
        self.organisations = OrganisationRegistry(self._ledger)

    @property
    def settings(self) -> SubmissionSettings:
        return self._ledger.settings

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
        with self._ledger._reading() as con:
            self._check_rate_limit(con, principal)  # fail before reading a large upload
            if replaces is not None:
                self._replaceable(con, principal, replaces)
        spooled = self._ledger.storage.spool(stream, self.settings.max_upload_bytes)
        try:
            return self._record_upload(principal, spooled, name, replaces)
        finally:
            self._ledger.storage.discard(spooled)  # gone already when stored as a blob

    def mine(self, principal: Principal) -> list[Submission]:
        """The principal's own submissions, newest first."""
        require(principal, Role.SUBMITTER, "see your submissions")
        with self._ledger._reading() as con:
            rows = con.sql(
                sql.SUBMISSIONS_BY_OWNER, params={"owner_subject": principal.subject}
            ).pl()
        return [Submission.from_row(row) for row in rows.to_dicts()]

    def get(self, principal: Principal, submission_id: int) -> Submission:
        """One submission, for its owner or a maintainer; anyone else: not found."""
        with self._ledger._reading() as con:
            return Submission.from_row(self._ledger._visible(con, principal, submission_id).values)

    def report(self, principal: Principal, submission_id: int) -> Report | None:
        """The validator's typed report as stored; None until validated."""
        self.get(principal, submission_id)
        return self._ledger.report(submission_id)

    def reproduction(self, principal: Principal, submission_id: int) -> dict[str, Any] | None:
        """The reproduction step's report (log recomputation, spot check); None until done.
        :func:`submissions.reproduction.summarize` gives its typed view."""
        self.get(principal, submission_id)
        return self._reproduction(submission_id)

    def _reproduction(self, submission_id: int) -> dict[str, Any] | None:
        data = self._ledger.storage.read_json(self._ledger.reproduction_path(submission_id))
        return data if isinstance(data, dict) else None

    def attach_accuracy_log(
        self,
        principal: Principal,
        submission_id: int,
        scenario: str,
        stream: BinaryIO,
        filename: str,
    ) -> dict[str, Any]:
        """Store the whole accuracy log of one scenario beside an undecided submission (its
        owner or a maintainer). Once the bundle was recounted the log must be the ``hash=`` of
        that scenario's accuracy.txt; a submission awaiting review goes back to reproducing
        with it. Nothing is stored when the log is refused."""
        submission = self.get(principal, submission_id)
        self._undecided_for_logs(submission)
        storage = self._ledger.storage
        spooled = storage.spool(stream, self.settings.max_accuracy_log_bytes)
        try:
            known = whole_logs.known_hashes(storage, submission_id)
            scenario = whole_logs.match_scenario(known, scenario, spooled.sha256)
            storage.store_accuracy_log(spooled)
        finally:
            storage.discard(spooled)
        name = display_name(filename)
        reason = f"{scenario}: {name}, {spooled.size_bytes} bytes, sha256 {spooled.sha256}"
        with self._ledger._writing() as con:
            row = self._ledger._visible(con, principal, submission_id)
            self._undecided_for_logs(Submission.from_row(row.values))
            whole_logs.record(
                storage,
                submission_id,
                scenario,
                sha256=spooled.sha256,
                size_bytes=spooled.size_bytes,
                filename=name,
                by=principal.label,
            )
            if row.state is State.AWAITING_REVIEW:
                self._ledger._move(
                    con,
                    row,
                    State.REPRODUCING,
                    principal,
                    action=AuditAction.LOG_ATTACHED,
                    reason=reason,
                    progress=f"reproducing again with the whole {scenario} accuracy log",
                    work_attempts=0,
                    last_error=None,
                )
            else:  # not reproduced yet, or now: the reproduction step picks it up
                self._ledger.audit(
                    con,
                    actor=principal,
                    submission_id=submission_id,
                    action=AuditAction.LOG_ATTACHED,
                    from_state=row.state,
                    to_state=row.state,
                    reason=reason,
                )
        return whole_logs.attached(storage, submission_id)[scenario]

    @staticmethod
    def _undecided_for_logs(submission: Submission) -> None:
        if submission.state.is_final:
            raise SubmissionError(
                "logs.decided",
                f"submission {submission.submission_id} is {submission.state.label}; whole "
                "accuracy logs can be added only before a decision",
            )

    def withdraw(self, principal: Principal, submission_id: int, reason: str) -> Submission:
        """The owner or a maintainer withdraws a submission that is not decided yet, saying
        why (the reason goes to the audit log and the status page)."""
        reason = _required_reason(
            reason, "withdraw.reason_required", "say why you withdraw this submission"
        )
        with self._ledger._writing() as con:
            row = self._ledger._visible(con, principal, submission_id)
            done = self._decide(
                con,
                row,
                State.WITHDRAWN,
                principal,
                action=AuditAction.WITHDRAWN,
                reason=reason,
                progress="withdrawn",
            )
        return done

    # =========================================================================== maintainers
    def queue(self, principal: Principal) -> list[Submission]:
        """Every undecided submission, oldest first."""
        require(principal, Role.MAINTAINER, "see the review queue")
        return self._ledger._in_states(UNDECIDED_STATES)

    def decided(self, principal: Principal, limit: int = 100) -> list[Submission]:
        """Accepted, rejected and withdrawn submissions, newest decision first."""
        require(principal, Role.MAINTAINER, "see decided submissions")
        with self._ledger._reading() as con:
            rows = con.sql(
                sql.DECIDED,
                params={"states": [str(s) for s in FINAL_STATES], "limit": max(1, int(limit))},
            ).pl()
        return [Submission.from_row(row) for row in rows.to_dicts()]

    def accept(
        self,
        principal: Principal,
        submission_id: int,
        reason: str,
        *,
        confirm_organisations: Iterable[str] = (),
    ) -> Submission:
        """Put the submission's valid results into the leaderboard and record the decision,
        all in one transaction: the leaderboard shows them at once, or nothing changed.
        A submitter folder the uploader is not mapped to must be named in
        ``confirm_organisations`` (the maintainer checked it; written to the audit log)."""
        require(principal, Role.MAINTAINER, "accept submissions")
        reason = _required_reason(reason)
        with self._ledger._writing() as con:
            row = self._ledger._existing(con, submission_id)
            check_transition(row.state, State.ACCEPTED, principal.role)
            if row["verdict"] != Outcome.ACCEPTED:
                raise SubmissionError(
                    "review.verdict_rejected",
                    f"the validator rejected submission {submission_id}; only a bundle the "
                    "validator accepts can enter the leaderboard: reject it with a reason",
                )
            self.organisations.confirm_for_acceptance(
                con, principal, row, confirm_organisations, reason
            )
            rows = accepted_rows(
                self._ledger.report(submission_id),
                submission_id,
                row["filename"],
                accepted_by=principal.name or principal.label,
                accepted_at=self._ledger.now(),
                reproduction=summarize(self._reproduction(submission_id)),
            )
            try:
                outcome = insert_rows(
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
            if outcome.conflicts or outcome.repeated:
                raise SubmissionError(
                    "review.import_conflict",
                    f"the leaderboard already holds results of submission {submission_id} "
                    f"({outcome.summary()}); nothing was changed",
                )
            progress = f"accepted: {outcome.added} results added to the leaderboard"
            done = self._decide(
                con,
                row,
                State.ACCEPTED,
                principal,
                action=AuditAction.ACCEPTED,
                reason=reason,
                progress=progress,
            )
        with self._ledger._reading() as con:
            refresh_hardware(con)  # catalogue names for new accelerators; its own transaction
        self._store.publish_snapshot()  # the readers' copy, now that both have committed
        return done

    def leaderboard_overlap(self, principal: Principal, submission_id: int) -> list[dict[str, str]]:
        """The submission's valid results that the leaderboard already holds under their
        published ids (the same round, division, submitter, system, benchmark and scenario),
        with how each was verified: an accepted submission sits beside them under its own
        ids, so the reviewer sees what it would duplicate before deciding. Empty until the
        validator has run."""
        require(principal, Role.MAINTAINER, "review submissions")
        report = self._ledger.report(submission_id)
        if report is None:
            return []
        ids = [result_id(e.round, e.location) for e in report.results if e.valid]
        with self._ledger._reading() as con:
            self._ledger._existing(con, submission_id)
            return existing_results(con, ids, submission_id).to_dicts()

    def reject(self, principal: Principal, submission_id: int, reason: str) -> Submission:
        """Reject with a reason; the bundle and its reports are kept."""
        require(principal, Role.MAINTAINER, "reject submissions")
        reason = _required_reason(reason)
        with self._ledger._writing() as con:
            row = self._ledger._existing(con, submission_id)
            done = self._decide(
                con,
                row,
                State.REJECTED,
                principal,
                action=AuditAction.REJECTED,
                reason=reason,
                progress="rejected by a maintainer",
            )
        return done

    def audit_log(self, principal: Principal, submission_id: int | None = None) -> list[AuditEntry]:
        """Maintainers: every entry (or one submission's). Owners: their submission's only."""
        if submission_id is None:
            require(principal, Role.MAINTAINER, "read the audit log")
        else:
            self.get(principal, submission_id)  # owner or maintainer, else not found
        with self._ledger._reading() as con:
            return audit.entries(con, submission_id)

    def verify_audit_chain(self, principal: Principal) -> audit.ChainCheck:
        """Check the keyed chain, the signed head file and every submission's state against
        its log; problems and warnings are listed, never raised."""
        require(principal, Role.MAINTAINER, "verify the audit log")
        head = audit.read_head(self._ledger.storage.root / AUDIT_HEAD_FILE)
        with self._ledger._reading() as con:
            return audit.verify(con, self._ledger.audit_key, head)

    def _decide(
        self,
        con: duckdb.DuckDBPyConnection,
        row: Row,
        target: State,
        principal: Principal,
        *,
        action: AuditAction,
        reason: str,
        progress: str,
    ) -> Submission:
        """Accept, reject or withdraw: every decision records who made it and why, on the row
        as well as in the audit entry, so the status page can show it without the log."""
        return self._ledger._move(
            con,
            row,
            target,
            principal,
            action=action,
            reason=reason,
            progress=progress,
            decision_reason=reason,
            decided_by=principal.label,
        )

    def _check_rate_limit(self, con: duckdb.DuckDBPyConnection, principal: Principal) -> None:
        window = timedelta(seconds=self.settings.rate_limit_window_s)
        count, oldest = con.execute(
            sql.RECENT_BY_OWNER,
            {"owner_subject": principal.subject, "since": self._ledger.now() - window},
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
    ) -> Row:
        old = self._ledger._fetch(con, replaces)
        if old is None or old["owner_subject"] != principal.subject:
            raise not_found(replaces)  # only the owner can replace, whoever else asks
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
        with self._ledger._writing() as con:
            duplicate = con.sql(
                sql.DUPLICATE_OF,
                params={
                    "owner_subject": principal.subject,
                    "sha256": spooled.sha256,
                    "states": [str(state) for state in DUPLICATE_STATES],
                },
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
            self._ledger.storage.store_blob(spooled)
            now = self._ledger.now()
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
            OrganisationRegistry.record_upload(con, principal, submission_id)
            self._ledger.audit(
                con,
                at=now,
                actor=principal,
                submission_id=submission_id,
                action=AuditAction.RECEIVED,
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
        self, con: duckdb.DuckDBPyConnection, actor: Principal, old: Row, new_id: int
    ) -> None:
        reason = f"replaced by submission {new_id}"
        if old.state in FINAL_STATES:  # a rejected one keeps its state; only the link is added
            self._ledger._update(
                con, old, {"replaced_by": new_id, "updated_at": self._ledger.now()}
            )
            self._ledger.audit(
                con,
                actor=actor,
                submission_id=old["submission_id"],
                action=AuditAction.REPLACED,
                reason=reason,
            )
            return
        self._ledger._move(
            con,
            old,
            State.WITHDRAWN,
            actor,
            action=AuditAction.WITHDRAWN,
            reason=reason,
            progress=reason,
            replaced_by=new_id,
            decision_reason=reason,
            decided_by=actor.label,
        )


def _required_reason(
    reason: str,
    code: str = "review.reason_required",
    hint: str = "say what was checked or what the submitter must fix",
) -> str:
    text = (reason or "").strip()
    if not text:
        raise SubmissionError(code, f"a reason is required: {hint}", hint)
    return text


def ledger_of(service: SubmissionService) -> Ledger:
    """The service's bookkeeping, for the worker only (``submissions.worker``): pages hold
    the service, whose every method checks the principal."""
    return service._ledger


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "hour" if hours == 1 else f"{hours} hours"
    if seconds % 60 == 0:
        return f"{seconds // 60} minutes"
    return f"{seconds} seconds"
