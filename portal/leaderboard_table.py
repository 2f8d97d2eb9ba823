"""The leaderboard's table, its row actions and its downloads.

One page of rows (``leaderboard.table``); selecting rows offers to open a system in the same
tab or to add them to the compare basket (links in a data grid open new tabs, each a cold
load); the metric's unit is said once, in its header, unless the rows' units differ; empty
cells are blank, never "None". Downloads hold every filtered row, are built only when
clicked, and are not offered for an empty view.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

import polars as pl
import streamlit as st

from leaderboard.export import FORMATS, MIME, export_rows, footnote
from leaderboard.filters import Filters
from leaderboard.normalisation import DERIVED_NOTE
from leaderboard.queries import LeaderboardView, metric_units, sort_rows
from leaderboard.table import (
    HEADERS,
    PAGE_SIZE,
    download_columns,
    page_count,
    shown_columns,
    table_page,
)
from portal import compare_basket
from portal.views import literal

if TYPE_CHECKING:
    # what st.column_config.* return; Streamlit exports no public name for it
    from streamlit.elements.lib.column_types import ColumnConfig

SYSTEM_PAGE = "app_pages/system.py"


def _config(view: LeaderboardView, columns: list[str]) -> dict[str, ColumnConfig]:
    label = (
        metric_units(view.units, view.normalisation, derived_note=False)
        if view.units and not view.units_are_mixed
        else "metric"
    )
    config: dict[str, ColumnConfig] = {
        column: st.column_config.Column(HEADERS.get(column, column)) for column in columns
    }
    config["system_name"] = st.column_config.TextColumn("system", width="large", pinned=True)
    config["metric"] = st.column_config.NumberColumn(
        label,
        format="localized",
        help=DERIVED_NOTE if view.normalisation.is_derived else "as reported",
    )
    config["value"] = st.column_config.NumberColumn(
        f"as reported ({view.units})" if not view.units_are_mixed else "as reported",
        format="localized",
    )
    config["power"] = st.column_config.NumberColumn("power (see power units)", format="localized")
    return config


def table(view: LeaderboardView, filters: Filters, key: str) -> None:
    """One page of the sorted rows, with open / add-to-compare for the selected rows."""
    rows = sort_rows(view.rows, filters)
    columns = shown_columns(filters.columns, units_are_mixed=view.units_are_mixed)
    pages = page_count(rows.height)
    page = 1
    if pages > 1:
        if st.session_state.get(f"{key}_page", 1) > pages:  # fewer pages after a filter change
            st.session_state[f"{key}_page"] = pages
        page = int(st.number_input(f"Page (of {pages})", 1, pages, key=f"{key}_page"))
        first = (min(page, pages) - 1) * PAGE_SIZE
        st.caption(
            f"Rows {first + 1}–{min(first + PAGE_SIZE, rows.height)} of {rows.height}; "
            "the downloads hold every row."
        )
    shown = table_page(rows, columns, page).with_columns(pl.col("metric").round_sig_figs(5))
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_order=[c for c in columns if c != "system_uid"],
        column_config=_config(view, columns),
        on_select="rerun",
        selection_mode="multi-row",
        key=f"{key}_table",
        placeholder="",
    )
    picked = [shown["system_uid"][i] for i in event.selection.rows if i < shown.height]
    row_actions(list(dict.fromkeys(picked)), f"{key}_rows")


def row_actions(picked: list[str], key: str) -> None:
    """Open the selected system (same tab) or add the selected systems to the compare basket."""
    if not picked:
        st.caption("Select rows (the boxes on the left) to open a system or compare systems.")
        return
    left, right = st.columns(2)
    with left:
        if st.button(
            "Open this system" if len(picked) == 1 else "Open the first selected system",
            key=f"{key}_open",
            icon=":material/dns:",
        ):
            st.switch_page(SYSTEM_PAGE, query_params={"system": picked[0]})
    with right:
        compare_basket.add_button(picked, key=f"{key}_compare")


def downloads(view: LeaderboardView, filters: Filters) -> None:
    """CSV, Parquet and JSON of every filtered row, and the footnote that cites them (a CSV
    holds only rows, so its footnote is a file of its own); not offered for an empty view."""
    if view.rows.is_empty():
        return
    today = date.today()
    rows = sort_rows(view.rows, filters)
    columns = download_columns(filters.columns)
    shown = replace(filters, normalisation=view.normalisation)
    name = f"inferboard-{filters.benchmark}-{filters.scenario}"
    note = footnote(rows, shown, today)
    buttons = st.columns(len(FORMATS) + 1)
    for column, fmt in zip(buttons, FORMATS, strict=False):
        column.download_button(
            f"Download {fmt.upper()}",
            # built on click only: three exports of every row on each rerun cost time
            data=partial(export_rows, rows, shown, fmt, today, columns),
            file_name=f"{name}.{fmt}",
            mime=MIME[fmt],
            key=f"download_{fmt}",
            on_click="ignore",
        )
    buttons[-1].download_button(
        "Footnote (TXT)",
        data=note + "\n",
        file_name=f"{name}-footnote.txt",
        mime="text/plain",
        key="download_footnote",
        on_click="ignore",
        help="How to cite these rows: keep it with the CSV (Parquet and JSON carry it inside)",
    )
    # the footnote quotes the reader's search text: shown literally, never as markdown
    st.caption("  \n".join(literal(line) for line in note.splitlines()))
