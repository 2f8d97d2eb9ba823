"""The compact seed table: the shared CSV of published results, typed, as Parquet.

The CSV (``../shared/data/mlperf_inference_results.csv``, 12,523 rows, v4.0 to v6.0) is text;
the seed keeps every row and column, types the numeric ones, sorts rows by result id and writes
zstd Parquet, so the committed file is small and rebuilding it from the same CSV gives the
same rows. Hardware normalisation is *not* baked in: it is applied from the catalogue when the
database is loaded, so fixing a spelling never needs a new seed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from leaderboard.errors import LeaderboardError

# Columns of the shared CSV that hold numbers (everything else stays text, verbatim).
FLOAT_COLUMNS = (
    "result",
    "rouge1",
    "rouge2",
    "rougeL",
    "tokens_per_sample",
    "ttft_p99_ms",
    "tpot_p99_ms",
    "power",
    "official_result",
    "official_power",
)
INT_COLUMNS = ("number_of_nodes", "accelerators_per_node", "host_processors_per_node", "inferred")
REQUIRED_COLUMNS = (
    "version",
    "division",
    "submitter",
    "system_id",
    "benchmark",
    "benchmark_mlperf",
    "scenario",
    "units",
    "result",
    "source_path",
    "accelerator_model_name",
)
# 'N/A' in a count column means "none / not stated"; anything else unparsable is an error.
_NOT_STATED = ("", "N/A", "n/a", "NA")


def result_id(version: str, location: str) -> str:
    """Stable result id: round plus the result's path in the results repository.

    ``(version, source_path)`` is unique in the published data and is what MLCommons'
    summaries call ``Location``, so the seed and an official summary name a result the same
    way and importing both changes nothing.
    """
    location = location.strip().removeprefix("./").removesuffix("/performance/run_1")
    return f"{version.strip()}/{location}"


def read_published_csv(csv_path: Path) -> pl.DataFrame:
    """Read the shared CSV as text and type it; unparsable numbers are errors, not nulls."""
    if not csv_path.is_file():
        raise LeaderboardError(
            "seed.csv_missing",
            f"{csv_path} does not exist: pass the path of mlperf_inference_results.csv "
            "(see ../shared/data/README.md)",
        )
    frame = pl.read_csv(csv_path, infer_schema_length=0)
    missing = [name for name in REQUIRED_COLUMNS if name not in frame.columns]
    if missing:
        raise LeaderboardError(
            "seed.csv_columns",
            f"{csv_path} lacks the columns {missing}; it must be the shared results table",
        )
    casts = [pl.col(name).cast(pl.Float64, strict=False) for name in FLOAT_COLUMNS] + [
        pl.when(pl.col(name).is_in(_NOT_STATED))
        .then(None)
        .otherwise(pl.col(name))
        .cast(pl.Int64, strict=False)
        .alias(name)
        for name in INT_COLUMNS
    ]
    typed = frame.with_columns(casts)
    for name in (*FLOAT_COLUMNS, *INT_COLUMNS):
        lost = frame.filter(
            pl.col(name).is_not_null() & ~pl.col(name).is_in(_NOT_STATED) & typed[name].is_null()
        )
        if lost.height:
            raise LeaderboardError(
                "seed.csv_number",
                f"{csv_path}: column {name!r} has {lost.height} values that are not numbers "
                f"(first: {lost[name][0]!r}); fix the CSV or the column's type in seed.py",
            )
    ids = pl.Series(
        "result_id",
        [result_id(v, p) for v, p in zip(frame["version"], frame["source_path"], strict=True)],
    )
    typed = typed.insert_column(0, ids).sort("result_id")
    if typed["result_id"].is_duplicated().any():
        raise LeaderboardError(
            "seed.duplicate_result",
            f"{csv_path}: two rows share a (version, source_path); each result must be unique",
        )
    return typed


def build_seed(csv_path: Path, seed_path: Path) -> pl.DataFrame:
    """Write the Parquet seed from the CSV and return the frame written."""
    frame = read_published_csv(csv_path)
    seed_path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(csv_path.read_bytes()).hexdigest()
    frame.write_parquet(
        seed_path,
        compression="zstd",
        compression_level=19,
        statistics=False,
        metadata={"source_csv_sha256": digest, "source_csv_name": csv_path.name},
    )
    return frame


def read_seed(seed_path: Path) -> pl.DataFrame:
    """Read the committed seed; a missing file names the command that builds it."""
    if not seed_path.is_file():
        raise LeaderboardError(
            "seed.missing",
            f"{seed_path} does not exist: build it with "
            "`.venv/bin/python data/build_seed.py ../shared/data/mlperf_inference_results.csv`",
        )
    return pl.read_parquet(seed_path)
