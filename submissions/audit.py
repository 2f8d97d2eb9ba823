"""The append-only audit log: who did what, when and why, chained and keyed.

Each entry's hash is ``HMAC-SHA256(key, previous entry_hash + canonical JSON of the entry)``,
the first entry's previous hash being 64 zeros. The key is a secret of the installation
(``audit_key`` in the secrets file, or ``storage_dir/audit.key`` generated on first start), so
someone who can write to the database but does not hold the key can neither edit an entry,
nor append a forged one, nor rewrite the whole chain: every such entry fails its check.

Deleting the newest rows leaves a shorter chain that still links; to catch that, the head
(sequence and hash) is also written to ``audit-head.json`` outside the database, signed with
the same key, after every commit. A missing head file is reported as a warning (a fresh
installation has none until its first entry), a corrupt or unsigned one as a problem.

:func:`verify` also checks every submission's state against its own entries: the state a row
holds must be the ``to_state`` of the newest entry that moved it, so ``UPDATE submissions SET
state = 'accepted'`` is found, and the organisations table against its grant and revoke
entries (a grant slipped in to hide a review flag is found). A dropped table or a broken head
file is a finding, never a traceback.

Entries are appended inside the caller's transaction (the same one as the state change they
record), and the caller holds the ledger's write lock, so sequences never fork.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import SecretStr

from submissions import organisations, sql
from submissions.audit_actions import AuditAction
from submissions.errors import SubmissionError
from submissions.models import AuditEntry
from submissions.roles import Principal
from submissions.states import State

if TYPE_CHECKING:
    import polars as pl

GENESIS_HASH = "0" * 64
KEY_FILE = "audit.key"
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


# ----------------------------------------------------------------------------- the key
def load_or_create_key(configured: SecretStr | None, storage_root: Path) -> bytes:
    """The installation's audit key: the configured one, else ``storage_root/audit.key``,
    created (random, mode 0600) on first start and never rewritten."""
    if configured is not None:
        return configured.get_secret_value().encode("utf-8")
    path = storage_root / KEY_FILE
    storage_root.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    key = path.read_text(encoding="ascii", errors="replace").strip()
    if len(key) < 32:
        raise SubmissionError(
            "audit.key_invalid",
            "the audit key file of the storage folder is empty or too short",
            "restore it from a backup, or set INFERBOARD_AUDIT_KEY in the secrets file",
        )
    return key.encode("ascii", errors="replace")


# ----------------------------------------------------------------------------- entries
def canonical(entry: dict[str, Any]) -> str:
    """The JSON the hash covers: fixed keys, sorted, no spaces, times to the microsecond."""
    values = {}
    for name in _HASHED_FIELDS:
        value = entry[name]
        if isinstance(value, datetime):
            value = value.replace(tzinfo=None).isoformat(timespec="microseconds")
        values[name] = value
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(key: bytes, previous_hash: str, entry: dict[str, Any]) -> str:
    message = (previous_hash + canonical(entry)).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def append(
    con: duckdb.DuckDBPyConnection,
    key: bytes,
    *,
    at: datetime,
    actor: Principal,
    submission_id: int | None,
    action: AuditAction,
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
        "action": action.value,
        "from_state": str(from_state) if from_state else None,
        "to_state": str(to_state) if to_state else None,
        "reason": reason,
    }
    digest = entry_hash(key, previous, entry)
    con.execute(sql.INSERT_AUDIT, {**entry, "previous_hash": previous, "entry_hash": digest})
    return sequence, digest


def rows(con: duckdb.DuckDBPyConnection, submission_id: int | None = None) -> list[dict[str, Any]]:
    if submission_id is None:
        relation = con.sql(sql.AUDIT_ALL)
    else:
        relation = con.sql(sql.AUDIT_FOR_SUBMISSION, params={"submission_id": submission_id})
    frame: pl.DataFrame = relation.pl()  # duckdb's stubs type .pl() as Any
    return frame.to_dicts()


def entries(con: duckdb.DuckDBPyConnection, submission_id: int | None = None) -> list[AuditEntry]:
    return [AuditEntry.from_row(row) for row in rows(con, submission_id)]


# ----------------------------------------------------------------------------- the head file
def head_mac(key: bytes, sequence: int, digest: str) -> str:
    return hmac.new(key, f"head:{sequence}:{digest}".encode(), hashlib.sha256).hexdigest()


def signed_head(key: bytes, sequence: int, digest: str) -> dict[str, Any]:
    """What ``audit-head.json`` holds: the newest entry and a MAC over both."""
    return {"sequence": sequence, "entry_hash": digest, "mac": head_mac(key, sequence, digest)}


@dataclass(frozen=True)
class Head:
    """``audit-head.json`` as read: ``status`` is ok, missing or corrupt."""

    status: str
    sequence: int = 0
    entry_hash: str = ""
    mac: str = ""


def read_head(path: Path) -> Head:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Head("missing")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return Head("corrupt")
    if not isinstance(data, dict):
        return Head("corrupt")
    sequence, digest, mac = data.get("sequence"), data.get("entry_hash"), data.get("mac")
    if not (isinstance(sequence, int) and isinstance(digest, str) and isinstance(mac, str)):
        return Head("corrupt")
    return Head("ok", sequence, digest, mac)


# ----------------------------------------------------------------------------- verification
@dataclass
class ChainCheck:
    """What :func:`verify` found: ``problems`` mean tampering or loss, ``warnings`` things a
    maintainer should look at that need not be tampering."""

    entries: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(con: duckdb.DuckDBPyConnection, key: bytes, head: Head) -> ChainCheck:
    """Check the chain, the head file and every submission's state against its log."""
    check = ChainCheck()
    try:
        logged = rows(con)
    except duckdb.Error:
        check.problems.append("the audit_log table cannot be read (dropped or damaged)")
        return check
    check.entries = len(logged)
    _check_links(logged, key, check)
    _check_head(logged, key, head, check)
    try:
        states = con.execute(sql.SUBMISSION_STATES).fetchall()
    except duckdb.Error:
        check.problems.append("the submissions table cannot be read (dropped or damaged)")
        return check
    _check_states(logged, dict(states), check)
    try:
        held = {(login, org) for login, org in con.execute(sql.GRANT_PAIRS).fetchall()}
    except duckdb.Error:
        check.problems.append("the submitter_organisations table cannot be read (dropped)")
        return check
    check.problems.extend(organisations.grant_problems(logged, held))
    return check


