"""AppTest smoke of every leaderboard page, asserting on what each one shows."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from leaderboard.settings import PROJECT_ROOT, LeaderboardSettings
from portal.views import literal

from .conftest import SEED

APP = str(PROJECT_ROOT / "app.py")


@pytest.fixture(autouse=True)
def _database(
    monkeypatch: pytest.MonkeyPatch, settings: LeaderboardSettings, store: object
) -> None:
    # The page process reads its settings from the environment at the edge (portal.runtime).
    monkeypatch.setenv("INFERBOARD_DB_PATH", str(settings.db_path.with_name("pages.duckdb")))
    monkeypatch.setenv("INFERBOARD_SEED_PATH", str(settings.seed_path))
    # the process runtime also starts the submission worker: keep its files out of the project
    monkeypatch.setenv("INFERBOARD_STORAGE_DIR", str(settings.db_path.with_name("submissions")))


def _page(path: str, **params: str) -> AppTest:
    """Run a page through the router (app.py), as the server does."""
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(path)
    return at.run()


def test_leaderboard_defaults_to_llama2_offline() -> None:
    at = _page("app_pages/leaderboard.py")
    assert not at.exception
    assert at.selectbox(key="lb_benchmark").value == "llama2-70b-99"
    assert at.selectbox(key="lb_scenario").value == "Offline"
    assert "llama2-70b-99 · Offline · 152 results" in [s.value for s in at.subheader]
    assert len(at.dataframe) == 1
    table = at.dataframe[0].value
    assert table.shape[0] == 152
    at_name = list(table.columns).index("system_name")
    assert list(table.columns)[at_name + 1 : at_name + 3] == ["metric", "metric_units"]
    assert len(at.get("plotly_chart")) == 1  # only the chosen chart is built


def test_a_page_opened_first_still_goes_through_the_router() -> None:
    """Streamlit treats a ``pages/`` folder beside ``app.py`` as a legacy multipage app and
    runs a page file alone (no app.py, every file in the sidebar); the pages live in
    ``app_pages/`` (Streamlit's guidance), so nothing needs patching."""
    from streamlit.runtime.pages_manager import PagesManager

    legacy = PROJECT_ROOT / "pages"
    assert not legacy.exists(), (
        f"remove {legacy}: even a stale __pycache__ there makes Streamlit run page files "
        "without the router (the pages live in app_pages/)"
    )
    at = AppTest.from_file(APP, default_timeout=30)
    at.switch_page("app_pages/leaderboard.py")
    at.run()
    assert not at.exception
    assert PagesManager.uses_pages_directory is False
    assert at.title[0].value == "MLPerf Inference leaderboard"


def test_large_views_show_one_page_of_rows() -> None:
    at = _page("app_pages/leaderboard.py", benchmark="resnet")
    assert not at.exception
    total = int(at.subheader[0].value.split("·")[-1].split()[0])
    assert total > 400
    assert at.dataframe[0].value.shape[0] == 200
    assert any("the downloads hold every row" in c.value for c in at.caption)
    at.number_input(key="lb_page").set_value(2).run()
    assert at.dataframe[0].value.shape[0] == 200


def test_leaderboard_filter_goes_to_the_url_and_back() -> None:
    at = _page("app_pages/leaderboard.py")
    at.multiselect(key="lb_rounds").set_value(["v5.1"]).run()
    assert not at.exception
    assert at.query_params["rounds"] in ("v5.1", ["v5.1"])
    shown = at.dataframe[0].value
    assert set(shown["round"]) == {"v5.1"}
    restored = _page("app_pages/leaderboard.py", rounds="v5.1", normalisation="per_accelerator")
    assert restored.multiselect(key="lb_rounds").value == ["v5.1"]
    assert restored.radio(key="lb_norm").value == "per_accelerator"
    assert any("derived, not an official MLPerf result" in c.value for c in restored.caption)


def test_system_page_shows_every_result_of_a_permalinked_system() -> None:
    uid = "v5.1/closed/AMD/8xMI300X_2xEPYC_9575F"
    at = _page("app_pages/system.py", system=uid)
    assert not at.exception
    assert any(literal(uid) in c.value for c in at.caption)  # bundle text: escaped, as typed
    results = at.dataframe[-1].value
    assert {"llama2-70b-99", "llama2-70b-99.9"} <= set(results["benchmark_mlperf"])
    assert {"Offline", "Server", "Interactive"} <= set(results["scenario"])


def test_system_page_unknown_id_is_a_message_not_a_traceback() -> None:
    at = _page("app_pages/system.py", system="v9.9/closed/Nobody/nothing")
    assert not at.exception
    assert "no system" in at.error[0].value


def test_compare_warns_when_rounds_differ() -> None:
    at = _page(
        "app_pages/compare.py",
        systems="v5.1/closed/AMD/8xMI300X_2xEPYC_9575F,v4.1/closed/NVIDIA/H200-SXM-141GBx8_TRT",
    )
    assert not at.exception
    assert any("different rounds" in w.value for w in at.warning)
    wide = at.dataframe[0].value
    assert "v5.1/closed/AMD/8xMI300X_2xEPYC_9575F" in wide.columns
    assert len(at.get("plotly_chart")) == 1


def test_compare_per_accelerator_is_labelled_derived_and_kept_in_the_url() -> None:
    systems = "v5.1/closed/AMD/8xMI300X_2xEPYC_9575F,v4.1/closed/NVIDIA/H200-SXM-141GBx8_TRT"
    at = _page("app_pages/compare.py", systems=systems, normalisation="per_accelerator")
    assert not at.exception
    assert at.radio(key="cmp_norm").value == "per_accelerator"
    assert any("derived, not an official MLPerf result" in c.value for c in at.caption)
    assert any("different rounds" in w.value for w in at.warning)
    at.radio(key="cmp_norm").set_value("reported").run()
    assert "normalisation" not in at.query_params


def test_app_router_starts_on_home() -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "Inferboard"


def test_warm_up_runs_the_default_view_outside_a_script_run(store) -> None:
    from portal.leaderboard_views import warm_up

    assert warm_up(store) == 152  # llama2-70b-99 Offline, every round


def test_filters_in_the_popover_still_apply_and_are_named() -> None:
    at = _page("app_pages/leaderboard.py", vendors="AMD")
    assert not at.exception
    assert at.multiselect(key="lb_vendors").value == ["AMD"]
    assert set(at.dataframe[0].value["accelerator"].str.contains("Instinct")) == {True}
    assert any(c.value == "Also filtered by: vendors" for c in at.caption)


def test_page_number_is_clamped_when_a_filter_leaves_fewer_pages() -> None:
    at = _page("app_pages/leaderboard.py", benchmark="resnet")
    last = int(at.number_input(key="lb_page").max)
    at.number_input(key="lb_page").set_value(last).run()
    at.multiselect(key="lb_rounds").set_value(["v5.1"]).run()  # fewer pages, still several
    assert not at.exception
    fewer = int(at.number_input(key="lb_page").max)
    assert 1 < fewer < last
    assert at.number_input(key="lb_page").value == fewer
    assert at.dataframe[0].value.shape[0] > 0


def test_a_new_import_shows_at_once_despite_the_caches(tmp_path) -> None:
    """The page caches its reads on the data version: an import (here one extra result, as an
    accepted submission would add) changes the version, so the next run shows it."""
    import polars as pl

    from leaderboard.ingest import insert_rows
    from leaderboard.seed import read_seed
    from portal import runtime

    values = {
        "INFERBOARD_DB_PATH": str(tmp_path / "fresh.duckdb"),
        "INFERBOARD_SEED_PATH": str(SEED),
        "INFERBOARD_STORAGE_DIR": str(tmp_path / "submissions"),
    }
    built = runtime.build_runtime(values, start_worker=False)
    runtime.install(built)
    try:
        at = _page("app_pages/leaderboard.py")
        assert "llama2-70b-99 · Offline · 152 results" in [s.value for s in at.subheader]
        at.run()  # a cached rerun: same answer
        assert "llama2-70b-99 · Offline · 152 results" in [s.value for s in at.subheader]
        extra = (
            read_seed(SEED)
            .filter(
                (pl.col("benchmark_mlperf") == "llama2-70b-99") & (pl.col("scenario") == "Offline")
            )
            .head(1)
            .with_columns((pl.col("result_id") + "-resubmitted").alias("result_id"))
        )
        cur = built.store.cursor()
        insert_rows(
            cur, extra, import_id="test:new", kind="summary_csv", source="t", verification="t"
        )
        at.run()
        assert "llama2-70b-99 · Offline · 153 results" in [s.value for s in at.subheader]
    finally:
        runtime.install(None)
        built.close()
