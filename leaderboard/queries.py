"""Read-only questions the portal and the API ask; each returns Polars frames (house style §8).

Functions take a DuckDB cursor (the caller owns the connection: the portal's ``db.Store``, or
a read-only snapshot) and a :class:`~leaderboard.filters.Filters`; they never write and never
see widget objects. Sorting is Polars on the fetched rows (:func:`sort_rows`), so the view
state (sort, columns) is never part of a query or its cache key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Final

import duckdb
import polars as pl

from leaderboard import provenance, sql
from leaderboard.errors import LeaderboardError
from leaderboard.filters import (
    LIST_FILTERS,
    SORT_COLUMNS,
    FilterOptions,
    Filters,
    KnownValues,
)
from leaderboard.normalisation import DERIVED_NOTE, Normalisation
from leaderboard.params import Problem

PAIRED_SCENARIOS = ("Offline", "Server", "Interactive")

# Columns shown by default in the main table, in order; the column chooser picks from ALL.
# The metric and its units are placed after the system name by ``table.ordered_columns``.
DEFAULT_COLUMNS = (
    "system_name",
    "accelerator",
    "total_accelerators",
    "number_of_nodes",
    "submitter",
    "round",
    "division",
    "availability",
    "value",
    "power",
    "rouge1",
    "source",
)
ALL_COLUMNS = (
    "metric",
    "metric_units",
    *DEFAULT_COLUMNS,
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
    "provenance",
    "official_valid",
    "inferboard_valid",
    "checker_commit",
    "submission_id",
    "accepted_at",
    "result_id",
    "system_uid",
)


def metric_units(units: str, normalisation: Normalisation, *, derived_note: bool = True) -> str:
    """Unit label for the shown metric; normalised values say 'derived' unless the caller
    shows that note elsewhere (a chart's subtitle)."""
    if not normalisation.is_derived:
        return units
    label = f"{units} {normalisation.unit_suffix}"
    return f"{label} ({DERIVED_NOTE})" if derived_note else label


@dataclass(frozen=True)
class LeaderboardView:
    """The rows of one view plus the inputs of its figures, and what was left out and why."""

    filters: Filters
    rows: pl.DataFrame  # every filtered row with a metric, best first
    paired: pl.DataFrame  # same filters over Offline/Server/Interactive (Server vs Offline)
    all_rounds: pl.DataFrame  # same filters over every round (round-over-round progress)
    matched: int = 0  # rows the filters matched before the normalisation dropped any
    notes: tuple[str, ...] = ()  # why rows are missing, or why the metric differs

    @property
    def normalisation(self) -> Normalisation:
        return self.filters.normalisation

    @property
    def units(self) -> str:
        """The most common unit of the rows ('' when there are none)."""
        return str(self.rows["units"].mode().sort()[0]) if self.rows.height else ""

    @property
    def units_are_mixed(self) -> bool:
        return self.rows["units"].n_unique() > 1 if self.rows.height else False

    @property
    def metric_label(self) -> str:
        return metric_units(self.units or "value", self.normalisation)


_PARAMETER = re.compile(r"\$([a-z_]+)")


def _frame(
    cursor: duckdb.DuckDBPyConnection, query: str, params: dict[str, object]
) -> pl.DataFrame:
    """The query's rows; of ``params`` it binds those the text names (DuckDB refuses others)."""
    named = set(_PARAMETER.findall(query))
    bound = {k: v for k, v in params.items() if k in named}
    frame: pl.DataFrame = cursor.sql(query, params=bound).pl()  # duckdb types .pl() as Any
    return frame


def _filtered(
    cursor: duckdb.DuckDBPyConnection,
    filters: Filters,
    scenarios: tuple[str, ...] | None = None,
    columns: tuple[str, ...] = sql.MEASURED_COLUMNS,
) -> pl.DataFrame:
    """The filtered, measured rows, with only the predicates in use in the query."""
    retracted = bool(cursor.execute(sql.ANY_RETRACTED).fetchall()[0][0])
    query = sql.filtered_query(filters.active(), retracted, columns)
    return _frame(cursor, query, filters.params(scenarios))


def with_metric_units(frame: pl.DataFrame, normalisation: Normalisation) -> pl.DataFrame:
    """Add ``metric_units`` (each row's units, plus the normalisation and 'derived' mark) and
    ``source`` (where the row comes from, in words: ``provenance.source_column``)."""
    if not normalisation.is_derived:
        label = pl.col("units")
    else:
        label = pl.col("units") + pl.lit(" " + metric_units("", normalisation).strip())
    return provenance.source_column(frame.with_columns(label.alias("metric_units")))


def _check(filters: Filters) -> None:
    if filters.sort not in SORT_COLUMNS:
        raise LeaderboardError("query.sort", f"cannot sort by {filters.sort!r}")


def sort_rows(rows: pl.DataFrame, filters: Filters) -> pl.DataFrame:
    """The rows in the view's order (ties by result id, missing values last)."""
    _check(filters)
    return rows.sort(
        [filters.sort, "result_id"], descending=[filters.descending, False], nulls_last=True
    )


def _why_missing(filters: Filters, matched: pl.DataFrame, kept: int) -> list[str]:
    dropped = matched.height - kept
    if not dropped or not filters.is_derived:
        return []
    if filters.normalisation is Normalisation.PER_WATT:
        return [
            f"Per watt counts only results with measured power: {kept} of {matched.height} "
            "here. Choose 'as reported' for all of them."
        ]
    what = (
        "accelerator count"
        if filters.normalisation is Normalisation.PER_ACCELERATOR
        else "node count"
    )
    return [
        f"{dropped} of {matched.height} results have no {what} to divide by (CPU-only or "
        "not stated) and are left out; 'as reported' shows them."
    ]


def leaderboard_view(cursor: duckdb.DuckDBPyConnection, filters: Filters) -> LeaderboardView:
    """Everything a leaderboard page needs for one filter state (table and figure inputs).

    One SQL read covers the table and both wider figure inputs (every round; the paired
    scenarios); Polars then slices it. Only the data part of ``filters`` is used. Latency
    results are never divided: a latency scenario asked per accelerator is shown as reported,
    and the view says so.
    """
    filters = filters.data_only()
    _check(filters)
    scenarios = tuple(dict.fromkeys((filters.scenario, *PAIRED_SCENARIOS)))
    wide = _filtered(cursor, replace(filters, rounds=()), scenarios)
    in_rounds = pl.col("round").is_in(list(filters.rounds)) if filters.rounds else pl.lit(True)
    selected = pl.col("scenario") == filters.scenario
    matched = wide.filter(selected & in_rounds)
    notes: list[str] = []
    if filters.is_derived and matched.height and matched["higher_is_better"].not_().all():
        notes.append(
            f"{filters.scenario} results are latencies: they are never divided "
            f"{filters.normalisation.label}, so they are shown as reported."
        )
        filters = replace(filters, normalisation=Normalisation.REPORTED)
        wide = _filtered(cursor, replace(filters, rounds=()), scenarios)
        matched = wide.filter(selected & in_rounds)
    rows = matched.filter(pl.col("metric").is_not_null())
    notes += _why_missing(filters, matched, rows.height)
    accepted = rows.filter(pl.col("provenance") == provenance.Provenance.ACCEPTED.value).height
    if accepted:
        notes.append(
            f"{accepted} of these results come from submissions accepted by Inferboard "
            "maintainers: they are not official MLPerf results (the 'source' column and the "
            "chart's points say which)."
        )
    best_first = replace(filters, descending=bool(rows["higher_is_better"].all()))
    return LeaderboardView(
        filters=filters,
        rows=sort_rows(with_metric_units(rows, filters.normalisation), best_first),
        paired=with_metric_units(
            wide.filter(in_rounds & pl.col("scenario").is_in(list(PAIRED_SCENARIOS))),
            filters.normalisation,
        ),
        all_rounds=with_metric_units(wide.filter(selected), filters.normalisation),
        matched=matched.height,
        notes=tuple(notes),
    )


# What result_rows always reads besides the caller's columns: the sort key, the id that breaks
# ties, and what the unit label and the footnote need.
_ROW_BASICS: Final = (
    "result_id", "metric", "units", "higher_is_better", "round", "division", "availability",
    "provenance", "reproduced",
)  # fmt: skip


def result_rows(
    cursor: duckdb.DuckDBPyConnection, filters: Filters, columns: Iterable[str] | None = None
) -> pl.DataFrame:
    """Exactly the rows the leaderboard table shows for ``filters``, sorted as it sorts them
    (the API's results). One SQL read of the chosen scenario and rounds only, not the wider
    read the page's figures need; ``columns`` (and what sorting, units and the footnote
    need) instead of every column, when given."""
    _check(filters)
    data = filters.data_only()
    wanted: tuple[str, ...] = sql.MEASURED_COLUMNS
    if columns is not None:
        needed = {*columns, *_ROW_BASICS, filters.sort}
        wanted = tuple(c for c in sql.MEASURED_COLUMNS if c in needed)
    matched = _filtered(cursor, data, columns=wanted)
    if data.is_derived and matched.height and matched["higher_is_better"].not_().all():
        data = replace(data, normalisation=Normalisation.REPORTED)  # latencies: never divided
        matched = _filtered(cursor, data, columns=wanted)
    rows = with_metric_units(matched.filter(pl.col("metric").is_not_null()), data.normalisation)
    return sort_rows(rows, replace(filters, normalisation=data.normalisation))


def shown_normalisation(rows: pl.DataFrame, filters: Filters) -> Filters:
    """``filters`` with the normalisation the rows were shown in (a latency scenario asked
    per accelerator is shown as reported), for the footnote."""
    if rows.height and rows["higher_is_better"].not_().all():
        return replace(filters, normalisation=Normalisation.REPORTED)
    return filters


def filter_options(
    cursor: duckdb.DuckDBPyConnection, benchmark: str, scenario: str
) -> FilterOptions:
    """Distinct values each filter can take for one benchmark and scenario, and the
    accelerator counts present."""
    frame = _frame(cursor, sql.FILTER_OPTIONS, {"benchmark": benchmark, "scenario": scenario})
    return FilterOptions(_distinct(frame), _accelerator_counts(frame))


def _distinct(frame: pl.DataFrame) -> dict[str, list[str]]:
    options: dict[str, list[str]] = {
        spec.name: sorted(v for v in frame[spec.column].unique().to_list() if v is not None)
        for spec in LIST_FILTERS
    }
    options["provenance"] = list(provenance.ALL)  # a fixed vocabulary, present or not
    return options


def _accelerator_counts(frame: pl.DataFrame) -> list[int]:
    counts: list[int] = frame["total_accelerators"].drop_nulls().unique().sort().to_list()
    return counts


def known_values(cursor: duckdb.DuckDBPyConnection) -> KnownValues:
    """Every value a list filter may name, over all published results, and the benchmarks
    with their scenarios."""
    frame = _frame(cursor, sql.KNOWN_VALUES, {})
    pairs = benchmark_scenarios(cursor)
    scenarios: dict[str, list[str]] = {}
    for benchmark, scenario in pairs.select("benchmark", "scenario").rows():
        scenarios.setdefault(benchmark, []).append(scenario)
    return KnownValues(_distinct(frame), _accelerator_counts(frame), benchmarks=scenarios)


def unknown_values(filters: Filters, known: KnownValues, given: set[str]) -> list[Problem]:
    """Problems for values the data does not hold: a benchmark, a scenario of it, or a list
    filter's value (``given``: the parameters the URL named; defaults are never reported)."""
    problems: list[Problem] = []
    benchmarks = known.benchmarks
    if "benchmark" in given and filters.benchmark not in benchmarks:
        problems.append(
            Problem(
                "query.unknown_benchmark",
                "benchmark",
                f"no benchmark {filters.benchmark!r}; known: {', '.join(sorted(benchmarks))}",
            )
        )
    elif "scenario" in given and filters.scenario not in benchmarks.get(filters.benchmark, []):
        problems.append(
            Problem(
                "query.unknown_scenario",
                "scenario",
                f"{filters.benchmark} has no scenario {filters.scenario!r}; known: "
                + ", ".join(sorted(benchmarks.get(filters.benchmark, []))),
            )
        )
    for spec in LIST_FILTERS:
        if spec.name not in given:
            continue
        missing = [v for v in getattr(filters, spec.name) if v not in known.values[spec.name]]
        if missing:
            values = ", ".join(known.values[spec.name][:30])
            problems.append(
                Problem(
                    "query.unknown_value",
                    spec.name,
                    f"no {spec.label.lower()} {', '.join(map(repr, missing[:5]))}; known: {values}",
                )
            )
    return problems


def benchmark_scenarios(cursor: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every (benchmark, scenario) pair with its number of published results."""
    return _frame(cursor, sql.BENCHMARK_SCENARIOS, {})


def best_per(rows: pl.DataFrame, column: str) -> pl.DataFrame:
    """The best row of each value of ``column`` (highest metric, or lowest for latency)."""
    ranked = rows.filter(pl.col("metric").is_not_null())
    if ranked.is_empty():
        return ranked
    higher = bool(ranked["higher_is_better"][0])
    return (
        ranked.sort(["metric", "result_id"], descending=[higher, False])
        .group_by(column, maintain_order=True)
        .first()
        .sort("metric", descending=higher)
    )


def system(cursor: duckdb.DuckDBPyConnection, system_uid: str) -> dict[str, object]:
    """One system's description row; a missing system is a user-facing error."""
    frame = _frame(cursor, sql.SYSTEM, {"system_uid": system_uid})
    if frame.is_empty():
        raise LeaderboardError(
            "system.not_found",
            f"no system {system_uid[:200]!r}; system links look like "
            "'v5.1/closed/NVIDIA/H200-SXM-141GBx8_TRT' (round/division/submitter/system)",
        )
    return frame.row(0, named=True)


def system_results(cursor: duckdb.DuckDBPyConnection, system_uid: str) -> pl.DataFrame:
    """Every result of this system across rounds and benchmarks (same submitter and id),
    with its source (``provenance.source_column``) and status (published, withdrawn,
    invalidated)."""
    return provenance.source_column(_frame(cursor, sql.SYSTEM_RESULTS, {"system_uid": system_uid}))


_HARDWARE_LABELS = (
    ("raw_name", "Name as submitted", ""),
    ("model", "Normalised model", ""),
    ("vendor", "Vendor", ""),
    ("family", "Family", ""),
    ("memory_gb", "Memory", "GB"),
    ("peak_dense_tflops", "Peak dense compute", "TFLOPS"),
    ("peak_precision", "Precision of that peak", ""),
    ("memory_bandwidth_tbs", "Memory bandwidth", "TB/s"),
    ("listed_total", "Accelerators listed in the name", ""),
    ("source", "Datasheet", ""),
)


def system_hardware(cursor: duckdb.DuckDBPyConnection, system_uid: str) -> pl.DataFrame:
    """How the system's accelerator name was normalised, with datasheet figures (one row)."""
    return _frame(cursor, sql.SYSTEM_HARDWARE, {"system_uid": system_uid})


def hardware_facts(hardware: pl.DataFrame) -> list[dict[str, str]]:
    """The hardware row as labelled facts with units; unknown figures are left out."""
    if hardware.is_empty():
        return []
    row = hardware.row(0, named=True)
    facts = []
    for column, label, unit in _HARDWARE_LABELS:
        value = row.get(column)
        if value is None or value == "":
            continue
        text = f"{value:g}" if isinstance(value, float) else str(value)
        facts.append({"fact": label, "value": f"{text} {unit}".strip()})
    return facts


def systems(
    cursor: duckdb.DuckDBPyConnection, filters: Filters, *, limit: int = 100_000
) -> pl.DataFrame:
    """Systems with a published result (in ``filters.benchmark`` when it is set) matching the
    list filters, accelerator counts and search, newest rounds first."""
    params = filters.params()
    del params["scenarios"], params["normalisation"]
    return _frame(cursor, sql.SYSTEMS, {**params, "limit": limit})


def system_label(row: dict[str, object]) -> str:
    """How a system is named in pickers: name, submitter, accelerator × count, round."""
    name = str(row.get("system_name") or "").strip() or str(row.get("system_id"))
    total = row.get("total_accelerators")
    count = f" ×{total}" if isinstance(total, int) and total > 0 else ""
    return (
        f"{name} — {row.get('submitter')} — {row.get('accelerator')}{count} — "
        f"{row.get('round')} {row.get('division')}"
    )


def unknown_accelerators(cursor: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Accelerator names the catalogue does not know, for maintainers to add."""
    return _frame(cursor, sql.UNKNOWN_ACCELERATORS, {})


def data_version(cursor: duckdb.DuckDBPyConnection) -> str:
    """A token that changes whenever results are imported (seed, CLI, accepted submission),
    withdrawn, invalidated or reinstated: caches are keyed on it, so changes show at once."""
    imports_count, last_import, results_count, changes = cursor.execute(
        sql.DATA_VERSION
    ).fetchall()[0]
    return f"{imports_count}:{last_import}:{results_count}:{changes}"


def dataset(cursor: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every stored result with its system and hardware, and its status."""
    return _frame(cursor, sql.DATASET, {})


def existing_results(
    cursor: duckdb.DuckDBPyConnection, result_ids: list[str], submission_id: int | None = None
) -> pl.DataFrame:
    """Stored results for these published ids (published, or accepted in a submission other
    than ``submission_id``), with their provenance and how each was verified."""
    params = {"result_ids": list(result_ids), "submission_id": submission_id}
    frame: pl.DataFrame = cursor.sql(sql.EXISTING_RESULT_IDS, params=params).pl()  # duckdb: Any
    return frame


def imports(cursor: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Provenance of what is in the database (seed and every import)."""
    return _frame(cursor, sql.IMPORTS, {})
