"""Ten users uploading at the same moment through one service, with the worker running in
its thread the whole time: nothing is lost, nothing is mixed up, everything is processed."""

from __future__ import annotations

import io
import threading
import zipfile

import pytest

from submissions.models import Receipt
from submissions.roles import Principal, Role
from submissions.service import SubmissionService, ledger_of
from submissions.storage import Storage
from submissions.worker import Worker
from tests.submissions.conftest import MAINTAINER

USERS = 10


def _small_zip(user: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(f"closed/Team{user}/README.md", f"bundle of user {user}\n" * 200)
    return buffer.getvalue()


@pytest.mark.slow  # ten validator child processes: 8-15 s on 2 cores
def test_ten_simultaneous_uploads_are_all_kept_and_processed(
    service: SubmissionService, storage: Storage
) -> None:
    worker = Worker(service, service.settings)
    worker.start()
    users = [
        Principal(f"idp#{i}", f"user{i}@example.org", None, Role.SUBMITTER) for i in range(USERS)
    ]
    payloads = [_small_zip(i) for i in range(USERS)]
    barrier = threading.Barrier(USERS)
    receipts: dict[int, Receipt] = {}
    errors: list[BaseException] = []

    def upload(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            receipts[i] = service.receive(users[i], io.BytesIO(payloads[i]), f"bundle{i}.zip")
            worker.wake()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(USERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert worker.wait_until_idle(120)
    finally:
        worker.stop()
    assert errors == []
    assert len(receipts) == USERS
    assert sorted(r.submission_id for r in receipts.values()) == list(range(1, USERS + 1))
    for i, receipt in receipts.items():
        mine = service.mine(users[i])
        assert [s.submission_id for s in mine] == [receipt.submission_id]
        assert storage.blob_path(receipt.sha256).read_bytes() == payloads[i]
    blobs = [p for p in (storage.root / "blobs").rglob("*") if p.is_file()]
    assert len(blobs) == USERS
    states = {s.state.value for s in service.queue(MAINTAINER) + service.decided(MAINTAINER)}
    assert ledger_of(service).pending_work() == []
    assert states == {"rejected_by_validator"}  # validated: no results, so the validator rejects
    assert len(service.decided(MAINTAINER)) == USERS
    assert service.verify_audit_chain(MAINTAINER).problems == []
    assert len(service.audit_log(MAINTAINER)) == USERS * 3  # received + two moves each
