"""Every action checks the principal on the server: ownership and role, not hidden buttons."""

from __future__ import annotations

import io

import pytest

from submissions.errors import NotFoundError, PermissionDeniedError
from submissions.roles import ANONYMOUS, principal_from_claims
from submissions.service import SubmissionService
from tests.submissions.conftest import ALICE, BOB, MAINTAINER


@pytest.fixture
def alices(service: SubmissionService) -> int:
    return service.receive(ALICE, io.BytesIO(b"alice's bundle"), "alice.zip").submission_id


def _missing_message(service: SubmissionService) -> str:
    with pytest.raises(NotFoundError) as caught:
        service.get(BOB, 999)
    return caught.value.message.replace("999", "N")


@pytest.mark.parametrize(
    "call",
    [
        lambda s, i: s.get(BOB, i),
        lambda s, i: s.report(BOB, i),
        lambda s, i: s.reproduction(BOB, i),
        lambda s, i: s.withdraw(BOB, i, "mine now"),
        lambda s, i: s.audit_log(BOB, i),
        lambda s, i: s.receive(BOB, io.BytesIO(b"fix"), "fix.zip", replaces=i),
        lambda s, i: s.attach_accuracy_log(BOB, i, "Offline", io.BytesIO(b"[]"), "log.json"),
    ],
    ids=["get", "report", "reproduction", "withdraw", "audit_log", "replace", "attach_log"],
)
def test_another_submitter_cannot_tell_it_exists(service, alices: int, call) -> None:
    with pytest.raises(NotFoundError) as caught:
        call(service, alices)
    assert caught.value.message.replace(str(alices), "N") == _missing_message(service)
    assert service.get(ALICE, alices).state.value == "received"  # nothing changed
    assert [s.submission_id for s in service.mine(BOB)] == []


@pytest.mark.parametrize(
    "call",
    [
        lambda s, i: s.accept(ALICE, i, "self-approved"),
        lambda s, i: s.reject(ALICE, i, "no"),
        lambda s, i: s.queue(ALICE),
        lambda s, i: s.decided(ALICE),
        lambda s, i: s.audit_log(ALICE),
        lambda s, i: s.verify_audit_chain(ALICE),
    ],
    ids=["accept", "reject", "queue", "decided", "audit_all", "verify"],
)
def test_a_submitter_cannot_do_maintainer_work(service, alices: int, call) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        call(service, alices)
    assert caught.value.code == "auth.maintainers_only"


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.receive(ANONYMOUS, io.BytesIO(b"x"), "x.zip"),
        lambda s: s.mine(ANONYMOUS),
        lambda s: s.get(ANONYMOUS, 1),
        lambda s: s.attach_accuracy_log(ANONYMOUS, 1, "Offline", io.BytesIO(b"[]"), "l.json"),
    ],
    ids=["receive", "mine", "get", "attach_log"],
)
def test_anonymous_users_must_log_in(service, alices: int, call) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        call(service)
    assert caught.value.code == "auth.login_required"


def test_owner_and_maintainer_see_it(service: SubmissionService, alices: int) -> None:
    assert service.get(ALICE, alices).owner_label == "alice@example.org"
    assert service.get(MAINTAINER, alices).submission_id == alices
    assert service.report(ALICE, alices) is None  # not validated yet
    withdrawn = service.withdraw(MAINTAINER, alices, "duplicate of another upload")
    assert (withdrawn.state.value, withdrawn.decided_by) == ("withdrawn", "maintainer@example.org")


def _claims(**extra: object) -> dict[str, object]:
    return {"is_logged_in": True, "iss": "https://idp.example", "sub": "u1", **extra}


@pytest.mark.parametrize(
    ("claims", "role"),
    [
        (_claims(email="boss@example.org", email_verified=True), "maintainer"),
        (_claims(email="Boss@Example.org", email_verified=True), "maintainer"),
        (_claims(email="boss@example.org", email_verified="false"), "submitter"),
        (_claims(email="boss@example.org", email_verified="true"), "submitter"),
        (_claims(email="boss@example.org", email_verified=1), "submitter"),
        (_claims(email="boss@example.org"), "submitter"),  # not said: not verified
        (_claims(sub="boss@example.org"), "submitter"),  # a subject is not an e-mail
        (_claims(sub="boss@example.org", iss=""), "submitter"),
        (_claims(sub="reviewer-7"), "submitter"),  # right subject, other issuer's namespace
        (_claims(sub="reviewer-7", iss="https://other.example"), "submitter"),
        (_claims(sub="reviewer-7", iss="https://sso.example"), "maintainer"),
    ],
)
def test_maintainers_match_in_their_own_namespace(claims: dict, role: str) -> None:
    maintainers = ("boss@example.org", "https://sso.example#reviewer-7")
    assert principal_from_claims(claims, maintainers).role.value == role
