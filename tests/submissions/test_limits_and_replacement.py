"""Rate limit per user (counted from the table, so a restart does not reset it) and
replacement of an earlier submission with the link kept both ways."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from submissions.errors import (
    InvalidTransitionError,
    NotFoundError,
    RateLimitedError,
    SubmissionError,
)
from submissions.service import SubmissionService
from tests.submissions.conftest import ALICE, BOB, MAINTAINER, Reconfigure


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_rate_limit_counts_per_user_and_survives_a_restart(
    service: SubmissionService, reconfigured: Reconfigure
) -> None:
    clock = Clock()
    changes = {"rate_limit_count": 2, "rate_limit_window_s": 600}
    limited = reconfigured(clock=clock, **changes)
    limited.receive(ALICE, io.BytesIO(b"1"), "1.zip")
    clock.now += timedelta(seconds=60)
    limited.receive(ALICE, io.BytesIO(b"2"), "2.zip")
    restarted = reconfigured(clock=clock, **changes)
    with pytest.raises(RateLimitedError) as caught:
        restarted.receive(ALICE, io.BytesIO(b"3"), "3.zip")
    assert caught.value.code == "upload.rate_limited"
    assert caught.value.retry_at == datetime(2026, 1, 1, 12, 10, tzinfo=UTC)
    assert "2026-01-01 12:10:00 UTC" in caught.value.message
    assert restarted.receive(BOB, io.BytesIO(b"3"), "3.zip").submission_id == 3  # per user
    clock.now = datetime(2026, 1, 1, 12, 10, 1, tzinfo=UTC)
    assert restarted.receive(ALICE, io.BytesIO(b"3"), "3.zip").submission_id == 4


def test_replacement_withdraws_the_old_one_and_links_both(service: SubmissionService) -> None:
    old = service.receive(ALICE, io.BytesIO(b"v1"), "v1.zip").submission_id
    new = service.receive(ALICE, io.BytesIO(b"v2"), "v2.zip", replaces=old).submission_id
    old_now, new_now = service.get(ALICE, old), service.get(ALICE, new)
    assert (old_now.state.value, old_now.replaced_by) == ("withdrawn", new)
    assert old_now.decision_reason == f"replaced by submission {new}"
    assert (new_now.state.value, new_now.replaces) == ("received", old)
    with pytest.raises(InvalidTransitionError) as caught:
        service.receive(ALICE, io.BytesIO(b"v3"), "v3.zip", replaces=old)
    assert caught.value.code == "replace.already_replaced"
    assert str(new) in caught.value.message


def test_a_rejected_submission_keeps_its_state_when_replaced(service, store) -> None:
    old = service.receive(ALICE, io.BytesIO(b"v1"), "v1.zip").submission_id
    store.cursor().execute(
        "UPDATE submissions SET state = 'awaiting_review' WHERE submission_id = $id", {"id": old}
    )
    service.reject(MAINTAINER, old, "accuracy.txt does not match the log")
    new = service.receive(ALICE, io.BytesIO(b"v2"), "v2.zip", replaces=old).submission_id
    assert service.get(ALICE, old).state.value == "rejected"
    assert service.get(ALICE, old).replaced_by == new
    assert [e.action for e in service.audit_log(MAINTAINER, old)][-1] == "replaced"


def test_only_the_owner_replaces_and_never_an_accepted_one(service, store) -> None:
    old = service.receive(ALICE, io.BytesIO(b"v1"), "v1.zip").submission_id
    with pytest.raises(NotFoundError):
        service.receive(BOB, io.BytesIO(b"v2"), "v2.zip", replaces=old)
    store.cursor().execute(
        "UPDATE submissions SET state = 'accepted' WHERE submission_id = $id", {"id": old}
    )
    with pytest.raises(InvalidTransitionError) as caught:
        service.receive(ALICE, io.BytesIO(b"v2"), "v2.zip", replaces=old)
    assert caught.value.code == "replace.accepted"
    assert len(service.mine(ALICE)) == 1


def test_withdrawing_twice_is_refused(service: SubmissionService) -> None:
    sid = service.receive(ALICE, io.BytesIO(b"w"), "w.zip").submission_id
    with pytest.raises(SubmissionError) as blank:
        service.withdraw(ALICE, sid, "  ")
    assert blank.value.code == "withdraw.reason_required"
    assert service.get(ALICE, sid).state.value == "received"
    service.withdraw(ALICE, sid, "sent the wrong file")
    assert service.get(ALICE, sid).decision_reason == "sent the wrong file"
    with pytest.raises(InvalidTransitionError) as caught:
        service.withdraw(ALICE, sid, "again")
    assert caught.value.code == "state.invalid_transition"
