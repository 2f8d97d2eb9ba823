"""The public change log: every result added, withdrawn, invalidated or reinstated, with the
date and the reason (MLCommons publishes one for its results).

Derived from what the leaderboard itself records, in the same transaction as each change:
the ``imports`` table (the seed, a maintainer's import, an accepted submission: acceptance
writes its import row together with its audit entry) and ``result_status_changes``. It never
reads the workflow's tables: those hold who uploaded and decided, file names, rejections and
pending work, none of it public, and a published snapshot (issue 16) carries no workflow
tables at all. What stays private here too: an import's ``source`` (a file name or a server
path) and who recorded a status change.
"""

from __future__ import annotations

from typing import Final

import duckdb
import polars as pl

from leaderboard import sql

# Why results were added, by import kind (the reason a reader sees).
ADDED_BECAUSE: Final = {
    "seed": "published by MLCommons (mlcommons/inference_results_v*); loaded from the seed",
    "summary_json": "published by MLCommons; imported from its summary_results.json",
    "summary_csv": "imported from a submission checker's summary (MLCommons' format)",
    "results_tree": "a results tree that passed the Inferboard validator, imported by a maintainer",
    "submission": "a submission accepted by a maintainer after validation and review",
}
_SCHEMA: Final = pl.Schema(
    {
        "changed_at": pl.Datetime("us"),
        "change": pl.String(),
        "results": pl.Int64(),
        "rounds": pl.List(pl.String()),
        "benchmarks": pl.List(pl.String()),
        "reason": pl.String(),
        "result_ids": pl.List(pl.String()),
    }
)


def change_log(cursor: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per change (an import, or status changes recorded together), newest first:
    ``changed_at`` (UTC), ``change``, ``results``, ``rounds``, ``benchmarks``, ``reason``,
    ``result_ids``."""
    added: pl.DataFrame = cursor.sql(sql.IMPORT_CHANGES).pl()  # duckdb types .pl() as Any
    added = added.select(
        pl.col("imported_at").alias("changed_at"),
        pl.lit("added").alias("change"),
        pl.col("results").cast(pl.Int64),
        "rounds",
        "benchmarks",
        pl.col("kind")
        .replace_strict(ADDED_BECAUSE, default="imported by a maintainer", return_dtype=pl.String)
        .alias("reason"),
        "result_ids",
    )
    status: pl.DataFrame = cursor.sql(sql.STATUS_CHANGES).pl()  # duckdb: Any, as above
    status = status.select(
        "changed_at",
        pl.col("status").alias("change"),
        pl.col("results").cast(pl.Int64),
        "rounds",
        "benchmarks",
        "reason",
        "result_ids",
    )
    frames = [frame.cast(_SCHEMA) for frame in (added, status) if frame.height]
    if not frames:
        return pl.DataFrame(schema=_SCHEMA)
    return pl.concat(frames).sort(["changed_at", "change"], descending=[True, False])
