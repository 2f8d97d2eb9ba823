"""What an audit entry says happened: one StrEnum, stored as its plain value.

The ``action`` column of ``audit_log`` holds these strings, and each is part of the hashed
entry, so a value never changes once written (a new action is a new member, documented in
docs/submissions.md, which a test checks against this enum).
"""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    RECEIVED = "received"
    STATE_CHANGED = "state_changed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    REPLACED = "replaced"
    RESUMED = "resumed"
    LOG_ATTACHED = "log_attached"
    ORGANISATION_GRANTED = "organisation_granted"
    ORGANISATION_REVOKED = "organisation_revoked"
    ORGANISATION_CONFIRMED = "organisation_confirmed"
