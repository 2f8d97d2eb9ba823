"""Real browser: the leaderboard as a person uses it (Debian Chromium + Playwright).

Opens the leaderboard (its sidebar right after navigation), changes a filter and sees the
chart change, follows the copied link and a system permalink, downloads the CSV, compares two
systems per accelerator. Screenshots go to test-output/browser/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.portal import PortalError, chromium, running_portal

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "browser"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `streamlit run app.py` on a free port with its own database file."""
    db = tmp_path_factory.mktemp("portal") / "browser.duckdb"
    try:
        with running_portal({"INFERBOARD_DB_PATH": str(db)}) as base:
            yield base
    except PortalError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[object]:
    try:
        with chromium() as browser:
            yield browser
    except PortalError as exc:
        pytest.fail(str(exc))


def _bars(page) -> list[float]:
    """The y values of the first Plotly chart on the page (the best-per-family bars).

    Read from ``_fullData``: the figure travels with numpy arrays, which Plotly sends as
    base64 typed arrays and decodes there, leaving ``data`` encoded."""
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    return page.evaluate(
        "() => Array.from(document.querySelector('.js-plotly-plot')._fullData[0].y || [])"
    )


def _nav_until_chart(page) -> list[str]:
    """Every distinct sidebar navigation shown from navigation until the chart is drawn."""
    seen: list[str] = []
    for _ in range(600):  # 30 s at most
        nav = page.evaluate(
            "() => Array.from(document.querySelectorAll('[data-testid=stSidebarNav] a'))"
            ".map(a => a.textContent.trim()).join('|')"
        )
        if nav and (not seen or seen[-1] != nav):
            seen.append(nav)
        if page.query_selector(".js-plotly-plot .main-svg"):
            return seen
        page.wait_for_timeout(50)
    return seen


def test_leaderboard_filter_permalink_and_download(
    portal: str, chromium_browser, tmp_path: Path
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium_browser.new_context(
        accept_downloads=True, viewport={"width": 1400, "height": 1000}
    )
    page = context.new_page()
    # A fresh server's first request: the sidebar must show the router's pages from the start,
    # never Streamlit's legacy list of page files (what a pages/ folder beside app.py gives).
    page.goto(f"{portal}/leaderboard", wait_until="commit")
    navs = _nav_until_chart(page)
    page.screenshot(path=str(SHOTS / "00-sidebar-after-navigation.png"))
    assert navs, "the sidebar never showed a navigation"
    assert all("Leaderboard" in nav and "Compare" in nav and "app" not in nav for nav in navs), navs
    before = _bars(page)
    assert before, "the best-per-family chart has no bars"
    page.screenshot(path=str(SHOTS / "01-leaderboard.png"), full_page=True)

    page.locator("[data-testid=stSidebar] label").filter(has_text="per accelerator").click()
    page.wait_for_function(
        "() => new URL(location.href).searchParams.get('normalisation') === 'per_accelerator'",
        timeout=30_000,
    )
    page.wait_for_function(
        "(before) => { const p = document.querySelector('.js-plotly-plot');"
        " return p && p._fullData && p._fullData[0]"
        " && JSON.stringify(Array.from(p._fullData[0].y)) !== JSON.stringify(before); }",
        arg=before,
        timeout=30_000,
    )
    after = _bars(page)
    assert after != before
    assert max(after) < max(before)  # per accelerator is smaller than whole-system throughput
    page.screenshot(path=str(SHOTS / "02-per-accelerator.png"), full_page=True)

    # The copied link restores the same view in a fresh tab.
    link = page.url
    copy = context.new_page()
    copy.goto(link)
    assert _bars(copy) == after
    copy.screenshot(path=str(SHOTS / "03-permalink.png"), full_page=True)

    with page.expect_download(timeout=30_000) as waiting:
        page.get_by_role("button", name="Download CSV").click()
    saved = tmp_path / "rows.csv"
    waiting.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("result_id,")
    assert "derived, not an official MLPerf result" in text
    assert "# Retrieved" in text

    system = context.new_page()
    system.goto(f"{portal}/system?system=v5.1/closed/AMD/8xMI300X_2xEPYC_9575F")
    system.get_by_text("8xMI300X_2xEPYC_9575F").first.wait_for(timeout=30_000)
    system.screenshot(path=str(SHOTS / "04-system.png"), full_page=True)

    compare = context.new_page()
    compare.goto(
        f"{portal}/compare?systems=v5.1/closed/AMD/8xMI300X_2xEPYC_9575F,"
        "v4.1/closed/NVIDIA/H200-SXM-141GBx8_TRT&normalisation=per_accelerator"
    )
    compare.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    compare.get_by_text("derived, not an official MLPerf result").first.wait_for(timeout=30_000)
    compare.get_by_text("different rounds").first.wait_for(timeout=30_000)
    traces = compare.evaluate(
        "() => document.querySelector('.js-plotly-plot')._fullData.map(t => t.name)"
    )
    assert traces == [
        "v5.1/closed/AMD/8xMI300X_2xEPYC_9575F",
        "v4.1/closed/NVIDIA/H200-SXM-141GBx8_TRT",
    ]
    compare.screenshot(path=str(SHOTS / "05-compare-per-accelerator.png"), full_page=True)
    context.close()
