"""Every page against hostile URLs and hostile text (issue 12, house style §19).

HOSTILE_VALUES is set on every query parameter a page reads, one value at a time; the page
must answer with its own message or its default view: no exception, no
``internal.unexpected`` from the app's error handler (which would mean the page itself broke),
no traceback and no server path. Then every page is shown text from a bundle or a user that
looks like markup, which must appear as typed, never rendered.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from leaderboard.ingest import insert_rows
from leaderboard.seed import read_seed
from leaderboard.settings import PROJECT_ROOT
from portal import runtime
from portal.views import literal
from tests.support.apptest import ANONYMOUS, installed_runtime, login, principal

APP = str(PROJECT_ROOT / "app.py")
SEED = PROJECT_ROOT / "data" / "mlperf_results_seed.parquet"
REAL_SYSTEM = "v5.1/closed/AMD/8xMI300X_2xEPYC_9575F"
MARKUP = "**bold** ![x](http://evil.test/x.png) <img src=x onerror=alert(1)> [a](http://e.test)"
HOSTILE_SUBMITTER = "Evil **Corp**"
HOSTILE_SYSTEM = f"v5.1/closed/{HOSTILE_SUBMITTER}/evil_sys"


ALICE, MIA = login("alice"), login("mia")

HOSTILE_VALUES = {
    "out of range": "5000",
    "negative": "-1",
    "superscript digit": "²",
    "arabic-indic digit": "٣",
    "thousands of digits": "9" * 5000,
    "NaN": "NaN",
    "Infinity": "Infinity",
    "very long": "x" * 20_000,
    "markup": MARKUP,
    "duplicates": "X,X",
    "control characters": "\x00\x1b[31m\u202e",
    "path": "../../etc/passwd",
}
# page -> (who opens it, the query parameters it reads)
PAGES: dict[str, tuple[dict[str, object], tuple[str, ...]]] = {
    "app_pages/home.py": (ANONYMOUS, ("id",)),
    "app_pages/leaderboard.py": (
        ANONYMOUS,
        (
            "benchmark",
            "scenario",
            "rounds",
            "divisions",
            "families",
            "vendors",
            "submitters",
            "min_accelerators",
            "max_accelerators",
            "search",
            "normalisation",
            "sort",
            "descending",
            "columns",
            "chart",
        ),
    ),
    "app_pages/system.py": (ANONYMOUS, ("system",)),
    "app_pages/compare.py": (ANONYMOUS, ("systems", "normalisation")),
    "app_pages/submit.py": (ALICE, ("replaces",)),
    "app_pages/my_submissions.py": (ALICE, ("id",)),
    "app_pages/review.py": (MIA, ("id",)),
    "app_pages/audit.py": (MIA, ("id",)),
    "app_pages/organisations.py": (MIA, ("login",)),
}


@pytest.fixture(scope="module")
def rt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[runtime.PortalRuntime]:
    base = tmp_path_factory.mktemp("hostile")
    with installed_runtime(base, "hostile.duckdb", seed_path=SEED) as built:
        _hostile_system(built)
        yield built


def _hostile_system(rt: runtime.PortalRuntime) -> None:
    """A published-looking result whose submitter and system name are markup."""
    row = (
        read_seed(SEED)
        .filter(
            pl.col("result_id").str.starts_with(REAL_SYSTEM.replace("/AMD/", "/AMD/results/")),
            pl.col("benchmark_mlperf") == "llama2-70b-99",
            pl.col("scenario") == "Offline",
        )
        .head(1)
        .with_columns(
            pl.lit(f"{HOSTILE_SYSTEM}/llama2-70b-99/Offline").alias("result_id"),
            pl.lit(HOSTILE_SUBMITTER).alias("submitter"),
            pl.lit("evil_sys").alias("system_id"),
            pl.lit(MARKUP).alias("system_name"),
        )
    )
    assert row.height == 1
    insert_rows(rt.store.cursor(), row, import_id="test:hostile", kind="summary_csv",
                source="test", verification="test")  # fmt: skip


def _run(page: str, user: dict[str, object], **query: str) -> AppTest:
    """The app's first run (router, login), then the page with its query, as a visitor's
    browser does; the page actually shown is checked, so a test never passes on the home page."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.user = dict(user)
    at.run()
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    if page != "app_pages/home.py":
        assert [t.value for t in at.title] != ["Inferboard"], f"{page} was not shown"
    return at


