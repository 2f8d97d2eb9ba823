"""Downloads of exactly the rows on screen (and the API's answers), with MLCommons' footnote.

The MLPerf results guidelines ask anyone who republishes a result to cite its round,
division, availability and result id, and to mark derived numbers as not official; the
footnote says so, names every filter in force, and travels inside each format (CSV comment
lines at the end of a page download, Parquet key-value metadata, a JSON field; the API's CSV
keeps its body to the rows and sends the footnote in a response header).
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
    """The citation text for these rows (``rows`` with their round, division and
    availability columns, whichever columns the file itself carries)."""

    def listed(column: str) -> str:
        if column not in rows.columns:
            return "not recorded"
        values = sorted(str(v) for v in rows[column].unique().to_list() if v is not None)
        return ", ".join(values) if values else "none"

    in_force = filters.in_force()
    lines = [
        f"MLPerf Inference {filters.benchmark} {filters.scenario}; rounds: {listed('round')}; "
        f"divisions: {listed('division')}; availability: {listed('availability')}.",
        "Filters: " + ("; ".join(in_force) if in_force else "none") + ".",
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


def to_json(payload: dict[str, object], rows: pl.DataFrame) -> bytes:
    """``payload`` plus ``"rows"``: Polars writes the rows (fast, NaN and Infinity as null)."""
    head = json.dumps(payload, default=str, ensure_ascii=False)[:-1]
    return f'{head}, "rows": {rows.write_json()}}}'.encode()


def export_rows(
    rows: pl.DataFrame,
    filters: Filters,
    fmt: str,
    retrieved: date,
    columns: list[str] | None = None,
    *,
    csv_comments: bool = True,
) -> bytes:
    """Serialise ``rows`` (only ``columns``, when given) in one format, footnote included;
    the footnote is worked out from every column of ``rows``."""
    note = footnote(rows, filters, retrieved)
    shown = rows.select(columns) if columns is not None else rows
    if fmt == "csv":
        body = shown.write_csv().encode("utf-8")
        if not csv_comments:
            return body
        return body + "".join(f"# {line}\n" for line in note.splitlines()).encode("utf-8")
    if fmt == "parquet":
        buffer = io.BytesIO()
        shown.write_parquet(buffer, metadata={"footnote": note})
        return buffer.getvalue()
    if fmt == "json":
        return to_json({"footnote": note}, shown)
    raise ValueError(f"unknown export format {fmt!r}; use one of {FORMATS}")
