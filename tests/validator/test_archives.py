"""Archives: a real bundle validates from .zip and .tar.gz; hostile and broken archives are
refused with a finding naming the problem, and nothing is written outside the extraction."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.validator.conftest import PARTIAL, copy_bundle
from validator import Options, validate_path
from validator.archive import ArchiveLimits, extract_archive


def zip_tree(root: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(root.rglob("*")):
            zf.write(path, path.relative_to(root).as_posix())
    return out


def test_zip_of_a_real_bundle_validates(bundles_dir: Path, tmp_path: Path) -> None:
    root = copy_bundle(bundles_dir, "v5.1-AMD", tmp_path / "tree")
    report = validate_path(zip_tree(root, tmp_path / "amd.zip"), Options(**PARTIAL))
    assert report.verdict == "accepted" and len(report.results) == 3


def test_tar_gz_with_a_wrapping_folder_validates(bundles_dir: Path, tmp_path: Path) -> None:
    root = copy_bundle(bundles_dir, "v6.0-Intel", tmp_path / "tree")
    out = tmp_path / "intel.tgz"
    with tarfile.open(out, "w:gz") as tf:
        tf.add(root, arcname="submission")
    report = validate_path(out, Options(**PARTIAL))
    assert report.verdict == "accepted" and len(report.results) == 2


def _tar_with(out: Path, *members: tuple[tarfile.TarInfo, bytes | None]) -> Path:
    with tarfile.open(out, "w:gz") as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return out


def _file(name: str, data: bytes = b"x") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _special(name: str, kind: bytes, target: str = "") -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info, None


HOSTILE_TARS = {
    "archive.path_traversal": [_file("closed/../../escape.txt")],
    "archive.absolute_path": [_file("/etc/inferboard-test")],
    "archive.link": [_special("closed/link", tarfile.SYMTYPE, "/etc/passwd")],
    "archive.special_file": [_special("closed/dev", tarfile.CHRTYPE)],
}


@pytest.mark.parametrize("code", sorted(HOSTILE_TARS))
def test_hostile_tar_is_refused_and_writes_nothing(code: str, tmp_path: Path) -> None:
    archive = _tar_with(tmp_path / "bad.tar.gz", _file("closed/A/ok.txt"), *HOSTILE_TARS[code])
    dest = tmp_path / "dest"
    dest.mkdir()
    report = validate_path(archive)
    assert {f.code for f in report.findings} == {code}
    assert report.verdict == "rejected" and report.findings[0].path == "bad.tar.gz"
    findings = extract_archive(archive, dest)
    assert [f.code for f in findings] == [code]
    assert list(dest.iterdir()) == []  # vetted before anything is written
    assert not (tmp_path / "escape.txt").exists()


def test_hard_link_in_tar_is_refused(tmp_path: Path) -> None:
    archive = _tar_with(
        tmp_path / "h.tgz", _file("a.txt"), _special("b.txt", tarfile.LNKTYPE, "a.txt")
    )
    assert [f.code for f in validate_path(archive).findings] == ["archive.link"]


def test_zip_traversal_and_symlink_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "evil.zip"
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("../outside.txt", "x")
        link = zipfile.ZipInfo("closed/link")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
    codes = [f.code for f in validate_path(out).findings]
    assert codes == ["archive.path_traversal", "archive.link"]
    assert not (tmp_path / "outside.txt").exists()


def test_zip_bomb_is_refused_by_ratio(tmp_path: Path) -> None:
    out = tmp_path / "bomb.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("closed/zeros.bin", b"\0" * (20 * 1024**2))
    assert [f.code for f in validate_path(out).findings] == ["archive.compression_ratio"]


def test_too_many_files_and_too_large(tmp_path: Path) -> None:
    out = tmp_path / "many.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for i in range(20):
            zf.writestr(f"closed/f{i}.txt", "0123456789")
    limits = ArchiveLimits(max_files=10, max_total_bytes=100)
    codes = {f.code for f in extract_archive(out, tmp_path / "d", limits)}
    assert codes == {"archive.too_many_files", "archive.too_large"}


def test_non_utf8_member_name_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "names.zip"
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("closed/cafX.txt", "x")
    # a Latin-1 byte without the UTF-8 flag, as old Windows zip tools write names
    out.write_bytes(out.read_bytes().replace(b"cafX", b"caf\xe9"))
    assert [f.code for f in validate_path(out).findings] == ["archive.bad_name"]


def test_truncated_archive_is_reported_as_corrupt(bundles_dir: Path, tmp_path: Path) -> None:
    root = copy_bundle(bundles_dir, "v6.0-Intel", tmp_path / "tree")
    whole = tmp_path / "whole.tar.gz"
    with tarfile.open(whole, "w:gz") as tf:
        tf.add(root, arcname=".")
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    findings = validate_path(cut).findings
    assert [f.code for f in findings] == ["archive.corrupt"]
    assert "cut.tar.gz" in findings[0].message


@pytest.mark.parametrize("name", ["notes.txt", "bundle.zip", "bundle.tar.gz"])
def test_garbage_is_not_an_archive(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(b"this is not an archive")
    codes = [f.code for f in validate_path(path).findings]
    assert codes == (["archive.unsupported"] if name.endswith(".txt") else ["archive.corrupt"])
