"""Turn rows in the seed's shape into ``systems`` and ``results`` rows and insert them.

Every importer (the seed, MLCommons' ``summary_results.json``, the checker's summary CSV, a
results tree, an accepted submission) first produces a frame with the seed's columns (plus,
from a validator report, the columns of :mod:`leaderboard.report_rows`); this module is the
one place that writes them, so all sources get the same ids and the same checks:

- every number is finite, and positive where its quantity is (a result, a power, a latency);
- a result id already stored is never silently kept or overwritten: the same number again is
  "already present" (or, from a results-tree import, a confirmation that adds the checker's
  verdicts to the published row), a different number is a conflict, reported and not written;
- importing the same content twice is skipped by its hash (an ``imports`` row per import).
"""

from __future__ import annotations

import math
from contextlib import nullcontext
from dataclasses import dataclass, field

import duckdb
import polars as pl

from hardware import parse_accelerators
from hardware.catalogue import catalogue
from leaderboard import sql
from leaderboard.errors import LeaderboardError
from leaderboard.provenance import Provenance
from leaderboard.transactions import registered, transaction
from validator.rules import load_common

SYSTEM_COLUMNS = (
    "system_uid",
    "round",
    "division",
    "submitter",
    "system_id",
    "system_name",
    "availability",
    "system_type",
    "number_of_nodes",
    "host_processor_model_name",
    "host_processors_per_node",
    "host_processor_core_count",
    "accelerator_model_name",
    "accelerators_per_node",
    "framework",
    "operating_system",
    "description",
)


def system_uid(version: str, division: str, submitter: str, system_id: str) -> str:
    """Permalink key of one system in one round (``system_id`` alone repeats across submitters)."""
    return f"{version}/{division}/{submitter}/{system_id}"


def _with_defaults(frame: pl.DataFrame, defaults: dict[str, pl.DataType]) -> pl.DataFrame:
    missing = [
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in defaults.items()
        if name not in frame.columns
    ]
    return frame.with_columns(missing) if missing else frame


# Columns a report's rows carry and the seed's do not (NULL for a published row, whose only
# verdict is MLCommons'), with their types.
REPORT_COLUMNS: dict[str, pl.DataType] = {
    "system_uid": pl.String(),
    "higher_is_better": pl.Boolean(),
    "official_valid": pl.Boolean(),
    "inferboard_valid": pl.Boolean(),
    "rougeLsum": pl.Float64(),
    "accuracy_metrics": pl.String(),
    "checker_commit": pl.String(),
    "provenance": pl.String(),
    "reproduced": pl.Boolean(),
    "submission_id": pl.Int64(),
    "accepted_by": pl.String(),
    "accepted_at": pl.Datetime("us"),
}
# Numbers that must be finite and above zero when present (the result itself must be present).
_POSITIVE = ("result", "power", "ttft_p99_ms", "tpot_p99_ms", "tokens_per_sample")
_FINITE = ("rouge1", "rouge2", "rougeL", "rougeLsum")


def _check_numbers(rows: pl.DataFrame) -> None:
    """Refuse a row whose number is NaN, infinite, or not positive where its quantity is."""
    for name in (*_POSITIVE, *_FINITE):
        if name not in rows.columns:
            continue
        values = rows[name].cast(pl.Float64, strict=False)
        for result_id, value in zip(rows["result_id"], values, strict=True):
            if name == "result" and value is None:
                raise LeaderboardError(
                    "import.number", f"result {result_id} has no result value; nothing stored"
                )
            if value is None:
                continue
            if not math.isfinite(value) or (name in _POSITIVE and value <= 0):
                what = "finite and above zero" if name in _POSITIVE else "finite"
                raise LeaderboardError(
                    "import.number",
                    f"result {result_id} has {name} = {value!r}; it must be {what}. Nothing "
                    "of this import was stored; fix the source and import it again",
                )


