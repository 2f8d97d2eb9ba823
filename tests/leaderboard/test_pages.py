"""AppTest of every results page (landing, leaderboard, frontier, system, compare, change
log), asserting on what each one shows: defaults per accelerator, URL problems reported,
state restored after Streamlit's Back, add to compare, empty and odd states."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from leaderboard.settings import PROJECT_ROOT, LeaderboardSettings

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


AMD = "v5.1/closed/AMD/8xMI300X_2xEPYC_9575F"
NVIDIA = "v4.1/closed/NVIDIA/H200-SXM-141GBx8_TRT"


def _page(path: str, at: AppTest | None = None, **params: str) -> AppTest:
    """Run a page through the router (app.py), as the server does (in ``at``'s session when
    given, with exactly ``params`` in the URL)."""
    at = at or AppTest.from_file(APP, default_timeout=30)
    at.query_params.clear()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(path)
    return at.run()


def _texts(at: AppTest, kind: str) -> list[str]:
    return [str(element.value) for element in getattr(at, kind)]


def test_leaderboard_defaults_to_llama2_offline_per_accelerator() -> None:
    at = _page("app_pages/leaderboard.py")
    assert not at.exception
    assert at.selectbox(key="lb_benchmark").value == "llama2-70b-99"
    assert at.selectbox(key="lb_scenario").value == "Offline"
    assert at.radio(key="lb_norm").value == "per_accelerator"
    assert "llama2-70b-99 · Offline · 152 results" in _texts(at, "subheader")
    table = at.dataframe[0].value
    assert table.shape[0] == 152
    columns = list(table.columns)
    assert columns[:2] == ["system_name", "metric"]
    assert "metric_units" not in columns  # one unit: said once, in the header
    assert {"total_accelerators", "number_of_nodes", "availability"} <= set(columns)
    assert len(at.get("plotly_chart")) == 1  # only the chosen chart is built
    assert any("derived, not an official MLPerf result" in c for c in _texts(at, "caption"))
    assert [b.label for b in at.get("download_button")] == [
        "Download CSV", "Download PARQUET", "Download JSON", "Footnote (TXT)",
    ]  # fmt: skip
    assert at.multiselect(key="lb_provenance").value == ["published", "checked"]  # official


def test_the_pages_filters_come_before_the_login_box() -> None:
    at = _page("app_pages/leaderboard.py")
    sidebar = [type(e).__name__ for e in at.sidebar]
    assert sidebar.index("Selectbox") < sidebar.index("Caption")  # filters, then the login note


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
    at = _page("app_pages/leaderboard.py", benchmark="resnet", normalisation="reported")
    assert not at.exception
    total = int(at.subheader[0].value.split("·")[-1].split()[0])
    assert total > 400
    assert at.dataframe[0].value.shape[0] == 200
    assert any("the downloads hold every row" in c for c in _texts(at, "caption"))
    at.number_input(key="lb_page").set_value(2).run()
    assert at.dataframe[0].value.shape[0] == 200


def test_leaderboard_filter_goes_to_the_url_and_back() -> None:
    at = _page("app_pages/leaderboard.py")
    at.multiselect(key="lb_rounds").set_value(["v5.1"]).run()
    assert not at.exception
    assert at.query_params["rounds"] in ("v5.1", ["v5.1"])
    assert set(at.dataframe[0].value["round"]) == {"v5.1"}
    restored = _page("app_pages/leaderboard.py", rounds="v5.1", normalisation="reported")
    assert restored.multiselect(key="lb_rounds").value == ["v5.1"]
    assert restored.radio(key="lb_norm").value == "reported"


def test_state_survives_streamlits_back_from_the_system_page() -> None:
    """Back after a chart click lands on an entry with the leaderboard's path and the system
    page's parameters (portal.url_state): the page restores its own state."""
    at = _page("app_pages/leaderboard.py", rounds="v5.1", normalisation="per_node", chart="scale")
    assert at.segmented_control(key="lb_chart").value == "scale"
    _page("app_pages/system.py", at, system=AMD)
    assert not at.exception
    back = _page("app_pages/leaderboard.py", at, system=AMD)
    assert not back.exception and not back.warning
    assert back.multiselect(key="lb_rounds").value == ["v5.1"]
    assert back.radio(key="lb_norm").value == "per_node"
    assert back.segmented_control(key="lb_chart").value == "scale"
    # the system page's parameter is gone, the leaderboard's are back
    assert dict(back.query_params) == {
        "rounds": "v5.1", "normalisation": "per_node", "chart": "scale",
    }  # fmt: skip
    # a link naming other filters wins over the remembered state
    linked = _page("app_pages/leaderboard.py", at, scenario="Server")
    assert linked.selectbox(key="lb_scenario").value == "Server"
    assert linked.multiselect(key="lb_rounds").value == []


