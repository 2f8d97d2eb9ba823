"""A validator report becomes leaderboard rows that keep every value it holds (issue 11).

The real v4.1, v5.1 and v6.0 bundles from ../shared (completed, systems renamed) are
validated, turned into rows as an accepted submission and stored; every stored column then
equals the report's value, the direction comes from the rules, the rows live under the
submission's own ids, and the Server result shows on the TTFT/TPOT chart.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest

from leaderboard import figures, queries
from leaderboard.db import open_store
from leaderboard.filters import Filters
from leaderboard.ingest import ImportOutcome, insert_rows
from leaderboard.provenance import Provenance
from leaderboard.report_rows import Origin, rows_from_report
from tests.support.bundles import completed_round_tree
from tests.support.stored_results import STORED_ROWS, assert_rows_hold_the_report
from validator import Options, validate_path
from validator.report import Report

RENAMES = {
    "v4.1": {"H200-SXM-141GBx8_TRT": "ACCEPTED-H200x8"},
    "v5.1": {"8xMI300X_2xEPYC_9575F": "ACCEPTED-8xMI300X"},
    "v6.0": {"1-node-4x-BMG-B70": "ACCEPTED-4x-B70"},
}
ACCEPTED_AT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _report(round_name: str, tmp_path: Path) -> Report:
    tree = completed_round_tree(round_name, tmp_path / "tree", RENAMES[round_name])
    report = validate_path(tree, Options(jobs=1))
    assert report.accepted, [f.code for f in report.findings if f.is_error]
    return report


def _origin(submission_id: int) -> Origin:
    return Origin(
        Provenance.ACCEPTED,
        source="bundle.tar.gz",
        submission_id=submission_id,
        accepted_by="maintainer@example.org",
        accepted_at=ACCEPTED_AT,
        reproduced=True,
    )


@pytest.mark.parametrize("round_name", sorted(RENAMES))
def test_every_value_the_validator_holds_is_stored(
    round_name: str, fresh_settings, tmp_path: Path
) -> None:
    report = _report(round_name, tmp_path)
    rows = rows_from_report(report, _origin(7))
    with open_store(fresh_settings) as store:
        cur = store.cursor()
        outcome = insert_rows(
            cur, rows, import_id="submission:7", kind="submission", source="7", verification="x"
        )
        stored = cur.sql(STORED_ROWS, params={"id": 7}).pl()
    assert outcome == ImportOutcome(added=len(report.results))
    assert_rows_hold_the_report(stored, report, 7)
    assert set(stored["reproduced"]) == {True}
    assert set(stored["accepted_by"]) == {"maintainer@example.org"}
    assert set(stored["accepted_at"]) == {ACCEPTED_AT.replace(tzinfo=None)}
    assert set(stored["data_origin"]) == {"submission 7: bundle.tar.gz"}


def test_accepted_server_result_is_on_the_ttft_tpot_chart(fresh_settings, tmp_path) -> None:
    report = _report("v5.1", tmp_path)
    with open_store(fresh_settings) as store:
        cur = store.cursor()
        insert_rows(
            cur,
            rows_from_report(report, _origin(3)),
            import_id="submission:3",
            kind="submission",
            source="3",
            verification="x",
        )
        server = Filters(scenario="Server", rounds=("v5.1",), normalisation="reported")
        official = queries.leaderboard_view(cur, server)
        everything = queries.leaderboard_view(cur, replace(server, provenance=()))
    uid = "submission/3/v5.1/closed/AMD/ACCEPTED-8xMI300X"
    assert uid not in official.rows["system_uid"].to_list()  # the default: official only
    chart = figures.latency_percentiles(everything.rows)
    assert isinstance(chart, go.Figure)
    custom = chart.data[0].customdata
    index = [point[0] for point in custom].index(uid)
    assert chart.data[0].x[index] == pytest.approx(1914.647645)  # TTFT p99 in ms
    assert chart.data[0].y[index] == pytest.approx(193.380124)
    assert "accepted submission" in custom[index][4]  # labelled on the chart


def test_a_changed_number_under_a_stored_id_is_a_conflict(fresh_settings, tmp_path) -> None:
    report = _report("v6.0", tmp_path)
    rows = rows_from_report(report, _origin(5))
    with open_store(fresh_settings) as store:
        cur = store.cursor()
        insert_rows(cur, rows, import_id="a", kind="submission", source="a", verification="x")
        again = insert_rows(
            cur, rows, import_id="b", kind="submission", source="b", verification="x"
        )
        changed = rows.with_columns(pl.col("result") * 2)
        clash = insert_rows(
            cur, changed, import_id="c", kind="submission", source="c", verification="x"
        )
        kept = cur.sql("SELECT value FROM results WHERE submission_id = 5 ORDER BY scenario").pl()
        recorded = cur.sql("SELECT import_id FROM imports WHERE import_id = 'c'").pl()
    assert again == ImportOutcome(already_present=2)
    assert clash.added == 0 and len(clash.conflicts) == 2
    assert clash.conflicts[0].stored.startswith("2459.18 Tokens/s (accepted)")
    assert clash.conflicts[0].incoming.startswith("4918.36 Tokens/s")
    assert "conflicts not written" in clash.summary()
    assert kept["value"].to_list() == [2459.18, 1698.57]  # the stored rows are unchanged
    assert recorded.is_empty()  # importing it again reports the conflicts again


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("result", float("nan")),
        ("result", float("inf")),
        ("result", 0.0),
        ("result", -1.0),
        ("ttft_p99_ms", float("nan")),
        ("power", float("-inf")),
        ("rouge1", float("inf")),
    ],
)
def test_non_finite_or_impossible_numbers_are_refused(
    column: str, value: float, fresh_settings, tmp_path: Path
) -> None:
    from leaderboard.errors import LeaderboardError

    rows = rows_from_report(_report("v6.0", tmp_path), _origin(9))
    bad = rows.with_columns(pl.lit(value, dtype=pl.Float64).alias(column))
    with open_store(fresh_settings) as store, pytest.raises(LeaderboardError) as caught:
        insert_rows(
            store.cursor(), bad, import_id="n", kind="submission", source="n", verification="x"
        )
    assert caught.value.code == "import.number"
    assert column in caught.value.message and "submission/9/" in caught.value.message
