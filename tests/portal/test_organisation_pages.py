"""AppTest of the organisations mapping in the portal (issue 11): the maintainers'
Organisations page, and the submitter-folder flag on the review and status pages.

One database and service for the module, installed as the process's runtime exactly as the
launcher does; each test acts as different users through ``AppTest.user``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from portal import runtime
from tests.support.apptest import ANONYMOUS, installed_runtime, login, principal
from tests.support.portal import PortalError, zip_bundle

ROOT = Path(__file__).resolve().parents[2]
PAGE = "app_pages/organisations.py"
ALICE, BOB, MIA = login("alice"), login("bob"), login("mia")


@pytest.fixture(scope="module")
def rt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[runtime.PortalRuntime]:
    base = tmp_path_factory.mktemp("organisation-pages")
    mapped = "alice@example.org=NVIDIA"
    with installed_runtime(base, "pages.duckdb", submitter_organisations=mapped) as built:
        yield built


def _app(user: dict[str, object], page: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.user = dict(user)
    at.run()
    assert not at.exception, at.exception
    at.query_params.update(query)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _grants(at: AppTest) -> list[tuple[str, str, str]]:
    frame = at.dataframe[0].value
    return list(zip(frame["login"], frame["organisation"], frame["source"], strict=True))


def _form(at: AppTest, **fields: str) -> None:
    """Fill the grant form's inputs (login, organisations, reason), then press Grant."""
    for name, value in fields.items():
        at.text_input(key=f"grant-{name}").input(value)
    next(b for b in at.button if b.label == "Grant").click().run()
    assert not at.exception, at.exception


def test_only_maintainers_reach_the_organisations_page(rt: runtime.PortalRuntime) -> None:
    refused = _app(ALICE, PAGE)
    assert "auth.maintainers_only" in refused.error[0].value
    assert not refused.dataframe and not refused.text_input
    anonymous = _app(ANONYMOUS, PAGE)
    assert anonymous.info[0].value.startswith("Log in to map logins to organisations")
    assert not anonymous.dataframe and not anonymous.text_input


def test_a_maintainer_grants_and_revokes_with_reasons(rt: runtime.PortalRuntime) -> None:
    at = _app(MIA, PAGE)
    assert ("alice@example.org", "NVIDIA", "settings") in _grants(at)  # the seed
    _form(at, login="Carol@Example.org", organisations="Dell, Dell_Broadcom", reason="contract")
    assert at.success[0].value == (
        r"carol@example\.org may now submit for Dell, Dell_Broadcom. Nobody with this login "
        "has submitted yet: check its spelling."
    )
    assert {("carol@example.org", "Dell", "maintainer"), ("carol@example.org", "Dell_Broadcom",
            "maintainer")} <= set(_grants(at))  # fmt: skip
    revoke = next(s for s in at.selectbox if s.label == "Grant")
    revoke.set_value(next(o for o in revoke.options if o.endswith("→ Dell_Broadcom")))
    at.text_input(key="revoke-reason").input("joint submission ended")
    next(b for b in at.button if b.label == "Revoke").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == r"carol@example\.org may no longer submit for Dell_Broadcom."
    assert ("carol@example.org", "Dell_Broadcom", "maintainer") not in _grants(at)
    entries = rt.service.audit_log(principal(MIA))
    assert [(e.action, e.actor_label, e.reason) for e in entries][-3:] == [
        ("organisation_granted", "mia@example.org",
         "carol@example.org may submit for Dell: contract"),
        ("organisation_granted", "mia@example.org",
         "carol@example.org may submit for Dell_Broadcom: contract"),
        ("organisation_revoked", "mia@example.org",
         "carol@example.org may no longer submit for Dell_Broadcom: joint submission ended"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"login": "<b>dave</b>", "organisations": "Dell", "reason": "x"}, "login_invalid"),
        ({"login": "dave@example.org", "organisations": "Red Hat", "reason": "x"}, "name_invalid"),
        (
            {"login": "dave@example.org", "organisations": "<b>Dell</b>", "reason": "x"},
            "name_invalid",
        ),
        ({"login": "dave@example.org", "organisations": "N" * 300, "reason": "x"}, "name_invalid"),
        ({"login": "dave@example.org", "organisations": " , ", "reason": "x"}, "name_required"),
        ({"login": "", "organisations": "Dell", "reason": "x"}, "login_required"),
        ({"login": "dave@example.org", "organisations": "Dell", "reason": " "}, "reason_required"),
    ],
)
def test_bad_input_on_the_page_gets_its_code_and_changes_nothing(
    rt: runtime.PortalRuntime, fields: dict[str, str], code: str
) -> None:
    before = rt.service.organisations.grants(principal(MIA))
    at = _app(MIA, PAGE)
    _form(at, **fields)
    assert f"`organisations.{code}`" in at.error[0].value
    assert "<b>" not in at.error[0].value  # shown literally (escaped for markdown)
    assert not at.success
    assert rt.service.organisations.grants(principal(MIA)) == before