MARKDOWN_KINDS = ("markdown", "caption", "title", "header", "subheader", "info", "warning",
                  "error", "success")  # fmt: skip


def _shown(at: AppTest) -> str:
    parts = [str(e.value) for kind in MARKDOWN_KINDS for e in at.get(kind)]
    parts += [str(e.value) for e in (*at.text, *at.code)]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    parts += [frame.value.to_csv() for frame in at.table]
    return "\n".join(parts)


def _assert_handled(at: AppTest, label: str) -> None:
    assert not at.exception, f"{label}: {at.exception}"
    shown = _shown(at)
    assert "internal.unexpected" not in shown, f"{label}: the page itself broke"
    assert "Traceback" not in shown, label
    assert str(PROJECT_ROOT) not in shown, f"{label}: a server path is shown"


@pytest.mark.slow  # every hostile value on one page: 2-5 s a page
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_survives_every_hostile_value(rt: runtime.PortalRuntime, page: str) -> None:
    user, params = PAGES[page]
    for label, value in HOSTILE_VALUES.items():
        at = _run(page, user, **dict.fromkeys(params, value))
        _assert_handled(at, f"{page} with {label}")


def test_compare_with_the_same_system_twice(rt: runtime.PortalRuntime) -> None:
    at = _run("app_pages/compare.py", ANONYMOUS, systems=f"{REAL_SYSTEM},{REAL_SYSTEM}")
    _assert_handled(at, "compare X,X")
    assert at.multiselect(key="cmp_systems").value == [REAL_SYSTEM]
    assert any(i.value.startswith("Pick two to four systems") for i in at.info)


def test_an_out_of_range_accelerator_count_is_clamped(rt: runtime.PortalRuntime) -> None:
    at = _run("app_pages/leaderboard.py", ANONYMOUS, min_accelerators="5000")
    _assert_handled(at, "min_accelerators=5000")
    low, high = at.select_slider[0].value  # clamped to the largest count present
    assert low == high <= 1024


