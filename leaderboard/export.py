"""Downloads of exactly the rows on screen (and the API's answers), with MLCommons' footnote.

The MLPerf results guidelines ask anyone who republishes a result to cite its round,
division, availability and result id, and to mark derived numbers as not official; the
footnote says so, names every filter in force and the sources of the rows (an accepted
submission is not an official result), and travels where each format keeps metadata: Parquet
key-value metadata, a JSON field. A CSV holds only the rows (``pandas.read_csv`` gives exactly
them): the page offers the footnote as its own text file beside it, the API sends it in the
``Inferboard-Footnote`` header.
"""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Final

import polars as pl

from leaderboard import provenance
from leaderboard.filters import Filters
from leaderboard.normalisation import DERIVED_NOTE
from leaderboard.provenance import Provenance

FORMATS = ("csv", "parquet", "json")
MIME = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet", "json": "application/json"}


# What the footnote needs of every row, whichever columns the file itself carries.
FOOTNOTE_COLUMNS: Final = ("round", "division", "availability", "provenance")


def footnote(rows: pl.DataFrame, filters: Filters, retrieved: date) -> str:
    """The citation text for exactly these rows: what they are, every filter in force, the
    rounds, divisions, availability and sources of the rows actually present (``rows`` must
    hold :data:`FOOTNOTE_COLUMNS`, shown in the file or not), the retrieval date and the
    trademark notice."""
    missing = [c for c in FOOTNOTE_COLUMNS if c not in rows.columns]
    if missing:
        raise ValueError(f"the footnote needs the rows' {missing} columns")

    def present(column: str) -> str:
        values = rows[column].unique().to_list()
        named = sorted(str(v) for v in values if v is not None)
        return ", ".join(named + (["not stated"] if None in values else [])) or "none"

    in_force = filters.in_force()
    counts = rows["provenance"].value_counts(sort=True)
    tiers = [f"{provenance.label(str(tier))} ({count})" for tier, count in counts.iter_rows()]
    accepted = Provenance.ACCEPTED.value in rows["provenance"].to_list()
    official = bool(set(rows["provenance"].to_list()) & set(provenance.OFFICIAL))
    origins = (
        [
            "the Inferboard copy of the results published by MLCommons "
            "(mlcommons/inference_results_v*)"
        ]
        if official
        else []
    )
    if accepted:
        origins.append(
            "submissions accepted by Inferboard maintainers (checked by Inferboard's validator "
            "and a maintainer, not by MLCommons)"
        )
    lines = [
        f"MLPerf Inference {filters.benchmark} {filters.scenario}: {rows.height} results; "
        f"rounds: {present('round')}; divisions: {present('division')}; "
        f"availability: {present('availability')}.",
        "Filters in force: " + ("; ".join(in_force) if in_force else "none") + ".",
        "Sources: " + ("; ".join(tiers) if tiers else "none") + ".",
        "Each row's result_id identifies it: round/path in the MLCommons results repository"
        + ("; an accepted submission's starts with submission/<id>/." if accepted else "."),
        f"Retrieved {retrieved.isoformat()} from " + (" and ".join(origins) or "Inferboard") + ".",
        "MLPerf and the MLPerf logo are trademarks of MLCommons; see the MLPerf results "
        "guidelines for how results may be cited.",
    ]
    if accepted:
        lines.append("Results of accepted submissions are not official MLPerf results.")
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
) -> bytes:
    """Serialise ``rows`` (only ``columns``, when given) in one format. The footnote (worked
    out from every column of ``rows``) goes where the format keeps metadata: Parquet's
    key-value metadata, the JSON object's ``footnote``; a CSV holds only the rows, so any
    reader takes it as it is (the page offers the footnote beside it, the API sends it in a
    header)."""
    shown = rows.select(columns) if columns is not None else rows
    if fmt == "csv":
        return shown.write_csv().encode("utf-8")
    note = footnote(rows, filters, retrieved)
    if fmt == "parquet":
        buffer = io.BytesIO()
        shown.write_parquet(buffer, metadata={"footnote": note})
        return buffer.getvalue()
    if fmt == "json":
        return to_json({"footnote": note}, shown)
    raise ValueError(f"unknown export format {fmt!r}; use one of {FORMATS}")
