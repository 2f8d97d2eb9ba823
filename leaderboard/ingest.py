"""Turn rows in the seed's shape into ``systems`` and ``results`` rows and insert them.

Every importer (the seed, MLCommons' ``summary_results.json``, the checker's summary CSV, a
results tree) first produces a frame with the seed's columns; this module is the one place
that writes them, so all sources get the same ids and importing anything twice changes nothing
(``ON CONFLICT DO NOTHING`` on stable ids, plus an ``imports`` row per content hash).
"""

from __future__ import annotations

from contextlib import nullcontext

import duckdb
import polars as pl

from hardware import parse_accelerators
from hardware.catalogue import catalogue
from leaderboard import sql
from leaderboard.transactions import registered, transaction

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


def split_rows(
    rows: pl.DataFrame, import_id: str, verification: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Seed-shaped rows -> (systems frame, results frame) ready for ``INSERT ... BY NAME``."""
    rows = _with_defaults(
        rows,
        {
            "description": pl.String,
            "validation": pl.String,
            "host_processors_per_node": pl.Int64,
            "number_of_nodes": pl.Int64,
            "accelerators_per_node": pl.Int64,
        },
    )
    rows = rows.with_columns(
        pl.concat_str(
            [pl.col("version"), pl.col("division"), pl.col("submitter"), pl.col("system_id")],
            separator="/",
        ).alias("system_uid"),
        pl.col("version").alias("round"),
        pl.col("accelerator_model_name").fill_null("N/A"),
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
    )
    return systems, results


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    rows: pl.DataFrame,
    *,
    import_id: str,
    kind: str,
    source: str,
    verification: str,
    own_transaction: bool = True,
) -> int:
    """Insert seed-shaped rows once; returns how many results were new (0 on a repeat).

    With ``own_transaction=False`` the caller has already begun a transaction that must also
    hold its own writes (accepting a submission changes its state in the same one); DuckDB has
    no nested transactions, so this then neither begins nor commits, and the caller runs
    :func:`refresh_hardware` after its commit.
    """
    if con.execute(sql.IMPORT_EXISTS, {"import_id": import_id}).fetchall()[0][0]:
        return 0
    systems, results = split_rows(rows, import_id, verification)
    before = con.execute(sql.COUNT_RESULTS).fetchall()[0][0]
    writing = transaction(con) if own_transaction else nullcontext()
    with registered(con, incoming_systems=systems, incoming_results=results), writing:
        con.execute(sql.INSERT_SYSTEMS)
        con.execute(sql.INSERT_RESULTS)
        added = con.execute(sql.COUNT_RESULTS).fetchall()[0][0] - before
        con.execute(
            sql.RECORD_IMPORT,
            {"import_id": import_id, "kind": kind, "source": source, "rows_added": added},
        )
    if own_transaction:
        refresh_hardware(con)
    return added


def name_mapping(raw_names: list[str]) -> pl.DataFrame:
    """The catalogue applied to each submitted name: stored as data, re-derived on start."""
    records = []
    for raw in raw_names:
        pairs = parse_accelerators(raw)
        specs = [spec for spec, _ in pairs]
        known = bool(pairs) and all(spec is not None for spec in specs)
        distinct = {spec.key for spec in specs if spec is not None}
        counts = [count for _, count in pairs]
        listed_total = sum(counts) if counts and all(c is not None for c in counts) else None  # type: ignore[misc]
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
