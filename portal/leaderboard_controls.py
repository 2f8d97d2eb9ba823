"""The filters of the leaderboard and frontier pages: URL -> checked filters -> widgets.

One flow for both pages: the URL's parameters are parsed (:mod:`leaderboard.params`) and
checked against the data (unknown benchmark, scenario, round...); every problem is shown to
the reader and only that field falls back to its default; the widgets start from the result
(or keep their values while the reader changes them, :mod:`portal.url_state`) and give back
the :class:`Filters` the page shows and writes to its URL.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
import streamlit as st

from leaderboard import queries
from leaderboard.filters import (
    DEFAULT_BENCHMARK,
    DEFAULT_SCENARIO,
    LIST_FILTERS,
    MAX_ACCELERATORS,
    SORT_COLUMNS,
    FilterOptions,
    Filters,
)
from leaderboard.normalisation import DERIVED_NOTE, Normalisation
from leaderboard.params import ParsedQuery, Problem, parse
from portal import leaderboard_views as views
from portal import url_state
from portal.layout import page_sidebar


@dataclass(frozen=True)
class PageQuery:
    """What a page's URL asked for, once checked: usable values and the problems found."""

    parsed: ParsedQuery
    filters: Filters
    problems: tuple[Problem, ...]
    external: bool  # the URL changed from outside: widgets take its values


def read_query(
    page: str,
    names: frozenset[str],
    cur: duckdb.DuckDBPyConnection,
    version: str,
    choices: dict[str, tuple[str, ...]] | None = None,
) -> PageQuery:
    """The page's URL state, checked; unknown values are dropped (and reported)."""
    state = url_state.read(page, names)
    parsed = parse(state.pairs, names, strict=False, choices=choices)
    filters = parsed.filters()
    known = views.known_values(cur, version)
    unknown = queries.unknown_values(filters, known, set(parsed.values))
    for problem in unknown:
        if problem.parameter == "benchmark":
            filters = replace(filters, benchmark=DEFAULT_BENCHMARK, scenario=DEFAULT_SCENARIO)
        elif problem.parameter == "scenario":
            filters = replace(filters, scenario=DEFAULT_SCENARIO)
        else:
            allowed = known.values[problem.parameter]
            kept = tuple(v for v in getattr(filters, problem.parameter) if v in allowed)
            filters = filters.with_list(problem.parameter, kept)
    return PageQuery(parsed, filters, (*parsed.problems, *unknown), state.external)


def show_problems(problems: tuple[Problem, ...]) -> None:
    """Each URL problem, said once, with what is shown instead."""
    for problem in problems:
        st.warning(
            f"The link's {problem.parameter} was not used: {problem.message}. "
            "Showing the default instead.",
            icon=":material/link_off:",
        )


def _count_range(counts: list[int], low: int, high: int) -> tuple[int, int]:
    """The URL's accelerator range snapped onto the counts present (never out of range)."""
    below = [c for c in counts if c <= low]
    above = [c for c in counts if c >= high]
    start = below[-1] if below else counts[0]
    end = above[0] if above else counts[-1]
    return (start, end) if start <= end else (counts[0], counts[-1])


