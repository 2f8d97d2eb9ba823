"""Downloads carry MLCommons' footnote, worked out from every column of the rows (not only
the ones in the file), with every filter in force."""

from __future__ import annotations

import io
import json
from datetime import date

import polars as pl
import pyarrow.parquet as pq

from leaderboard import queries
from leaderboard.export import export_rows, footnote
from leaderboard.filters import Filters
from leaderboard.table import download_columns

DAY = date(2026, 1, 2)


def test_exports_carry_the_footnote(cur) -> None:
    filters = Filters(rounds=("v5.1",), vendors=("AMD",), search="MI3", max_accelerators=64)
    rows = queries.result_rows(cur, filters)
    columns = download_columns(("system_name",))  # round, division, availability not in it
    note = footnote(rows, filters, DAY)
    assert "rounds: v5.1;" in note and "divisions: closed" in note  # never "none"
    assert "accelerator vendor: AMD" in note and "search: 'MI3'" in note
    assert "total accelerators 0–64" in note
    assert "derived, not an official MLPerf result" in note
    csv_text = export_rows(rows, filters, "csv", DAY, columns).decode()
    body, _comments = csv_text.split("\n# ", 1)
    assert pl.read_csv(io.StringIO(body)).columns == columns
    assert "# Retrieved 2026-01-02" in csv_text
    bare = export_rows(rows, filters, "csv", DAY, columns, csv_comments=False)
    assert pl.read_csv(io.BytesIO(bare)).height == rows.height  # any CSV reader: just rows
    payload = json.loads(export_rows(rows, filters, "json", DAY, columns))
    assert len(payload["rows"]) == rows.height and payload["footnote"] == note
    parquet = export_rows(rows, filters, "parquet", DAY, columns)
    assert pl.read_parquet(parquet).equals(rows.select(columns))
    metadata = pq.read_metadata(io.BytesIO(parquet)).metadata
    assert metadata[b"footnote"].decode() == note


def test_json_never_holds_nan_or_infinity() -> None:
    from leaderboard.export import to_json

    frame = pl.DataFrame({"x": [1.0, float("nan"), float("inf")]})
    assert json.loads(to_json({"a": 1}, frame)) == {
        "a": 1,
        "rows": [{"x": 1.0}, {"x": None}, {"x": None}],
    }