def test_bad_links_are_reported_never_silently_replaced() -> None:
    at = _page(
        "app_pages/leaderboard.py",
        benchmark="no-such-model",
        min_accelerators="²",
        rounds="v5.1,v9.9",
        chart="pie",
    )
    assert not at.exception
    warnings = " ".join(_texts(at, "warning"))
    assert "no benchmark 'no-such-model'" in warnings
    assert "min_accelerators" in warnings and "v9.9" in warnings and "pie" in warnings
    assert at.selectbox(key="lb_benchmark").value == "llama2-70b-99"  # said, then the default
    assert at.multiselect(key="lb_rounds").value == ["v5.1"]  # the good value is kept
    huge = _page("app_pages/leaderboard.py", min_accelerators="5000", max_accelerators="9" * 9)
    assert not huge.exception  # out of the slider's range: snapped, not a traceback


def test_explanations_instead_of_empty_plots_and_downloads() -> None:
    at = _page("app_pages/leaderboard.py", chart="latency")
    assert not at.get("plotly_chart")
    assert any("Offline runs measure no time to first token" in i for i in _texts(at, "info"))
    watt = _page("app_pages/leaderboard.py", normalisation="per_watt")
    assert any("only results with measured power" in i for i in _texts(watt, "info"))
    progress = _page("app_pages/leaderboard.py", chart="progress")
    assert any("ignores the round filter" in c for c in _texts(progress, "caption"))
    empty = _page("app_pages/leaderboard.py", search="no system is called this")
    assert "llama2-70b-99 · Offline · 0 results" in _texts(empty, "subheader")
    assert not empty.get("download_button")
    assert not any("none" in c.lower() and "rounds" in c for c in _texts(empty, "caption"))


def test_sorting_never_reruns_the_data_query(monkeypatch) -> None:
    """The view state (sort, columns) is not part of the cached data read."""
    from leaderboard import queries

    at = _page("app_pages/leaderboard.py", rounds="v6.0", search="Dell")
    calls: list[object] = []
    original = queries.leaderboard_view
    monkeypatch.setattr(
        queries, "leaderboard_view", lambda cur, f: calls.append(f) or original(cur, f)
    )
    at.selectbox(key="lb_sort").set_value("system_name").run()
    at.toggle(key="lb_desc").set_value(False).run()
    assert not at.exception and calls == []
    names = at.dataframe[0].value["system_name"].to_list()
    assert names == sorted(names)


def test_selected_rows_go_to_the_compare_basket() -> None:
    at = _page("app_pages/leaderboard.py", rounds="v5.1")
    assert "compare_basket" not in at.session_state
    table = at.dataframe[0].value
    uids = table["system_uid"].to_list()[:2]
    at.session_state["lb_table"] = {"selection": {"rows": [0, 1], "columns": []}}
    at.run()
    compare = next(b for b in at.button if "to compare" in b.label)
    compare.click().run()
    assert at.session_state["compare_basket"] == uids
    sidebar_links = [link.label for link in at.sidebar.get("page_link")]
    assert "Compare them" in sidebar_links


def test_landing_answers_who_is_fastest_per_accelerator() -> None:
    at = _page("app_pages/home.py")
    assert not at.exception
    assert "Who is fastest at llama2-70b-99 Offline in v6.0, per accelerator?" in _texts(
        at, "header"
    )
    assert "per accelerator" in " ".join(_texts(at, "markdown"))
    assert len(at.get("plotly_chart")) == 1
    links = [link.label for link in at.main.get("page_link")]
    assert any("leaderboard" in label for label in links)
    assert {"Throughput against interactivity", "Change log"} <= set(links)