def test_the_error_handler_logs_and_shows_a_message_and_a_code(
    rt: runtime.PortalRuntime, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Anything a page did not foresee: a fixed message with a code; the trace in the log."""
    from leaderboard import queries

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("/srv/secret/path exploded")

    monkeypatch.setattr(queries, "system", broken)
    with caplog.at_level("ERROR", logger="inferboard.pages"):
        at = _run("app_pages/system.py", ANONYMOUS, system=REAL_SYSTEM)
    assert not at.exception
    (error,) = at.error
    assert "internal.unexpected" in error.value and "incident" in error.value
    assert "/srv/secret" not in _shown(at)
    assert any("/srv/secret/path exploded" in (r.exc_text or "") for r in caplog.records)


def test_streamlit_shows_no_error_details() -> None:
    import tomllib

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


# ----------------------------------------------------------------------------- literal text
def _literal_everywhere(at: AppTest, payload: str) -> None:
    """``payload`` is on the page, and never as live markdown: markdown-rendering elements
    hold it only escaped, everything else (text, code, tables) holds it as typed."""
    for kind in MARKDOWN_KINDS:
        for element in at.get(kind):
            assert payload not in str(element.value), f"{kind} renders {payload!r} as markdown"
            assert "![x](http" not in str(element.value)
    assert payload in _shown(at) or literal(payload) in _shown(at)


def _submission(rt: runtime.PortalRuntime, name: str, data: bytes) -> int:
    alice = principal(ALICE)
    return rt.service.receive(alice, io.BytesIO(data), name).submission_id


def test_system_page_shows_bundle_names_literally(rt: runtime.PortalRuntime) -> None:
    at = _run("app_pages/system.py", ANONYMOUS, system=HOSTILE_SYSTEM)
    _assert_handled(at, "hostile system")
    _literal_everywhere(at, MARKUP)
    _literal_everywhere(at, HOSTILE_SUBMITTER)
    assert at.header[0].value == literal(MARKUP)


def test_compare_page_shows_bundle_names_literally(rt: runtime.PortalRuntime) -> None:
    at = _run("app_pages/compare.py", ANONYMOUS, systems=f"{HOSTILE_SYSTEM},{REAL_SYSTEM}")
    _assert_handled(at, "hostile compare")
    _literal_everywhere(at, HOSTILE_SUBMITTER)


def test_leaderboard_page_shows_typed_search_and_names_literally(rt) -> None:
    at = _run("app_pages/leaderboard.py", ANONYMOUS, search="bold")
    _assert_handled(at, "hostile leaderboard")
    _literal_everywhere(at, HOSTILE_SUBMITTER)
    assert MARKUP in at.dataframe[0].value["system_name"].tolist()


def test_submission_pages_show_names_and_reasons_literally(rt: runtime.PortalRuntime) -> None:
    name = MARKUP.replace("/", "") + ".zip"
    sid = _submission(rt, name, b"PK literal pages")
    mia = principal(MIA)
    pages = {
        "app_pages/my_submissions.py": (ALICE, {}),
        "app_pages/review.py": (MIA, {"id": str(sid)}),
        "app_pages/audit.py": (MIA, {"id": str(sid)}),
    }
    for page, (user, query) in pages.items():
        at = _run(page, user, **query)
        _assert_handled(at, page)
        _literal_everywhere(at, name)
    rt.service.withdraw(mia, sid, MARKUP)
    for page, user in (("app_pages/my_submissions.py", ALICE), ("app_pages/audit.py", MIA)):
        at = _run(page, user, id=str(sid))
        _assert_handled(at, page)
        _literal_everywhere(at, MARKUP)


def test_submit_page_shows_the_uploaded_name_literally(rt: runtime.PortalRuntime) -> None:
    at = _run("app_pages/submit.py", ALICE)
    name = MARKUP.replace("/", "") + ".zip"
    at.file_uploader[0].upload(name, b"PK upload literal", "application/zip")
    at.button[0].click().run()
    _assert_handled(at, "submit")
    _literal_everywhere(at, name)
    assert f"file:          {name}" in at.code[0].value


def test_withdrawing_asks_for_a_reason_and_a_confirmation(rt: runtime.PortalRuntime) -> None:
    sid = _submission(rt, "to-withdraw.zip", b"PK withdraw me")
    alice = principal(ALICE)
    at = _run("app_pages/my_submissions.py", ALICE, id=str(sid))
    withdraw = next(b for b in at.button if b.label == "Withdraw this submission")
    withdraw.click().run()  # neither reason nor confirmation
    assert any("Tick the confirmation" in w.value for w in at.warning)
    assert rt.service.get(alice, sid).state.value == "received"
    at.checkbox[0].check()
    next(b for b in at.button if b.label == "Withdraw this submission").click().run()
    assert "withdraw.reason_required" in at.error[0].value, [w.value for w in at.warning]
    assert rt.service.get(alice, sid).state.value == "received"
    at.text_input[0].input("uploaded the wrong round")
    at.checkbox[0].check()
    next(b for b in at.button if b.label == "Withdraw this submission").click().run()
    done = rt.service.get(alice, sid)
    assert (done.state.value, done.decision_reason) == ("withdrawn", "uploaded the wrong round")
