"""A real bundle end to end: received -> validating -> reproducing -> awaiting review ->
accepted, the leaderboard showing its results at once with their provenance."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from leaderboard import queries
from leaderboard.filters import Filters
from submissions.errors import InvalidTransitionError, PermissionDeniedError, SubmissionError
from submissions.service import SubmissionService, ledger_of
from submissions.storage import Storage
from submissions.worker import Worker
from tests.submissions.conftest import ALICE, BOB, MAINTAINER

pytestmark = pytest.mark.slow  # each test takes a real bundle through the validator child: 3-10 s

NEW_SYSTEM = "NEW-1-node-4x-BMG-B70"


@pytest.fixture
def reviewed(service: SubmissionService, make_bundle_zip: Callable[[str], Path]) -> int:
    with make_bundle_zip(NEW_SYSTEM).open("rb") as stream:
        receipt = service.receive(ALICE, stream, "intel-v6.zip")
    assert Worker(service, service.settings).run_until_idle() == 1
    # Alice acts for Intel, whose folder the bundle holds: nothing is flagged
    service.organisations.grant(MAINTAINER, ALICE.subject, ["Intel"], "Intel's submitter")
    return receipt.submission_id


def test_the_worker_takes_a_real_bundle_to_review(service: SubmissionService, reviewed) -> None:
    s = service.get(ALICE, reviewed)
    assert s.state.value == "awaiting_review"
    assert (s.verdict, s.error_count, s.result_count, s.valid_result_count) == (
        "accepted", 0, 2, 2,
    )  # fmt: skip
    assert s.progress == "waiting for a maintainer's review"
    report = service.report(ALICE, reviewed)
    assert report is not None and report.accepted and report.officially_accepted
    assert {r.scenario for r in report.results} == {"Offline", "Server"}
    reproduction = service.reproduction(ALICE, reviewed)
    assert [c["status"] for c in reproduction["log_checks"]] == ["truncated", "truncated"]
    assert reproduction["spot_check"]["status"] == "incomplete"  # tier 1 only: no model
    gaps = reproduction["spot_check"]["report"]["gaps"]
    assert any("--accuracy-log Offline=PATH" in gap for gap in gaps)
    actions = [
        (e.action, e.to_state and e.to_state.value) for e in service.audit_log(ALICE, reviewed)
    ]
    assert actions == [
        ("received", "received"),
        ("state_changed", "validating"),
        ("state_changed", "reproducing"),
        ("state_changed", "awaiting_review"),
    ]


def test_accepting_puts_the_results_on_the_leaderboard_once(
    service, storage: Storage, store, reviewed
) -> None:
    cursor = store.cursor()
    before = queries.data_version(cursor)
    # every source: the default view shows the official results only
    filters = Filters(
        benchmark="llama2-70b-99", scenario="Offline", search=NEW_SYSTEM, provenance=()
    )
    assert queries.result_rows(cursor, filters).height == 0
    with pytest.raises(SubmissionError) as caught:
        service.accept(MAINTAINER, reviewed, "   ")
    assert caught.value.code == "review.reason_required"
    done = service.accept(MAINTAINER, reviewed, "logs and system description checked")
    assert done.state.value == "accepted"
    assert done.progress == "accepted: 2 results added to the leaderboard"
    assert (done.decided_by, done.decision_reason) == (
        "maintainer@example.org", "logs and system description checked",
    )  # fmt: skip
    rows = queries.result_rows(cursor, filters)
    assert rows["value"].to_list() == [2459.18]
    assert rows["verification"].to_list() == [f"accepted submission {reviewed}"]
    assert rows["provenance"].to_list() == ["accepted"]
    assert rows["result_id"][0].startswith(f"submission/{reviewed}/v6.0/closed/Intel/results/")
    assert rows["reproduced"].to_list() == [None]  # tier 1 only: nothing was established
    official = replace(filters, provenance=Filters().provenance)
    assert queries.result_rows(cursor, official).height == 0  # never among the official
    assert queries.data_version(cursor) != before
    imported = queries.imports(cursor)
    assert f"submission:{reviewed}" in imported["import_id"].to_list()
    with pytest.raises(InvalidTransitionError):
        service.accept(MAINTAINER, reviewed, "twice")
    count = cursor.sql("SELECT count(*) FROM results WHERE verification LIKE 'accepted%'")
    assert count.fetchall() == [(2,)]
    assert not storage.work_dir(reviewed).joinpath("tree").exists()


def test_rejecting_keeps_the_bundle(
    service: SubmissionService, storage: Storage, reviewed: int
) -> None:
    with pytest.raises(SubmissionError) as caught:
        service.reject(MAINTAINER, reviewed, "")
    assert caught.value.code == "review.reason_required"
    done = service.reject(MAINTAINER, reviewed, "system description incomplete")
    assert done.state.value == "rejected"
    assert storage.blob_path(done.sha256).is_file()
    assert service.report(ALICE, reviewed).accepted
    assert [s.submission_id for s in service.decided(MAINTAINER)] == [reviewed]


def test_a_bundle_the_validator_rejects_cannot_be_accepted(
    service: SubmissionService, storage: Storage, tmp_path: Path, make_bundle_zip
) -> None:
    import zipfile

    broken = tmp_path / "broken.zip"
    with (
        zipfile.ZipFile(make_bundle_zip(NEW_SYSTEM)) as source,
        zipfile.ZipFile(broken, "w") as out,
    ):
        for item in source.infolist():
            if not item.filename.endswith("Offline/measurements.json"):
                out.writestr(item, source.read(item))
    with broken.open("rb") as stream:
        sid = service.receive(ALICE, stream, "broken.zip").submission_id
    Worker(service, service.settings).run_until_idle()
    s = service.get(ALICE, sid)
    # final by itself, with its findings; nothing recomputed; nothing for a maintainer to do
    assert (s.state.value, s.verdict, s.decided_by) == (
        "rejected_by_validator", "rejected", "Inferboard validator",
    )  # fmt: skip
    assert s.decision_reason.startswith(f"the validator found {s.error_count} error")
    report = service.report(ALICE, sid)
    assert report is not None
    codes = [f.code for f in report.findings]
    assert "measurements.implementation_missing" in codes
    assert service.reproduction(ALICE, sid) is None
    assert sid not in [q.submission_id for q in service.queue(MAINTAINER)]
    assert not storage.work_dir(sid).joinpath("tree").exists()
    with pytest.raises(InvalidTransitionError) as caught:
        service.accept(MAINTAINER, sid, "looks fine to me")
    assert caught.value.code == "state.invalid_transition"
    # the submitter may send a corrected bundle as its replacement
    with make_bundle_zip(NEW_SYSTEM).open("rb") as stream:
        fixed = service.receive(ALICE, stream, "fixed.zip", replaces=sid)
    assert service.get(ALICE, sid).replaced_by == fixed.submission_id


def test_withdrawn_while_queued_is_skipped_by_the_worker(service, make_bundle_zip) -> None:
    with make_bundle_zip(NEW_SYSTEM).open("rb") as stream:
        sid = service.receive(ALICE, stream, "intel.zip").submission_id
    service.withdraw(ALICE, sid, "found a mistake")
    assert Worker(service, service.settings).run_until_idle() == 0
    assert service.get(ALICE, sid).state.value == "withdrawn"
    assert service.report(ALICE, sid) is None


def test_a_failed_import_changes_nothing(service: SubmissionService, store, reviewed) -> None:
    """A stored report whose number is impossible (edited on disk after validation) is
    refused at acceptance with a message; nothing changes, and the real report accepts."""
    path = ledger_of(service).report_path(reviewed)
    text = path.read_text()
    edited = json.loads(text)
    edited["results"][0]["value"] = -1.0
    path.write_text(json.dumps(edited))
    count = "SELECT count(*) FROM results"
    before = store.cursor().sql(count).fetchall()
    with pytest.raises(SubmissionError) as caught:
        service.accept(MAINTAINER, reviewed, "checked")
    assert caught.value.code == "review.import_failed"
    assert "must be finite and above zero" in caught.value.message
    assert store.cursor().sql(count).fetchall() == before
    assert service.get(ALICE, reviewed).state.value == "awaiting_review"
    path.write_text("{not json")
    with pytest.raises(SubmissionError) as caught:
        service.accept(MAINTAINER, reviewed, "checked")
    assert caught.value.code == "report.unreadable"
    path.write_text(text)
    assert service.accept(MAINTAINER, reviewed, "checked").state.value == "accepted"


def test_a_failure_after_the_insert_rolls_the_results_back(
    service: SubmissionService, store, reviewed, monkeypatch
) -> None:
    """Results, state and audit entry commit together: a failure while writing the audit
    entry (after the results were inserted) leaves the leaderboard as it was."""
    from submissions import audit

    count = "SELECT count(*) FROM results"
    before = store.cursor().sql(count).fetchall()
    entries_before = len(service.audit_log(MAINTAINER))
    real_append = audit.append

    def failing_append(con, key, **entry):
        if entry.get("action") == "accepted":
            inserted = con.execute(count).fetchall()
            assert inserted[0][0] == before[0][0] + 2  # the results are in, inside the transaction
            raise OSError("disk full")
        return real_append(con, key, **entry)

    monkeypatch.setattr(audit, "append", failing_append)
    with pytest.raises(OSError, match="disk full"):
        service.accept(MAINTAINER, reviewed, "checked")
    assert store.cursor().sql(count).fetchall() == before
    assert service.get(ALICE, reviewed).state.value == "awaiting_review"
    assert len(service.audit_log(MAINTAINER)) == entries_before
    monkeypatch.setattr(audit, "append", real_append)
    assert service.accept(MAINTAINER, reviewed, "checked").state.value == "accepted"
    assert store.cursor().sql(count).fetchall()[0][0] == before[0][0] + 2


def test_the_reviewer_sees_which_results_are_already_on_the_leaderboard(
    service: SubmissionService, reviewed: int, make_bundle_zip
) -> None:
    assert service.leaderboard_overlap(MAINTAINER, reviewed) == []
    with pytest.raises(PermissionDeniedError):
        service.leaderboard_overlap(ALICE, reviewed)
    service.accept(MAINTAINER, reviewed, "checked")
    # the same bytes from another submitter: a new submission repeating accepted results
    with make_bundle_zip(NEW_SYSTEM).open("rb") as stream:
        again = service.receive(BOB, stream, "copy.zip").submission_id
    assert Worker(service, service.settings).run_until_idle() == 1
    overlap = service.leaderboard_overlap(MAINTAINER, again)
    assert [row["verification"] for row in overlap] == [f"accepted submission {reviewed}"] * 2
    assert [row["provenance"] for row in overlap] == ["accepted"] * 2
    assert all(row["result_id"].startswith(f"submission/{reviewed}/") for row in overlap)
    assert all(NEW_SYSTEM in row["result_id"] for row in overlap)
    # accepted too, it sits beside the first under its own ids (labelled, never merged)
    # Bob is not mapped to Intel: the maintainer confirms it explicitly
    done = service.accept(
        MAINTAINER, again, "the same bundle, recorded anyway", confirm_organisations=["Intel"]
    )
    assert done.progress == "accepted: 2 results added to the leaderboard"
    assert len(service.leaderboard_overlap(MAINTAINER, again)) == 2  # the first's, not its own
