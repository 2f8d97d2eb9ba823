"""Read-only questions the portal asks; each returns Polars frames (house style §8).

Functions take a DuckDB cursor (the UI owns the connection, see ``db.Store``) and a
:class:`~leaderboard.filters.Filters`; they never see widget objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from leaderboard import sql
from leaderboard.errors import LeaderboardError
from leaderboard.filters import DERIVED_NOTE, NORMALISATIONS, Filters

PAIRED_SCENARIOS = ("Offline", "Server", "Interactive")

# Columns shown by default in the main table, in order; the column chooser picks from ALL.
DEFAULT_COLUMNS = (
    "round",
    "division",
    "submitter",
    "system_name",
    "metric",
    "metric_units",
    "accelerator",
    "total_accelerators",
    "number_of_nodes",
    "availability",
    "power",
    "rouge1",
)
ALL_COLUMNS = (
    *DEFAULT_COLUMNS,
    "value",
    "units",
    "vendor",
    "family",
    "accelerators_per_node",
    "accelerator_as_submitted",
    "system_type",
    "framework",
    "benchmark",
    "scenario",
    "accuracy",
    "tokens_per_sample",
    "ttft_p99_ms",
    "tpot_p99_ms",
    "power_units",
    "result_validity",
    "verification",
    "weight_data_types",
    "result_id",
    "system_uid",
)


def metric_units(units: str, normalisation: str) -> str:
    """Unit label for the shown metric, saying 'derived' whenever it is not as reported."""
    if normalisation == "reported":
        return units
    per = {"per_accelerator": "per accelerator", "per_node": "per node", "per_watt": "per W"}
    return f"{units} {per[normalisation]} ({DERIVED_NOTE})"


@dataclass(frozen=True)
class LeaderboardView:
    """The rows of one view plus the inputs of its figures."""

    filters: Filters
    rows: pl.DataFrame  # every filtered row, sorted; the page shows and downloads these
    paired: pl.DataFrame  # same filters over Offline/Server/Interactive (Server vs Offline)
    all_rounds: pl.DataFrame  # same filters over every round (round-over-round progress)

    @property
    def metric_label(self) -> str:
        units = self.rows["units"].mode().sort().to_list() if self.rows.height else []
        base = units[0] if units else "value"
        return metric_units(base, self.filters.normalisation)


def _frame(
    cursor: duckdb.DuckDBPyConnection, query: str, params: dict[str, object]
) -> pl.DataFrame:
    return cursor.sql(query, params=params).pl()


def with_metric_units(frame: pl.DataFrame, normalisation: str) -> pl.DataFrame:
    """Add ``metric_units``: each row's units, plus the normalisation and 'derived' mark."""
    if normalisation == "reported":
        label = pl.col("units")
    else:
        label = pl.col("units") + pl.lit(" " + metric_units("", normalisation).strip())
    return frame.with_columns(label.alias("metric_units"))


def _check(filters: Filters) -> None:
    if filters.normalisation not in NORMALISATIONS:
        raise LeaderboardError(
            "query.normalisation",
            f"unknown normalisation {filters.normalisation!r}; use one of {sorted(NORMALISATIONS)}",
        )
    if filters.sort not in sql.SORT_COLUMNS:
        raise LeaderboardError("query.sort", f"cannot sort by {filters.sort!r}")


