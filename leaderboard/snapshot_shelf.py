"""The readers' side of published snapshots: serve the newest, switch within seconds, pin.

A reader process opens the newest snapshot in the folder read-only and hands out cursors on
it; a thread looks for a newer one every ``poll_s`` seconds and swaps it in. Sessions are
never dropped: nothing but the connection behind the next cursor changes, and the previous
snapshot stays open for ``retire_after_s`` so a page or an API request that took a cursor on
it finishes on it (closing a DuckDB connection closes its cursors). A permalink may pin a
snapshot (``as_of=12``): it is opened on demand, a few are kept open, and one that the writer
has pruned gets a clear :class:`~leaderboard.errors.LeaderboardError` (``snapshot.pruned``).

Nothing here writes: every file is opened with DuckDB's read-only mode, no folder is
created, no temporary file spilled.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol, runtime_checkable

import duckdb

from leaderboard.db import Store, check_schema
from leaderboard.errors import LeaderboardError
from leaderboard.snapshots import (
    MAX_VERSION,
    Reading,
    SnapshotInfo,
    open_snapshot,
    read_info,
    snapshot_files,
)

LOG = logging.getLogger("inferboard.snapshots")
PINNED_OPEN: Final = 4  # pinned snapshots kept open at once (least recently used closed)


@dataclass(frozen=True)
class _Open:
    info: SnapshotInfo
    connection: duckdb.DuckDBPyConnection


def no_snapshot() -> LeaderboardError:
    return LeaderboardError(
        "snapshot.none",
        "no snapshot of the results has been published yet; this server shows them as soon "
        "as the portal's writer publishes one (it does on start)",
        "start the writer (python -m portal) with the same snapshot folder",
    )


def pruned(version: int, newest: SnapshotInfo | None) -> LeaderboardError:
    shown = f"; the newest is {newest.label}" if newest else ""
    return LeaderboardError(
        "snapshot.pruned",
        f"snapshot {version} is no longer kept (only the newest few are){shown}",
        "drop as_of from the link for the newest results, or pin the newest one",
    )


def unknown(version: int, newest: SnapshotInfo | None) -> LeaderboardError:
    shown = f"the newest is {newest.label}" if newest else "none is published yet"
    return LeaderboardError(
        "snapshot.unknown",
        f"there is no snapshot {version}: {shown}",
        "drop as_of from the link for the newest results",
    )


class SnapshotShelf:
    """Open snapshots of one folder; ``read()`` gives a cursor on the newest or a pinned one."""

    def __init__(
        self,
        directory: Path,
        *,
        poll_s: float = 1.0,
        retire_after_s: float = 120.0,
        threads: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.directory = directory
        self.poll_s = poll_s
        self.retire_after_s = retire_after_s
        self._threads = threads
        self._clock = clock
        self._lock = threading.RLock()
        self._current: _Open | None = None
        self._pinned: OrderedDict[int, _Open] = OrderedDict()
        self._retiring: list[tuple[float, _Open]] = []
        self._bad: set[Path] = set()  # files that would not open: not retried
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ serving
    def current(self) -> SnapshotInfo | None:
        """The snapshot served when no version is asked for (None before the first)."""
        with self._lock:
            if self._current is None:
                self.refresh()
            return self._current.info if self._current else None

    def read(self, as_of: int | None = None) -> Reading:
        """A cursor on the newest snapshot, or on snapshot ``as_of`` while it is kept."""
        with self._lock:
            if self._current is None:
                self.refresh()
            if self._current is None:
                raise no_snapshot()
            if as_of is None or as_of == self._current.info.version:
                chosen = self._current
            else:
                chosen = self._pinned_snapshot(as_of)
            return Reading(chosen.connection.cursor(), chosen.info)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the newest snapshot (a ``CursorSource`` for the read API)."""
        return self.read().cursor

    def _pinned_snapshot(self, version: int) -> _Open:
        assert self._current is not None
        self._close_retired()
        if not 1 <= version <= MAX_VERSION:
            raise unknown(version, self._current.info)
        files = snapshot_files(self.directory)
        path = files.get(version)
        if version in self._pinned:
            if path is not None:  # every reader answers alike: kept while the file exists
                self._pinned.move_to_end(version)
                return self._pinned[version]
            self._retire(self._pinned.pop(version))
        if path is None:
            newest = max(files, default=self._current.info.version)
            if version > max(newest, self._current.info.version):
                raise unknown(version, self._current.info)
            raise pruned(version, self._current.info)
        opened = self._open(path)
        self._pinned[version] = opened
        while len(self._pinned) > PINNED_OPEN:
            _, evicted = self._pinned.popitem(last=False)
            self._retire(evicted)
        return opened

    # ------------------------------------------------------------------ switching
    def refresh(self) -> bool:
        """Switch to the newest snapshot if it is not the one served; True when switched.
        A file that cannot be opened is logged and skipped (the current one stays)."""
        with self._lock:
            self._close_retired()
            files = snapshot_files(self.directory)
            current = self._current.info.version if self._current else None
            for version in sorted(files, reverse=True):
                if version == current:
                    return False
                if current is not None and version < current and current in files:
                    return False  # never go back while the served one exists
                path = files[version]
                if path in self._bad:
                    continue
                try:
                    opened = self._open(path)
                except LeaderboardError as exc:
                    LOG.error("skipping snapshot %s: %s", version, exc.message)
                    self._bad.add(path)
                    continue
                if self._current is not None:
                    self._retire(self._current)
                self._current = opened
                LOG.info("now serving %s", opened.info.label)
                return True
            return False

    def _open(self, path: Path) -> _Open:
        connection = open_snapshot(path, threads=self._threads)
        try:
            check_schema(connection)
            info = read_info(connection)
        except (LeaderboardError, duckdb.Error) as exc:
            connection.close()
            if isinstance(exc, LeaderboardError):
                raise
            raise LeaderboardError("snapshot.unreadable", f"{path.name}: {exc}") from exc
        return _Open(info, connection)

    def _retire(self, opened: _Open) -> None:
        """Close later: cursors taken on it may still be reading."""
        if any(opened is p for p in self._pinned.values()):
            return
        self._retiring.append((self._clock() + self.retire_after_s, opened))

    def _close_retired(self) -> None:
        now = self._clock()
        due = [o for deadline, o in self._retiring if deadline <= now]
        self._retiring = [(d, o) for d, o in self._retiring if d > now]
        for opened in due:
            with contextlib.suppress(duckdb.Error):
                opened.connection.close()

    # ------------------------------------------------------------------ the watcher
    def start(self) -> SnapshotShelf:
        """Look for a newer snapshot every ``poll_s`` seconds in a daemon thread."""
        if self._thread is None:
            self.refresh()
            self._thread = threading.Thread(
                target=self._watch, name="inferboard-snapshot-watch", daemon=True
            )
            self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                self.refresh()
            except Exception:  # the watcher must outlive any one bad poll
                LOG.exception("looking for a new snapshot failed; trying again")

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            everything = [o for _, o in self._retiring] + list(self._pinned.values())
            if self._current is not None:
                everything.append(self._current)
            for opened in everything:
                with contextlib.suppress(duckdb.Error):
                    opened.connection.close()
            self._current, self._retiring = None, []
            self._pinned.clear()

    def __enter__(self) -> SnapshotShelf:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


@runtime_checkable  # the read API tells it from a plain cursor source with isinstance
class ResultsSource(Protocol):
    """Where pages and the read API get their cursor: the newest results or a pinned snapshot."""

    def read(self, as_of: int | None = None) -> Reading: ...

    def current(self) -> SnapshotInfo | None: ...


class LiveResults:
    """The writer's source: its live database, and its published snapshots for ``as_of``
    (a single-process portal serves pinned links too). Without a snapshot folder (a
    read-only copy served by ``python -m public_api --db``) ``as_of`` is refused."""

    def __init__(self, store: Store, shelf: SnapshotShelf | None = None) -> None:
        self.store = store
        self.shelf = shelf

    def read(self, as_of: int | None = None) -> Reading:
        if as_of is None:
            return Reading(self.store.cursor(), None)
        if self.shelf is None:
            raise LeaderboardError(
                "snapshot.none",
                "this server serves one database file and keeps no snapshots to pin",
                "drop as_of from the link",
            )
        return self.shelf.read(as_of)

    def current(self) -> SnapshotInfo | None:
        return None  # the live database, newer than or equal to any snapshot

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.store.cursor()

    def close(self) -> None:
        if self.shelf is not None:
            self.shelf.close()
