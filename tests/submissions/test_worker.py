"""The worker's own rules: resume on start, a time limit on children, bounded retries."""

from __future__ import annotations

import io
import time

import pytest

from submissions import children, pipeline
from submissions.service import SubmissionService
from submissions.worker import Worker
from tests.submissions.conftest import ALICE, MAINTAINER


def _wait_until_idle(service: SubmissionService, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while service._ledger.pending_work() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.slow  # the worker runs the validator child: 2 s
def test_start_resumes_work_a_dead_process_left_behind(service, store, make_bundle_zip) -> None:
    with make_bundle_zip("NEW-1-node-4x-BMG-B70").open("rb") as stream:
        sid = service.receive(ALICE, stream, "intel.zip").submission_id
    # what a process killed mid-step leaves: the state says validating, no report exists
    store.cursor().execute(
        "UPDATE submissions SET state = 'validating' WHERE submission_id = $id", {"id": sid}
    )
    worker = Worker(service, service.settings.with_changes(worker_poll_s=0.1))
    worker.start()
    try:
        _wait_until_idle(service)
    finally:
        worker.stop()
    assert not worker.is_running
    assert service.get(ALICE, sid).state.value == "awaiting_review"
    resumed = [e for e in service.audit_log(MAINTAINER, sid) if e.action == "resumed"]
    assert [(e.from_state.value, e.reason) for e in resumed] == [
        ("validating", "picked up again in validating after a restart")
    ]


def test_a_validation_past_its_time_limit_is_rejected_with_that_reason(service) -> None:
    limited = SubmissionService(
        service._store, service.settings.with_changes(validation_timeout_s=0.01)
    )
    sid = limited.receive(ALICE, io.BytesIO(b"PK\x05\x06" + bytes(18)), "slow.zip").submission_id
    Worker(limited, limited.settings).run_until_idle()
    s = limited.get(ALICE, sid)
    assert (s.state.value, s.decision_reason) == ("rejected", "validation timed out")
    rejected = limited.audit_log(MAINTAINER, sid)[-1]
    assert rejected.reason.startswith("validation did not finish within 0.01 s")


def test_a_crashing_step_is_retried_then_given_up(service, monkeypatch) -> None:
    calls: list[list[str]] = []

    def crashing(command, timeout_s, on_start, stop_requested):
        calls.append(command)
        return children.ChildResult(1, "Traceback ...\nRuntimeError: the disk vanished")

    monkeypatch.setattr(children, "run_child", crashing)
    sid = service.receive(ALICE, io.BytesIO(b"bytes"), "b.zip").submission_id
    assert Worker(service, service.settings).run_until_idle() == 1
    assert len(calls) == pipeline.MAX_ATTEMPTS
    s = service.get(ALICE, sid)
    assert s.state.value == "rejected"
    assert s.decision_reason.startswith("could not be processed after 3 attempts: ")
    assert "the disk vanished" in s.decision_reason
    assert "ask a maintainer; the bundle is kept" in s.decision_reason
    assert service._ledger.storage.blob_path(s.sha256).is_file()


def test_wake_starts_work_without_waiting_for_the_poll(service) -> None:
    worker = Worker(service, service.settings.with_changes(worker_poll_s=3600))
    worker.start()
    try:
        time.sleep(0.05)  # the thread is idle, waiting an hour for its next poll
        sid = service.receive(ALICE, io.BytesIO(b"not an archive"), "x.zip").submission_id
        worker.wake()
        _wait_until_idle(service, timeout_s=30)
    finally:
        worker.stop()
    assert service.get(ALICE, sid).state.value == "rejected_by_validator"  # not an archive
