"""Downloads of exactly the rows on screen, with MLCommons' required footnote.

The MLPerf results guidelines ask anyone who republishes a result to cite its round,
division, availability and result id, and to mark derived numbers as not official; the
footnote says so and travels inside each format (CSV comment lines, Parquet key-value
metadata, a JSON field).
"""

from __future__ import annotations

import io
import json
from datetime import date

import polars as pl

from leaderboard.filters import DERIVED_NOTE, Filters

FORMATS = ("csv", "parquet", "json")
MIME = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet", "json": "application/json"}


def footnote(rows: pl.DataFrame, filters: Filters, retrieved: date) -> str:
    """The citation text for these rows."""

    def listed(column: str) -> str:
        if column not in rows.columns or rows.is_empty():
            return "none"
        return ", ".join(sorted(str(v) for v in rows[column].unique().to_list() if v is not None))

    lines = [
        f"MLPerf Inference {filters.benchmark} {filters.scenario}; rounds: {listed('round')}; "
        f"divisions: {listed('division')}; availability: {listed('availability')}.",
        f"{rows.height} results; each row's result_id (round/path in the MLCommons results "
        "repository) identifies it.",
        f"Retrieved {retrieved.isoformat()} from the Inferboard copy of the published results "
        "(mlcommons/inference_results_v*).",
        "MLPerf and the MLPerf logo are trademarks of MLCommons; see the MLPerf results "
        "guidelines for how results may be cited.",
    ]
    if filters.is_derived:
        lines.append(f"The 'metric' column is {filters.normalisation}: {DERIVED_NOTE}.")
    return "\n".join(lines)


def export_rows(rows: pl.DataFrame, filters: Filters, fmt: str, retrieved: date) -> bytes:
    """Serialise the shown rows in one format, footnote included."""
    note = footnote(rows, filters, retrieved)
    if fmt == "csv":
        comments = "".join(f"# {line}\n" for line in note.splitlines())
        return rows.write_csv().encode("utf-8") + comments.encode("utf-8")
    if fmt == "parquet":
        buffer = io.BytesIO()
        rows.write_parquet(buffer, metadata={"footnote": note})
        return buffer.getvalue()
    if fmt == "json":
        payload = {"footnote": note, "rows": rows.to_dicts()}
        return json.dumps(payload, default=str, indent=1).encode("utf-8")
    raise ValueError(f"unknown export format {fmt!r}; use one of {FORMATS}")
