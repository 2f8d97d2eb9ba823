"""Queries on the real seed, checked against the shared CSV they were built from."""

from __future__ import annotations

import csv
from dataclasses import replace

import polars as pl
import pytest

from hardware import parse_accelerators
from leaderboard import queries
from leaderboard.errors import LeaderboardError
from leaderboard.filters import Filters

from .conftest import SHARED_CSV


def _rows(cur, filters: Filters) -> pl.DataFrame:
    """The leaderboard table's rows for ``filters`` (as reported unless they say otherwise)."""
    return queries.result_rows(cur, filters)


def _reported(**fields: object) -> Filters:
    return Filters(normalisation="reported", **fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def published() -> list[dict[str, str]]:
    assert SHARED_CSV.is_file(), f"{SHARED_CSV} is missing (see ../shared/data/README.md)"
    with SHARED_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_seed_holds_every_published_row(cur) -> None:
    assert cur.execute("SELECT count(*) FROM results").fetchall() == [(12523,)]
    rounds = dict(cur.execute("SELECT round, count(*) FROM results GROUP BY 1").fetchall())
    assert rounds == {"v4.0": 9474, "v4.1": 937, "v5.0": 143, "v5.1": 1449, "v6.0": 520}


def test_best_v51_llama2_offline_per_family_matches_the_csv(cur, published) -> None:
    rows = _rows(cur, _reported(rounds=("v5.1",)))
    best = queries.best_per(rows, "family")
    # The same answer computed independently from the CSV, with the catalogue for families.
    expected: dict[str, float] = {}
    for row in published:
        if (row["version"], row["benchmark_mlperf"], row["scenario"]) != (
            "v5.1",
            "llama2-70b-99",
            "Offline",
        ):
            continue
        # Heterogeneous clusters count for the families they mix, joined with " + ".
        parts = parse_accelerators(row["accelerator_model_name"])
        family = " + ".join(dict.fromkeys(spec.family for spec, _ in parts if spec))
        expected[family] = max(expected.get(family, 0.0), float(row["result"]))
    got = dict(zip(best["family"], best["metric"], strict=True))
    assert got == pytest.approx(expected)
    assert got["Hopper"] == pytest.approx(124879.0)


def test_filters_narrow_and_search_is_case_insensitive(cur) -> None:
    everything = _rows(cur, Filters())
    closed = _rows(cur, Filters(divisions=("closed",)))
    amd = _rows(cur, Filters(vendors=("AMD",)))
    text = _rows(cur, Filters(search="mi300x"))
    assert 0 < closed.height < everything.height
    assert set(amd["vendor"]) == {"AMD"}
    assert text.height > 0
    assert all(
        "mi300x" in (a + s).lower()
        for a, s in zip(text["accelerator_as_submitted"], text["system_name"], strict=True)
    )


def test_per_accelerator_divides_by_nodes_times_per_node(cur) -> None:
    reported = _rows(cur, _reported(rounds=("v6.0",)))
    per = _rows(cur, Filters(rounds=("v6.0",), normalisation="per_accelerator"))
    joined = reported.select("result_id", "value", "total_accelerators").join(
        per.select("result_id", "metric"), on="result_id"
    )
    assert joined.height > 0
    for value, total, metric in joined.select("value", "total_accelerators", "metric").rows():
        assert metric == pytest.approx(value / total)
    gb300 = reported.filter(pl.col("system_name").str.contains("72x GB300"))
    assert gb300["total_accelerators"].to_list()[0] == 72  # 18 nodes x 4 per node


def test_listed_counts_win_over_nodes_times_per_node(cur) -> None:
    rows = _rows(cur, Filters(benchmark="llama2-70b-99", search="(x87)"))
    assert rows["total_accelerators"].to_list() == [87]  # 11 nodes x 8 would say 88


def test_per_watt_only_where_power_was_measured(cur) -> None:
    view = queries.leaderboard_view(cur, Filters(normalisation="per_watt"))
    rows = view.rows
    assert rows.height > 0
    assert view.notes == (
        f"Per watt counts only results with measured power: {rows.height} of {view.matched} "
        "here. Choose 'as reported' for all of them.",
    )
    assert rows["power"].null_count() == 0
    assert set(rows["metric_units"]) == {"Tokens/s per W (derived, not an official MLPerf result)"}


def test_cpu_only_systems_are_first_class(cur) -> None:
    rows = _rows(cur, _reported(benchmark="resnet", vendors=("CPU",)))
    per_accelerator = queries.leaderboard_view(cur, Filters(benchmark="resnet", vendors=("CPU",)))
    assert per_accelerator.rows.is_empty()  # nothing to divide by, and the view says so
    assert "have no accelerator count" in per_accelerator.notes[0]
    assert rows.height > 1000
    assert set(rows["family"]) == {"CPU only"}
    assert set(rows["total_accelerators"]) == {0}


def test_latency_sorts_lowest_first_in_figures(cur) -> None:
    view = queries.leaderboard_view(cur, Filters(benchmark="resnet", scenario="SingleStream"))
    rows = view.rows
    assert not rows["higher_is_better"].any()
    # latencies are never divided: asked per accelerator, the view shows them as reported
    assert view.normalisation == "reported"
    assert "never divided per accelerator" in view.notes[0]
    assert rows["metric"].to_list() == sorted(rows["metric"].to_list())  # best (lowest) first
    best = queries.best_per(rows, "family")
    family = best["family"][0]
    assert best["metric"][0] == rows.filter(pl.col("family") == family)["metric"].min()


def test_sort_is_allow_listed(cur) -> None:
    with pytest.raises(LeaderboardError, match="cannot sort"):
        queries.result_rows(cur, replace(Filters(), sort="value; DROP TABLE results"))


def test_filter_options_and_unknowns(cur) -> None:
    options = queries.filter_options(cur, "llama2-70b-99", "Offline")
    assert options.values["rounds"] == ["v4.0", "v4.1", "v5.0", "v5.1", "v6.0"]
    assert "Hopper" in options.values["families"]
    assert queries.unknown_accelerators(cur).is_empty()


def test_main_table_snapshot(cur) -> None:
    """Snapshot: top of the default view (llama2-70b-99 Offline, v5.1, closed)."""
    rows = _rows(cur, _reported(rounds=("v5.1",), divisions=("closed",)))
    top = rows.head(5).select(
        "submitter", "system_id", "accelerator", "total_accelerators", "metric"
    )
    assert top.rows() == SNAPSHOT


SNAPSHOT: list[tuple[object, ...]] = [
    (
        "MangoBoost",
        "32xMI300X_2xEPYC_9534_16xMI325X_2xEPYC_9655",
        "Instinct MI300X 192GB ×32 + Instinct MI325X 256GB ×16",
        48,
        169197.0,
    ),
    ("Cisco", "HGX-H100_H100-SXM-80GBx32_TRT", "H100 SXM 80GB", 32, 124879.0),
    ("Lenovo", "SR680a_V3_B200SXMx8_TRT", "B200 SXM 180GB", 8, 102909.0),
    ("Lambda", "B200-SXM-180GBx8_TRT", "B200 SXM 180GB", 8, 102725.0),
    ("Supermicro", "SYS-422GS-NBRT-LCC_B200-SXM-180GBx8_TRT", "B200 SXM 180GB", 8, 102498.0),
]


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(rounds=("v5.1",), normalisation="per_accelerator"),
        Filters(scenario="Server", sort="system_name", descending=False),
        Filters(normalisation="per_watt", vendors=("NVIDIA",), sort="power"),
    ],
)
def test_rows_follow_the_view_sort_without_a_new_query(cur, filters: Filters) -> None:
    """The view state (sort, columns) is not part of the data query: the view of the data
    part, sorted by the page, equals the API's rows; ties keep the result id order."""
    assert filters.data_only() == replace(filters, sort="round", columns=("round",)).data_only()
    view = queries.leaderboard_view(cur, filters.data_only())
    rows = queries.sort_rows(view.rows, filters)
    assert rows["result_id"].to_list() == queries.result_rows(cur, filters)["result_id"].to_list()
    values = rows[filters.sort].to_list()
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=filters.descending)
    assert all(v is None for v in values[len(present) :])  # missing values last
    assert set(view.paired["scenario"]) <= set(queries.PAIRED_SCENARIOS)
    assert set(view.all_rounds["scenario"]) == {filters.scenario}


def test_the_query_holds_only_the_predicates_in_use() -> None:
    """DuckDB evaluates every `len($x) = 0 OR ...` per joined row, so unused filters are left
    out of the text (fixed fragments only; values stay bound)."""
    from leaderboard import sql

    plain = sql.filtered_query(frozenset(), retracted=False)
    assert "$rounds" not in plain and "$search" not in plain and "retracted" not in plain
    some = sql.filtered_query(Filters(rounds=("v5.1",), search="x").active(), retracted=True)
    assert "list_contains($rounds, r.round)" in some and "lower($search)" in some
    assert "retracted_results" in some and "$vendors" not in some
    with pytest.raises(ValueError, match="no such filter"):
        sql.filtered_query(frozenset({"rounds; DROP TABLE results"}))