def _check_links(logged: list[dict[str, Any]], key: bytes, check: ChainCheck) -> None:
    previous = GENESIS_HASH
    expected_sequence = 1
    for row in logged:
        sequence = row["sequence"]
        if sequence != expected_sequence:
            check.problems.append(
                f"entry {sequence}: expected sequence {expected_sequence} (entries deleted or "
                "inserted)"
            )
        if row["previous_hash"] != previous:
            check.problems.append(f"entry {sequence}: does not link to the entry before it")
        if not hmac.compare_digest(entry_hash(key, row["previous_hash"], row), row["entry_hash"]):
            check.problems.append(
                f"entry {sequence}: content changed after it was written, or not written by "
                "this installation (its keyed hash does not match)"
            )
        previous = row["entry_hash"]
        expected_sequence = sequence + 1


def _check_head(logged: list[dict[str, Any]], key: bytes, head: Head, check: ChainCheck) -> None:
    if head.status == "missing":
        if logged:
            check.warnings.append(
                "audit-head.json is missing: deleting the newest entries cannot be detected "
                "until the next change writes it again (restore it from a backup if you have one)"
            )
        return
    if head.status == "corrupt":
        check.problems.append("audit-head.json is not readable (damaged or replaced)")
        return
    if not hmac.compare_digest(head_mac(key, head.sequence, head.entry_hash), head.mac):
        check.problems.append(
            "audit-head.json is not signed with this installation's key (rewritten)"
        )
        return
    # The head file may lag one write behind the database (a crash between commit and file
    # write), never ahead of it; a recorded head missing or different means rows were cut.
    by_sequence = {row["sequence"]: row["entry_hash"] for row in logged}
    if by_sequence.get(head.sequence) != head.entry_hash:
        check.problems.append(
            f"entry {head.sequence} was recorded as written (audit-head.json) but is missing "
            "or different in the log (newest entries deleted or replaced)"
        )


def _check_states(logged: list[dict[str, Any]], states: dict[int, str], check: ChainCheck) -> None:
    """Every submission's state is the one its newest state-moving entry recorded."""
    recorded: dict[int, str] = {}
    for row in logged:
        submission_id = row["submission_id"]
        if submission_id is not None and row["to_state"] is not None:
            recorded[submission_id] = row["to_state"]
    for submission_id, state in sorted(states.items()):
        if submission_id not in recorded:
            check.problems.append(
                f"submission {submission_id} is {state} but has no entry in the audit log"
            )
        elif recorded[submission_id] != state:
            check.problems.append(
                f"submission {submission_id} is {state} in the table, but its log last moved "
                f"it to {recorded[submission_id]} (state changed without an audit entry)"
            )
    for submission_id in sorted(set(recorded) - set(states)):
        check.problems.append(
            f"the audit log records submission {submission_id}, which is not in the table "
            "(row deleted)"
        )
