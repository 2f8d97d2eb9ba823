"""The audit log is append-only, chained and keyed: every tamper case is found (issue 12).

TAMPER_CASES is the table the issue asks for: each case changes the database or the head file
the way someone with write access but without the installation's key could, and names what
verification must report. A case that is not detected fails here.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from leaderboard.db import Store
from submissions import audit, sql
from submissions.ledger import AUDIT_HEAD_FILE
from submissions.service import SubmissionService, ledger_of
from submissions.settings import SubmissionSettings
from tests.submissions.conftest import ALICE, BOB, MAINTAINER


def _some_history(service: SubmissionService) -> int:
    first = service.receive(ALICE, io.BytesIO(b"one"), "one.zip")
    service.receive(BOB, io.BytesIO(b"two"), "two.zip")
    service.withdraw(ALICE, first.submission_id, "sent the wrong file")
    return first.submission_id


def test_every_change_is_recorded_with_who_what_why(service: SubmissionService) -> None:
    first = _some_history(service)
    entries = service.audit_log(MAINTAINER)
    assert [(e.sequence, e.action, e.actor_label) for e in entries] == [
        (1, "received", "alice@example.org"),
        (2, "received", "bob@example.org"),
        (3, "withdrawn", "alice@example.org"),
    ]
    withdrawn = entries[2]
    assert (withdrawn.submission_id, withdrawn.reason) == (first, "sent the wrong file")
    assert (withdrawn.from_state.value, withdrawn.to_state.value) == ("received", "withdrawn")
    assert all(re.fullmatch(r"[0-9a-f]{64}", e.entry_hash) for e in entries)
    check = service.verify_audit_chain(MAINTAINER)
    assert (check.problems, check.warnings, check.entries) == ([], [], 3)
    # the owner reads their own submission's entries only
    assert [e.sequence for e in service.audit_log(ALICE, first)] == [1, 3]


def test_the_sql_module_never_updates_or_deletes_audit_rows() -> None:
    statements = [v for k, v in vars(sql).items() if k.isupper() and isinstance(v, str)]
    for text in statements:
        assert not re.search(r"(UPDATE|DELETE\s+FROM)\s+audit_log", text, re.IGNORECASE), text


# ----------------------------------------------------------------------------- tampering
@dataclass(frozen=True)
class Tamper:
    """Someone with write access to the database and the storage folder, without the key."""

    store: Store
    storage: Path

    def sql(self, statement: str) -> None:
        self.store.cursor().execute(statement)

    @property
    def head(self) -> Path:
        return self.storage / AUDIT_HEAD_FILE

    def rows(self) -> list[dict]:
        return audit.rows(self.store.cursor())

    def unkeyed_hash(self, previous: str, row: dict) -> str:
        """What the chain was before it was keyed: plain sha256, computable by anyone."""
        return hashlib.sha256((previous + audit.canonical(row)).encode()).hexdigest()

    def insert_after(self, previous_hash: str, row: dict) -> None:
        """Insert ``row`` chained (unkeyed) to ``previous_hash``, as a forger would."""
        row = {**row, "previous_hash": previous_hash}
        row["entry_hash"] = self.unkeyed_hash(previous_hash, row)
        columns = ", ".join(f'"{k}"' for k in row)
        self.store.cursor().execute(
            f"INSERT INTO audit_log ({columns}) VALUES ({', '.join('$' + k for k in row)})", row
        )


def _forged_append(t: Tamper) -> None:
    last = t.rows()[-1]
    row = {**last, "sequence": last["sequence"] + 1, "action": "accepted", "reason": "forged"}
    t.insert_after(last["entry_hash"], row)


def _rewrite_chain_and_head(t: Tamper) -> None:
    """Edit an entry, then recompute every hash and the head file consistently."""
    t.sql("UPDATE audit_log SET reason = 'nothing to see' WHERE sequence = 3")
    previous = audit.GENESIS_HASH
    for row in t.rows():
        digest = t.unkeyed_hash(previous, row)
        t.store.cursor().execute(
            "UPDATE audit_log SET previous_hash = $p, entry_hash = $h WHERE sequence = $s",
            {"p": previous, "h": digest, "s": row["sequence"]},
        )
        previous = digest
    last = t.rows()[-1]
    mac = hashlib.sha256(f"head:{last['sequence']}:{previous}".encode()).hexdigest()
    t.head.write_text(
        json.dumps({"sequence": last["sequence"], "entry_hash": previous, "mac": mac})
    )


def _insert_in_the_middle(t: Tamper) -> None:
    for sequence in (3, 2):
        t.sql(f"UPDATE audit_log SET sequence = sequence + 1 WHERE sequence = {sequence}")
    first = t.rows()[0]
    t.insert_after(first["entry_hash"], {**first, "sequence": 2, "reason": "slipped in"})


def _swap_first_two(t: Tamper) -> None:
    t.sql("UPDATE audit_log SET sequence = 100 WHERE sequence = 1")
    t.sql("UPDATE audit_log SET sequence = 1 WHERE sequence = 2")
    t.sql("UPDATE audit_log SET sequence = 2 WHERE sequence = 100")


def _head_from_another_installation(t: Tamper) -> None:
    last = t.rows()[-1]
    other = audit.signed_head(b"k" * 64, last["sequence"], last["entry_hash"])
    t.head.write_text(json.dumps(other))


def _forge_accepted_submission(t: Tamper) -> None:
    t.sql(
        "INSERT INTO submissions SELECT * REPLACE (99 AS submission_id, 'accepted' AS state) "
        "FROM submissions WHERE submission_id = 2"
    )


# case -> (what is done, what verification must report); the four misses are marked
TAMPER_CASES: dict[str, tuple[Callable[[Tamper], None], str]] = {
    "edit an entry's reason": (
        lambda t: t.sql("UPDATE audit_log SET reason = 'nothing to see' WHERE sequence = 3"),
        "entry 3: content changed",
    ),
    "edit an entry's actor": (
        lambda t: t.sql("UPDATE audit_log SET actor_label = 'someone else' WHERE sequence = 1"),
        "entry 1: content changed",
    ),
    "overwrite an entry's hash": (
        lambda t: t.sql("UPDATE audit_log SET entry_hash = repeat('a', 64) WHERE sequence = 2"),
        "entry 3: does not link to the entry before it",
    ),
    "delete a middle entry": (
        lambda t: t.sql("DELETE FROM audit_log WHERE sequence = 2"),
        "entry 3: expected sequence 2",
    ),
    "delete the newest entry": (
        lambda t: t.sql("DELETE FROM audit_log WHERE sequence = 3"),
        "entry 3 was recorded as written",
    ),
    "delete the newest entry and audit-head.json (issue)": (
        lambda t: (t.sql("DELETE FROM audit_log WHERE sequence = 3"), t.head.unlink()),
        "submission 1 is withdrawn in the table, but its log last moved it to received",
    ),
    "append a forged entry with a correct sha256 (issue)": (
        _forged_append,
        "entry 4: content changed after it was written, or not written by this installation",
    ),
    "rewrite chain and head together (issue)": (
        _rewrite_chain_and_head,
        "audit-head.json is not signed with this installation's key",
    ),
    "UPDATE submissions SET state='accepted' (issue)": (
        lambda t: t.sql("UPDATE submissions SET state = 'accepted' WHERE submission_id = 2"),
        "submission 2 is accepted in the table, but its log last moved it to received",
    ),
    "insert an entry in the middle": (_insert_in_the_middle, "entry 2: content changed"),
    "reorder two entries": (_swap_first_two, "entry 2: does not link to the entry before it"),
    "empty the whole log": (
        lambda t: t.sql("DELETE FROM audit_log"),
        "entry 3 was recorded as written",
    ),
    "corrupt audit-head.json": (
        lambda t: t.head.write_text("{not json"),
        "audit-head.json is not readable",
    ),
    "head file signed with another key": (
        _head_from_another_installation,
        "audit-head.json is not signed with this installation's key",
    ),
    "drop the audit_log table": (
        lambda t: t.sql("DROP TABLE audit_log"),
        "the audit_log table cannot be read",
    ),
    "drop the submissions table": (
        lambda t: t.sql("DROP TABLE submissions"),
        "the submissions table cannot be read",
    ),
    "delete a submission row": (
        lambda t: t.sql("DELETE FROM submissions WHERE submission_id = 2"),
        "the audit log records submission 2, which is not in the table",
    ),
    "insert a submission with no log": (
        _forge_accepted_submission,
        "submission 99 is accepted but has no entry in the audit log",
    ),
}


@pytest.mark.parametrize("case", list(TAMPER_CASES))
def test_every_tamper_case_is_found(service: SubmissionService, store: Store, case: str) -> None:
    _some_history(service)
    assert service.verify_audit_chain(MAINTAINER).intact
    change, expected = TAMPER_CASES[case]
    change(Tamper(store, ledger_of(service).storage.root))
    check = service.verify_audit_chain(MAINTAINER)  # a finding, never an exception
    assert not check.intact, f"{case}: not detected ({check.warnings})"
    assert any(expected in problem for problem in check.problems), check.problems


def test_a_missing_head_file_is_a_warning(service: SubmissionService) -> None:
    _some_history(service)
    (ledger_of(service).storage.root / AUDIT_HEAD_FILE).unlink()
    check = service.verify_audit_chain(MAINTAINER)
    assert check.problems == []
    assert check.warnings == [
        "audit-head.json is missing: deleting the newest entries cannot be detected until the "
        "next change writes it again (restore it from a backup if you have one)"
    ]
    service.receive(ALICE, io.BytesIO(b"three"), "three.zip")  # the next write restores it
    assert service.verify_audit_chain(MAINTAINER).warnings == []


def test_the_key_is_generated_once_and_kept_private(service: SubmissionService, store) -> None:
    key_file = ledger_of(service).storage.root / audit.KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    key = key_file.read_text()
    assert len(key.strip()) == 64
    again = SubmissionService(store, service.settings)  # a restart reads the same key
    assert ledger_of(again).audit_key == ledger_of(service).audit_key
    assert key_file.read_text() == key


def test_a_chain_checked_with_another_key_fails_everywhere(
    service: SubmissionService, store, settings: SubmissionSettings
) -> None:
    _some_history(service)
    other = settings.with_changes(audit_key=SecretStr("x" * 40))
    check = SubmissionService(store, other).verify_audit_chain(MAINTAINER)
    assert sum("content changed" in p for p in check.problems) == 3
    assert any("not signed with this installation's key" in p for p in check.problems)


def test_a_configured_key_is_used_instead_of_the_file(store, settings: SubmissionSettings) -> None:
    configured = settings.with_changes(audit_key=SecretStr("s" * 40))
    service = SubmissionService(store, configured)
    assert ledger_of(service).audit_key == b"s" * 40
    assert not (ledger_of(service).storage.root / audit.KEY_FILE).exists()


def test_a_damaged_key_file_is_a_message(store, settings: SubmissionSettings) -> None:
    settings.storage_dir.mkdir(parents=True)
    key_file = settings.storage_dir / audit.KEY_FILE
    key_file.write_text("short\n")
    key_file.chmod(0o600)
    from submissions.errors import SubmissionError

    with pytest.raises(SubmissionError) as caught:
        SubmissionService(store, settings)
    assert caught.value.code == "audit.key_invalid"
    assert str(settings.storage_dir) not in caught.value.message
