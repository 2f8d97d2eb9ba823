"""What acceptance stores: the validator's typed report of one submission, as leaderboard rows.

The rows come from :func:`leaderboard.report_rows.rows_from_report`, the same function a
maintainer's ``python -m leaderboard import FOLDER`` uses, so an accepted result keeps every
value the validator measured (both validities, every accuracy metric, TTFT/TPOT, power, the
system description, the checker commit) and is marked as an accepted submission: who accepted
it, when, its submission id, and whether its spot reproduction agreed. Its result and system
ids live under ``submission/<id>/``, apart from the published ones.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from leaderboard.provenance import Provenance
from leaderboard.report_rows import Origin, rows_from_report
from submissions.errors import SubmissionError
from submissions.reproduction import Reproduction
from validator.report import Report


def reproduced(summary: Reproduction | None) -> bool | None:
    """True when the spot reproduction agreed, False when it disagreed, None otherwise (not
    run, incomplete, failed: nothing was established either way)."""
    return None if summary is None else summary.status.agreed


def accepted_rows(
    report: Report | None,
    submission_id: int,
    filename: str,
    *,
    accepted_by: str,
    accepted_at: datetime,
    reproduction: Reproduction | None,
) -> pl.DataFrame:
    """The submission's Inferboard-valid results as leaderboard rows; a missing report or one
    without a valid result is a message, never an empty import."""
    if report is None:
        raise SubmissionError(
            "review.report_missing",
            f"submission {submission_id} has no validator report yet; let the worker validate "
            "it (python -m submissions work) before accepting",
        )
    origin = Origin(
        Provenance.ACCEPTED,
        source=filename,
        submission_id=submission_id,
        accepted_by=accepted_by,
        accepted_at=accepted_at,
        reproduced=reproduced(reproduction),
    )
    rows = rows_from_report(report, origin)
    if rows.is_empty():
        raise SubmissionError(
            "review.no_valid_results",
            "the validator found no valid result in this submission: nothing would enter the "
            "leaderboard; reject it with a reason",
        )
    return rows
