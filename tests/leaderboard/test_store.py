"""The store: migrations, first-start seeding, idempotent imports, the seed build, locking."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from leaderboard.db import migrate, open_store
from leaderboard.errors import LeaderboardError
from leaderboard.importers import import_path
from leaderboard.ingest import ImportOutcome
from leaderboard.seed import build_seed, read_published_csv
from leaderboard.settings import LeaderboardSettings

from .conftest import SEED, SHARED_CSV


def test_first_start_seeds_and_a_second_start_changes_nothing(fresh_settings) -> None:
    with open_store(fresh_settings) as store:
        cur = store.cursor()
        assert cur.execute("SELECT count(*) FROM results").fetchall() == [(12523,)]
        assert cur.execute("SELECT max(version) FROM schema_migrations").fetchall() == [(3,)]
        assert migrate(cur) == []
    with open_store(fresh_settings) as store:
        cur = store.cursor()
        assert cur.execute("SELECT count(*) FROM results").fetchall() == [(12523,)]
        assert cur.execute("SELECT count(*) FROM imports").fetchall() == [(1,)]


def test_a_file_from_before_migration_3_gains_directions_and_provenance(fresh_settings) -> None:
    """A database written by the previous version (schema 2, no direction or provenance)
    opens migrated: its rows get their direction from the rules and count as published."""
    import duckdb

    from leaderboard import sql

    with duckdb.connect(str(fresh_settings.db_path)) as con:
        migrate(con, sql.MIGRATIONS[:2])
        con.execute(
            "INSERT INTO results (result_id, system_uid, round, division, benchmark, "
            "benchmark_mlperf, scenario, units, value, verification, import_id) VALUES "
            "('v5.1/a/SingleStream', 's', 'v5.1', 'closed', 'b', 'b', 'SingleStream', "
            "'Latency (ms)', 2.5, 'old', 'i'), "
            "('v5.1/a/Offline', 's', 'v5.1', 'closed', 'b', 'b', 'Offline', 'Samples/s', 9.0, "
            "'old', 'i')"
        )
    with open_store(fresh_settings) as store:
        rows = (
            store.cursor()
            .sql("SELECT scenario, higher_is_better, provenance FROM results ORDER BY scenario")
            .fetchall()
        )
    # the old rows are kept as they were (the seed is not loaded over a non-empty file)
    assert rows == [("Offline", True, "published"), ("SingleStream", False, "published")]


@pytest.mark.slow  # a second interpreter opening the file: 4 s
def test_second_process_gets_a_clear_lock_message(fresh_settings, tmp_path: Path) -> None:
    import subprocess
    import sys

    with open_store(fresh_settings):
        probe = (
            "import sys; from pathlib import Path\n"
            "from leaderboard.__main__ import main\n"
            f"sys.exit(main(['--db', {str(fresh_settings.db_path)!r}, 'info']))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            check=False,
            cwd=Path(__file__).resolve().parents[2],
        )
    assert done.returncode == 2
    assert "open in another process" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow  # rebuilds the seed from the 12,523-row CSV: 4 s
def test_seed_rebuild_is_reproducible(tmp_path: Path) -> None:
    assert SHARED_CSV.is_file(), f"{SHARED_CSV} is missing (see ../shared/data/README.md)"
    out = tmp_path / "seed.parquet"
    frame = build_seed(SHARED_CSV, out)
    assert frame.height == 12523
    assert out.read_bytes() == SEED.read_bytes(), (
        "data/mlperf_results_seed.parquet is stale: rebuild it with data/build_seed.py"
    )


def test_bad_csv_number_is_named(tmp_path: Path) -> None:
    text = SHARED_CSV.read_text(encoding="utf-8").splitlines()
    header, first = text[0], text[1]
    columns = header.split(",")
    broken = tmp_path / "bad.csv"
    frame = pl.read_csv(SHARED_CSV, infer_schema_length=0, n_rows=3)
    frame.with_columns(pl.lit("lots").alias("result")).write_csv(broken)
    assert "result" in columns and first
    with pytest.raises(LeaderboardError, match="'result' has 3 values that are not numbers"):
        read_published_csv(broken)


def _summary(rows: pl.DataFrame, location_suffix: str = "") -> pl.DataFrame:
    return rows.select(
        pl.col("submitter").alias("Organization"),
        pl.col("availability").alias("Availability"),
        pl.col("division").alias("Division"),
        pl.col("system_type").alias("SystemType"),
        pl.col("system_name").alias("SystemName"),
        pl.col("system_id").alias("Platform"),
        pl.col("benchmark").alias("Model"),
        pl.col("benchmark_mlperf").alias("MlperfModel"),
        pl.col("scenario").alias("Scenario"),
        pl.col("result").alias("Result"),
        pl.lit("ROUGE1: 44.4465  ROUGE2: 22.0638  ROUGEL: 28.625  TOKENS_PER_SAMPLE: 301.1").alias(
            "Accuracy"
        ),
        "number_of_nodes",
        "host_processor_model_name",
        "host_processors_per_node",
        "host_processor_core_count",
        "accelerator_model_name",
        "accelerators_per_node",
        (
            "./"
            + pl.col("source_path").str.replace("/results/", f"/results/{location_suffix}")
            + "/performance/run_1"
        ).alias("Location"),
        "framework",
        "operating_system",
        pl.lit("v6.0").alias("version"),
        pl.col("units").alias("Units"),
    )


def test_summary_imports_are_idempotent(fresh_settings, tmp_path: Path) -> None:
    seed = (
        pl.read_parquet(SEED)
        .filter((pl.col("version") == "v6.0") & (pl.col("benchmark_mlperf") == "llama2-70b-99"))
        .head(4)
    )
    same = tmp_path / "summary.csv"
    _summary(seed).write_csv(same)
    new = _summary(seed, "NEW-")
    new_csv, new_json = tmp_path / "new.csv", tmp_path / "summary_results.json"
    new.write_csv(new_csv)
    new_json.write_text(json.dumps(new.to_dicts()), encoding="utf-8")
    with open_store(fresh_settings) as store:
        cur = store.cursor()
        # already in the seed with the same numbers
        assert import_path(cur, same) == ("summary_csv", ImportOutcome(already_present=4))
        assert import_path(cur, new_csv) == ("summary_csv", ImportOutcome(added=4))
        assert import_path(cur, new_csv) == ("summary_csv", ImportOutcome(repeated=True))
        # the same results in the other format
        assert import_path(cur, new_json) == ("summary_json", ImportOutcome(already_present=4))
        imported = cur.sql(
            "SELECT rouge1, tokens_per_sample, verification FROM results "
            "WHERE result_id LIKE 'v6.0/closed/%/results/NEW-%'"
        ).pl()
        assert imported.height == 4
        assert imported["rouge1"].to_list() == [44.4465] * 4
        assert imported["verification"][0].startswith("official MLCommons summary")


@pytest.mark.parametrize(
    ("content", "code"),
    [("not json", "import.json_invalid"), ('{"a": 1}', "import.json_shape")],
)
def test_bad_summary_json_is_a_message(fresh_settings, tmp_path: Path, content, code) -> None:
    path = tmp_path / "summary_results.json"
    path.write_text(content, encoding="utf-8")
    with open_store(fresh_settings) as store, pytest.raises(LeaderboardError) as caught:
        import_path(store.cursor(), path)
    assert caught.value.code == code
    assert str(path) in caught.value.message


def test_read_only_open_needs_an_existing_file(tmp_path: Path) -> None:
    settings = LeaderboardSettings(db_path=tmp_path / "none.duckdb", seed_path=SEED, read_only=True)
    with pytest.raises(LeaderboardError, match="read-only process needs a finished"):
        open_store(settings)


@pytest.mark.slow  # seeds two databases: 2.5 s
def test_a_read_only_open_changes_nothing_and_needs_the_current_schema(
    fresh_settings, tmp_path: Path
) -> None:
    """Readers (issue 16) open a finished file read-only: nothing in them can write, and a
    file from before a migration is a message, not a failing query on every page."""
    import hashlib

    from leaderboard.db import LEADERBOARD_VERSIONS
    from leaderboard.sql import MIGRATIONS

    with open_store(fresh_settings):
        pass
    digest = hashlib.sha256(fresh_settings.db_path.read_bytes()).hexdigest()
    reader = LeaderboardSettings(db_path=fresh_settings.db_path, read_only=True)
    with open_store(reader) as store:
        assert store.cursor().execute("SELECT count(*) FROM results").fetchall() == [(12523,)]
    assert hashlib.sha256(fresh_settings.db_path.read_bytes()).hexdigest() == digest

    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as con:
        migrate(con, MIGRATIONS[:1], LEADERBOARD_VERSIONS)
    with pytest.raises(LeaderboardError) as caught:
        open_store(LeaderboardSettings(db_path=old, read_only=True))
    assert caught.value.code == "db.schema_outdated"
    assert "version 1" in caught.value.message and str(old) not in caught.value.message