def split_rows(
    rows: pl.DataFrame, import_id: str, verification: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Seed-shaped rows -> (systems frame, results frame) ready for ``INSERT ... BY NAME``."""
    rows = _with_defaults(
        rows,
        {
            "description": pl.String(),
            "validation": pl.String(),
            "host_processors_per_node": pl.Int64(),
            "number_of_nodes": pl.Int64(),
            "accelerators_per_node": pl.Int64(),
            **REPORT_COLUMNS,
        },
    )
    if rows["result_id"].is_duplicated().any():
        twice = rows.filter(rows["result_id"].is_duplicated())["result_id"][0]
        raise LeaderboardError("import.duplicate", f"result {twice} appears twice in one import")
    _check_numbers(rows)
    lower = list(load_common().lower_is_better_scenarios)
    rows = rows.with_columns(
        pl.coalesce(
            pl.col("system_uid"),
            pl.concat_str(
                [pl.col("version"), pl.col("division"), pl.col("submitter"), pl.col("system_id")],
                separator="/",
            ),
        ).alias("system_uid"),
        pl.col("version").alias("round"),
        pl.col("accelerator_model_name").fill_null("N/A"),
        pl.coalesce(pl.col("higher_is_better"), ~pl.col("scenario").is_in(lower)).alias(
            "higher_is_better"
        ),
        pl.col("provenance").fill_null(Provenance.PUBLISHED.value),
    )
    systems = (
        rows.select(SYSTEM_COLUMNS)
        .unique(subset="system_uid", keep="first", maintain_order=True)
        .with_columns(pl.col("host_processor_core_count").cast(pl.String))
    )
    results = rows.select(
        "result_id",
        "system_uid",
        "round",
        "division",
        "benchmark",
        "benchmark_mlperf",
        "scenario",
        "metric_key",
        "units",
        pl.col("result").alias("value"),
        "result_validity",
        (pl.col("inferred").cast(pl.Int64, strict=False) == 1).alias("inferred"),
        "accuracy",
        "rouge1",
        "rouge2",
        "rougeL",
        "tokens_per_sample",
        "ttft_p99_ms",
        "tpot_p99_ms",
        "power_units",
        "power",
        "weight_data_types",
        "source_repo",
        "source_commit",
        "source_path",
        "data_origin",
        pl.col("official_result").alias("official_value"),
        "official_units",
        "official_power",
        pl.concat_str(
            [pl.lit(verification), pl.col("validation")], separator="; ", ignore_nulls=True
        ).alias("verification"),
        pl.lit(import_id).alias("import_id"),
        *(name for name in REPORT_COLUMNS if name != "system_uid"),
    )
    return systems, results


@dataclass(frozen=True)
class Conflict:
    """An incoming result whose id is stored with another number: reported, never written."""

    result_id: str
    stored: str  # "<value> <units> (<provenance>)"
    incoming: str


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did to each of its results."""

    added: int = 0  # new result ids, stored
    confirmed: int = 0  # published results a results-tree import checked and found equal
    already_present: int = 0  # the same number under the same id: nothing to do
    conflicts: tuple[Conflict, ...] = field(default_factory=tuple)
    repeated: bool = False  # this very content was imported before: nothing was read

    def summary(self) -> str:
        """One line for the CLI, the portal and the audit log."""
        if self.repeated:
            return "already imported (same content): nothing changed"
        parts = [f"{self.added} new results"]
        if self.confirmed:
            parts.append(f"{self.confirmed} published results confirmed by the checks")
        if self.already_present:
            parts.append(f"{self.already_present} already present")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} conflicts not written")
        return ", ".join(parts)


def _same_number(stored: float, incoming: float) -> bool:
    return math.isclose(stored, incoming, rel_tol=1e-9, abs_tol=0.0)


def _sort_incoming(
    con: duckdb.DuckDBPyConnection, results: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, int, tuple[Conflict, ...]]:
    """(new rows, rows that confirm a published row, count already present, conflicts)."""
    with registered(con, incoming_results=results):
        stored = con.sql(sql.STORED_FOR_INCOMING).pl()
    if stored.is_empty():
        return results, results.clear(), 0, ()
    by_id = {row["result_id"]: row for row in stored.iter_rows(named=True)}
    incoming = {row["result_id"]: row for row in results.iter_rows(named=True)}
    conflicts: list[Conflict] = []
    confirming: list[str] = []
    present = 0
    for result_id, old in by_id.items():
        new = incoming[result_id]
        if old["units"] == new["units"] and _same_number(old["value"], new["value"]):
            upgrade = (old["provenance"], new["provenance"]) == (
                Provenance.PUBLISHED.value,
                Provenance.CHECKED.value,
            )
            if upgrade:
                confirming.append(result_id)
            else:
                present += 1
            continue
        conflicts.append(
            Conflict(
                result_id,
                f"{old['value']:g} {old['units']} ({old['provenance']})",
                f"{new['value']:g} {new['units']} ({new['provenance']})",
            )
        )
    fresh = results.filter(~pl.col("result_id").is_in(list(by_id)))
    confirmed = results.filter(pl.col("result_id").is_in(confirming))
    return fresh, confirmed, present, tuple(sorted(conflicts, key=lambda c: c.result_id))


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    rows: pl.DataFrame,
    *,
    import_id: str,
    kind: str,
    source: str,
    verification: str,
    own_transaction: bool = True,
) -> ImportOutcome:
    """Insert seed-shaped rows once and say what happened to each (see the module's doc).

    With ``own_transaction=False`` the caller has already begun a transaction that must also
    hold its own writes (accepting a submission changes its state in the same one); DuckDB has
    no nested transactions, so this then neither begins nor commits, and the caller runs
    :func:`refresh_hardware` after its commit.
    """
    if con.execute(sql.IMPORT_EXISTS, {"import_id": import_id}).fetchall()[0][0]:
        return ImportOutcome(repeated=True)
    systems, results = split_rows(rows, import_id, verification)
    fresh, confirmed, present, conflicts = _sort_incoming(con, results)
    systems = systems.filter(pl.col("system_uid").is_in(fresh["system_uid"].unique().to_list()))
    writing = transaction(con) if own_transaction else nullcontext()
    frames = {"incoming_systems": systems, "incoming_results": fresh, "confirmed": confirmed}
    with registered(con, **frames), writing:
        con.execute(sql.INSERT_SYSTEMS)
        con.execute(sql.INSERT_RESULTS)
        if confirmed.height:
            con.execute(sql.CONFIRM_RESULTS)
        if not conflicts:  # with conflicts, importing it again reports them again
            recorded = {"import_id": import_id, "kind": kind, "source": source}
            con.execute(sql.RECORD_IMPORT, {**recorded, "rows_added": fresh.height})
    if own_transaction:
        refresh_hardware(con)
    return ImportOutcome(fresh.height, confirmed.height, present, conflicts)


