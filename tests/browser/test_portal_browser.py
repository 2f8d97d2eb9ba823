"""Real browser: the submission portal as people use it (Debian Chromium + Playwright, the
local demo OIDC provider that `python -m portal` starts).

A submitter logs in, uploads a zip of a real bundle and gets the receipt at once, then the
findings; a second submitter cannot see it; the maintainer accepts it with a reason and the
leaderboard lists its results at once; a hostile archive gets its message; logout
ends the session. Screenshots go to test-output/browser/.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.portal import PortalError, hostile_zip, running_portal, zip_bundle

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "browser"
SUBMITTER = "submitter@demo.inferboard.org"
MAINTAINER = "maintainer@demo.inferboard.org"
WAIT_MS = 60_000
SYSTEM = "8xMI300X_PortalTest"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m portal` on free ports, its own database and upload folder."""
    base = tmp_path_factory.mktemp("portal-browser")
    env = {
        "INFERBOARD_DB_PATH": str(base / "portal.duckdb"),
        "INFERBOARD_STORAGE_DIR": str(base / "submissions"),
        "INFERBOARD_WORKER_POLL_S": "0.5",
        "INFERBOARD_STATUS_REFRESH_S": "1",
    }
    try:
        with running_portal(env) as url:
            yield url
    except PortalError as exc:
        pytest.fail(str(exc))


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"portal-{name}.png"), full_page=True)


def _login(browser, portal: str, *, button: str | None = None, typed: str | None = None):
    """A fresh browser context logged in through the demo provider's form."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(portal)
    page.get_by_role("button", name="Log in").click(timeout=WAIT_MS)
    if button is not None:  # the provider's one-click buttons for its predefined users
        page.click(f"button[name=sub][value='{button}']", timeout=WAIT_MS)
    else:  # any other subject, typed into the provider's form
        page.fill("input[name=sub]", typed or "")
        page.get_by_role("button", name="Authorize").click()
    page.get_by_role("button", name="Log out").wait_for(timeout=WAIT_MS)
    return context, page


def _upload(page, portal: str, name: str, data: bytes) -> int:
    page.goto(f"{portal}/submit")
    page.locator("input[type=file]").set_input_files(
        {"name": name, "mimeType": "application/zip", "buffer": data}
    )
    page.get_by_role("button", name="Submit").click()
    receipt = page.locator("[data-testid=stCode]")
    receipt.wait_for(timeout=WAIT_MS)
    text = receipt.inner_text()
    assert hashlib.sha256(data).hexdigest() in text, text
    match = re.search(r"submission id: (\d+)", text)
    assert match, text
    return int(match.group(1))


def _main_text(page) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


def _leaderboard_csv(page, url: str, saved: Path) -> list[dict[str, str]]:
    """The rows of the leaderboard's CSV download at ``url``."""
    page.goto(url)
    page.locator(".js-plotly-plot").first.wait_for(timeout=WAIT_MS)
    with page.expect_download(timeout=WAIT_MS) as waiting:
        page.get_by_role("button", name="Download CSV").click()
    waiting.value.save_as(saved)
    with saved.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_login_shows_the_demo_note_and_logout_ends_the_session(
    chromium_browser, portal: str
) -> None:
    context, page = _login(chromium_browser, portal, button=SUBMITTER)
    sidebar = page.locator("[data-testid=stSidebar]").inner_text()
    assert SUBMITTER in sidebar and MAINTAINER in sidebar and "Demo login" in sidebar
    assert "Review queue" not in sidebar
    _shot(page, "01-logged-in")
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="End session").click(timeout=WAIT_MS)  # the provider's page
    page.get_by_role("button", name="Log in").wait_for(timeout=WAIT_MS)
    assert "Submit" not in page.locator("[data-testid=stSidebarNav]").inner_text()
    context.close()


