"""The process's long-lived objects: one Store, one SubmissionService, one Worker.

One process owns the DuckDB file (house style §9), so the leaderboard pages and the workflow
share one :class:`~leaderboard.db.Store`. ``python -m portal`` builds the runtime before
Streamlit starts (so unfinished work resumes without waiting for a page view) and installs it
here; under plain ``streamlit run app.py`` or AppTest it is built lazily, once, through
``st.cache_resource``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from leaderboard.db import Store, open_store
from leaderboard.settings import LeaderboardSettings, load_values
from portal.demo_login import DemoLogin
from portal.settings import PortalSettings
from submissions.service import SubmissionService
from submissions.settings import SubmissionSettings

if TYPE_CHECKING:  # the worker module is only needed once a runtime is built
    from submissions.worker import Worker


@dataclass(frozen=True)
class PortalRuntime:
    """Everything a page needs from the process; pages never build these themselves."""

    store: Store
    service: SubmissionService
    worker: Worker
    settings: PortalSettings
    submission_settings: SubmissionSettings
    demo: DemoLogin | None = None

    @property
    def maintainers(self) -> tuple[str, ...]:
        return self.submission_settings.maintainers

    def close(self) -> None:
        """Stop the worker first (it may hold a cursor), then the database."""
        self.worker.stop()
        self.store.close()


def build_runtime(
    values: Mapping[str, object], *, demo: DemoLogin | None = None, start_worker: bool = True
) -> PortalRuntime:
    """Open the store and the workflow from ``INFERBOARD_*`` values. With the demo login its
    maintainer joins the maintainers list, so the demo can review."""
    portal_settings = PortalSettings.from_mapping(values)
    submission_settings = SubmissionSettings.from_mapping(values)
    if demo is not None:
        extra = tuple(m for m in demo.maintainers if m not in submission_settings.maintainers)
        submission_settings = submission_settings.with_changes(
            maintainers=submission_settings.maintainers + extra
        )
    from submissions.worker import Worker

    store = open_store(LeaderboardSettings.from_mapping(values))
    try:
        service = SubmissionService(store, submission_settings)
        worker = Worker(service, submission_settings)
        if start_worker:
            worker.start()
    except BaseException:
        store.close()
        raise
    return PortalRuntime(store, service, worker, portal_settings, submission_settings, demo)


class _Slot:
    """The runtime the launcher installed; one per process, set before Streamlit starts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runtime: PortalRuntime | None = None

    def set(self, runtime: PortalRuntime | None) -> None:
        with self._lock:
            self._runtime = runtime

    def get(self) -> PortalRuntime | None:
        with self._lock:
            return self._runtime


_SLOT = _Slot()


def install(runtime: PortalRuntime | None) -> None:
    """Make ``runtime`` the process's runtime (``None`` removes it; tests use both)."""
    _SLOT.set(runtime)


@st.cache_resource(show_spinner="Opening the results database…")
def _lazy_runtime() -> PortalRuntime:
    # the UI edge is where the environment is read (house style §11)
    return build_runtime(load_values(os.environ))


def current() -> PortalRuntime:
    """The process's runtime: the launcher's, or one built once for this server."""
    return _SLOT.get() or _lazy_runtime()
