"""UI-edge helpers shared by the leaderboard pages (not a page itself).

The one :class:`~leaderboard.db.Store` of this web process comes from :mod:`portal.runtime`
(created by the launcher, or once through ``st.cache_resource``), shared with the submission
workflow: the process owns the DuckDB file, and every script run takes its own cursor from it.
"""

from __future__ import annotations

from urllib.parse import urlencode

import duckdb
import streamlit as st

from leaderboard.db import Store
from leaderboard.errors import LeaderboardError
from portal import runtime


def _store() -> Store:
    # the process's one Store, shared with the submission workflow (portal.runtime)
    return runtime.current().store


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor for this script run; a database problem stops the page with its message."""
    try:
        return _store().cursor()
    except LeaderboardError as exc:
        st.error(exc.message)
        st.stop()
        raise  # unreachable: st.stop() ends the run


def system_link(system_uid: str) -> str:
    """Relative permalink of a system's page."""
    return "system?" + urlencode({"system": system_uid})


def selected_system(event: object) -> str | None:
    """The ``system_uid`` of the first point selected in a Plotly chart event, if any."""
    points = getattr(getattr(event, "selection", None), "points", None) or []
    for point in points:
        data = point.get("customdata")
        if isinstance(data, list):
            data = data[0] if data else None
        if isinstance(data, str):
            return data
    return None
