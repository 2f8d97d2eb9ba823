"""Leaderboard: results of one benchmark and scenario, filtered, normalised and charted.

Thin page (house style §2): URL -> checked filters -> widgets -> cached view -> chart, table,
downloads. The state lives in the URL (restored on Back, ``portal.url_state``), so a copied
link restores the view. The chart goes out before the table (Plotly's bundle then loads while
the table's rows arrive) although it is drawn below it; only the chosen chart is built.
"""

from __future__ import annotations

import streamlit as st

from leaderboard.charts import CHARTS, DEFAULT_CHART
from leaderboard.figures import NoChart
from leaderboard.params import FILTER_PARAMS, VIEW_PARAMS
from leaderboard.queries import ALL_COLUMNS
from portal import leaderboard_controls as controls
from portal import leaderboard_table, url_state
from portal.leaderboard_views import (
    chart,
    cursor,
    data_version,
    leaderboard_view,
    selected_system,
)

PAGE, PARAMS = "leaderboard", FILTER_PARAMS | VIEW_PARAMS | {"chart"}
cur = cursor()
version = data_version(cur)
query = controls.read_query(PAGE, PARAMS, cur, version, choices={"chart": tuple(CHARTS)})
st.title("MLPerf Inference leaderboard")
controls.show_problems(query.problems)
filters = controls.sidebar("lb", query, cur, version)
filters = controls.view_controls("lb", filters, query.external, list(ALL_COLUMNS))
url_state.seed("lb_chart", query.parsed.text("chart") or DEFAULT_CHART, force=query.external)
if st.session_state["lb_chart"] not in CHARTS:
    st.session_state["lb_chart"] = DEFAULT_CHART
key = st.segmented_control(
    "Chart", list(CHARTS), format_func=lambda k: CHARTS[k].label, key="lb_chart"
)
key = key or DEFAULT_CHART
url_state.write(
    PAGE, {**filters.to_query_params(), **({"chart": key} if key != DEFAULT_CHART else {})}
)

view = leaderboard_view(cur, filters.data_only(), version)
st.subheader(f"{filters.benchmark} · {filters.scenario} · {view.rows.height} results")
st.caption(
    f"Metric: {view.metric_label}. Select rows to open a system or add it to the compare "
    "basket; click a chart point to open its system."
)
for note in view.notes:
    st.info(note, icon=":material/info:")
table_area, downloads_area = st.container(), st.container()

built = chart(cur, key, filters.data_only(), version)
if isinstance(built, NoChart):
    st.info(built.reason, icon=":material/insights:")
else:
    event = st.plotly_chart(built, key="chart", on_select="rerun", selection_mode="points")
    if uid := selected_system(event):
        st.switch_page("app_pages/system.py", query_params={"system": uid})
if CHARTS[key].ignores:
    st.caption(f"This chart ignores {CHARTS[key].ignores}.")

with table_area:
    leaderboard_table.table(view, filters, "lb")
with downloads_area:
    leaderboard_table.downloads(view, filters)
