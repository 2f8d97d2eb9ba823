"""Published snapshots (issue 16): what the writer publishes, when, how it prunes, and how a
reader's shelf serves, switches and pins them."""

from __future__ import annotations

import hashlib
import logging
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest

from leaderboard import queries, sql
from leaderboard.corrections import record_status
from leaderboard.db import Store, open_store
from leaderboard.errors import LeaderboardError
from leaderboard.ingest import insert_rows
from leaderboard.seed import read_seed
from leaderboard.settings import PROJECT_ROOT, LeaderboardSettings
from leaderboard.snapshot_shelf import SnapshotShelf
from leaderboard.snapshots import SnapshotPublisher, open_snapshot, read_info, snapshot_files

SEED = PROJECT_ROOT / "data" / "mlperf_results_seed.parquet"


@pytest.fixture(scope="module")
def small_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "seed.parquet"
    pl.read_parquet(SEED).head(40).write_parquet(path)
    return path


@pytest.fixture
def writer(tmp_path: Path, small_seed: Path) -> Iterator[Store]:
    settings = LeaderboardSettings(
        db_path=tmp_path / "live.duckdb", seed_path=small_seed, snapshot_grace_s=0
    )
    with open_store(settings) as store:
        yield store


def _files(store: Store) -> dict[int, Path]:
    return snapshot_files(store.settings.snapshots_path)


def _first_result(store: Store) -> str:
    return str(store.cursor().execute("SELECT min(result_id) FROM results").fetchall()[0][0])


def _extra_row(small_seed: Path, suffix: str) -> pl.DataFrame:
    row = read_seed(small_seed).head(1)
    return row.with_columns((pl.col("result_id") + suffix).alias("result_id"))


