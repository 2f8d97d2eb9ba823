"""AppTest of the portal pages' role logic, against the real submissions service.

One seeded database and one SubmissionService for the module (installed as the process's
runtime, exactly as the launcher does); each test acts as different users through
``AppTest.user``. The worker is not started: tests that need a report drive it themselves.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from leaderboard import queries
from portal import runtime
from portal.views import literal
from submissions.errors import PermissionDeniedError
from tests.support.apptest import ANONYMOUS, installed_runtime, login, principal
from tests.support.portal import PortalError, zip_bundle

ROOT = Path(__file__).resolve().parents[2]
ALICE, BOB, MIA = login("alice"), login("bob"), login("mia")


@pytest.fixture(scope="module")
def rt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[runtime.PortalRuntime]:
    with installed_runtime(tmp_path_factory.mktemp("portal-pages"), "pages.duckdb") as built:
        yield built


def _upload(rt: runtime.PortalRuntime, user: dict[str, object], name: str, data: bytes) -> int:
    return rt.service.receive(principal(user), io.BytesIO(data), name).submission_id


def _app(user: dict[str, object], page: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.user = dict(user)
    at.run()
    assert not at.exception, at.exception
    if page is not None:
        at.query_params.update(query)
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    """Everything a person reads on the page, as one string (tables included)."""
    parts = [e.value for e in (*at.markdown, *at.text, *at.caption, *at.title, *at.header)]
    parts += [str(e.value) for e in (*at.error, *at.info, *at.success, *at.warning)]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(str(p) for p in parts)


def _unreachable(at: AppTest, page: str) -> bool:
    try:
        at.switch_page(page)
    except ValueError:
        return True
    return False


@pytest.mark.parametrize(
    ("page", "query", "what"),
    [
        ("app_pages/submit.py", {}, "Log in to submit a bundle"),
        ("app_pages/my_submissions.py", {"id": "7"}, "Log in to see your submissions"),
        ("app_pages/review.py", {}, "Log in to review submissions"),
        ("app_pages/audit.py", {"id": "3"}, "Log in to read the audit log"),
    ],
)
def test_a_deep_link_offers_a_logged_out_visitor_to_log_in(
    rt: runtime.PortalRuntime, page: str, query: dict[str, str], what: str
) -> None:
    """Not "page not found": the page is there, says what needs a login, and shows nothing."""
    at = _app(ANONYMOUS, page, **query)
    assert any(i.value.startswith(what) for i in at.info), [i.value for i in at.info]
    assert not at.file_uploader and not at.dataframe and not at.text_area and not at.error
    assert (
        dict(at.query_params) == {k: [v] for k, v in query.items()}
        or dict(at.query_params) == query
    )  # the deep link is kept for the return after login


def test_submitter_gets_submit_pages_but_not_review(rt: runtime.PortalRuntime) -> None:
    # AppTest runs the main script (navigation, sidebar) only on an app's first run, so the
    # role checks read a fresh first run each time
    first = _app(ALICE)
    assert "alice@example.org" in "\n".join(t.value for t in first.sidebar.text)
    assert any(b.label == "Log out" for b in first.sidebar.button)
    for page in ("app_pages/review.py", "app_pages/audit.py"):
        refused = _app(ALICE, page)
        assert "auth.maintainers_only" in refused.error[0].value
        assert not refused.dataframe and not refused.text_area
    at = _app(ALICE, "app_pages/submit.py")
    assert at.file_uploader, "the submit page has no upload widget"


def test_review_page_run_directly_is_refused_by_the_service(rt: runtime.PortalRuntime) -> None:
    """Bypassing the navigation (running the page file itself) still gets nothing."""
    target = _upload(rt, BOB, "bob-direct.zip", b"PK direct call")
    for user in (ANONYMOUS, ALICE):
        at = AppTest.from_file(str(ROOT / "app_pages" / "review.py"), default_timeout=60)
        at.user = dict(user)
        at.query_params["id"] = str(target)
        at.run()
        assert not at.exception, at.exception
        if user is ANONYMOUS:
            assert at.info[0].value.startswith("Log in to review submissions")
        else:
            assert "auth.maintainers_only" in at.error[0].value
        assert not at.text_area and not [b for b in at.button if b.label == "Accept"]
        assert "bob-direct.zip" not in _texts(at)
    with pytest.raises(PermissionDeniedError):
        rt.service.accept(principal(ALICE), target, "looks fine to me")
    with pytest.raises(PermissionDeniedError):
        rt.service.queue(principal(ALICE))


def test_submitter_sees_only_their_own_submissions(rt: runtime.PortalRuntime) -> None:
    mine = _upload(rt, ALICE, "alice-bundle.zip", b"PK alice")
    theirs = _upload(rt, BOB, "bob-bundle.zip", b"PK bob")
    listing = _texts(_app(ALICE, "app_pages/my_submissions.py"))
    assert "alice-bundle.zip" in listing
    assert "bob-bundle.zip" not in listing

    own = _app(ALICE, "app_pages/my_submissions.py", id=str(mine))
    assert "alice-bundle.zip" in _texts(own)
    assert any(b.label == "Withdraw this submission" for b in own.button)

    other = _app(ALICE, "app_pages/my_submissions.py", id=str(theirs))
    assert "submission.not_found" in other.error[0].value
    assert "bob-bundle.zip" not in _texts(other)
    missing = _app(ALICE, "app_pages/my_submissions.py", id="999999")
    assert missing.error[0].value == other.error[0].value.replace(str(theirs), "999999")


def test_maintainer_sees_the_queue_and_the_audit_log(rt: runtime.PortalRuntime) -> None:
    first = _upload(rt, ALICE, "queue-a.zip", b"PK queue a")
    second = _upload(rt, BOB, "queue-b.zip", b"PK queue b")
    review = _app(MIA, "app_pages/review.py")
    queue = review.dataframe[0].value
    assert {first, second} <= set(queue["id"].tolist())
    assert {"queue-a.zip", "queue-b.zip"} <= set(queue["file"].tolist())
    audit = _app(MIA, "app_pages/audit.py")
    actions = audit.dataframe[0].value
    assert {first, second} <= set(actions["submission"].dropna().astype(int).tolist())
    audit.button[0].click().run()
    assert "intact" in audit.success[0].value


def test_user_text_is_shown_literally(rt: runtime.PortalRuntime) -> None:
    name = "<img src=x onerror=alert(1)>**x**.zip"  # no "/": the service keeps the base name
    sid = _upload(rt, ALICE, name, b"PK markup in the name")
    reason = "**not bold** [link](http://evil.test) <script>alert(1)</script>"
    rt.service.withdraw(principal(ALICE), sid, reason)
    at = _app(ALICE, "app_pages/my_submissions.py", id=str(sid))
    facts = at.dataframe[0].value
    values = dict(zip(facts["field"], facts["value"], strict=True))
    assert values["file"] == name
    listing = _app(ALICE, "app_pages/my_submissions.py")
    assert name in listing.dataframe[0].value["file"].tolist()
    # nothing user-supplied reached markdown unescaped
    for element in (*at.markdown, *listing.markdown):
        assert "<img" not in element.value and "**not bold**" not in element.value
    history = at.dataframe[-1].value
    assert reason in history["reason"].tolist()


def test_upload_through_the_page_gives_a_receipt_and_rejects_bad_names(
    rt: runtime.PortalRuntime,
) -> None:
    try:
        data = zip_bundle("v6.0/closed/Intel")
    except PortalError as exc:
        pytest.fail(str(exc))
    at = _app(BOB, "app_pages/submit.py")
    at.file_uploader[0].upload("intel-v6.zip", data, "application/zip")
    at.button[0].click().run()
    assert not at.exception, at.exception
    lines = [line.split(":", 1) for line in at.code[0].value.splitlines()]
    receipt = {key.strip(): value.strip() for key, value in lines}
    import hashlib

    assert receipt["sha256"] == hashlib.sha256(data).hexdigest()
    assert receipt["file"] == "intel-v6.zip"
    sid = int(receipt["submission id"])
    assert sid in {s.submission_id for s in rt.service.mine(principal(BOB))}
    # the status page opens in the same tab (a page link, not a markdown link)
    link = next(e for e in at.get("page_link") if f"submission {sid}" in e.proto.label)
    assert link.proto.page.endswith("submissions") and f"id={sid}" in link.proto.query_string


@pytest.mark.slow  # the worker runs the validator child: 5 s
def test_status_page_shows_the_report_after_the_worker_ran(rt: runtime.PortalRuntime) -> None:
    try:
        data = zip_bundle("v4.1/closed/NVIDIA")
    except PortalError as exc:
        pytest.fail(str(exc))
    sid = _upload(rt, ALICE, "nvidia-v41.zip", data)
    assert rt.worker.run_until_idle() >= 1
    at = _app(ALICE, "app_pages/my_submissions.py", id=str(sid))
    submission = rt.service.get(principal(ALICE), sid)
    # no code/ and no calibration.md: the validator rejects it, by itself, final
    assert submission.state.value == "rejected_by_validator"
    texts = _texts(at)
    assert "Verdict: " in texts
    assert any(b.label == "Download the report (JSON)" for b in at.get("download_button"))
    assert "Not run: the submission was rejected by the validator" in texts
    assert "rejected by the validator. Fix what the report lists" in texts
    link = next(p for p in at.get("page_link") if p.proto.label == "Submit a replacement")
    assert f"replaces={sid}" in link.proto.query_string
    assert not [b for b in at.button if b.label == "Withdraw this submission"]
    report = rt.service.report(principal(ALICE), sid)
    assert report is not None
    assert report.findings, "this bundle (no code/, no calibration.md) has findings"
    shown = at.table[0].value
    assert len(shown) == len(report.findings)
    assert set(shown.columns) >= {"severity", "verdict", "code", "file", "message", "fix"}
    codes = {f.code for f in report.findings}
    assert {literal(code) for code in codes} == set(shown["code"])


@pytest.mark.slow  # the worker runs the validator child: 3 s
def test_maintainer_decides_on_the_review_page_with_a_required_reason(
    rt: runtime.PortalRuntime,
) -> None:
    try:
        data = zip_bundle("v5.1/closed/AMD", complete=True, rename_system="8xMI300X_PagesTest")
    except PortalError as exc:
        pytest.fail(str(exc))
    sid = _upload(rt, ALICE, "amd-pages.zip", data)
    rt.worker.run_until_idle()
    assert rt.service.get(principal(MIA), sid).state.value == "awaiting_review"

    at = _app(MIA, "app_pages/review.py", id=str(sid))
    # no model configured: tier 1 ran, the verdict says which whole logs are missing
    assert any(w.value.startswith("Reproduction: incomplete.") for w in at.warning)
    assert any("--accuracy-log Offline=PATH" in t.value for t in at.text)
    tiers = next(f.value for f in at.dataframe if "check" in f.value.columns)
    assert tiers["check"].tolist()[0] == "log recount"
    owner = _app(ALICE, "app_pages/my_submissions.py", id=str(sid))
    owner.get("file_uploader")[0].upload("whole.json", b"[]", "application/json")
    next(b for b in owner.get("form_submit_button") if b.label == "Upload the whole log").click()
    owner.run()
    assert not owner.exception, owner.exception
    assert "logs.hash_mismatch" in owner.error[0].value  # not this bundle's log: refused
    assert rt.service.get(principal(MIA), sid).state.value == "awaiting_review"
    accept = next(b for b in at.button if b.label == "Accept")
    accept.click().run()  # no reason given
    assert "review.reason_required" in at.error[0].value
    assert rt.service.get(principal(MIA), sid).state.value == "awaiting_review"

    # Alice is mapped to no organisation: the AMD folder is flagged, and accepting needs the
    # maintainer's explicit confirmation
    flag = next(w.value for w in at.warning if "submitter.login_unmapped" in w.value)
    assert "names the organisation 'AMD'" in flag
    at.text_area[0].input("Three valid scenarios; **checked** by hand.")
    next(b for b in at.button if b.label == "Accept").click().run()
    assert "review.organisation_unconfirmed" in at.error[0].value
    assert rt.service.get(principal(MIA), sid).state.value == "awaiting_review"
    confirm = next(c for c in at.checkbox if "may submit for AMD" in c.label)
    confirm.check()
    next(b for b in at.button if b.label == "Accept").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == f"Submission {sid} is now accepted."
    decided = rt.service.get(principal(ALICE), sid)
    assert decided.state.value == "accepted"
    assert decided.decision_reason == "Three valid scenarios; **checked** by hand."
    assert not any(b.label == "Accept" for b in at.button)  # no second decision
    uid = f"submission/{sid}/v5.1/closed/AMD/8xMI300X_PagesTest"
    results = queries.system_results(rt.store.cursor(), uid)
    assert results.height == 3  # Offline, Server, Interactive, visible at once
    assert set(results["verification"]) == {f"accepted submission {sid}"}
    assert set(results["source"]) == {"accepted submission (not official)"}


def test_replacement_upload_is_linked_to_the_old_submission(rt: runtime.PortalRuntime) -> None:
    old = _upload(rt, BOB, "first-try.zip", b"PK first try")
    at = _app(BOB, "app_pages/submit.py", replaces=str(old))
    assert f"replaces submission {old}" in at.info[0].value
    at.file_uploader[0].upload("second-try.zip", b"PK second try", "application/zip")
    at.button[0].click().run()
    assert not at.exception, at.exception
    new = int(at.code[0].value.splitlines()[0].split(":")[1])
    bob = principal(BOB)
    assert rt.service.get(bob, new).replaces == old
    assert rt.service.get(bob, old).replaced_by == new
    assert rt.service.get(bob, old).state.value == "withdrawn"


@pytest.mark.slow  # the worker runs the validator child: 3 s
def test_review_page_warns_when_the_results_are_already_published(
    rt: runtime.PortalRuntime,
) -> None:
    try:
        data = zip_bundle("v5.1/closed/AMD", complete=True)  # the published system, as is
    except PortalError as exc:
        pytest.fail(str(exc))
    sid = _upload(rt, ALICE, "amd-published.zip", data)
    rt.worker.run_until_idle()
    at = _app(MIA, "app_pages/review.py", id=str(sid))
    assert not at.exception, at.exception
    warning = next(w.value for w in at.warning if "already holds" in w.value)
    assert warning.startswith("The leaderboard already holds 3 results for the same round")
    assert "this submission's 3 valid results" in warning
    listed = next(f.value for f in at.dataframe if "verified as" in f.value.columns)
    assert len(listed) == 3
    assert set(listed["source"]) == {"published by MLCommons"}
    assert all(
        text.startswith("published MLPerf result (shared seed table)")
        for text in listed["verified as"]
    )
