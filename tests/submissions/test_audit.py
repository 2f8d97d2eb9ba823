"""The audit log is append-only and hash-chained: any edit, deletion or cut is found."""

from __future__ import annotations

import io
import re

from submissions import sql
from submissions.service import SubmissionService
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
    assert service.verify_audit_chain(MAINTAINER) == []
    # the owner reads their own submission's entries only
    assert [e.sequence for e in service.audit_log(ALICE, first)] == [1, 3]


def test_the_sql_module_never_updates_or_deletes_audit_rows() -> None:
    statements = [v for k, v in vars(sql).items() if k.isupper() and isinstance(v, str)]
    for text in statements:
        assert not re.search(r"(UPDATE|DELETE\s+FROM)\s+audit_log", text, re.IGNORECASE), text


def test_an_edited_row_is_found(service: SubmissionService, store) -> None:
    _some_history(service)
    store.cursor().execute("UPDATE audit_log SET reason = 'nothing to see' WHERE sequence = 3")
    problems = service.verify_audit_chain(MAINTAINER)
    assert problems == ["entry 3: content changed after it was written"]


def test_a_rewritten_hash_breaks_the_link_to_the_next_entry(service, store) -> None:
    _some_history(service)
    store.cursor().execute("UPDATE audit_log SET entry_hash = repeat('a', 64) WHERE sequence = 2")
    problems = service.verify_audit_chain(MAINTAINER)
    assert "entry 2: content changed after it was written" in problems
    assert "entry 3: does not link to the entry before it" in problems


def test_a_deleted_middle_row_is_found(service: SubmissionService, store) -> None:
    _some_history(service)
    store.cursor().execute("DELETE FROM audit_log WHERE sequence = 2")
    problems = service.verify_audit_chain(MAINTAINER)
    assert "entry 3: expected sequence 2 (entries deleted or inserted)" in problems
    assert "entry 3: does not link to the entry before it" in problems


def test_deleting_the_newest_rows_is_found_through_the_head_file(service, store) -> None:
    _some_history(service)
    store.cursor().execute("DELETE FROM audit_log WHERE sequence = 3")
    problems = service.verify_audit_chain(MAINTAINER)
    assert len(problems) == 1
    assert "entry 3 was recorded as written" in problems[0]
