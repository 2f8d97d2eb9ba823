"""Downloads carry MLCommons' footnote, worked out from every column of the rows (not only
the ones in the file), with every filter in force and the sources present, where each format
keeps metadata; a CSV holds exactly the rows."""

from __future__ import annotations

import io
import json
from datetime import date

import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest

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
    assert f"Server: {rows.height} results" not in note  # Offline, the default
    assert f"Offline: {rows.height} results; rounds: v5.1;" in note
    assert "divisions: closed" in note and "availability: available" in note  # never "none"
    assert "accelerator vendor: AMD" in note and "search: 'MI3'" in note
    assert "total accelerators 0–64" in note and "source: published, checked" in note
    assert f"Sources: published by MLCommons ({rows.height})." in note
    assert "Retrieved 2026-01-02 from the Inferboard copy of the results published" in note
    assert "not official MLPerf results" not in note  # no accepted submission among them
    assert "derived, not an official MLPerf result" in note
    csv_bytes = export_rows(rows, filters, "csv", DAY, columns)
    read = pd.read_csv(io.BytesIO(csv_bytes))  # any CSV reader: exactly the rows
    assert list(read.columns) == columns and len(read) == rows.height
    assert read["result_id"].tolist() == rows["result_id"].to_list()
    assert b"#" not in csv_bytes.splitlines()[-1][:1]
    payload = json.loads(export_rows(rows, filters, "json", DAY, columns))
    assert len(payload["rows"]) == rows.height and payload["footnote"] == note
    parquet = export_rows(rows, filters, "parquet", DAY, columns)
    assert pl.read_parquet(parquet).equals(rows.select(columns))
    metadata = pq.read_metadata(io.BytesIO(parquet)).metadata
    assert metadata[b"footnote"].decode() == note


def test_the_footnote_names_accepted_submissions_and_unstated_values(cur) -> None:
    filters = Filters(provenance=())
    rows = queries.result_rows(cur, Filters(rounds=("v6.0",))).head(3)
    mixed = rows.with_columns(
        pl.Series("provenance", ["published", "accepted", "accepted"]),
        pl.Series("availability", ["available", None, "preview"]),
    )
    note = footnote(mixed, filters, DAY)
    assert "accepted by an Inferboard maintainer (not an official MLPerf result) (2)" in note
    assert "published by MLCommons (1)" in note
    assert "availability: available, preview, not stated." in note
    assert "and submissions accepted by Inferboard maintainers" in note
    assert "Results of accepted submissions are not official MLPerf results." in note
    assert "starts with submission/<id>/" in note
    assert "Filters in force: none." in note  # every source: no filter
    with pytest.raises(ValueError, match="provenance"):
        footnote(rows.drop("provenance"), filters, DAY)


def test_json_never_holds_nan_or_infinity() -> None:
    from leaderboard.export import to_json

    frame = pl.DataFrame({"x": [1.0, float("nan"), float("inf")]})
    assert json.loads(to_json({"a": 1}, frame)) == {
        "a": 1,
        "rows": [{"x": 1.0}, {"x": None}, {"x": None}],
    }
