"""The leaderboard table as shown: column order, headers with units, one page of rows.

Kept out of the page (house style §2) so the order rule and the row cap are tested without
Streamlit. The table shows one page of rows (a browser grid of thousands of rows is the
slowest part of a first render); the downloads and the API carry every filtered row.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from leaderboard.queries import ALL_COLUMNS, DEFAULT_COLUMNS

PAGE_SIZE: Final = 200
# The shown metric and its units sit right after the system name, where the eye is.
_METRIC_COLUMNS: Final = ("metric", "metric_units")
_ANCHOR: Final = "system_name"
# Readable headers; a column not listed here is shown under its own name.
HEADERS: Final = {
    "system_name": "system",
    "total_accelerators": "accelerators",
    "number_of_nodes": "nodes",
    "value": "as reported",
    "power": "power",
    "rouge1": "ROUGE-1",
    "ttft_p99_ms": "TTFT p99 (ms)",
    "tpot_p99_ms": "TPOT p99 (ms)",
    "accelerators_per_node": "accelerators per node",
    "accelerator_as_submitted": "accelerator (as submitted)",
    "system_type": "system type",
    "tokens_per_sample": "tokens per sample",
    "power_units": "power units",
    "result_validity": "validity",
    "weight_data_types": "weight data types",
    "metric_units": "metric units",
    "source": "source",
    "official_valid": "valid (official checker)",
    "inferboard_valid": "valid (Inferboard)",
    "checker_commit": "checker commit",
    "submission_id": "submission",
    "accepted_at": "accepted at",
}


def ordered_columns(chosen: tuple[str, ...] | list[str]) -> list[str]:
    """The chosen columns (all defaults when none) with the metric right after the system name.

    Unknown names are dropped (they may come from a hand-edited URL); the metric is always
    shown, since the view is about it.
    """
    picked = [c for c in dict.fromkeys(chosen or DEFAULT_COLUMNS) if c in ALL_COLUMNS]
    rest = [c for c in picked if c not in _METRIC_COLUMNS]
    at = rest.index(_ANCHOR) + 1 if _ANCHOR in rest else 0
    return [*rest[:at], *_METRIC_COLUMNS, *rest[at:]]


def shown_columns(chosen: tuple[str, ...] | list[str], *, units_are_mixed: bool) -> list[str]:
    """The table's columns: the units column only when the rows' units differ (otherwise the
    unit is in the metric's header, said once)."""
    columns = ordered_columns(chosen)
    return columns if units_are_mixed else [c for c in columns if c != "metric_units"]


def download_columns(chosen: tuple[str, ...] | list[str]) -> list[str]:
    """The columns of a download (page or API): the result id first, then the table's
    columns with the units always present (a file travels without its header text)."""
    return ["result_id", *(c for c in ordered_columns(chosen) if c != "result_id")]


def page_count(rows: int, page_size: int = PAGE_SIZE) -> int:
    """Pages needed for ``rows`` rows (at least one, so an empty view still has a page)."""
    return max(1, -(-rows // page_size))


def table_page(
    rows: pl.DataFrame,
    columns: list[str],
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> pl.DataFrame:
    """One page (1-based, clamped) of ``columns``, with ``system_uid`` kept last so a selected
    row can be opened or compared (the page hides it)."""
    page = min(max(1, page), page_count(rows.height, page_size))
    part = rows.slice((page - 1) * page_size, page_size)
    keep = [c for c in columns if c != "system_uid"]
    return part.select([*keep, "system_uid"])