def test_the_first_open_publishes_the_seed_read_only_and_without_private_data(
    writer: Store,
) -> None:
    files = _files(writer)
    assert list(files) == [1]
    path = files[1]
    assert path.parent == writer.settings.db_path.with_name("live.snapshots")
    assert not stat.S_IMODE(path.stat().st_mode) & 0o222, "a snapshot is never writable"
    # a workflow table in the live file never reaches a snapshot; private columns are blanked
    live = writer.cursor()
    live.execute("CREATE TABLE submissions (submission_id INTEGER, owner_subject VARCHAR)")
    record_status(live, [_first_result(writer)], "withdrawn", "the submitter asked", "Mia")
    info = writer.publish_snapshot()
    assert info is not None and info.version == 2
    snap = open_snapshot(_files(writer)[2])
    try:
        tables = {
            row[0] for row in snap.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        assert "submissions" not in tables
        assert {"results", "systems", "imports", "result_status_changes"} <= tables
        assert snap.execute("SELECT recorded_by, reason FROM result_status_changes").fetchall() == [
            ("", "the submitter asked")
        ]
        assert {row[0] for row in snap.execute("SELECT source FROM imports").fetchall()} == {""}
        for table in ("results", "systems", "accelerator_names", "result_status_changes"):
            count = f"SELECT count(*) FROM {table}"
            assert snap.execute(count).fetchall() == live.execute(count).fetchall(), table
        assert read_info(snap) == info
        assert info.data_version == queries.data_version(live) == queries.data_version(snap)
        assert snap.execute("SELECT count(*) FROM retracted_results").fetchall() == [(1,)]
    finally:
        snap.close()
    assert not [p for p in path.parent.iterdir() if not p.name.startswith("snapshot-")]


def test_a_snapshot_is_published_only_when_the_published_results_change(
    writer: Store, small_seed: Path
) -> None:
    assert writer.publish_snapshot() is None  # nothing changed since the open
    cur = writer.cursor()
    cur.execute("CREATE TABLE IF NOT EXISTS submissions (submission_id INTEGER)")
    cur.execute("INSERT INTO submissions VALUES (1)")  # workflow writes publish nothing
    assert writer.publish_snapshot() is None
    insert_rows(
        cur, _extra_row(small_seed, "-new"), import_id="t:1", kind="summary_csv", source="t",
        verification="t",
    )  # fmt: skip
    assert writer.publish_snapshot().version == 2  # type: ignore[union-attr]
    record_status(cur, [_first_result(writer)], "invalidated", "failed the audit", "Mia")
    assert writer.publish_snapshot().version == 3  # type: ignore[union-attr]
    assert writer.publish_snapshot() is None
    # a writer restarted on the same file publishes nothing new, and continues the numbering
    settings = writer.settings
    writer.close()
    with open_store(settings) as again:
        assert list(_files(again)) == [1, 2, 3]
        record_status(again.cursor(), [_first_result(again)], "reinstated", "audit redone", "M")
        assert again.publish_snapshot().version == 4  # type: ignore[union-attr]


def test_pruning_keeps_the_newest_and_any_superseded_within_the_grace_period(
    tmp_path: Path, writer: Store
) -> None:
    clock = [time.time()]
    publisher = SnapshotPublisher(tmp_path / "pruned", keep=2, grace_s=60, wall=lambda: clock[0])
    cur = writer.cursor()
    rid = _first_result(writer)
    for number in range(4):
        status = "withdrawn" if number % 2 == 0 else "reinstated"
        record_status(cur, [rid], status, f"change {number}", "M")
        assert publisher.publish_if_changed(writer.cursor()) is not None
    assert sorted(snapshot_files(tmp_path / "pruned")) == [1, 2, 3, 4]  # all within grace
    clock[0] += 61
    assert publisher.prune() == [1, 2]
    assert sorted(snapshot_files(tmp_path / "pruned")) == [3, 4]


def test_a_failed_publication_leaves_nothing_behind_and_the_next_one_works(
    writer: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    cur = writer.cursor()
    record_status(cur, [_first_result(writer)], "withdrawn", "asked", "M")
    real = sql.snapshot_copy
    monkeypatch.setattr(sql, "snapshot_copy", lambda *a: "SELECT no_such_column FROM results")
    with caplog.at_level(logging.ERROR, logger="inferboard.snapshots"):
        assert writer.publish_snapshot() is None
    assert "snapshot not published" in caplog.text
    folder = writer.settings.snapshots_path
    assert sorted(p.name for p in folder.iterdir()) == ["snapshot-00000001.duckdb"]
    assert writer.cursor().execute("SELECT current_database()").fetchall() == [("live",)]
    monkeypatch.setattr(sql, "snapshot_copy", real)
    assert writer.publish_snapshot().version == 2  # type: ignore[union-attr]


def test_a_dead_writers_temporary_files_are_removed_at_the_next_start(
    writer: Store, small_seed: Path
) -> None:
    folder = writer.settings.snapshots_path
    leftovers = [folder / ".snapshot-00000002.dead.tmp", folder / ".snapshot-00000002.dead.tmp.wal"]
    for path in leftovers:
        path.write_bytes(b"half written")
    settings = writer.settings
    writer.close()
    with open_store(settings) as again:
        record_status(again.cursor(), [_first_result(again)], "withdrawn", "asked", "M")
        assert again.publish_snapshot().version == 2  # type: ignore[union-attr]
    assert not any(path.exists() for path in leftovers)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_shelf_serves_the_newest_switches_and_keeps_running_reads_alive(
    writer: Store,
) -> None:
    folder = writer.settings.snapshots_path
    first = _files(writer)[1]
    digest = _sha(first)
    with SnapshotShelf(folder, retire_after_s=3600) as shelf:
        reading = shelf.read()
        assert reading.snapshot is not None and reading.snapshot.version == 1
        before = reading.cursor.execute(sql.COUNT_RESULTS).fetchall()
        record_status(writer.cursor(), [_first_result(writer)], "withdrawn", "asked", "M")
        writer.publish_snapshot()
        assert shelf.refresh() is True
        assert shelf.current().version == 2  # type: ignore[union-attr]
        # a read that began on snapshot 1 finishes on it
        assert reading.cursor.execute(sql.COUNT_RESULTS).fetchall() == before
        newest = shelf.read()
        assert newest.cursor.execute("SELECT count(*) FROM retracted_results").fetchall() == [(1,)]
        pinned = shelf.read(1)
        assert pinned.snapshot.version == 1  # type: ignore[union-attr]
        assert pinned.cursor.execute("SELECT count(*) FROM retracted_results").fetchall() == [(0,)]
        with pytest.raises(LeaderboardError) as caught:
            shelf.read(7)
        assert caught.value.code == "snapshot.unknown"
        assert "snapshot 2 of" in caught.value.message
        with pytest.raises(duckdb.Error):
            newest.cursor.execute("DELETE FROM results")  # read-only all the way down
    assert _sha(first) == digest
    assert sorted(p.name for p in folder.iterdir()) == [
        "snapshot-00000001.duckdb", "snapshot-00000002.duckdb",
    ]  # fmt: skip


def test_a_pruned_pin_says_so_and_a_damaged_newest_file_is_skipped(
    writer: Store, caplog: pytest.LogCaptureFixture
) -> None:
    folder = writer.settings.snapshots_path
    with SnapshotShelf(folder) as shelf:
        shelf.refresh()
        rid = _first_result(writer)
        for status in ("withdrawn", "reinstated") * 3:
            record_status(writer.cursor(), [rid], status, "change", "M")
            writer.publish_snapshot()
        assert min(_files(writer)) > 1  # grace 0: pruned beyond the newest 5
        assert shelf.read(1).snapshot.version == 1  # type: ignore[union-attr]  # still served
        shelf.refresh()
        with pytest.raises(LeaderboardError) as caught:
            shelf.read(1)
        assert caught.value.code == "snapshot.pruned"
        assert "no longer kept" in caught.value.message
        # a file that is not a snapshot, named like the newest: logged, skipped
        bogus = folder / "snapshot-00000099.duckdb"
        bogus.write_bytes(b"not a database")
        with caplog.at_level(logging.ERROR, logger="inferboard.snapshots"):
            shelf.refresh()
        assert shelf.current().version == 7  # type: ignore[union-attr]
        assert "skipping snapshot 99" in caplog.text
        bogus.unlink()


def test_a_shelf_without_snapshots_says_how_to_get_one(tmp_path: Path) -> None:
    with SnapshotShelf(tmp_path / "nothing-here") as shelf:
        with pytest.raises(LeaderboardError) as caught:
            shelf.read()
        assert caught.value.code == "snapshot.none"
        assert shelf.current() is None
    assert not (tmp_path / "nothing-here").exists(), "a reader never creates folders"


def test_the_watcher_switches_within_seconds(writer: Store) -> None:
    with SnapshotShelf(writer.settings.snapshots_path, poll_s=0.1).start() as shelf:
        assert shelf.current().version == 1  # type: ignore[union-attr]
        record_status(writer.cursor(), [_first_result(writer)], "withdrawn", "asked", "M")
        writer.publish_snapshot()
        deadline = time.monotonic() + 10
        while shelf.current().version != 2:  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the shelf did not switch in 10 s"
            time.sleep(0.05)
