"""What each API route answers, in each format (the routes and checks are ``app.py``).

Results are exactly the leaderboard's rows for the same parameters (``queries.result_rows``)
in the columns of the page's download (``table.download_columns``), so an API answer and the
page's download hold the same rows. JSON answers say what they hold (footnote, data version,
the query as understood, total, offset, limit, columns) beside the rows; CSV answers hold only
the rows, so any CSV reader takes them as they are, and carry the footnote in the
``Inferboard-Footnote`` header; Parquet answers keep it in the file's key-value metadata.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Final

import duckdb
import polars as pl
from starlette.responses import Response

from leaderboard import queries
from leaderboard.changelog import change_log
from leaderboard.export import MIME, footnote, to_json
from leaderboard.filters import Filters
from leaderboard.params import ParsedQuery
from leaderboard.table import download_columns

CITATION: Final = (
    "Retrieved {day} from the Inferboard copy of the published MLPerf Inference results "
    "(mlcommons/inference_results_v*). MLPerf and the MLPerf logo are trademarks of MLCommons; "
    "see the MLPerf results guidelines for how results may be cited."
)


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _header_text(text: str) -> str:
    """The footnote as one header line, in ASCII: anything else escaped (\\xe9, \\u4e2d). A
    Latin-1 byte is legal HTTP, but many clients decode headers as ASCII or UTF-8 and fail."""
    return " | ".join(text.splitlines()).encode("ascii", "backslashreplace").decode("ascii")


def _page(
    rows: pl.DataFrame,
    parsed: ParsedQuery,
    fmt: str,
    version: str,
    note: str,
    name: str,
    query: dict[str, object] | None = None,
) -> Response:
    """The ``offset``/``limit`` slice of ``rows`` as a file; its JSON says what it holds
    (footnote, data version, the query when given, total, offset, limit, columns)."""
    offset = parsed.integer("offset") or 0
    limit = parsed.integer("limit")
    payload: dict[str, object] = {"footnote": note, "data_version": version}
    if query is not None:
        payload["query"] = query
    payload |= {"total": rows.height, "offset": offset, "limit": limit, "columns": rows.columns}
    return _file(rows.slice(offset, limit), fmt, note, name, payload)


def _file(
    rows: pl.DataFrame, fmt: str, note: str, name: str, payload: dict[str, object]
) -> Response:
    headers = {
        "Inferboard-Footnote": _header_text(note),
        "Inferboard-Data-Version": str(payload["data_version"]),
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": (
            "Inferboard-Footnote, Inferboard-Data-Version, Inferboard-Snapshot, ETag"
        ),
        "X-Content-Type-Options": "nosniff",
    }
    if fmt == "json":
        return Response(to_json(payload, rows), media_type=MIME["json"], headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    if fmt == "csv":
        flat = rows.with_columns(
            pl.col(c).list.join(" ") for c, t in rows.schema.items() if isinstance(t, pl.List)
        )
        return Response(flat.write_csv(), media_type=MIME["csv"], headers=headers)
    buffer = io.BytesIO()
    rows.write_parquet(buffer, metadata={"footnote": note})
    return Response(buffer.getvalue(), media_type=MIME["parquet"], headers=headers)


def results(
    cursor: duckdb.DuckDBPyConnection,
    filters: Filters,
    parsed: ParsedQuery,
    fmt: str,
    version: str,
) -> Response:
    columns = download_columns(filters.columns)
    rows = queries.result_rows(cursor, filters, columns)
    filters = queries.shown_normalisation(rows, filters)
    note = footnote(rows, filters, datetime.now(UTC).date())
    query = {**filters.data_only().to_query_params(), **_view(filters)}
    name = f"inferboard-{filters.benchmark}-{filters.scenario}"
    return _page(rows.select(columns), parsed, fmt, version, note, name, query)


def _view(filters: Filters) -> dict[str, object]:
    return {"sort": filters.sort, "descending": filters.descending}


def systems(
    cursor: duckdb.DuckDBPyConnection,
    filters: Filters,
    parsed: ParsedQuery,
    fmt: str,
    version: str,
) -> Response:
    rows = queries.systems(cursor, filters)
    note = CITATION.format(day=_today())
    return _page(rows, parsed, fmt, version, note, "inferboard-systems")


def changes(
    cursor: duckdb.DuckDBPyConnection, parsed: ParsedQuery, fmt: str, version: str
) -> Response:
    rows = change_log(cursor).with_columns(pl.col("changed_at").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    note = CITATION.format(day=_today())
    return _page(rows, parsed, fmt, version, note, "inferboard-changes")


def benchmarks(cursor: duckdb.DuckDBPyConnection, fmt: str, version: str) -> Response:
    rows = queries.benchmark_scenarios(cursor)
    note = CITATION.format(day=_today())
    payload: dict[str, object] = {"footnote": note, "data_version": version, "total": rows.height}
    return _file(rows, fmt, note, "inferboard-benchmarks", payload)


def dataset(cursor: duckdb.DuckDBPyConnection, version: str) -> Response:
    rows = queries.dataset(cursor)
    note = CITATION.format(day=_today()) + (
        " Every stored result: 'status' says whether it is published, withdrawn or invalidated."
    )
    return _file(rows, "parquet", note, "inferboard-dataset", {"data_version": version})
