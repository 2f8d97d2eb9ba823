"""Leaderboard: results of one benchmark and scenario, filtered, normalised and charted.

Thin page (house style §2): widgets -> ``Filters`` -> ``leaderboard_view`` -> table, figures,
downloads. The state lives in the URL so a copied link restores the view.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from leaderboard import figures, queries
from leaderboard.errors import LeaderboardError
from leaderboard.export import FORMATS, MIME, export_rows, footnote
from leaderboard.filters import DERIVED_NOTE, MAX_ACCELERATORS, NORMALISATIONS, Filters
from leaderboard.sql import SORT_COLUMNS
from pages.common import cursor, selected_system, system_link

cur = cursor()
url = Filters.from_query_params(st.query_params.to_dict())
pairs = queries.benchmark_scenarios(cur)
benchmarks = sorted(set(pairs["benchmark"].to_list()))


def _seed(key: str, value: object) -> None:
    """First run of a session: widget state starts from the URL."""
    if key not in st.session_state:
        st.session_state[key] = value


st.title("MLPerf Inference leaderboard")
with st.sidebar:
    st.header("View")
    _seed("lb_benchmark", url.benchmark if url.benchmark in benchmarks else benchmarks[0])
    benchmark = st.selectbox("Benchmark", benchmarks, key="lb_benchmark")
    scenarios = sorted(pairs.filter(pairs["benchmark"] == benchmark)["scenario"].to_list())
    _seed("lb_scenario", url.scenario)
    if st.session_state["lb_scenario"] not in scenarios:
        st.session_state["lb_scenario"] = "Offline" if "Offline" in scenarios else scenarios[0]
    scenario = st.selectbox("Scenario", scenarios, key="lb_scenario")
    options = queries.filter_options(cur, benchmark, scenario)
    chosen: dict[str, tuple[str, ...]] = {}
    for name, label in (
        ("rounds", "Round"),
        ("divisions", "Division"),
        ("availability", "Availability"),
        ("system_types", "System type"),
        ("submitters", "Submitter"),
        ("vendors", "Accelerator vendor"),
        ("families", "Accelerator family"),
    ):
        key = f"lb_{name}"
        _seed(key, [v for v in getattr(url, name) if v in options[name]])
        st.session_state[key] = [v for v in st.session_state[key] if v in options[name]]
        chosen[name] = tuple(st.multiselect(label, options[name], key=key, placeholder="all"))
    _seed("lb_count", (url.min_accelerators, min(url.max_accelerators, 1024)))
    low, high = st.slider("Total accelerators", 0, 1024, key="lb_count")
    _seed("lb_search", url.search)
    search = st.text_input("Search systems", key="lb_search", placeholder="e.g. H200, Dell, vLLM")
    _seed("lb_norm", url.normalisation)
    normalisation = st.radio(
        "Metric", list(NORMALISATIONS), format_func=NORMALISATIONS.get, key="lb_norm"
    )
    if normalisation != "reported":
        st.caption(f"Normalised values are {DERIVED_NOTE}.")
    sorts = sorted(SORT_COLUMNS)
    _seed("lb_sort", url.sort)
    sort = st.selectbox("Sort by", sorts, key="lb_sort")
    _seed("lb_desc", url.descending)
    descending = st.toggle("Descending", key="lb_desc")
    _seed(
        "lb_columns",
        [c for c in (url.columns or queries.DEFAULT_COLUMNS) if c in queries.ALL_COLUMNS],
    )
    columns = st.multiselect("Columns", queries.ALL_COLUMNS, key="lb_columns")

filters = Filters(
    benchmark=benchmark,
    scenario=scenario,
    **chosen,
    min_accelerators=low,
    max_accelerators=MAX_ACCELERATORS if high >= 1024 else high,
    search=search,
    normalisation=normalisation,
    sort=sort,
    descending=descending,
    columns=() if tuple(columns) == queries.DEFAULT_COLUMNS else tuple(columns),
)
wanted = filters.to_query_params()
if "chart" in st.query_params:
    wanted["chart"] = st.query_params["chart"]
if wanted != st.query_params.to_dict():
    st.query_params.from_dict(wanted)

try:
    view = queries.leaderboard_view(cur, filters)
except LeaderboardError as exc:
    st.error(exc.message)
    st.stop()

rows = view.rows
shown = rows.with_columns(
    rows["system_uid"].map_elements(system_link, return_dtype=str).alias("open")
).select(["open", *(columns or queries.DEFAULT_COLUMNS)])
st.subheader(f"{benchmark} · {scenario} · {rows.height} results")
st.caption(f"Metric: {view.metric_label}. Click a column header to sort; 'open' shows the system.")
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    column_config={
        "open": st.column_config.LinkColumn("system", display_text="open"),
        "metric": st.column_config.NumberColumn(view.metric_label, format="%.4g"),
        "value": st.column_config.NumberColumn("value (as reported)", format="%.4g"),
        "power": st.column_config.NumberColumn("power (W or mJ, see power_units)"),
    },
)

today = date.today()
download = rows.select(
    ["result_id", *(c for c in (columns or queries.DEFAULT_COLUMNS) if c != "result_id")]
)
cols = st.columns(len(FORMATS))
for column, fmt in zip(cols, FORMATS, strict=True):
    column.download_button(
        f"Download {fmt.upper()}",
        data=export_rows(download, filters, fmt, today),
        file_name=f"inferboard-{benchmark}-{scenario}.{fmt}",
        mime=MIME[fmt],
        key=f"download_{fmt}",
    )
st.caption(footnote(download, filters, today).replace("\n", "  \n"))

# One chart at a time: only the chosen figure is built and drawn (six Plotly charts in
# hidden tabs tripled the first render).
CHARTS = {
    "Best per family": lambda: figures.best_by_family(rows, normalisation),
    "Scale": lambda: figures.throughput_vs_accelerators(rows, normalisation),
    "Progress": lambda: figures.progress_by_round(view.all_rounds, normalisation),
    "Server vs Offline": lambda: figures.server_vs_offline(view.paired, normalisation),
    "Accuracy": lambda: figures.accuracy_vs_throughput(rows, normalisation),
    "TTFT / TPOT": lambda: figures.latency_percentiles(rows),
}
chart_names = list(CHARTS)
_seed("lb_chart", st.query_params.get("chart", chart_names[0]))
if st.session_state["lb_chart"] not in CHARTS:
    st.session_state["lb_chart"] = chart_names[0]
chart = st.segmented_control("Chart", chart_names, key="lb_chart") or chart_names[0]
if chart != chart_names[0]:
    st.query_params["chart"] = chart
elif "chart" in st.query_params:
    del st.query_params["chart"]
event = st.plotly_chart(CHARTS[chart](), key="chart", on_select="rerun", selection_mode="points")
uid = selected_system(event)
if uid:
    st.switch_page("pages/system.py", query_params={"system": uid})
