"""What the workflow hands to its callers: frozen pydantic models built from table rows.

Pages and the CLI only ever see these (never raw rows), so a column rename stays inside
``submissions``. Times are timezone-aware UTC; the database stores them as naive UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from submissions.audit_actions import AuditAction
from submissions.states import State
from validator.report import Outcome


def as_utc(value: datetime) -> datetime:
    """Naive timestamps from DuckDB are UTC; make that explicit."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Receipt(_Frozen):
    """What the uploader gets at once: enough to find the submission and prove what was sent."""

    submission_id: int
    sha256: str
    size_bytes: int
    received_at: datetime
    filename: str
    already_received: bool  # True: the same user sent the same bytes before; no copy was made

    _utc = field_validator("received_at")(as_utc)


class Submission(_Frozen):
    """One uploaded bundle and where it stands."""

    submission_id: int
    owner_subject: str
    owner_label: str
    filename: str
    sha256: str
    size_bytes: int
    state: State
    received_at: datetime
    updated_at: datetime
    progress: str  # human text, e.g. "checking results"
    replaces: int | None
    replaced_by: int | None
    verdict: Outcome | None  # the validator's; None until validated
    error_count: int
    warning_count: int
    result_count: int
    valid_result_count: int
    decision_reason: str | None
    decided_by: str | None

    _utc = field_validator("received_at", "updated_at")(as_utc)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Submission:
        return cls.model_validate({name: row[name] for name in cls.model_fields})


class AuditEntry(_Frozen):
    """One line of the append-only audit log; ``entry_hash`` chains it to the one before."""

    sequence: int
    at: datetime
    actor_label: str
    actor_subject: str
    submission_id: int | None
    action: AuditAction
    from_state: State | None
    to_state: State | None
    reason: str | None
    entry_hash: str

    _utc = field_validator("at")(as_utc)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AuditEntry:
        return cls.model_validate({name: row[name] for name in cls.model_fields})


@dataclass(frozen=True)
class StepOutcome:
    """What a workflow step decided (:mod:`submissions.steps`): the state the submission moves
    to, the progress text people read, the audit action and reason, and the fields that
    change with it (verdict counts, decision)."""

    state: State
    progress: str
    action: AuditAction = AuditAction.STATE_CHANGED
    reason: str | None = None
    changes: Mapping[str, Any] = field(default_factory=dict)
