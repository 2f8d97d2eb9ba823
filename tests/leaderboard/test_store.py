"""The store: migrations, first-start seeding, idempotent imports, the seed build, locking."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import plotly.graph_objects as go
import polars as pl
import pytest

from leaderboard import figures, queries
from leaderboard.db import migrate, open_store
from leaderboard.errors import LeaderboardError
from leaderboard.export import export_rows
from leaderboard.filters import Filters
from leaderboard.importers import import_path
from leaderboard.seed import build_seed, read_published_csv
from leaderboard.settings import LeaderboardSettings

from .conftest import SEED, SHARED_CSV


def test_first_start_seeds_and_a_second_start_changes_nothing(fresh_settings) -> None:
    with open_store(fresh_settings) as store:
        cur = store.cursor()
        assert cur.execute("SELECT count(*) FROM results").fetchall() == [(12523,)]
        assert cur.execute("SELECT max(version) FROM schema_migrations").fetchall() == [(1,)]
        assert migrate(cur) == []
    with open_store(fresh_settings) as store:
        cur = store.cursor()
        assert cur.execute("SELECT count(*) FROM results").fetchall() == [(12523,)]
        assert cur.execute("SELECT count(*) FROM imports").fetchall() == [(1,)]


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
        assert import_path(cur, same) == ("summary_csv", 0)  # already in the seed
        assert import_path(cur, new_csv) == ("summary_csv", 4)
        assert import_path(cur, new_csv) == ("summary_csv", 0)
        assert import_path(cur, new_json) == ("summary_json", 0)  # same results, other format
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


def test_exports_carry_the_footnote(cur: duckdb.DuckDBPyConnection) -> None:
    filters = Filters(rounds=("v5.1",), normalisation="per_accelerator")
    rows = queries.leaderboard(cur, filters).select("result_id", "round", "division", "metric")
    csv_bytes = export_rows(rows, filters, "csv", date(2026, 1, 2)).decode()
    assert csv_bytes.count("\n") > rows.height
    assert "# Retrieved 2026-01-02" in csv_bytes
    assert "derived, not an official MLPerf result" in csv_bytes
    payload = json.loads(export_rows(rows, filters, "json", date(2026, 1, 2)))
    assert len(payload["rows"]) == rows.height and "v5.1" in payload["footnote"]
    parquet = export_rows(rows, filters, "parquet", date(2026, 1, 2))
    assert pl.read_parquet(parquet).equals(rows)


def test_figures_plot_the_rows_with_system_ids(cur: duckdb.DuckDBPyConnection) -> None:
    view = queries.leaderboard_view(cur, Filters(rounds=("v5.1",)))
    bar = figures.best_by_family(view.rows)
    assert isinstance(bar, go.Figure)
    assert max(bar.data[0].y) == view.rows["metric"].max()
    scatter = figures.throughput_vs_accelerators(view.rows)
    assert scatter.layout.xaxis.type == "log"
    assert (
        sum(len(t.x) for t in scatter.data)
        == view.rows.filter(pl.col("total_accelerators") > 0).height
    )
    progress = figures.progress_by_round(view.all_rounds)
    assert {"v4.1", "v5.1", "v6.0"} <= {x for t in progress.data for x in t.x}
    paired = figures.server_vs_offline(view.paired)
    assert {t.name for t in paired.data} >= {"Server", "Interactive", "equal"}
    server_rows = queries.leaderboard(cur, Filters(scenario="Server", rounds=("v5.1",)))
    latency = figures.latency_percentiles(server_rows)
    assert len(latency.data[0].x) == server_rows["ttft_p99_ms"].is_not_null().sum()
    accuracy = figures.accuracy_vs_throughput(view.rows)
    assert all(40 < y < 50 for y in accuracy.data[0].y)  # ROUGE-1 of llama2
    empty = figures.best_by_family(view.rows.clear())
    assert empty.data == () and "No results" in empty.layout.annotations[0].text
    assert all(isinstance(uid, str) for uid in bar.data[0].customdata)


def test_filters_round_trip_through_the_url() -> None:
    filters = Filters(
        rounds=("v5.1", "v6.0"),
        search="H200",
        normalisation="per_node",
        descending=False,
        max_accelerators=64,
    )
    params = filters.to_query_params()
    assert params["rounds"] == "v5.1,v6.0"
    assert Filters.from_query_params(params) == filters
    assert Filters.from_query_params({}) == Filters()
    hostile = Filters.from_query_params(
        {"sort": "1; DROP", "normalisation": "x", "min_accelerators": "-3"}
    )
    assert hostile == Filters()
