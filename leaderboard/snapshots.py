"""Published snapshots: immutable copies of the published results for reader processes.

DuckDB lets one process open a file read-write and then no other process at all, so the
writer (the portal process that holds logins, uploads, review and the worker) cannot share
its file with web processes that serve the public. Instead, after every change to the
published results it publishes a snapshot: a separate DuckDB file holding only the
leaderboard's tables (never the workflow's; private columns blanked), written beside the live
file under a temporary name and renamed into place (``snapshot-00000012.duckdb``: the rename
is atomic, so a reader sees a whole file or none), then never changed again. Readers
(:mod:`leaderboard.snapshot_shelf`) open the newest read-only and switch when a newer one
appears. The writer prunes old ones, keeping the newest few and any superseded less than a
grace period ago, so a reader that is still opening one finds it.

A snapshot is due when the fingerprint changes: the data version (imports, results, status
changes), the schema version and the hardware catalogue. Publishing when nothing changed
does nothing, so callers may ask often.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import duckdb

from leaderboard import sql
from leaderboard.errors import LeaderboardError
from leaderboard.queries import data_version
from leaderboard.transactions import transaction

LOG = logging.getLogger("inferboard.snapshots")
FILE_PATTERN: Final = re.compile(r"snapshot-([0-9]{8})\.duckdb")
MAX_VERSION: Final = 99_999_999
TEMP_PREFIX: Final = ".snapshot-"


def snapshot_name(version: int) -> str:
    return f"snapshot-{version:08d}.duckdb"


@dataclass(frozen=True)
class SnapshotInfo:
    """What a snapshot says about itself (its ``snapshot_info`` row)."""

    version: int
    published_at: datetime  # UTC, naive as DuckDB stores it
    data_version: str
    fingerprint: str

    @property
    def label(self) -> str:
        """How pages and the API name it: ``snapshot 12 of 2026-11-28 18:01:12 UTC``."""
        return f"snapshot {self.version} of {self.published_at:%Y-%m-%d %H:%M:%S} UTC"

    def header(self) -> str:
        """The ``Inferboard-Snapshot`` response header: version and publication time."""
        return f"{self.version}; published={self.published_at:%Y-%m-%dT%H:%M:%SZ}"


@dataclass(frozen=True)
class Reading:
    """A cursor and the snapshot it reads (None: the writer's live database)."""

    cursor: duckdb.DuckDBPyConnection
    snapshot: SnapshotInfo | None


def snapshot_files(directory: Path) -> dict[int, Path]:
    """Published snapshots in ``directory`` by version (temporary files are not listed)."""
    found: dict[int, Path] = {}
    try:
        entries = list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return found
    for entry in entries:
        match = FILE_PATTERN.fullmatch(entry.name)
        if match and entry.is_file(follow_symlinks=False):
            found[int(match.group(1))] = Path(entry.path)
    return dict(sorted(found.items()))


def read_info(con: duckdb.DuckDBPyConnection) -> SnapshotInfo:
    """The ``snapshot_info`` row of an open snapshot."""
    try:
        rows = con.execute(sql.SNAPSHOT_INFO).fetchall()
    except duckdb.Error as exc:
        raise LeaderboardError(
            "snapshot.unreadable", f"not a published snapshot (no snapshot_info): {exc}"
        ) from exc
    if len(rows) != 1:
        raise LeaderboardError("snapshot.unreadable", "a snapshot holds exactly one info row")
    version, published_at, version_text, fingerprint = rows[0]
    return SnapshotInfo(int(version), published_at, str(version_text), str(fingerprint))


def open_snapshot(path: Path, *, threads: int = 1) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a published snapshot; nothing is ever written (DuckDB's
    read-only mode, and no spilling: a reader must not create files beside a snapshot)."""
    try:
        return duckdb.connect(
            str(path),
            read_only=True,
            config={"threads": max(1, threads), "temp_directory": ""},
        )
    except duckdb.Error as exc:
        raise LeaderboardError("snapshot.unreadable", f"cannot open {path.name}: {exc}") from exc


def fingerprint(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """(fingerprint, data version) of the live file: a new snapshot is due when it changes."""
    version = data_version(con)
    schema, accelerators, names = con.execute(sql.SNAPSHOT_FINGERPRINT).fetchall()[0]
    return f"{version}|schema {schema}|{accelerators}|{names}", version


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SnapshotPublisher:
    """The writer's side: publish when the fingerprint changed, then prune (thread-safe)."""

    def __init__(
        self,
        directory: Path,
        *,
        keep: int = 5,
        grace_s: float = 300.0,
        clock: Callable[[], datetime] = _utc_now,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.directory = directory
        self.keep = max(2, keep)
        self.grace_s = grace_s
        self._clock, self._wall = clock, wall
        self._lock = threading.Lock()
        self._published: str | None = None  # fingerprint of the newest snapshot
        self._cleaned = False

    def newest(self) -> SnapshotInfo | None:
        """The newest published snapshot's info (read from the file), or None."""
        files = snapshot_files(self.directory)
        if not files:
            return None
        con = open_snapshot(files[max(files)])
        try:
            return read_info(con)
        finally:
            con.close()

    def publish_if_changed(self, con: duckdb.DuckDBPyConnection) -> SnapshotInfo | None:
        """Publish a snapshot of ``con``'s database when its fingerprint differs from the
        newest snapshot's; returns the new snapshot's info, or None when none was due.

        ``con`` must be a cursor of its own: it is switched to the snapshot's catalogue while
        the schema is built there and back afterwards."""
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            if not self._cleaned:
                self._remove_leftovers()
                self._cleaned = True
            if self._published is None:
                newest = self._newest_or_none()
                self._published = newest.fingerprint if newest else ""
            current, _ = fingerprint(con)
            if current == self._published:
                return None
            info = self._write(con)
            self._published = info.fingerprint
            self.prune()
            return info

    def _newest_or_none(self) -> SnapshotInfo | None:
        try:
            return self.newest()
        except LeaderboardError as exc:  # a damaged newest file: publish a fresh one
            LOG.warning("newest snapshot unreadable, publishing a new one: %s", exc)
            return None

    def _remove_leftovers(self) -> None:
        """Temporary files of a writer that died while publishing (one writer exists, so a
        temporary file at start-up is never one being written)."""
        for path in self.directory.glob(f"{TEMP_PREFIX}*"):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def _write(self, con: duckdb.DuckDBPyConnection) -> SnapshotInfo:
        files = snapshot_files(self.directory)
        version = max(files, default=0) + 1
        if version > MAX_VERSION:
            raise LeaderboardError("snapshot.exhausted", "snapshot numbers are used up")
        final = self.directory / snapshot_name(version)
        temp = self.directory / f"{TEMP_PREFIX}{version:08d}.{secrets.token_hex(4)}.tmp"
        live = con.execute(sql.CURRENT_CATALOG).fetchall()[0][0]
        try:
            info = self._copy(con, temp, live, version)
            _fsync(temp)
            temp.chmod(0o444)  # immutable: nobody writes a published snapshot
            if final.exists():
                raise LeaderboardError("snapshot.exists", f"{final.name} exists already")
            temp.replace(final)
            _fsync(self.directory)
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute(f"USE {sql.quoted(live)}")
                con.execute(sql.DETACH_SNAPSHOT)
            for leftover in (temp, temp.with_name(temp.name + ".wal")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
            raise
        LOG.info("published %s (%s)", info.label, info.data_version)
        return info

    def _copy(
        self, con: duckdb.DuckDBPyConnection, temp: Path, live: str, version: int
    ) -> SnapshotInfo:
        from leaderboard.db import migrate  # db imports this module for the Store's hook

        con.execute(sql.ATTACH_SNAPSHOT, {"path": str(temp)})
        con.execute(sql.USE_SNAPSHOT)
        try:
            migrate(con)  # the leaderboard's schema (and only its) in the new file
        finally:
            con.execute(f"USE {sql.quoted(live)}")
        tables = [row[0] for row in con.execute(sql.SNAPSHOT_TABLES).fetchall()]
        with transaction(con):  # one consistent read of every table
            current, version_text = fingerprint(con)
            for table in tables:
                columns = [
                    row[0] for row in con.execute(sql.SNAPSHOT_COLUMNS, {"table": table}).fetchall()
                ]
                con.execute(sql.snapshot_copy(table, columns, live))
            con.execute(sql.CREATE_SNAPSHOT_INFO)
            info = SnapshotInfo(version, self._clock(), version_text, current)
            con.execute(
                sql.RECORD_SNAPSHOT_INFO,
                {
                    "version": version,
                    "published_at": info.published_at,
                    "data_version": version_text,
                    "fingerprint": current,
                },
            )
        con.execute(sql.CHECKPOINT_SNAPSHOT)
        con.execute(sql.DETACH_SNAPSHOT)
        return info

    def prune(self) -> list[int]:
        """Delete snapshots older than the ``keep`` newest whose successor appeared more
        than ``grace_s`` ago; returns the versions deleted."""
        files = snapshot_files(self.directory)
        versions = sorted(files)
        deleted: list[int] = []
        now = self._wall()
        for index, version in enumerate(versions[: -self.keep]):
            successor = files[versions[index + 1]]
            try:
                superseded_for = now - successor.stat().st_mtime
            except FileNotFoundError:
                continue
            if superseded_for < self.grace_s:
                continue
            with contextlib.suppress(FileNotFoundError):
                files[version].unlink()
                deleted.append(version)
        if deleted:
            LOG.info("pruned snapshots %s", deleted)
        return deleted


class PublishTimer:
    """The writer's safety net: ask for a snapshot every ``every_s`` seconds, so a change
    made by a path that forgot the hook still reaches the readers (a no-op when nothing
    changed: one small query)."""

    def __init__(self, publish: Callable[[], object], every_s: float) -> None:
        self._publish, self._every_s = publish, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="inferboard-snapshot-publish", daemon=True
        )

    def start(self) -> PublishTimer:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                self._publish()
            except Exception:  # the timer must outlive one failed check
                LOG.exception("snapshot check failed; trying again")

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
