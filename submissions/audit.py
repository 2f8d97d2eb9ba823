"""The append-only audit log: who did what, when and why, chained by sha256.

Each entry's hash is ``sha256(previous entry_hash + canonical JSON of this entry)``, the first
entry's previous hash being 64 zeros, so editing, deleting or reordering any row breaks the
chain from there on and :func:`verify_chain` names the first broken entry. Deleting the newest
rows leaves a shorter, intact chain; to catch that, the head (sequence and hash) is also
written to ``audit-head.json`` in the storage folder, outside the database.

Entries are appended inside the caller's transaction (the same one as the state change they
record), and the caller holds the service's write lock, so sequences never fork.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

import duckdb

from submissions import sql
from submissions.models import AuditEntry
from submissions.roles import Principal
from submissions.states import State

GENESIS_HASH = "0" * 64
_HASHED_FIELDS = (
    "sequence",
    "at",
    "actor_label",
    "actor_subject",
    "submission_id",
    "action",
    "from_state",
    "to_state",
    "reason",
)


def canonical(entry: dict[str, Any]) -> str:
    """The JSON the hash covers: fixed keys, sorted, no spaces, times to the microsecond."""
    values = {}
    for name in _HASHED_FIELDS:
        value = entry[name]
        if isinstance(value, datetime):
            value = value.replace(tzinfo=None).isoformat(timespec="microseconds")
        values[name] = value
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(previous_hash: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256((previous_hash + canonical(entry)).encode("utf-8")).hexdigest()


def append(
    con: duckdb.DuckDBPyConnection,
    *,
    at: datetime,
    actor: Principal,
    submission_id: int | None,
    action: str,
    from_state: State | None = None,
    to_state: State | None = None,
    reason: str | None = None,
) -> tuple[int, str]:
    """Append one entry; returns its (sequence, entry_hash), the new head of the chain."""
    head = con.execute(sql.AUDIT_HEAD).fetchall()
    sequence, previous = (head[0][0] + 1, head[0][1]) if head else (1, GENESIS_HASH)
    entry: dict[str, Any] = {
        "sequence": sequence,
        "at": at.replace(tzinfo=None),
        "actor_label": actor.label,
        "actor_subject": actor.subject,
        "submission_id": submission_id,
        "action": action,
        "from_state": str(from_state) if from_state else None,
        "to_state": str(to_state) if to_state else None,
        "reason": reason,
    }
    digest = entry_hash(previous, entry)
    con.execute(sql.INSERT_AUDIT, {**entry, "previous_hash": previous, "entry_hash": digest})
    return sequence, digest


def rows(con: duckdb.DuckDBPyConnection, submission_id: int | None = None) -> list[dict[str, Any]]:
    if submission_id is None:
        relation = con.sql(sql.AUDIT_ALL)
    else:
        relation = con.sql(sql.AUDIT_FOR_SUBMISSION, params={"submission_id": submission_id})
    return relation.pl().to_dicts()


def entries(con: duckdb.DuckDBPyConnection, submission_id: int | None = None) -> list[AuditEntry]:
    return [AuditEntry.from_row(row) for row in rows(con, submission_id)]


def verify_chain(con: duckdb.DuckDBPyConnection, head: tuple[int, str] | None = None) -> list[str]:
    """Every problem found in the chain (``[]`` when intact). ``head`` is the last (sequence,
    hash) recorded outside the database, if any, to detect deleted newest entries."""
    problems: list[str] = []
    previous = GENESIS_HASH
    expected_sequence = 1
    seen: dict[int, str] = {}
    for row in rows(con):
        sequence = row["sequence"]
        if sequence != expected_sequence:
            problems.append(
                f"entry {sequence}: expected sequence {expected_sequence} (entries deleted or "
                "inserted)"
            )
        if row["previous_hash"] != previous:
            problems.append(f"entry {sequence}: does not link to the entry before it")
        recomputed = entry_hash(row["previous_hash"], row)
        if recomputed != row["entry_hash"]:
            problems.append(f"entry {sequence}: content changed after it was written")
        previous = row["entry_hash"]
        expected_sequence = sequence + 1
        seen[sequence] = row["entry_hash"]
    # The head file may lag one write behind the database (a crash between commit and file
    # write), never ahead of it; a recorded head missing or different means rows were cut.
    if head is not None and seen.get(head[0]) != head[1]:
        problems.append(
            f"entry {head[0]} was recorded as written (audit-head.json) but is missing or "
            "different in the log (newest entries deleted or replaced)"
        )
    return problems
