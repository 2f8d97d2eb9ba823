"""Leaderboard: results of one benchmark and scenario, filtered, normalised and charted.

Thin page (house style §2): widgets -> ``Filters`` -> cached ``leaderboard_view`` -> table,
one figure, downloads. The state lives in the URL so a copied link restores the view.

First-render cost is mostly the browser loading Plotly's bundle (about 4.7 MB), so the chart
is sent before the table (its bundle then loads while the table's rows arrive) although it is
drawn below it; the table shows one page of rows; downloads are built only when clicked.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from leaderboard import queries
from leaderboard.errors import LeaderboardError
from leaderboard.export import FORMATS, MIME, export_rows, footnote
from leaderboard.filters import DERIVED_NOTE, MAX_ACCELERATORS, NORMALISATIONS, Filters
from leaderboard.sql import SORT_COLUMNS
from leaderboard.table import PAGE_SIZE, ordered_columns, page_count, table_page
from portal import views
from portal.leaderboard_views import (
    CHARTS,
    benchmark_scenarios,
    cursor,
    data_version,
    filter_options,
    leaderboard_figure,
    leaderboard_view,
    selected_system,
)

cur = cursor()
version = data_version(cur)
url = Filters.from_query_params(st.query_params.to_dict())
pairs = benchmark_scenarios(cur, version)
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
    options = filter_options(cur, benchmark, scenario, version)
    chosen: dict[str, tuple[str, ...]] = {}

    def _filter(name: str, label: str) -> None:
        key = f"lb_{name}"
        _seed(key, [v for v in getattr(url, name) if v in options[name]])
        st.session_state[key] = [v for v in st.session_state[key] if v in options[name]]
        chosen[name] = tuple(st.multiselect(label, options[name], key=key, placeholder="all"))

    for name, label in (
        ("rounds", "Round"),
        ("divisions", "Division"),
        ("families", "Accelerator family"),
    ):
        _filter(name, label)
    # Less used filters and the column chooser sit in popovers: a browser renders a popover's
    # widgets only when it is opened, and a dozen open widgets cost about a second of the
    # first render on a busy 2-core machine (bench/leaderboard_bench.py).
    # the slider's range is 0..1024: a URL value outside it is clamped, never an error
    low_url = max(0, min(url.min_accelerators, 1024))
    _seed("lb_count", (low_url, max(low_url, min(url.max_accelerators, 1024))))
    with st.popover("More filters", width="stretch"):
        for name, label in (
            ("availability", "Availability"),
            ("system_types", "System type"),
            ("submitters", "Submitter"),
            ("vendors", "Accelerator vendor"),
        ):
            _filter(name, label)
        low, high = st.slider("Total accelerators", 0, 1024, key="lb_count")
    hidden = [n for n in ("availability", "system_types", "submitters", "vendors") if chosen[n]]
    if hidden or (low, high) != (0, 1024):
        st.caption(
            "Also filtered by: "
            + ", ".join([*hidden, *(["accelerator count"] if (low, high) != (0, 1024) else [])])
        )
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
    _seed("lb_desc", url.descending)
    _seed("lb_columns", ordered_columns(url.columns))
    with st.popover("Sort and columns", width="stretch"):
        sort = st.selectbox("Sort by", sorts, key="lb_sort")
        descending = st.toggle("Descending", key="lb_desc")
        columns = st.multiselect("Columns", queries.ALL_COLUMNS, key="lb_columns")

shown_columns = ordered_columns(columns)
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
    columns=() if shown_columns == ordered_columns(()) else tuple(shown_columns),
)
wanted = filters.to_query_params()
if "chart" in st.query_params:
    wanted["chart"] = st.query_params["chart"]
if wanted != st.query_params.to_dict():
    st.query_params.from_dict(wanted)

try:
    view = leaderboard_view(cur, filters, version)
except LeaderboardError as exc:
    views.show_error(exc)
    st.stop()

rows = view.rows
st.subheader(f"{benchmark} · {scenario} · {rows.height} results")
st.caption(
    f"Metric: {view.metric_label}, right after the system name. Click a column header to "
    "sort this page; 'open' shows the system."
)
table_area = st.container()
downloads_area = st.container()

# The chart goes out first (see the module docstring); only the chosen figure is built.
chart_names = list(CHARTS)
_seed("lb_chart", st.query_params.get("chart", chart_names[0]))
if st.session_state["lb_chart"] not in CHARTS:
    st.session_state["lb_chart"] = chart_names[0]
chart = st.segmented_control("Chart", chart_names, key="lb_chart") or chart_names[0]
if chart != chart_names[0]:
    st.query_params["chart"] = chart
elif "chart" in st.query_params:
    del st.query_params["chart"]
figure = leaderboard_figure(cur, chart, filters, version)
event = st.plotly_chart(figure, key="chart", on_select="rerun", selection_mode="points")
uid = selected_system(event)
if uid:
    st.switch_page("app_pages/system.py", query_params={"system": uid})

with table_area:
    pages = page_count(rows.height)
    page = 1
    if pages > 1:
        if st.session_state.get("lb_page", 1) > pages:  # fewer pages after a filter change
            st.session_state["lb_page"] = pages
        page = int(st.number_input(f"Page (of {pages})", 1, pages, key="lb_page"))
        first = (min(page, pages) - 1) * PAGE_SIZE
        st.caption(
            f"Rows {first + 1}–{min(first + PAGE_SIZE, rows.height)} of {rows.height}; "
            "the downloads hold every row."
        )
    st.dataframe(
        table_page(rows, shown_columns, page),
        hide_index=True,
        width="stretch",
        column_config={
            "open": st.column_config.LinkColumn("system", display_text="open"),
            "system_name": st.column_config.TextColumn("system_name", width="medium"),
            "metric": st.column_config.NumberColumn(
                view.metric_label, format="%.4g", width="medium"
            ),
            "metric_units": st.column_config.TextColumn("metric units"),
            "value": st.column_config.NumberColumn("value (as reported)", format="%.4g"),
            "power": st.column_config.NumberColumn("power (W or mJ, see power_units)"),
        },
    )

with downloads_area:
    today = date.today()
    download = rows.select(["result_id", *(c for c in shown_columns if c != "result_id")])
    for column, fmt in zip(st.columns(len(FORMATS)), FORMATS, strict=True):
        column.download_button(
            f"Download {fmt.upper()}",
            # built on click only: three exports of every row on each rerun cost time
            data=lambda fmt=fmt: export_rows(download, filters, fmt, today),
            file_name=f"inferboard-{benchmark}-{scenario}.{fmt}",
            mime=MIME[fmt],
            key=f"download_{fmt}",
            on_click="ignore",
        )
    # rounds, divisions and availability come from the data: shown as typed
    st.caption(views.literal(footnote(download, filters, today)).replace("\n", "  \n"))