def test_the_login_in_the_address_filters_and_fills_the_form(rt: runtime.PortalRuntime) -> None:
    at = _app(MIA, PAGE, login="alice@example.org")
    assert _grants(at) == [("alice@example.org", "NVIDIA", "settings")]
    assert at.text_input(key="grant-login").value == "alice@example.org"
    for hostile in ("<script>alert(1)</script>", "\x00\x1b[31m", "x" * 20_000):
        bad = _app(MIA, PAGE, login=hostile)
        assert "organisations.login_invalid" in bad.error[0].value
        assert not bad.dataframe


@pytest.mark.slow  # the worker runs the validator child: 3.5 s
def test_the_flag_on_the_status_and_review_pages(rt: runtime.PortalRuntime) -> None:
    try:
        data = zip_bundle("v5.1/closed/AMD", complete=True, rename_system="8xMI300X_OrgTest")
    except PortalError as exc:
        pytest.fail(str(exc))
    sid = rt.service.receive(principal(BOB), io.BytesIO(data), "amd.zip").submission_id
    rt.worker.run_until_idle()
    assert rt.service.get(principal(MIA), sid).state.value == "awaiting_review"

    status = _app(BOB, "app_pages/my_submissions.py", id=str(sid))
    flag = next(w.value for w in status.warning if "submitter.login_unmapped" in w.value)
    assert r"names the organisation 'AMD', but 'bob@example\.org' is mapped to no" in flag
    assert any("ask the maintainers to map your login" in c.value for c in status.caption)
    assert not status.checkbox or not any("I checked" in c.label for c in status.checkbox)

    review = _app(MIA, "app_pages/review.py", id=str(sid))
    assert any("submitter.login_unmapped" in w.value for w in review.warning)
    labels = [c.label for c in review.checkbox]
    assert labels == [r"I checked that bob@example\.org may submit for AMD"]
    link = next(p for p in review.get("page_link") if p.proto.label.startswith("Map this"))
    assert "login=bob%40example.org" in link.proto.query_string

    rt.service.organisations.grant(principal(MIA), "bob@example.org", ["AMD"], "AMD's Bob")
    review = _app(MIA, "app_pages/review.py", id=str(sid))
    assert any("Every submitter folder (closed/AMD)" in s.value for s in review.success)
    assert not review.checkbox  # nothing to confirm any more
    status = _app(BOB, "app_pages/my_submissions.py", id=str(sid))
    assert "bob@example.org may submit for AMD." in [t.value for t in status.text]


def test_the_submit_page_says_what_the_login_may_submit_for(rt: runtime.PortalRuntime) -> None:
    alice = _app(ALICE, "app_pages/submit.py")
    assert any(c.value.startswith("You may submit for NVIDIA: ") for c in alice.caption)
    stranger = _app(login("zed"), "app_pages/submit.py")
    assert any("Your login is not mapped to an organisation yet" in c.value
               for c in stranger.caption)  # fmt: skip
