"""Landing page: who is fastest at llama2-70b today, per accelerator, and a way into every view.

The latest round's best system per accelerator (derived per-accelerator values, labelled), the
leader in words, and same-tab links to the leaderboard (this view), the frontier, compare, the
change log and the API.
"""

from __future__ import annotations

import streamlit as st

from leaderboard.charts import CHARTS
from leaderboard.figures import NoChart
from leaderboard.filters import DEFAULT_BENCHMARK, Filters
from leaderboard.normalisation import DERIVED_NOTE
from leaderboard.queries import best_per, metric_units
from portal.leaderboard_views import (
    chart,
    cursor,
    data_version,
    filter_options,
    leaderboard_view,
    selected_system,
)
from portal.views import literal

cur = cursor()
version = data_version(cur)
st.title("Inferboard")
st.write(
    "MLPerf Inference results by hardware: every published result since v4.0, checked "
    "against the MLPerf rules and the truth, compared per accelerator."
)
scenario = st.segmented_control(
    "Scenario", ["Offline", "Server", "Interactive"], default="Offline", key="home_scenario"
)
scenario = scenario or "Offline"
rounds = filter_options(cur, DEFAULT_BENCHMARK, scenario, version).values["rounds"]
latest = str(max(rounds, key=lambda r: tuple(int(p) for p in str(r)[1:].split("."))))
filters = Filters(scenario=scenario, rounds=(latest,))
view = leaderboard_view(cur, filters, version)
st.header(f"Who is fastest at {DEFAULT_BENCHMARK} {scenario} in {latest}, per accelerator?")
leaders = best_per(view.rows, "accelerator")
if leaders.height:
    top = leaders.row(0, named=True)
    unit = metric_units(view.units, view.normalisation, derived_note=False)
    st.markdown(
        literal(f"{str(top['system_name'] or top['system_id']).strip()} ({top['submitter']})")
        + f" on **{literal(str(top['accelerator']))}** ×{top['total_accelerators']}: "
        + f"**{top['metric']:,.0f} {literal(unit)}** ({DERIVED_NOTE})."
    )
built = chart(cur, "best", filters.data_only(), version)
if isinstance(built, NoChart):
    st.info(built.reason)
else:
    event = st.plotly_chart(built, key="home_chart", on_select="rerun", selection_mode="points")
    if uid := selected_system(event):
        st.switch_page("app_pages/system.py", query_params={"system": uid})
    st.caption(f"{CHARTS['best'].label}: click a bar to open its system.")

st.subheader("Every view")
link = st.page_link
link(
    "app_pages/leaderboard.py",
    label=f"This view as a leaderboard: filters, every chart, downloads ({latest})",
    icon=":material/leaderboard:",
    query_params={"rounds": latest, **({"scenario": scenario} if scenario != "Offline" else {})},
)
link(
    "app_pages/frontier.py", label="Throughput against interactivity", icon=":material/show_chart:"
)
link("app_pages/compare.py", label="Compare two to four systems", icon=":material/compare:")
link("app_pages/system.py", label="Find a system", icon=":material/dns:")
link("app_pages/changes.py", label="Change log", icon=":material/history:")
st.caption(literal("For machines: /api/v1 lists the read API (JSON, CSV, Parquet; docs/api.md)."))
