"""Accepting a real bundle through the service keeps every value the validator measured
(issue 11): the v5.1 AMD bundle and the v4.1 NVIDIA + NeuralMagic bundle from ../shared,
completed, their systems renamed, received as zips, validated and recounted by the worker in
its children, accepted by a maintainer; each DuckDB row then equals the stored report."""

from __future__ import annotations

from pathlib import Path

import pytest

from submissions.service import SubmissionService
from submissions.worker import Worker
from tests.submissions.conftest import ALICE, MAINTAINER, zip_tree
from tests.support.bundles import completed_round_tree
from tests.support.stored_results import STORED_ROWS, assert_rows_hold_the_report

RENAMES = {
    "v4.1": {"H200-SXM-141GBx8_TRT": "SERVICE-H200x8"},
    "v5.1": {"8xMI300X_2xEPYC_9575F": "SERVICE-8xMI300X"},
}


@pytest.mark.slow  # two bundles through the validator and recount children
@pytest.mark.parametrize("round_name", ["v4.1", "v5.1"])
def test_accepted_rows_equal_the_report(
    round_name: str, service: SubmissionService, store, tmp_path: Path
) -> None:
    tree = completed_round_tree(round_name, tmp_path / "tree", RENAMES[round_name])
    organisations = sorted({p.name for p in tree.glob("*/*") if p.is_dir()})
    service.organisations.grant(MAINTAINER, ALICE.subject, organisations, "their employee")
    archive = zip_tree(tree, tmp_path / f"{round_name}.zip")
    with archive.open("rb") as stream:
        sid = service.receive(ALICE, stream, f"{round_name}.zip").submission_id
    assert Worker(service, service.settings).run_until_idle() == 1
    assert service.get(ALICE, sid).state.value == "awaiting_review"
    done = service.accept(MAINTAINER, sid, "every scenario checked")
    report = service.report(ALICE, sid)
    assert report is not None and report.accepted
    stored = store.cursor().sql(STORED_ROWS, params={"id": sid}).pl()
    assert done.progress == f"accepted: {stored.height} results added to the leaderboard"
    assert_rows_hold_the_report(stored, report, sid)
    assert set(stored["accepted_by"]) == {MAINTAINER.name}
    assert set(stored["data_origin"]) == {f"submission {sid}: {round_name}.zip"}
    assert stored["reproduced"].is_null().all()  # tier 1 only: nothing established
    if round_name == "v4.1":  # two divisions, two submitters, lower-case scenario folders
        assert set(stored["division"]) == {"closed", "open"}
        assert set(stored["submitter"]) == {"NVIDIA", "NeuralMagic"}
