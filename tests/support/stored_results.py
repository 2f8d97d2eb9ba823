"""One assertion shared by the leaderboard and the acceptance tests: the DuckDB rows of an
accepted submission hold every value of the validator's report (issue 11)."""

from __future__ import annotations

import json

import polars as pl
import pytest

from validator.report import Report
from validator.rules import higher_is_better

STORED_ROWS = "SELECT * FROM results JOIN systems USING (system_uid) WHERE submission_id = $id"


def assert_rows_hold_the_report(stored: pl.DataFrame, report: Report, submission_id: int) -> None:
    """Each valid result of ``report`` is a row of ``stored`` (results joined with systems)
    under ``submission/<id>/``, with every value the report holds, in its column."""
    prefix = f"submission/{submission_id}/"
    by_id = {row["result_id"]: row for row in stored.iter_rows(named=True)}
    valid = [entry for entry in report.results if entry.valid]
    assert valid and len(by_id) == len(valid)
    for entry in valid:
        row = by_id[f"{prefix}{entry.round}/{entry.location}"]
        assert row["system_uid"] == (
            f"{prefix}{entry.round}/{entry.division}/{entry.submitter}/{entry.system}"
        )
        assert (row["value"], row["units"]) == (entry.value, entry.units)
        assert row["higher_is_better"] is higher_is_better(entry.scenario)
        assert row["official_valid"] is entry.official_valid is True
        assert row["inferboard_valid"] is entry.valid is True
        assert row["result_validity"] == "VALID"
        metrics = json.loads(row["accuracy_metrics"])
        assert metrics == entry.accuracy and metrics  # every metric of the round's format
        assert row["accuracy"] == entry.accuracy_summary
        assert row["rouge1"] == entry.accuracy["ROUGE1"]
        assert row["rouge2"] == entry.accuracy["ROUGE2"]
        assert row["rougeL"] == entry.accuracy["ROUGEL"]
        assert row["tokens_per_sample"] == entry.tokens_per_sample is not None
        if entry.scenario == "Offline":
            assert row["ttft_p99_ms"] is None and row["tpot_p99_ms"] is None
        else:
            assert entry.ttft_p99_ns is not None and entry.tpot_p99_ns is not None
            assert row["ttft_p99_ms"] == pytest.approx(entry.ttft_p99_ns / 1e6)
            assert row["tpot_p99_ms"] == pytest.approx(entry.tpot_p99_ns / 1e6)
        assert row["power"] is None and entry.power is None  # these bundles measure no power
        assert json.loads(row["description"]) == entry.system_description
        assert row["system_name"] == entry.system_description["system_name"]
        assert row["checker_commit"] == report.checker_commit and len(row["checker_commit"]) == 40
        assert row["provenance"] == "accepted" and row["submission_id"] == submission_id
        assert "/" not in row["data_origin"].split(": ", 1)[1]  # never a server path
