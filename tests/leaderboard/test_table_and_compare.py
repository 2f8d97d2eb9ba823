"""The shown table (column order, paging, links), the data version the UI caches are keyed
on, and the comparison of systems as reported and normalised."""

from __future__ import annotations

import polars as pl
import pytest

from leaderboard import figures, queries
from leaderboard.comparison import compare
from leaderboard.db import open_store
from leaderboard.errors import LeaderboardError
from leaderboard.filters import Filters
from leaderboard.ingest import insert_rows
from leaderboard.normalisation import DERIVED_NOTE, Normalisation
from leaderboard.seed import read_seed
from leaderboard.table import (
    PAGE_SIZE,
    download_columns,
    ordered_columns,
    page_count,
    shown_columns,
    table_page,
)

AMD = "v5.1/closed/AMD/8xMI300X_2xEPYC_9575F"
NVIDIA = "v4.1/closed/NVIDIA/H200-SXM-141GBx8_TRT"


def test_metric_follows_the_system_name_whatever_the_chosen_order() -> None:
    default = ordered_columns(())
    assert default[:3] == ["system_name", "metric", "metric_units"]
    assert ordered_columns(["metric", "round", "system_name", "power"]) == [
        "round", "system_name", "metric", "metric_units", "power",
    ]  # fmt: skip
    # Without the system name the metric leads; unknown names from a URL are dropped.
    assert ordered_columns(["round", "no_such_column"]) == ["metric", "metric_units", "round"]


def test_units_are_said_once_unless_they_differ() -> None:
    assert "metric_units" not in shown_columns((), units_are_mixed=False)
    assert "metric_units" in shown_columns((), units_are_mixed=True)
    # a download travels without the page's headers: the units are always in it
    assert download_columns(())[:4] == ["result_id", "system_name", "metric", "metric_units"]
    assert download_columns(("result_id", "round")) == [
        "result_id", "metric", "metric_units", "round",
    ]  # fmt: skip


def test_the_default_columns_show_what_a_buyer_compares() -> None:
    shown = shown_columns((), units_are_mixed=False)
    for column in ("system_name", "accelerator", "total_accelerators", "number_of_nodes"):
        assert column in shown
    assert shown.index("availability") < 10


def test_table_pages_hold_every_row_once(cur) -> None:
    rows = queries.result_rows(
        cur, Filters(benchmark="resnet", scenario="Offline", normalisation="reported")
    )
    assert rows.height > 2 * PAGE_SIZE  # v4.0 has thousands of resnet rows
    pages = page_count(rows.height)
    columns = shown_columns((), units_are_mixed=False)
    shown = [table_page(rows, columns, page) for page in range(1, pages + 1)]
    assert [p.height for p in shown[:-1]] == [PAGE_SIZE] * (pages - 1)
    assert sum(p.height for p in shown) == rows.height
    first = shown[0]
    assert first.columns == [*columns, "system_uid"]  # kept so a selected row can be opened
    assert first["system_uid"].to_list() == rows["system_uid"].head(PAGE_SIZE).to_list()
    assert first["metric"].to_list() == rows["metric"].head(PAGE_SIZE).to_list()
    # Out-of-range pages are clamped, never empty or an error.
    assert table_page(rows, columns, 0).equals(first)
    assert table_page(rows, columns, pages + 5).equals(shown[-1])
    assert page_count(0) == 1


def test_data_version_changes_when_results_are_imported(fresh_settings) -> None:
    with open_store(fresh_settings) as store:
        cur = store.cursor()
        before = queries.data_version(cur)
        assert queries.data_version(cur) == before  # stable while nothing changes
        extra = (
            read_seed(fresh_settings.seed_path)
            .head(1)
            .with_columns((pl.col("result_id") + "-copy").alias("result_id"))
        )
        added = insert_rows(
            cur, extra, import_id="test:extra", kind="summary_csv", source="t", verification="t"
        )
        assert added.added == 1
        assert queries.data_version(cur) != before


def test_compare_as_reported_keeps_values_and_warns(cur) -> None:
    result = compare(cur, [AMD, NVIDIA])
    assert not result.is_derived
    assert any("different rounds" in w for w in result.warnings)
    wide = result.wide
    assert wide.columns[:3] == ["benchmark_mlperf", "scenario", "metric_units"]
    assert wide.columns[3:] == [AMD, NVIDIA]
    offline = wide.filter(
        (pl.col("benchmark_mlperf") == "llama2-70b-99") & (pl.col("scenario") == "Offline")
    )
    raw = cur.execute(
        "SELECT value FROM results WHERE system_uid = ? AND benchmark_mlperf = 'llama2-70b-99'"
        " AND scenario = 'Offline'",
        [AMD],
    ).fetchall()
    assert offline[AMD].to_list() == [raw[0][0]]
    assert offline["metric_units"].to_list() == ["Tokens/s"]


def test_compare_per_accelerator_divides_and_is_labelled_derived(cur) -> None:
    reported = compare(cur, [AMD, NVIDIA]).long
    per = compare(cur, [AMD, NVIDIA], "per_accelerator")
    assert per.is_derived
    key = ["system_uid", "benchmark_mlperf", "scenario"]
    joined = per.long.join(reported, on=key, suffix="_reported")
    assert joined.height == reported.height  # both systems have 8 accelerators, no latencies
    assert joined["metric"].to_list() == pytest.approx((joined["metric_reported"] / 8).to_list())
    assert all(DERIVED_NOTE in u for u in per.wide["metric_units"])


def test_compare_warns_on_accelerator_counts_and_rejects_bad_input(cur) -> None:
    small = cur.execute(
        "SELECT s.system_uid FROM systems AS s JOIN results AS r USING (system_uid)"
        " WHERE s.accelerators_per_node = 4 AND r.benchmark_mlperf = 'llama2-70b-99'"
        " ORDER BY 1 LIMIT 1"
    ).fetchall()[0][0]
    assert any("accelerator counts" in w for w in compare(cur, [AMD, small]).warnings)
    with pytest.raises(LeaderboardError, match="two and four"):
        compare(cur, [AMD])
    with pytest.raises(LeaderboardError, match="two and four"):
        compare(cur, [AMD, AMD])  # once, not a polars DuplicateError
    with pytest.raises(LeaderboardError, match="normalisation"):
        compare(cur, [AMD, NVIDIA], "per_dollar")
    with pytest.raises(LeaderboardError, match="no results"):
        compare(cur, [AMD, "v9.9/closed/Nobody/x"])


def test_compare_chart_shows_shares_of_the_best(cur) -> None:
    result = compare(cur, [AMD, NVIDIA], "per_accelerator")
    figure = figures.compare_systems(result.long, Normalisation.PER_ACCELERATOR, [AMD, NVIDIA])
    assert [trace.name for trace in figure.data] == [AMD, NVIDIA]
    best = [max(pair) for pair in zip(*(t.y for t in figure.data), strict=False)]
    assert max(best) == pytest.approx(1.0)
    assert all(0 < y <= 1 for trace in figure.data for y in trace.y)
    assert DERIVED_NOTE in figure.layout.title.subtitle.text
    assert figure.data[0].customdata[0] == AMD