def leaderboard(cursor: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Filtered, normalised and sorted rows (sorted in SQL), with a unit label per row."""
    _check(filters)
    query = sql.leaderboard_query(filters.sort, "desc" if filters.descending else "asc")
    return with_metric_units(_frame(cursor, query, filters.params()), filters.normalisation)


def leaderboard_view(cursor: duckdb.DuckDBPyConnection, filters: Filters) -> LeaderboardView:
    """Everything a leaderboard page needs for one filter state (table and figure inputs).

    One SQL read covers the table and both wider figure inputs (every round; the paired
    scenarios); Polars then slices it, which halves the time of three separate queries.
    """
    _check(filters)
    scenarios = tuple(dict.fromkeys((filters.scenario, *PAIRED_SCENARIOS)))
    wide_filters = Filters(**{**filters.__dict__, "rounds": ()})
    wide = _frame(cursor, sql.filtered_query(), wide_filters.params(scenarios))
    in_rounds = pl.col("round").is_in(list(filters.rounds)) if filters.rounds else pl.lit(True)
    selected = pl.col("scenario") == filters.scenario
    shown = wide.filter(selected & in_rounds)
    if filters.normalisation != "reported":
        shown = shown.filter(pl.col("metric").is_not_null())
    rows = shown.sort(
        [filters.sort, "result_id"],
        descending=[filters.descending, False],
        nulls_last=True,
    )
    return LeaderboardView(
        filters=filters,
        rows=with_metric_units(rows, filters.normalisation),
        paired=wide.filter(in_rounds & pl.col("scenario").is_in(list(PAIRED_SCENARIOS))),
        all_rounds=wide.filter(selected),
    )


def filter_options(
    cursor: duckdb.DuckDBPyConnection, benchmark: str, scenario: str
) -> dict[str, list[str]]:
    """Distinct values each filter can take for one benchmark and scenario."""
    frame = _frame(cursor, sql.FILTER_OPTIONS, {"benchmark": benchmark, "scenario": scenario})
    return {
        name: sorted(v for v in frame[column].unique().to_list() if v is not None)
        for name, column in (
            ("rounds", "round"),
            ("divisions", "division"),
            ("availability", "availability"),
            ("system_types", "system_type"),
            ("submitters", "submitter"),
            ("vendors", "vendor"),
            ("families", "family"),
        )
    }


def benchmark_scenarios(cursor: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every (benchmark, scenario) pair with its number of results."""
    return _frame(cursor, sql.BENCHMARK_SCENARIOS, {})


def best_per_family(rows: pl.DataFrame) -> pl.DataFrame:
    """The best row of each accelerator family (highest metric, or lowest for latency)."""
    ranked = rows.filter(pl.col("metric").is_not_null())
    if ranked.is_empty():
        return ranked
    higher = bool(ranked["higher_is_better"][0])
    return (
        ranked.sort("metric", descending=higher)
        .group_by("family", maintain_order=True)
        .first()
        .sort("metric", descending=higher)
    )


def system(cursor: duckdb.DuckDBPyConnection, system_uid: str) -> dict[str, object]:
    """One system's description row; a missing system is a user-facing error."""
    frame = _frame(cursor, sql.SYSTEM, {"system_uid": system_uid})
    if frame.is_empty():
        raise LeaderboardError(
            "system.not_found",
            f"no system {system_uid!r}; system links look like "
            "'v5.1/closed/NVIDIA/H200-SXM-141GBx8_TRT' (round/division/submitter/system)",
        )
    return frame.row(0, named=True)


def system_results(cursor: duckdb.DuckDBPyConnection, system_uid: str) -> pl.DataFrame:
    """Every result of this system across rounds and benchmarks (same submitter and id)."""
    return _frame(cursor, sql.SYSTEM_RESULTS, {"system_uid": system_uid})


def system_hardware(cursor: duckdb.DuckDBPyConnection, system_uid: str) -> pl.DataFrame:
    """How the system's accelerator name was normalised, with datasheet figures."""
    return _frame(cursor, sql.SYSTEM_HARDWARE, {"system_uid": system_uid})


def search_systems(
    cursor: duckdb.DuckDBPyConnection, text: str = "", limit: int = 200
) -> pl.DataFrame:
    """Systems whose id, name or accelerator contains ``text`` (newest rounds first)."""
    return _frame(cursor, sql.SYSTEM_SEARCH, {"search": text.strip(), "limit": limit})


def unknown_accelerators(cursor: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Accelerator names the catalogue does not know, for maintainers to add."""
    return _frame(cursor, sql.UNKNOWN_ACCELERATORS, {})


def data_version(cursor: duckdb.DuckDBPyConnection) -> str:
    """A token that changes whenever results are imported (seed, CLI, accepted submission) or
    removed: caches of query results are keyed on it, so new results show at once."""
    imports_count, last_import, results_count = cursor.execute(sql.DATA_VERSION).fetchall()[0]
    return f"{imports_count}:{last_import}:{results_count}"


def existing_results(cursor: duckdb.DuckDBPyConnection, result_ids: list[str]) -> pl.DataFrame:
    """The given result ids that are already on the leaderboard, with how each was verified."""
    return cursor.sql(sql.EXISTING_RESULT_IDS, params={"result_ids": list(result_ids)}).pl()


def imports(cursor: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Provenance of what is in the database (seed and every import)."""
    return _frame(cursor, sql.IMPORTS, {})