def test_frontier_reads_off_the_best_systems_at_an_interactivity() -> None:
    at = _page("app_pages/frontier.py", interactivity="25")
    assert not at.exception
    level = at.select_slider(key="fr_level").value
    assert 25 <= level < 25.1  # snapped up to the nearest measured level
    assert any("TPOT p99 < 40 ms" in c for c in _texts(at, "caption"))
    best = at.dataframe[0].value
    assert best["rank"].iloc[0] == 1 and (best["interactivity"] >= level).all()
    assert set(best["scenario"]) == {"Interactive"}  # Server is far below 25 tokens/s per user
    nothing = _page("app_pages/frontier.py", benchmark="resnet")
    assert any("No Server or Interactive result" in i for i in _texts(nothing, "info"))


def test_system_page_shows_every_result_of_a_permalinked_system() -> None:
    at = _page("app_pages/system.py", system=AMD)
    assert not at.exception
    assert any("8xMI300X" in c for c in _texts(at, "caption"))
    hardware = at.dataframe[1].value
    assert list(hardware.columns) == ["fact", "value"]
    assert "Memory bandwidth" in hardware["fact"].to_list()
    results = at.dataframe[-1].value
    assert {"llama2-70b-99", "llama2-70b-99.9"} <= set(results["benchmark_mlperf"])
    assert {"Offline", "Server", "Interactive"} <= set(results["scenario"])
    assert set(results["status"]) == {"published"}
    at.button(key="system_compare").click().run()
    assert at.session_state["compare_basket"] == [AMD]


def test_system_page_unknown_id_is_a_message_not_a_traceback() -> None:
    at = _page("app_pages/system.py", system="v9.9/closed/Nobody/nothing")
    assert not at.exception
    assert "no system" in at.error[0].value
    finder = _page("app_pages/system.py")
    assert finder.selectbox[0].label.startswith("Find a system (name, submitter")


def test_compare_reports_missing_ids_and_warns_when_rounds_differ() -> None:
    at = _page("app_pages/compare.py", systems=f"{AMD},{NVIDIA},v9.9/x/y/z,{AMD}")
    assert not at.exception
    # reported, not dropped (shown literally: markdown characters escaped)
    assert any("v9.9/x/y/z" in w.replace("\\", "") for w in _texts(at, "warning"))
    assert any("different rounds" in w for w in _texts(at, "warning"))
    assert at.multiselect(key="cmp_systems").value == [AMD, NVIDIA]  # duplicates once
    assert AMD in at.dataframe[0].value.columns
    assert len(at.get("plotly_chart")) == 1
    # the picker shows (and searches) name — submitter — accelerator ×count — round division
    labels = at.multiselect(key="cmp_systems").options
    assert len(labels) > 400 and all(label.count(" — ") == 3 for label in labels)
    assert any(label.startswith("Supermicro AS-8125GS-TNMR2 — AMD — Instinct") for label in labels)


def test_compare_per_accelerator_is_labelled_derived_and_kept_in_the_url() -> None:
    at = _page("app_pages/compare.py", systems=f"{AMD},{NVIDIA}", normalisation="per_accelerator")
    assert not at.exception
    assert at.radio(key="cmp_norm").value == "per_accelerator"
    assert any("derived, not an official MLPerf result" in c for c in _texts(at, "caption"))
    at.radio(key="cmp_norm").set_value("reported").run()
    assert "normalisation" not in at.query_params


def test_change_log_lists_the_seed() -> None:
    at = _page("app_pages/changes.py")
    assert not at.exception
    log = at.dataframe[0].value
    assert log["change"].to_list() == ["added"] and log["results"].to_list() == [12523]


def test_app_router_starts_on_the_landing_page() -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "Inferboard"


def test_warm_up_runs_the_default_view_outside_a_script_run(store) -> None:
    from portal.leaderboard_views import warm_up

    assert warm_up(store.cursor()) == 152  # llama2-70b-99 Offline, every round


def test_filters_in_the_popover_still_apply_and_are_named() -> None:
    at = _page("app_pages/leaderboard.py", vendors="AMD")
    assert not at.exception
    assert at.multiselect(key="lb_vendors").value == ["AMD"]
    assert set(at.dataframe[0].value["accelerator"].str.contains("Instinct")) == {True}
    assert "Also filtered by accelerator vendor" in _texts(at, "caption")
    counted = _page("app_pages/leaderboard.py", min_accelerators="8", max_accelerators="8")
    assert counted.select_slider[0].value == (8, 8)
    assert set(counted.dataframe[0].value["total_accelerators"]) == {8}


def test_page_number_is_clamped_when_a_filter_leaves_fewer_pages() -> None:
    at = _page("app_pages/leaderboard.py", benchmark="resnet", normalisation="reported")
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