def test_submit_see_findings_hide_from_others_accept_and_publish(
    chromium_browser, portal: str, tmp_path: Path
) -> None:
    try:
        # renamed: an exact copy of a published system would add nothing new to the leaderboard
        bundle = zip_bundle("v5.1/closed/AMD", complete=True, rename_system=SYSTEM)
    except PortalError as exc:
        pytest.fail(str(exc))
    submitter, page = _login(chromium_browser, portal, button=SUBMITTER)
    sid = _upload(page, portal, "amd-v5.1.zip", bundle)
    _shot(page, "02-receipt")

    page.goto(f"{portal}/submissions?id={sid}")
    page.get_by_text("Verdict: accepted").wait_for(timeout=WAIT_MS)
    page.get_by_text("awaiting review").first.wait_for(timeout=WAIT_MS)
    text = _main_text(page)
    assert "amd-v5.1.zip" not in text or "Submission" in text
    assert "0 errors" in text
    findings = page.locator("[data-testid=stTable]")  # the notes, one row each
    findings.wait_for(timeout=WAIT_MS)
    assert "structure." in findings.inner_text() or "." in findings.inner_text()
    _shot(page, "03-status")

    other, stranger = _login(chromium_browser, portal, typed="someone-else")
    stranger.goto(f"{portal}/submissions")
    stranger.get_by_text("You have not submitted anything yet").wait_for(timeout=WAIT_MS)
    stranger.goto(f"{portal}/submissions?id={sid}")
    stranger.get_by_text("submission.not_found").wait_for(timeout=WAIT_MS)
    assert "amd-v5.1.zip" not in _main_text(stranger)
    _shot(stranger, "04-not-found")
    other.close()

    maintainer, review = _login(chromium_browser, portal, button=MAINTAINER)
    review.goto(f"{portal}/review?id={sid}")
    review.get_by_label("Reason (required").fill("All three scenarios valid; spot check clean.")
    # the demo submitter is mapped to no organisation: the AMD folder is flagged (issue 11)
    review.get_by_text("submitter.login_unmapped").wait_for(timeout=WAIT_MS)
    review.get_by_text("may submit for AMD").click()  # the confirmation checkbox
    review.get_by_role("button", name="Accept").click()
    review.get_by_text(f"Submission {sid} is now accepted.").wait_for(timeout=WAIT_MS)
    _shot(review, "05-accepted")

    # the default leaderboard shows the official results only: not this submission's
    official = _leaderboard_csv(review, f"{portal}/leaderboard?rounds=v5.1", tmp_path / "a.csv")
    assert official and not [row for row in official if SYSTEM in row["result_id"]]
    assert {row["source"] for row in official} == {"MLCommons"}
    # every source: at once, labelled as an accepted submission in its own id namespace
    every = f"{portal}/leaderboard?rounds=v5.1&provenance=published,checked,accepted"
    rows = [
        r for r in _leaderboard_csv(review, every, tmp_path / "b.csv") if SYSTEM in r["result_id"]
    ]
    assert len(rows) == 1, rows  # Offline
    assert rows[0]["result_id"] == (
        f"submission/{sid}/v5.1/closed/AMD/results/{SYSTEM}/llama2-70b-99/Offline"
    )
    assert rows[0]["source"] == "accepted submission (not official)"
    assert "come from submissions accepted by Inferboard maintainers" in _main_text(review)
    _shot(review, "06-leaderboard-accepted")
    # its permalink says what it is
    review.goto(f"{portal}/system?system=submission/{sid}/v5.1/closed/AMD/{SYSTEM}")
    review.get_by_text("A submission accepted by an Inferboard maintainer").wait_for(
        timeout=WAIT_MS
    )
    assert f"submission {sid}): checked by Inferboard" in _main_text(review)
    _shot(review, "07-system-accepted")
    maintainer.close()

    page.reload()
    page.get_by_text("Decision: accepted").wait_for(timeout=WAIT_MS)
    submitter.close()


def test_hostile_archive_gets_its_message(chromium_browser, portal: str) -> None:
    context, page = _login(chromium_browser, portal, button=SUBMITTER)
    sid = _upload(page, portal, "escape.zip", hostile_zip())
    page.goto(f"{portal}/submissions?id={sid}")
    page.get_by_text("Decision: rejected").wait_for(timeout=WAIT_MS)
    text = _main_text(page)
    assert "archive refused" in text
    assert "../../escaped.txt" in text  # the finding names the offending member
    page.locator("[data-testid=stTable]").wait_for(timeout=WAIT_MS)
    _shot(page, "06-hostile")
    context.close()


def test_a_deep_link_returns_to_its_page_after_login(chromium_browser, portal: str) -> None:
    """A logged-out visitor following a link to /submit is offered a login and, once logged
    in through the provider (which always comes back to "/"), lands back on /submit; the
    same from a filtered leaderboard, its filters kept."""
    for link, ready in (
        ("/submit", "input[type=file]"),
        ("/leaderboard?rounds=v5.1", ".js-plotly-plot"),
    ):
        context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(portal + link)
        page.get_by_role("button", name="Log in").first.wait_for(timeout=WAIT_MS)
        assert "Page not found" not in _main_text(page)
        page.get_by_role("button", name="Log in").first.click()
        page.click(f"button[name=sub][value='{SUBMITTER}']", timeout=WAIT_MS)
        page.get_by_role("button", name="Log out").wait_for(timeout=WAIT_MS)
        page.locator(ready).first.wait_for(state="attached", timeout=WAIT_MS)
        path, _, query = link.partition("?")
        assert page.url.split("?")[0].rstrip("/").endswith(path), page.url
        assert query in page.url, page.url
        _shot(page, "08-deep-link-return" + path.replace("/", "-"))
        context.close()
