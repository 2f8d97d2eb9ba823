"""UI-edge helpers shared by the leaderboard pages: cached reads, the chart choice, the cursor.

The one :class:`~leaderboard.db.Store` of this web process comes from :mod:`portal.runtime`
(created by the launcher, or once through ``st.cache_resource``), shared with the submission
workflow: the process owns the DuckDB file, and every script run takes its own cursor from it.
Query results and figures are cached here (house style §10), keyed on the view's state and on
the database's data version, so a repeated view costs nothing and a newly accepted result
shows at once.
"""

from __future__ import annotations

import duckdb
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from leaderboard import figures, queries
from leaderboard.comparison import Comparison, compare
from leaderboard.db import Store
from leaderboard.errors import LeaderboardError
from leaderboard.filters import Filters
from portal import runtime
from portal.views import show_error


def _store() -> Store:
    # the process's one Store, shared with the submission workflow (portal.runtime)
    return runtime.current().store


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor for this script run; a database problem stops the page with its message."""
    try:
        return _store().cursor()
    except LeaderboardError as exc:
        show_error(exc)
        st.stop()
        raise  # unreachable: st.stop() ends the run


def warm_up(store: Store) -> int:
    """Pay the first visitor's one-off costs at start-up; returns the rows of the view warmed.

    A fresh process spends about 1.5 s (several seconds on a busy machine) in the first
    leaderboard run on imports alone: ``st.dataframe`` imports pandas and pyarrow on its
    first call, Plotly loads its validators on the first figure, DuckDB plans the view's query.
    The launcher calls this once before it serves. It runs outside any script run, so nothing
    is cached: the first visitor still gets current data.
    """
    import pandas  # noqa: F401  (imported by st.dataframe's first call)
    from streamlit import dataframe_util

    from leaderboard.table import table_page

    view = queries.leaderboard_view(store.cursor(), Filters())
    figures.best_by_family(view.rows, view.filters.normalisation).to_plotly_json()
    dataframe_util.convert_anything_to_arrow_bytes(table_page(view.rows, ()))
    return view.rows.height


def data_version(cur: duckdb.DuckDBPyConnection) -> str:
    """The cache key part that changes whenever results are imported or removed."""
    return queries.data_version(cur)


@st.cache_data(max_entries=32, show_spinner=False)
def benchmark_scenarios(_cur: duckdb.DuckDBPyConnection, version: str) -> pl.DataFrame:
    return queries.benchmark_scenarios(_cur)


@st.cache_data(max_entries=64, show_spinner=False)
def filter_options(
    _cur: duckdb.DuckDBPyConnection, benchmark: str, scenario: str, version: str
) -> dict[str, list[str]]:
    return queries.filter_options(_cur, benchmark, scenario)


@st.cache_data(max_entries=64, show_spinner=False)
def leaderboard_view(
    _cur: duckdb.DuckDBPyConnection, filters: Filters, version: str
) -> queries.LeaderboardView:
    """One view's rows and figure inputs (a LeaderboardError is not cached: it propagates)."""
    return queries.leaderboard_view(_cur, filters)


CHARTS: dict[str, str] = {
    "Best per family": "best",
    "Scale": "scale",
    "Progress": "progress",
    "Server vs Offline": "paired",
    "Accuracy": "accuracy",
    "TTFT / TPOT": "latency",
}


@st.cache_data(max_entries=64, show_spinner=False)
def leaderboard_figure(
    _cur: duckdb.DuckDBPyConnection, chart: str, filters: Filters, version: str
) -> go.Figure:
    """The one chart on screen (only the visible figure is ever built)."""
    view = leaderboard_view(_cur, filters, version)
    n = filters.normalisation
    builders = {
        "best": lambda: figures.best_by_family(view.rows, n),
        "scale": lambda: figures.throughput_vs_accelerators(view.rows, n),
        "progress": lambda: figures.progress_by_round(view.all_rounds, n),
        "paired": lambda: figures.server_vs_offline(view.paired, n),
        "accuracy": lambda: figures.accuracy_vs_throughput(view.rows, n),
        "latency": lambda: figures.latency_percentiles(view.rows),
    }
    return builders[CHARTS[chart]]()


@st.cache_data(max_entries=32, show_spinner=False)
def comparison(
    _cur: duckdb.DuckDBPyConnection,
    system_uids: tuple[str, ...],
    normalisation: str,
    version: str,
) -> Comparison:
    return compare(_cur, list(system_uids), normalisation)


@st.cache_data(max_entries=8, show_spinner=False)
def system_choices(_cur: duckdb.DuckDBPyConnection, version: str) -> list[str]:
    """Every system id the compare page offers, newest rounds first."""
    return queries.search_systems(_cur, "", limit=5000)["system_uid"].to_list()


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
