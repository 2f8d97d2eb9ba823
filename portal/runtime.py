"""The process's long-lived objects, for a writer or for a reader.

A **writer** (``python -m portal``) owns the DuckDB file (house style §9): one
:class:`~leaderboard.db.Store` shared by the leaderboard pages and the workflow, one
SubmissionService, one Worker, and the snapshots it publishes for readers. A **reader**
(``python -m portal --reader``) holds only a :class:`~leaderboard.snapshot_shelf.SnapshotShelf`
over the published snapshots: it never opens the live file, never builds the workflow (whose
start migrates tables) and cannot write. The launcher builds the runtime before Streamlit
starts and installs it here; under plain ``streamlit run app.py`` or AppTest it is built
lazily, once, through ``st.cache_resource``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from errors import InferboardError
from leaderboard.db import Store, open_store
from leaderboard.settings import LeaderboardSettings, load_values
from leaderboard.snapshot_shelf import LiveResults, ResultsSource, SnapshotShelf
from leaderboard.snapshots import PublishTimer
from portal.demo_login import DemoLogin
from portal.settings import PortalSettings

if TYPE_CHECKING:  # the workflow is imported only when a writer is built
    from submissions.service import SubmissionService
    from submissions.settings import SubmissionSettings
    from submissions.worker import Worker


@dataclass(frozen=True)
class PortalRuntime:
    """The writer: everything a page needs from the process; pages never build these."""

    store: Store
    service: SubmissionService
    worker: Worker
    settings: PortalSettings
    submission_settings: SubmissionSettings
    demo: DemoLogin | None = None
    live: LiveResults | None = None
    timer: PublishTimer | None = None
    is_reader = False

    @property
    def maintainers(self) -> tuple[str, ...]:
        return self.submission_settings.maintainers

    @property
    def results(self) -> ResultsSource:
        """The live database (and the published snapshots for pinned links)."""
        return self.live or LiveResults(self.store)

    def close(self) -> None:
        """Stop the timer and the worker first (they may hold a cursor), then the database."""
        if self.timer is not None:
            self.timer.stop()
        self.worker.stop()
        if self.live is not None:
            self.live.close()
        self.store.close()


@dataclass(frozen=True)
class ReaderRuntime:
    """A reader: the published snapshots, read-only; no workflow, no login."""

    shelf: SnapshotShelf
    settings: PortalSettings
    demo: DemoLogin | None = None
    maintainers: tuple[str, ...] = ()
    is_reader = True

    @property
    def results(self) -> ResultsSource:
        return self.shelf

    def close(self) -> None:
        self.shelf.close()


Runtime = PortalRuntime | ReaderRuntime


def build_runtime(
    values: Mapping[str, object], *, demo: DemoLogin | None = None, start_worker: bool = True
) -> PortalRuntime:
    """Open the store and the workflow from ``INFERBOARD_*`` values. With the demo login its
    maintainer joins the maintainers list, so the demo can review."""
    from submissions.service import SubmissionService
    from submissions.settings import SubmissionSettings
    from submissions.worker import Worker

    portal_settings = PortalSettings.from_mapping(values)
    board = LeaderboardSettings.from_mapping(values)
    if board.read_only:
        raise InferboardError(
            "portal.read_only_writer",
            "INFERBOARD_READ_ONLY is set, but this process would be the writer (logins, "
            "uploads, review and the worker all write)",
            "serve the results read-only as a reader instead: python -m portal --reader "
            "(or INFERBOARD_ROLE=reader), which serves the newest published snapshot",
        )
    submission_settings = SubmissionSettings.from_mapping(values)
    if demo is not None:
        extra = tuple(m for m in demo.maintainers if m not in submission_settings.maintainers)
        submission_settings = submission_settings.with_changes(
            maintainers=submission_settings.maintainers + extra
        )
    store = open_store(board)
    try:
        service = SubmissionService(store, submission_settings)
        worker = Worker(service, submission_settings)
        shelf = SnapshotShelf(board.snapshots_path, threads=board.db_threads)
        live = LiveResults(store, shelf if board.publish_snapshots else None)
        timer = None
        if start_worker:
            worker.start()
            if store.publisher is not None:
                timer = PublishTimer(store.publish_snapshot, board.snapshot_poll_s).start()
    except BaseException:
        store.close()
        raise
    return PortalRuntime(
        store, service, worker, portal_settings, submission_settings, demo, live, timer
    )


def build_reader(values: Mapping[str, object], *, watch: bool = True) -> ReaderRuntime:
    """A reader over the snapshot folder the settings name; it starts even before the first
    snapshot exists (pages then say so) and switches to each newer one within
    ``INFERBOARD_SNAPSHOT_POLL_S`` seconds."""
    portal_settings = PortalSettings.from_mapping(values)
    board = LeaderboardSettings.from_mapping(values)
    shelf = SnapshotShelf(
        board.snapshots_path, poll_s=board.snapshot_poll_s, threads=board.db_threads
    )
    if watch:
        shelf.start()
    return ReaderRuntime(shelf, portal_settings)


def build(values: Mapping[str, object]) -> Runtime:
    """The runtime the settings' role asks for."""
    if PortalSettings.from_mapping(values).role == "reader":
        return build_reader(values)
    return build_runtime(values)


class _Slot:
    """The runtime the launcher installed; one per process, set before Streamlit starts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runtime: Runtime | None = None

    def set(self, runtime: Runtime | None) -> None:
        with self._lock:
            self._runtime = runtime

    def get(self) -> Runtime | None:
        with self._lock:
            return self._runtime


_SLOT = _Slot()


def install(runtime: Runtime | None) -> None:
    """Make ``runtime`` the process's runtime (``None`` removes it; tests use both)."""
    _SLOT.set(runtime)


@st.cache_resource(show_spinner="Opening the results database…")
def _lazy_runtime() -> Runtime:
    # the UI edge is where the environment is read (house style §11)
    return build(load_values(os.environ))


def current() -> Runtime:
    """The process's runtime: the launcher's, or one built once for this server."""
    return _SLOT.get() or _lazy_runtime()


def writer() -> PortalRuntime:
    """The writer's runtime, for the workflow pages; a reader answers with a message."""
    runtime = current()
    if isinstance(runtime, ReaderRuntime):
        raise InferboardError(
            "portal.reader",
            "this server only shows the published results; logging in, submitting and "
            "reviewing happen on the portal's writer",
            "follow the log-in link in the sidebar",
        )
    return runtime
