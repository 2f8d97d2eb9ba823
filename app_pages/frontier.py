"""Frontier: throughput per accelerator against interactivity (tokens/s per user).

Every Server and Interactive result with a logged TPOT is a measured point; the frontier steps
between them (never interpolated) and the scenarios' latency constraints are drawn. Pick an
interactivity level to read off the best systems that reach it. Same filters and URL state as
the leaderboard (the scenario is not one: this view pairs Server with Interactive).
"""

from __future__ import annotations

import streamlit as st

from leaderboard import frontier
from leaderboard.figures import NoChart
from leaderboard.params import FILTER_PARAMS
from portal import leaderboard_controls as controls
from portal import leaderboard_table, url_state
from portal.leaderboard_views import cursor, data_version, frontier_points, selected_system

PAGE, PARAMS = "frontier", (FILTER_PARAMS - {"scenario"}) | {"interactivity"}
COLUMNS = ["rank", "system_name", "submitter", "accelerator", "total_accelerators", "round"]
cur = cursor()
version = data_version(cur)
query = controls.read_query(PAGE, PARAMS, cur, version)
st.title("Throughput against interactivity")
controls.show_problems(query.problems)
filters = controls.sidebar("fr", query, cur, version, with_scenario=False)
measured = frontier_points(cur, filters.data_only(), version)
limits = frontier.latency_limits(filters.benchmark, measured["round"].unique().to_list())
levels = frontier.levels(measured)
level = None
if levels:
    wanted = query.parsed.number("interactivity")
    if wanted is None:
        wanted = min(x.interactivity for x in limits) if limits else 0.0
    url_state.seed("fr_level", frontier.snap(wanted, levels), force=query.external)
    st.session_state["fr_level"] = frontier.snap(float(st.session_state["fr_level"]), levels)
    level = st.select_slider(
        "Interactivity at least (tokens/s per user)", options=levels, key="fr_level",
        format_func=lambda v: f"{v:.4g}",
    )  # fmt: skip
state = {k: v for k, v in filters.to_query_params().items() if k not in ("scenario", "sort")}
url_state.write(PAGE, {**state, **({"interactivity": f"{level:.6f}"} if level else {})})

built = frontier.frontier_figure(measured, limits, level, filters.normalisation)
if isinstance(built, NoChart):
    st.info(built.reason, icon=":material/insights:")
    st.stop()
event = st.plotly_chart(built, key="frontier", on_select="rerun", selection_mode="points")
if uid := selected_system(event):
    st.switch_page("app_pages/system.py", query_params={"system": uid})
st.caption("Latency constraints: " + "; ".join(x.describe() for x in limits) + ".")
st.caption("The scenario filter does not apply here: this view uses Server and Interactive.")

best = frontier.best_at(measured, level or 0.0)
st.subheader(f"Best systems at {level:.4g} tokens/s per user or more: {best.height}")
picked = st.dataframe(
    best.select(*COLUMNS, "scenario", "interactivity", "metric", "metric_units", "system_uid"),
    hide_index=True, width="stretch", on_select="rerun", selection_mode="multi-row",
    column_order=[*COLUMNS, "scenario", "interactivity", "metric", "metric_units"],
    key="fr_table", placeholder="",
)  # fmt: skip
rows = [best["system_uid"][i] for i in picked.selection.rows if i < best.height]
leaderboard_table.row_actions(rows, "fr_rows")
st.caption(
    "Each system's best measured point at this interactivity or above; interactivity is "
    "1000 / TPOT p99 (ms). Nothing is interpolated: every number here was measured."
)
