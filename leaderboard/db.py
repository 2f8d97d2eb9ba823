"""The one owner of the DuckDB file: open, migrate, seed on first start, hand out cursors.

DuckDB lets exactly one process open a file read-write, and while it does no other process can
open it at all (environment notes, "DuckDB 2.0"). So the portal process owns the file through
one :class:`Store`; its threads each take :meth:`Store.cursor`; other processes (the CLI
importer while the portal runs) must hand results over as files or wait, and are told so.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass

import duckdb

from leaderboard import sql
from leaderboard.errors import LeaderboardError
from leaderboard.ingest import backfill_directions, insert_rows, refresh_hardware
from leaderboard.seed import read_seed
from leaderboard.settings import LeaderboardSettings
from leaderboard.snapshots import SnapshotInfo, SnapshotPublisher
from leaderboard.transactions import transaction

SEED_VERIFICATION = "published MLPerf result (shared seed table)"
LOG = logging.getLogger("inferboard.snapshots")


class Store:
    """An open database: one connection owned here, one cursor per thread that reads."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        settings: LeaderboardSettings,
        publisher: SnapshotPublisher | None = None,
    ):
        self._connection = connection
        self._lock = threading.Lock()
        self.settings = settings
        self.publisher = publisher

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for the calling thread (DuckDB connections are not shared across threads)."""
        with self._lock:
            return self._connection.cursor()

    def publish_snapshot(self) -> SnapshotInfo | None:
        """The one hook after a change to the published results has committed (seed, import,
        acceptance, withdrawal, invalidation, reinstatement): publish a snapshot for the
        readers if the results changed since the newest one. Cheap when nothing changed, so
        the writer also calls it on a timer. A failure is logged, never raised: the change
        itself is committed, and the next call publishes it."""
        if self.publisher is None:
            return None
        cursor = self.cursor()
        try:
            return self.publisher.publish_if_changed(cursor)
        except (LeaderboardError, duckdb.Error, OSError) as exc:
            LOG.error("snapshot not published (the next change or check retries): %s", exc)
            return None
        finally:
            cursor.close()

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _connect(settings: LeaderboardSettings) -> duckdb.DuckDBPyConnection:
    path = settings.db_path
    if not settings.read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.is_file():
        raise LeaderboardError(
            "db.missing",
            f"{path} does not exist; a read-only process needs a finished database file "
            "(start the portal once read-write to create and seed it)",
        )
    try:
        config: dict[str, str | bool | int | float | list[str]] = {
            "threads": max(1, settings.db_threads)
        }
        return duckdb.connect(str(path), read_only=settings.read_only, config=config)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise LeaderboardError(
                "db.locked",
                f"{path} is open in another process (DuckDB allows one writer and then no "
                "readers); stop the portal or point INFERBOARD_DB_PATH at another file",
            ) from exc
        raise LeaderboardError("db.open", f"cannot open {path}: {exc}") from exc


@dataclass(frozen=True)
class SchemaVersions:
    """The table that records which migrations a file has seen, as its three statements.

    The leaderboard and the submissions workflow each keep their own such table in the one
    file (so their version numbers never collide) but apply migrations the same way. (Not to
    be confused with ``submissions.ledger.Ledger``, the workflow's bookkeeping.)
    """

    create: str
    applied_versions: str
    record: str


LEADERBOARD_VERSIONS = SchemaVersions(
    sql.CREATE_VERSIONS_TABLE, sql.APPLIED_VERSIONS, sql.RECORD_MIGRATION
)
Migrations = tuple[tuple[int, str, tuple[str, ...]], ...]


def migrate(
    con: duckdb.DuckDBPyConnection,
    migrations: Migrations = sql.MIGRATIONS,
    versions: SchemaVersions = LEADERBOARD_VERSIONS,
) -> list[int]:
    """Apply the migrations this file has not seen yet, each in its own transaction together
    with its row in the versions table; returns the versions applied now. The defaults are
    the leaderboard's own; the workflow passes its migrations and versions table."""
    con.execute(versions.create)
    applied = {row[0] for row in con.execute(versions.applied_versions).fetchall()}
    newly: list[int] = []
    for version, description, statements in migrations:
        if version in applied:
            continue
        with transaction(con):
            for statement in statements:
                con.execute(statement)
            con.execute(versions.record, {"version": version, "description": description})
        newly.append(version)
    return newly


def seed_if_empty(con: duckdb.DuckDBPyConnection, settings: LeaderboardSettings) -> int:
    """Fill an empty database from the committed seed; returns results added."""
    if con.execute(sql.COUNT_RESULTS).fetchall()[0][0]:
        return 0
    rows = read_seed(settings.seed_path)
    import_id = "seed:" + hashlib.sha256(settings.seed_path.read_bytes()).hexdigest()
    outcome = insert_rows(
        con,
        rows,
        import_id=import_id,
        kind="seed",
        source=settings.seed_path.name,
        verification=SEED_VERIFICATION,
    )
    return outcome.added


def check_schema(con: duckdb.DuckDBPyConnection, migrations: Migrations = sql.MIGRATIONS) -> None:
    """A read-only process cannot migrate: it needs a file at the code's schema version."""
    latest = max(version for version, _, _ in migrations)
    try:
        applied = {row[0] for row in con.execute(sql.APPLIED_VERSIONS).fetchall()}
    except duckdb.CatalogException:
        applied = set()
    if latest not in applied:
        raise LeaderboardError(
            "db.schema_outdated",
            f"the database file is at schema version {max(applied, default=0)}, this code "
            f"needs {latest}: open it once read-write (start the portal) to migrate it",
        )


def open_store(settings: LeaderboardSettings) -> Store:
    """Open (creating, migrating and seeding when needed) the database the settings name; a
    read-only open changes nothing and needs a file at the current schema version."""
    con = _connect(settings)
    if settings.read_only:
        try:
            check_schema(con)
        except BaseException:
            con.close()
            raise
        return Store(con, settings)
    try:
        migrate(con)
        backfill_directions(con)
        seed_if_empty(con, settings)
        refresh_hardware(con)
    except BaseException:
        con.close()
        raise
    publisher = None
    if settings.publish_snapshots:
        publisher = SnapshotPublisher(
            settings.snapshots_path,
            keep=settings.snapshots_kept,
            grace_s=settings.snapshot_grace_s,
        )
    store = Store(con, settings, publisher)
    store.publish_snapshot()  # the seed, a migration, a catalogue fix, a change while stopped
    return store
