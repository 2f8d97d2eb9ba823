"""Uploads: spooled while hashed and counted, stored once per content, read-only, limited."""

from __future__ import annotations

import hashlib
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from submissions.errors import SubmissionError
from submissions.service import SubmissionService, ledger_of
from submissions.storage import Storage, display_name, write_whole
from tests.submissions.conftest import ALICE, BOB, MAINTAINER, Reconfigure


class _TrickleStream(io.BytesIO):
    """Returns at most 1000 bytes per read, like a network stream."""

    def read(self, size: int | None = -1) -> bytes:
        return super().read(min(size if size and size > 0 else 1000, 1000))


def test_receipt_has_the_sha256_and_size_of_the_bytes(
    service: SubmissionService, storage: Storage
) -> None:
    data = bytes(range(256)) * 4000
    receipt = service.receive(ALICE, _TrickleStream(data), "my bundle.zip")
    assert receipt.sha256 == hashlib.sha256(data).hexdigest()
    assert receipt.size_bytes == len(data)
    assert receipt.filename == "my bundle.zip"
    assert not receipt.already_received
    blob = storage.blob_path(receipt.sha256)
    assert blob.read_bytes() == data
    assert blob.parent.name == receipt.sha256[:2]
    assert blob.stat().st_mode & 0o777 == 0o444
    assert list((storage.root / "incoming").iterdir()) == []


def test_same_bytes_same_user_finds_the_existing_submission(
    service: SubmissionService, storage: Storage
) -> None:
    first = service.receive(ALICE, io.BytesIO(b"bundle-bytes"), "a.zip")
    blob = storage.blob_path(first.sha256)
    inode, mtime = blob.stat().st_ino, blob.stat().st_mtime_ns
    again = service.receive(ALICE, io.BytesIO(b"bundle-bytes"), "renamed.tgz")
    assert again.already_received
    assert (again.submission_id, again.filename) == (first.submission_id, "a.zip")
    assert [s.submission_id for s in service.mine(ALICE)] == [first.submission_id]
    assert (blob.stat().st_ino, blob.stat().st_mtime_ns) == (inode, mtime)  # never rewritten


def test_same_bytes_from_another_user_share_the_blob(
    service: SubmissionService, storage: Storage
) -> None:
    first = service.receive(ALICE, io.BytesIO(b"shared"), "a.zip")
    second = service.receive(BOB, io.BytesIO(b"shared"), "b.zip")
    assert not second.already_received
    assert second.submission_id != first.submission_id
    blobs = [p for p in (storage.root / "blobs").rglob("*") if p.is_file()]
    assert blobs == [storage.blob_path(first.sha256)]


def test_upload_over_the_limit_keeps_nothing(
    service: SubmissionService, storage: Storage, reconfigured: Reconfigure
) -> None:
    small = reconfigured(max_upload_bytes=1000)
    with pytest.raises(SubmissionError) as caught:
        small.receive(ALICE, _TrickleStream(b"x" * 1001), "big.zip")
    assert caught.value.code == "upload.too_large"
    assert "limit" in caught.value.message
    assert list((storage.root / "incoming").iterdir()) == []
    assert not (storage.root / "blobs").exists()
    assert small.mine(ALICE) == []
    assert small.receive(ALICE, io.BytesIO(b"x" * 1000), "exact.zip").size_bytes == 1000


@pytest.mark.parametrize("name", ["bundle", "bundle.tar", "notes.txt", ".zip", "x.zip.exe"])
def test_name_without_an_archive_suffix_is_refused(service: SubmissionService, name: str) -> None:
    with pytest.raises(SubmissionError) as caught:
        service.receive(ALICE, io.BytesIO(b"data"), name)
    assert caught.value.code == "upload.format"
    assert ".zip, .tar.gz or .tgz" in caught.value.message
    assert service.mine(ALICE) == []


def test_uploaded_names_never_become_paths(
    service: SubmissionService, storage: Storage, tmp_path: Path
) -> None:
    receipt = service.receive(ALICE, io.BytesIO(b"z"), "../../etc/evil\x00\n.tar.gz")
    assert receipt.filename == "evil__.tar.gz"
    assert display_name("C:\\Users\\x\\b.zip") == "b.zip"
    assert not (tmp_path / "evil__.tar.gz").exists()
    assert sorted(p.name for p in storage.root.iterdir()) == [
        "audit-head.json",
        "audit.key",
        "blobs",
        "incoming",
    ]


def test_storage_refuses_paths_outside_its_root(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "root")
    with pytest.raises(SubmissionError) as caught:
        storage.write_json(tmp_path / "elsewhere.json", {})
    assert caught.value.code == "storage.outside"
    with pytest.raises(SubmissionError):
        storage.blob_path("../" + "a" * 61)


def test_maintainer_sees_upload_in_the_queue(service: SubmissionService) -> None:
    receipt = service.receive(ALICE, io.BytesIO(b"q"), "q.zip")
    queued = service.queue(MAINTAINER)
    assert [(s.submission_id, s.state.value) for s in queued] == [
        (receipt.submission_id, "received")
    ]
    assert ledger_of(service).pending_work() == [receipt.submission_id]


def test_a_whole_write_that_fails_keeps_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    write_whole(path, "old")
    with pytest.raises(UnicodeEncodeError):
        write_whole(path, "new \udc80")  # a lone surrogate cannot be written as UTF-8
    assert path.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_writers_of_one_file_never_share_a_temporary(tmp_path: Path) -> None:
    """The worker's status file is written from more than one thread; with a fixed
    'NAME.tmp' one writer's rename could take the other's half-written file."""
    path = tmp_path / "worker-status.json"
    texts = [str(n) * 100_000 for n in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(5):
            list(pool.map(lambda text: write_whole(path, text), texts))
            assert path.read_text(encoding="utf-8") in texts  # always one whole text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["worker-status.json"]