def sidebar(
    prefix: str,
    query: PageQuery,
    cur: duckdb.DuckDBPyConnection,
    version: str,
    *,
    with_scenario: bool = True,
) -> Filters:
    """The filter widgets in the page's sidebar slot; returns the filters they set."""
    url, force = query.filters, query.external
    pairs = views.benchmark_scenarios(cur, version)
    benchmarks = sorted(set(pairs["benchmark"].to_list()))
    with page_sidebar():
        st.header("Filters")
        url_state.seed(f"{prefix}_benchmark", url.benchmark, force=force)
        benchmark = st.selectbox("Benchmark", benchmarks, key=f"{prefix}_benchmark")
        scenarios = sorted(pairs.filter(pairs["benchmark"] == benchmark)["scenario"].to_list())
        scenario = url.scenario
        if with_scenario:
            url_state.seed(f"{prefix}_scenario", url.scenario, force=force)
            if st.session_state[f"{prefix}_scenario"] not in scenarios:
                st.session_state[f"{prefix}_scenario"] = (
                    DEFAULT_SCENARIO if DEFAULT_SCENARIO in scenarios else scenarios[0]
                )
            scenario = st.selectbox("Scenario", scenarios, key=f"{prefix}_scenario")
        elif scenario not in scenarios:
            scenario = scenarios[0]
        options = views.filter_options(cur, benchmark, scenario, version)
        chosen: dict[str, tuple[str, ...]] = {}

        def pick(name: str, label: str) -> None:
            key = f"{prefix}_{name}"
            url_state.seed(key, list(getattr(url, name)), force=force)
            st.session_state[key] = [v for v in st.session_state[key] if v in options.values[name]]
            chosen[name] = tuple(
                st.multiselect(label, options.values[name], key=key, placeholder="all")
            )

        for spec in LIST_FILTERS:
            if spec.in_sidebar:
                pick(spec.name, spec.label)
        # Rarely used filters sit in a popover: a browser renders its widgets only when it
        # is opened (bench/leaderboard_bench.py: a dozen open widgets cost about a second).
        with st.popover("More filters", width="stretch"):
            for spec in LIST_FILTERS:
                if not spec.in_sidebar:
                    pick(spec.name, spec.label)
            low, high = _accelerators(prefix, url, options, force)
        more = [s.label.lower() for s in LIST_FILTERS if not s.in_sidebar and chosen[s.name]]
        if low > 0 or high < MAX_ACCELERATORS:
            more.append(f"{low}–{high} accelerators")
        if more:
            st.caption("Also filtered by " + ", ".join(more))
        url_state.seed(f"{prefix}_search", url.search, force=force)
        search = st.text_input(
            "Search systems", key=f"{prefix}_search", placeholder="e.g. H200, Dell, vLLM"
        )
    normalisation = metric(prefix, url.normalisation, force)
    return Filters(
        benchmark=benchmark,
        scenario=scenario,
        **chosen,
        min_accelerators=low,
        max_accelerators=high,
        search=search.strip(),
        normalisation=normalisation,
        sort=url.sort,
        descending=url.descending,
        columns=url.columns,
    )


def metric(prefix: str, value: Normalisation, force: bool) -> Normalisation:
    """The metric, on the page itself above the chart (always in view, and 'as reported'
    one click from the per-accelerator default)."""
    return normalisation_radio("Metric", f"{prefix}_norm", value, force)


def normalisation_radio(label: str, key: str, value: Normalisation, force: bool) -> Normalisation:
    """A horizontal radio of the normalisations in words; the widget keeps the plain value
    (what URLs carry), the caller gets the member."""
    url_state.seed(key, value.value, force=force)
    chosen = st.radio(
        label,
        [n.value for n in Normalisation],
        format_func=lambda v: Normalisation(v).label,
        key=key,
        horizontal=True,
        help=f"Anything but 'as reported' is {DERIVED_NOTE}.",
    )
    return Normalisation(chosen)


def _accelerators(
    prefix: str, url: Filters, options: FilterOptions, force: bool
) -> tuple[int, int]:
    """Total accelerators as a slider over the counts present (8 is one step, not a pixel).

    The slider is controlled through its ``value`` (no key): Streamlit registers a select
    slider as a range only from its default, so a range set through the Session State API
    comes back as one value. Its state lives under its own key instead.
    """
    counts = options.accelerator_counts
    if len(counts) < 2:
        return url.min_accelerators, url.max_accelerators
    key = f"{prefix}_count"
    wanted = (url.min_accelerators, min(url.max_accelerators, counts[-1]))
    url_state.seed(key, _count_range(counts, *wanted), force=force)
    current = _count_range(counts, *st.session_state[key])
    low, high = st.select_slider("Total accelerators", options=counts, value=current)
    st.session_state[key] = (int(low), int(high))
    if (low, high) == (counts[0], counts[-1]):
        return 0, MAX_ACCELERATORS  # the whole range: no filter
    return int(low), int(high)


def view_controls(prefix: str, filters: Filters, force: bool, all_columns: list[str]) -> Filters:
    """Sort and visible columns (view state: never part of the data query)."""
    with page_sidebar(), st.popover("Sort and columns", width="stretch"):
        url_state.seed(f"{prefix}_sort", filters.sort, force=force)
        url_state.seed(f"{prefix}_desc", filters.descending, force=force)
        url_state.seed(f"{prefix}_columns", list(filters.columns), force=force)
        sort = st.selectbox("Sort by", sorted(SORT_COLUMNS), key=f"{prefix}_sort")
        descending = st.toggle("Descending", key=f"{prefix}_desc")
        st.session_state[f"{prefix}_columns"] = [
            c for c in st.session_state[f"{prefix}_columns"] if c in all_columns
        ]
        columns = st.multiselect(
            "Columns (empty: the defaults)", all_columns, key=f"{prefix}_columns"
        )
    return replace(filters, sort=sort, descending=descending, columns=tuple(columns))
