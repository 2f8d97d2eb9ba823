"""Hostile and broken archives end rejected with the archive finding as their report, and
nothing is written outside the submission's own folders."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from submissions.worker import Worker
from tests.submissions.conftest import ALICE, MAINTAINER, Reconfigure


def _zip(entries: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo("closed/link")
            info.external_attr = 0o120777 << 16
            zf.writestr(info, symlink)
    return buffer.getvalue()


def _tar(members: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(
        fileobj=buffer, mode="w:gz", format=tarfile.GNU_FORMAT, errors="surrogateescape"
    ) as tf:
        for info, data in members:
            info.size = len(data) if info.isfile() else 0
            tf.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return buffer.getvalue()


def _file(name: str) -> tarfile.TarInfo:
    return tarfile.TarInfo(name)


def _link(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info


def hostile_archives(tmp_path: Path) -> dict[str, tuple[str, bytes, str]]:
    """label -> (file name, bytes, the finding code it must produce)."""
    good_tar = _tar([(_file(f"closed/X/file{i}.txt"), os.urandom(2000)) for i in range(40)])
    return {
        "path traversal": (
            "traversal.zip",
            _zip({"closed/ok.txt": b"ok", "../../../../evil.txt": b"escaped"}),
            "archive.path_traversal",
        ),
        "absolute path": (
            "absolute.tar.gz",
            _tar([(_file(str(tmp_path / "abs-evil.txt")), b"escaped")]),
            "archive.absolute_path",
        ),
        "symlink (tar)": (
            "symlink.tgz",
            _tar([(_link("closed/passwd", "/etc/passwd"), b"")]),
            "archive.link",
        ),
        "symlink (zip)": ("symlink.zip", _zip({}, symlink="/etc/passwd"), "archive.link"),
        "zip bomb": (
            "bomb.zip",
            _zip({"closed/zeros.bin": bytes(20 * 2**20)}),
            "archive.compression_ratio",
        ),
        "too many files": (
            "many.zip",
            _zip({f"closed/f{i}.txt": b"x" for i in range(60)}),
            "archive.too_many_files",
        ),
        "non-UTF-8 name": (
            "latin1.tar.gz",
            _tar([(_file("closed/caf\udce9.txt"), b"x")]),
            "archive.bad_name",
        ),
        "truncated": ("truncated.tar.gz", good_tar[: len(good_tar) // 2], "archive.corrupt"),
        "not an archive": ("bundle.zip", b"this is just text, not a zip\n" * 20, "archive.corrupt"),
    }


def _files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _outside_storage(tmp_path: Path) -> set[str]:
    """Files of the test folder that are neither storage nor the database."""
    return {
        p for p in _files_under(tmp_path) if not p.startswith(("storage/", "inferboard.duckdb"))
    }


@pytest.mark.slow  # nine validator child processes: 6-12 s on 2 cores
def test_each_hostile_archive_is_refused_and_nothing_escapes(
    service, reconfigured: Reconfigure, tmp_path: Path
) -> None:
    guarded = reconfigured(archive_max_files=50)
    outside_before = _outside_storage(tmp_path)
    archives = hostile_archives(tmp_path)
    ids = {}
    for label, (name, data, _) in archives.items():
        ids[label] = guarded.receive(ALICE, io.BytesIO(data), name).submission_id
    assert Worker(guarded, guarded.settings).run_until_idle() == len(archives)

    outcome = {}
    for label, sid in ids.items():
        s = guarded.get(ALICE, sid)
        report = guarded.report(ALICE, sid)
        outcome[label] = (
            s.state.value,
            s.verdict,
            sorted({f.code for f in report.findings}) if report else [],
            s.decision_reason.startswith("archive refused: "),
        )
    expected = {
        label: ("rejected_by_validator", "rejected", [code], True)
        for label, (_, _, code) in archives.items()
    }
    assert outcome == expected

    # nothing outside the storage folder, and inside it only the expected places
    assert not (tmp_path / "evil.txt").exists()
    assert not (tmp_path / "abs-evil.txt").exists()
    assert not list(tmp_path.rglob("evil.txt"))
    assert not Path("/etc/passwd").is_symlink()
    inside = _files_under(guarded.settings.storage_dir)
    allowed_prefixes = ("blobs/", "submissions/", "work/", "incoming/")
    unexpected = {p for p in inside if not p.startswith(allowed_prefixes)} - {
        "audit-head.json",
        "audit.key",
        "worker-status.json",
    }
    assert unexpected == set()
    assert {p for p in inside if p.startswith("submissions/")} == {
        f"submissions/{sid}/report.json" for sid in ids.values()
    }
    assert not [p for p in inside if p.startswith("work/")]  # scratch removed after refusal
    assert _outside_storage(tmp_path) == outside_before
    assert guarded.verify_audit_chain(MAINTAINER).problems == []