def backfill_directions(con: duckdb.DuckDBPyConnection) -> None:
    """Give rows stored before the direction column existed their direction from the rules."""
    lower = list(load_common().lower_is_better_scenarios)
    con.execute(sql.BACKFILL_DIRECTION, {"lower_is_better": lower})


def name_mapping(raw_names: list[str]) -> pl.DataFrame:
    """The catalogue applied to each submitted name: stored as data, re-derived on start."""
    records = []
    for raw in raw_names:
        pairs = parse_accelerators(raw)
        specs = [spec for spec, _ in pairs]
        known = bool(pairs) and all(spec is not None for spec in specs)
        distinct = {spec.key for spec in specs if spec is not None}
        counts = [count for _, count in pairs if count is not None]
        listed_total = sum(counts) if pairs and len(counts) == len(pairs) else None
        if known and len(distinct) == 1:
            spec = specs[0]
            assert spec is not None
            record = {
                "accelerator_key": spec.key,
                "vendor": spec.vendor,
                "family": spec.family,
                "model": spec.model,
                "is_mixed": False,
                "is_cpu_only": spec.is_cpu_only,
            }
        elif known:
            parts = [(spec, count) for spec, count in pairs if spec is not None]
            record = {
                "accelerator_key": None,
                "vendor": " + ".join(dict.fromkeys(spec.vendor for spec, _ in parts)),
                "family": " + ".join(dict.fromkeys(spec.family for spec, _ in parts)),
                "model": " + ".join(
                    f"{spec.model} ×{count}" if count else spec.model for spec, count in parts
                ),
                "is_mixed": True,
                "is_cpu_only": False,
            }
        else:
            # Unknown names stay visible under their own spelling; listed for maintainers.
            record = {
                "accelerator_key": None,
                "vendor": "Unknown",
                "family": f"Unknown: {raw}",
                "model": raw,
                "is_mixed": False,
                "is_cpu_only": False,
            }
        records.append({"raw_name": raw, **record, "is_known": known, "listed_total": listed_total})
    schema = {
        "raw_name": pl.String,
        "accelerator_key": pl.String,
        "vendor": pl.String,
        "family": pl.String,
        "model": pl.String,
        "is_mixed": pl.Boolean,
        "is_cpu_only": pl.Boolean,
        "is_known": pl.Boolean,
        "listed_total": pl.Int64,
    }
    return pl.DataFrame(records, schema=schema)


def refresh_hardware(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite the catalogue tables from ``hardware`` (the YAML is the source of truth)."""
    accelerators = pl.DataFrame(
        [
            {
                "key": s.key,
                "vendor": s.vendor,
                "family": s.family,
                "model": s.model,
                "memory_gb": s.memory_gb,
                "peak_dense_tflops": s.peak_dense_tflops,
                "peak_precision": s.peak_precision,
                "memory_bandwidth_tbs": s.memory_bandwidth_tbs,
                "source": s.source,
            }
            for s in catalogue()
        ],
        schema_overrides={
            "memory_gb": pl.Float64,
            "peak_dense_tflops": pl.Float64,
            "memory_bandwidth_tbs": pl.Float64,
            "peak_precision": pl.String,
        },
    )
    raw = [row[0] for row in con.execute(sql.DISTINCT_ACCELERATOR_NAMES).fetchall()]
    names = name_mapping(raw)
    frames = {"incoming_accelerators": accelerators, "incoming_names": names}
    with registered(con, **frames), transaction(con):
        for statement in sql.REPLACE_ACCELERATORS:
            con.execute(statement)
