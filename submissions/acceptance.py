"""What acceptance imports: the validator child's summary CSV of one submission.

The validator child writes the valid results in the official checker's summary columns
(spec §4 "CSV"), the same records a results-tree import uses, so an accepted submission lands
in the leaderboard exactly as a maintainer's ``python -m leaderboard import FOLDER`` would.
"""

from __future__ import annotations

import csv
from pathlib import Path

from submissions.errors import SubmissionError


def read_summary_records(path: Path) -> list[dict[str, object]]:
    """The summary CSV's rows; a missing or empty file means there is nothing to accept."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            records: list[dict[str, object]] = list(csv.DictReader(handle))
    except FileNotFoundError as exc:
        raise SubmissionError(
            "review.summary_missing",
            f"{path.name} of this submission is missing; let the worker validate it again "
            "(python -m submissions work) before accepting",
        ) from exc
    if not records:
        raise SubmissionError(
            "review.no_valid_results",
            "the validator found no valid result in this submission: nothing would enter the "
            "leaderboard; reject it with a reason",
        )
    return records
