"""The leaderboard pages' cached reads, the chart choice and the cursor (UI edge, §10).

Every script run reads through one cursor that :mod:`portal.snapshot_view` takes for it from
the process's results (:mod:`portal.runtime`): the writer's live database, shared with the
submission workflow, or a reader's newest published snapshot, or the snapshot a link pins.
Reads are cached on the data they depend on and on ``queries.data_version`` (which changes
with every import, withdrawal or reinstatement, so a change shows at once); never on the view
state (sort, columns): pages pass ``Filters.data_only()`` and sort the cached rows.
"""

from __future__ import annotations

import duckdb
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from leaderboard import figures, frontier, queries
from leaderboard.changelog import change_log
from leaderboard.charts import CHARTS
from leaderboard.comparison import Comparison, compare
from leaderboard.errors import LeaderboardError
from leaderboard.filters import FilterOptions, Filters, KnownValues
from leaderboard.normalisation import Normalisation
from portal import snapshot_view
from portal.views import show_error


def cursor() -> duckdb.DuckDBPyConnection:
    """This script run's cursor (the snapshot the sidebar names); a database problem (no
    snapshot published yet) stops the page with its message."""
    try:
        return snapshot_view.reading().cursor
    except LeaderboardError as exc:
        show_error(exc)
        st.stop()
        raise  # unreachable: st.stop() ends the run


def warm_up(cur: duckdb.DuckDBPyConnection) -> int:
    """Pay the first visitor's one-off costs at start-up; returns the rows of the view warmed.

    A fresh process spends about 1.5 s (several seconds on a busy machine) in the first
    leaderboard run on imports alone: ``st.dataframe`` imports pandas and pyarrow on its
    first call, Plotly loads its validators on the first figure, DuckDB plans the view's query.
    The launcher calls this once before it serves. It runs outside any script run, so nothing
    is cached: the first visitor still gets current data.
    """
    import pandas  # noqa: F401  (imported by st.dataframe's first call)
    from streamlit import dataframe_util

    view = queries.leaderboard_view(cur, Filters())
    built = CHARTS["best"].build(view)
    if isinstance(built, go.Figure):
        built.to_plotly_json()
    dataframe_util.convert_anything_to_arrow_bytes(view.rows.head(200).drop("higher_is_better"))
    return view.rows.height


def data_version(cur: duckdb.DuckDBPyConnection) -> str:
    """The cache key part that changes whenever results are added, withdrawn or reinstated."""
    return queries.data_version(cur)


@st.cache_data(max_entries=32, show_spinner=False)
def benchmark_scenarios(_cur: duckdb.DuckDBPyConnection, version: str) -> pl.DataFrame:
    return queries.benchmark_scenarios(_cur)


@st.cache_data(max_entries=8, show_spinner=False)
def known_values(_cur: duckdb.DuckDBPyConnection, version: str) -> KnownValues:
    return queries.known_values(_cur)


@st.cache_data(max_entries=64, show_spinner=False)
def filter_options(
    _cur: duckdb.DuckDBPyConnection, benchmark: str, scenario: str, version: str
) -> FilterOptions:
    return queries.filter_options(_cur, benchmark, scenario)


@st.cache_data(max_entries=64, show_spinner=False)
def leaderboard_view(
    _cur: duckdb.DuckDBPyConnection, filters: Filters, version: str
) -> queries.LeaderboardView:
    """One view's rows and figure inputs; ``filters`` must be ``data_only()`` (the page's
    sort and columns never reach this cache)."""
    return queries.leaderboard_view(_cur, filters)


@st.cache_data(max_entries=64, show_spinner=False)
def chart(
    _cur: duckdb.DuckDBPyConnection, key: str, filters: Filters, version: str
) -> go.Figure | figures.NoChart:
    """The one chart on screen (only the visible figure is ever built)."""
    return CHARTS[key].build(leaderboard_view(_cur, filters, version))


@st.cache_data(max_entries=32, show_spinner=False)
def frontier_points(
    _cur: duckdb.DuckDBPyConnection, filters: Filters, version: str
) -> pl.DataFrame:
    """The measured (interactivity, throughput) points of a view."""
    return frontier.measured_points(leaderboard_view(_cur, filters, version).paired)


@st.cache_data(max_entries=32, show_spinner=False)
def comparison(
    _cur: duckdb.DuckDBPyConnection,
    system_uids: tuple[str, ...],
    normalisation: Normalisation,
    version: str,
) -> Comparison:
    return compare(_cur, list(system_uids), normalisation)


@st.cache_data(max_entries=8, show_spinner=False)
def system_choices(_cur: duckdb.DuckDBPyConnection, version: str) -> dict[str, str]:
    """Every system with a published result, newest rounds first: id -> how pickers name it
    (name, submitter, accelerator and count, round), so a picker searches all of those."""
    rows = queries.systems(_cur, Filters(benchmark=""))
    return {str(row["system_uid"]): queries.system_label(row) for row in rows.iter_rows(named=True)}


@st.cache_data(max_entries=8, show_spinner=False)
def changes(_cur: duckdb.DuckDBPyConnection, version: str) -> pl.DataFrame:
    return change_log(_cur)


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
