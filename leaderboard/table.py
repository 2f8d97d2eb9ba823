"""The leaderboard table as shown: column order, system links and one page of rows.

Kept out of the page (house style §2) so the order rule and the row cap are tested without
Streamlit. The table shows one page of rows (a browser grid of thousands of rows is the
slowest part of a first render); the downloads still carry every filtered row.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

import polars as pl

from leaderboard.queries import ALL_COLUMNS, DEFAULT_COLUMNS

PAGE_SIZE: Final = 200
# The shown metric and its units sit right after the system name, where the eye is.
_METRIC_COLUMNS: Final = ("metric", "metric_units")
_ANCHOR: Final = "system_name"


def ordered_columns(chosen: tuple[str, ...] | list[str]) -> list[str]:
    """The chosen columns (all defaults when none) with the metric right after the system name.

    Unknown names are dropped (they may come from a hand-edited URL); the metric is always
    shown, since the view is about it.
    """
    picked = [c for c in (chosen or DEFAULT_COLUMNS) if c in ALL_COLUMNS]
    rest = [c for c in picked if c not in _METRIC_COLUMNS]
    at = rest.index(_ANCHOR) + 1 if _ANCHOR in rest else 0
    return [*rest[:at], *_METRIC_COLUMNS, *rest[at:]]


def system_link(system_uid: str) -> str:
    """Relative permalink of a system's page (the uid keeps its slashes, readable in a URL)."""
    return "system?system=" + quote(system_uid, safe="/")


def page_count(rows: int, page_size: int = PAGE_SIZE) -> int:
    """Pages needed for ``rows`` rows (at least one, so an empty view still has a page)."""
    return max(1, -(-rows // page_size))


def table_page(
    rows: pl.DataFrame,
    chosen: tuple[str, ...] | list[str],
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> pl.DataFrame:
    """One page (1-based, clamped) of the shown columns, led by an ``open`` link column."""
    page = min(max(1, page), page_count(rows.height, page_size))
    part = rows.slice((page - 1) * page_size, page_size)
    links = [system_link(uid) for uid in part["system_uid"].to_list()]
    return part.select(ordered_columns(chosen)).insert_column(0, pl.Series("open", links))
