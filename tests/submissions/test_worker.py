"""The worker's own rules: resume on start, a time limit on children, bounded retries."""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from pathlib import Path

import pytest

from errors import EXIT_UNEXPECTED
from submissions import children, pipeline
from submissions.service import SubmissionService, ledger_of
from submissions.states import State
from submissions.storage import Storage
from submissions.worker import STATUS_FILE, Doing, Worker
from tests.submissions.conftest import ALICE, MAINTAINER, Reconfigure


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
        assert worker.wait_until_idle(60)
    finally:
        worker.stop()
    assert not worker.is_running
    assert service.get(ALICE, sid).state.value == "awaiting_review"
    resumed = [e for e in service.audit_log(MAINTAINER, sid) if e.action == "resumed"]
    assert [(e.from_state.value, e.reason) for e in resumed] == [
        ("validating", "picked up again in validating after a restart")
    ]


def test_a_validation_past_its_time_limit_is_rejected_with_that_reason(
    service, reconfigured: Reconfigure
) -> None:
    limited = reconfigured(validation_timeout_s=0.01)
    sid = limited.receive(ALICE, io.BytesIO(b"PK\x05\x06" + bytes(18)), "slow.zip").submission_id
    Worker(limited, limited.settings).run_until_idle()
    s = limited.get(ALICE, sid)
    assert (s.state.value, s.decision_reason) == ("rejected", "validation timed out")
    rejected = limited.audit_log(MAINTAINER, sid)[-1]
    assert rejected.reason.startswith("validation did not finish within 0.01 s")


def test_a_crashing_step_is_retried_then_given_up(service, storage: Storage, monkeypatch) -> None:
    calls: list[list[str]] = []
    traceback = (
        'Traceback (most recent call last):\n  File "/srv/inferboard/validator/engine.py", '
        "line 7, in run\nRuntimeError: the disk vanished"
    )

    def crashing(command, timeout_s, on_start, stop_requested):
        calls.append(command)
        return children.ChildResult(1, traceback)

    monkeypatch.setattr(children, "run_child", crashing)
    sid = service.receive(ALICE, io.BytesIO(b"bytes"), "b.zip").submission_id
    assert Worker(service, service.settings).run_until_idle() == 1
    assert len(calls) == pipeline.MAX_ATTEMPTS
    s = service.get(ALICE, sid)
    assert s.state.value == "rejected"
    assert s.decision_reason == (
        "could not be processed after 3 attempts: the validator stopped unexpectedly "
        "(exit status 1) (ask a maintainer; the bundle is kept)"
    )  # the traceback went to the server's log, never to the submitter
    assert storage.blob_path(s.sha256).is_file()


def test_a_failed_childs_own_error_line_is_given_without_server_paths(
    service, storage: Storage, monkeypatch
) -> None:
    def failing(command, timeout_s, on_start, stop_requested):
        work = Path(command[command.index("--work") + 1])
        return children.ChildResult(
            3,
            'Traceback (most recent call last):\n  File "/srv/x.py", line 1\n'
            f"error: unexpected failure: {work}/tree/closed/Acme/x.json vanished, "
            "see /usr/lib/python3.11/shutil.py",
        )

    monkeypatch.setattr(children, "run_child", failing)
    sid = service.receive(ALICE, io.BytesIO(b"bytes"), "b.zip").submission_id
    Worker(service, service.settings).run_until_idle()
    reason = service.get(ALICE, sid).decision_reason
    assert reason == (
        "could not be processed after 3 attempts: the validator failed: unexpected failure: "
        "tree/closed/Acme/x.json vanished, see <server path> (ask a maintainer; the bundle is "
        "kept)"
    )
    assert str(storage.root) not in reason and "Traceback" not in reason


def test_a_bug_in_the_validation_child_ends_in_one_line_and_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from submissions import validate_child

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug at /srv/inferboard/validator/engine.py")

    monkeypatch.setattr(validate_child, "validate_tree", broken)
    archive = tmp_path / "b.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("closed/Acme/README.md", "hello")
    code = validate_child.main(
        ["--archive", str(archive), "--work", str(tmp_path / "w"), "--out", str(tmp_path / "o")]
    )
    assert code == EXIT_UNEXPECTED
    err = capsys.readouterr().err
    assert "Traceback" in err  # for the server's log
    assert err.strip().splitlines()[-1] == "error: unexpected failure: KeyError"


def test_wake_starts_work_without_waiting_for_the_poll(service) -> None:
    worker = Worker(service, service.settings.with_changes(worker_poll_s=3600))
    worker.start()
    try:
        time.sleep(0.05)  # the thread is idle, waiting an hour for its next poll
        sid = service.receive(ALICE, io.BytesIO(b"not an archive"), "x.zip").submission_id
        worker.wake()
        assert worker.wait_until_idle(30)
    finally:
        worker.stop()
    assert service.get(ALICE, sid).state.value == "rejected_by_validator"  # not an archive


def test_the_status_file_never_lags_what_the_worker_is_doing(
    service: SubmissionService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker thread records its child while other threads read it (stop) or write the
    status too (run_until_idle): value and file change together, under one lock. Here one
    write is slow; a change made meanwhile must wait for it, not be overwritten by it."""
    worker = Worker(service, service.settings)
    storage = ledger_of(service).storage
    real_write = storage.write_json
    entered = threading.Event()
    calls: list[int] = []

    def slow_first_write(path: Path, data: object) -> None:
        calls.append(1)
        if len(calls) == 1:
            entered.set()
            time.sleep(0.3)  # long enough for the other thread to try its own change
        real_write(path, data)

    monkeypatch.setattr(storage, "write_json", slow_first_write)
    first = threading.Thread(target=worker._write_status, args=(7, State.VALIDATING))
    first.start()
    assert entered.wait(10)
    second = threading.Thread(target=worker._on_child, args=(4242,))
    second.start()
    first.join(10)
    second.join(10)
    assert worker.doing == Doing(submission_id=7, state=State.VALIDATING, child_pid=4242)
    status = json.loads((storage.root / STATUS_FILE).read_text(encoding="utf-8"))
    assert (status["submission_id"], status["state"], status["child_pid"]) == (
        7,
        "validating",
        4242,
    )


@pytest.mark.slow  # the worker runs the validator child on a real bundle: 2 s
def test_a_crashed_reference_runner_is_reported_without_its_traceback(
    service, make_bundle_zip, monkeypatch
) -> None:
    real_run = children.run_child

    def runner_crashes(command, timeout_s, on_start, stop_requested):
        if "reference_runner" not in command:
            return real_run(command, timeout_s, on_start, stop_requested)
        return children.ChildResult(
            3,
            'Traceback (most recent call last):\n  File "/srv/inferboard/reference_runner/x.py"'
            "\nerror: unexpected failure: ZeroDivisionError",
        )

    monkeypatch.setattr(children, "run_child", runner_crashes)
    with make_bundle_zip("NEW-1-node-4x-BMG-B70").open("rb") as stream:
        sid = service.receive(ALICE, stream, "intel.zip").submission_id
    Worker(service, service.settings).run_until_idle()
    reproduction = service.reproduction(MAINTAINER, sid)
    assert reproduction is not None
    spot = reproduction["spot_check"]
    assert spot["message"] == "the reference runner failed: unexpected failure: ZeroDivisionError"
