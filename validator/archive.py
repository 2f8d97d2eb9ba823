"""Safe extraction of submitted archives (.zip, .tar.gz, .tgz).

Every member is vetted before anything is written: no path may leave the extraction folder
(``..``, absolute paths, drive letters), no links, no devices or FIFOs, names must be UTF-8
without control characters, and the totals stay under limits on size, file count and
compression ratio (zip bombs). A refusal is a list of findings, never an exception, and
nothing is written outside ``dest``.
"""

from __future__ import annotations

import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from validator.findings import Finding, finding
from validator.rules import load_common

ZIP_SUFFIXES = (".zip",)
TAR_SUFFIXES = (".tar.gz", ".tgz")
ARCHIVE_SUFFIXES = ZIP_SUFFIXES + TAR_SUFFIXES  # what uploads and the CLI accept
COPY_CHUNK = 1 << 20
SUPPORTED_ZIP_METHODS = (
    zipfile.ZIP_STORED,
    zipfile.ZIP_DEFLATED,
    zipfile.ZIP_BZIP2,
    zipfile.ZIP_LZMA,
)


@dataclass(frozen=True)
class ArchiveLimits:
    max_total_bytes: int = 2 * 1024**3
    max_files: int = 100_000
    max_ratio: float = 200.0  # uncompressed ÷ compressed, per member and in total
    ratio_floor_bytes: int = 1024**2  # small members may compress better than the ratio


def is_archive(path: Path) -> bool:
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def extract_archive(path: Path, dest: Path, limits: ArchiveLimits | None = None) -> list[Finding]:
    """Extract ``path`` into the empty folder ``dest``; return findings (empty when all is well)."""
    limits = limits or ArchiveLimits()
    name = path.name
    try:
        if name.lower().endswith(ZIP_SUFFIXES):
            return _extract_zip(path, dest, limits)
        if name.lower().endswith(TAR_SUFFIXES):
            return _extract_tar(path, dest, limits)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, ValueError) as exc:
        return [finding("archive.corrupt", name, f"{name} cannot be read: {_reason(exc)}")]
    except NotImplementedError as exc:  # a compression method zipfile lacks
        return [finding("archive.unsupported", name, f"{name}: {_reason(exc)}")]
    except OSError as exc:
        # never the exception's text: it names the extraction folder on this server
        reason = exc.strerror or type(exc).__name__
        return [finding("archive.corrupt", name, f"{name} cannot be unpacked here: {reason}")]
    return [finding("archive.unsupported", name, f"{name} is not a .zip, .tar.gz or .tgz file")]


def _reason(exc: BaseException) -> str:
    """A short reason without any path of this server."""
    text = str(exc).split(": '/")[0].split(" '/")[0]
    return text[:200] or type(exc).__name__


def _member_problem(raw_name: str, archive: str) -> Finding | None:
    if any(ord(c) < 32 or c == "\x7f" for c in raw_name) or "\ufffd" in raw_name:
        return finding("archive.bad_name", archive, f"member name {raw_name!r} is not plain UTF-8")
    posix = raw_name.replace("\\", "/")
    if posix.startswith("/") or (len(posix) > 1 and posix[1] == ":"):
        return finding(
            "archive.absolute_path", archive, f"member {raw_name!r} has an absolute path"
        )
    if ".." in PurePosixPath(posix).parts:
        return finding(
            "archive.path_traversal", archive, f"member {raw_name!r} escapes the extraction folder"
        )
    return None


def _safe_target(dest: Path, raw_name: str) -> Path:
    target = (dest / raw_name.replace("\\", "/")).resolve()
    root = dest.resolve()
    if target != root and root not in target.parents:
        raise ValueError(f"member {raw_name!r} escapes the extraction folder")
    return target


def _extract_zip(path: Path, dest: Path, limits: ArchiveLimits) -> list[Finding]:
    archive = path.name
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        problems = _vet_counts(archive, len(infos), total, limits)
        whole = _whole_ratio(archive, total, path.stat().st_size, limits)
        for info in infos:
            name = _zip_name(info)
            problem = _member_problem(name, archive)
            mode = info.external_attr >> 16
            if problem is None and (mode & 0o170000) == 0o120000:
                problem = finding("archive.link", archive, f"member {name!r} is a symbolic link")
            if problem is None and info.flag_bits & 0x1:
                problem = finding(
                    "archive.unsupported",
                    archive,
                    f"member {name!r} is encrypted; upload it unencrypted",
                )
            if problem is None and info.compress_type not in SUPPORTED_ZIP_METHODS:
                problem = finding(
                    "archive.unsupported",
                    archive,
                    f"member {name!r} uses compression method {info.compress_type}; "
                    "use ordinary deflate (any zip tool's default)",
                )
            if problem is None and _is_bomb(info, limits):
                problem = finding(
                    "archive.compression_ratio",
                    archive,
                    f"member {name!r} expands {info.file_size / info.compress_size:.0f}x",
                )
            if problem:
                problems.append(problem)
        if not any(p.code == "archive.compression_ratio" for p in problems):
            problems += whole  # many small members can add up to a bomb too
        if problems:
            return problems
        written = 0
        for info in infos:
            target = _safe_target(dest, _zip_name(info))
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as source, target.open("wb") as sink:
                while chunk := source.read(COPY_CHUNK):
                    written += len(chunk)
                    if written > limits.max_total_bytes:  # sizes in the header can lie
                        return [_too_large(archive, limits)]
                    sink.write(chunk)
    return []


def _is_bomb(info: zipfile.ZipInfo, limits: ArchiveLimits) -> bool:
    if not info.compress_size or info.file_size <= limits.ratio_floor_bytes:
        return False
    return info.file_size / info.compress_size > limits.max_ratio


def _zip_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:
        return info.filename
    try:  # names without the UTF-8 flag were decoded as cp437; they must still be UTF-8
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename + "\ufffd"


def _extract_tar(path: Path, dest: Path, limits: ArchiveLimits) -> list[Finding]:
    archive = path.name
    with tarfile.open(path, mode="r:gz", encoding="utf-8", errors="surrogateescape") as tf:
        members = tf.getmembers()  # reads the whole stream: a truncated archive fails here
        total = sum(m.size for m in members if m.isfile())
        problems = _vet_counts(archive, len(members), total, limits)
        problems += _whole_ratio(archive, total, path.stat().st_size, limits)
        for m in members:
            name = m.name
            if any(0xDC80 <= ord(c) <= 0xDCFF for c in name):
                name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            problem = _member_problem(name, archive)
            if problem is None and (m.issym() or m.islnk()):
                problem = finding("archive.link", archive, f"member {name!r} is a link")
            if problem is None and not (m.isfile() or m.isdir()):
                problem = finding(
                    "archive.special_file", archive, f"member {name!r} is not a regular file"
                )
            if problem:
                problems.append(problem)
        if problems:
            return problems
        for m in members:
            target = _safe_target(dest, m.name)
            if m.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tf.extractfile(m)
            if source is None:
                continue
            with source, target.open("wb") as sink:
                while chunk := source.read(COPY_CHUNK):
                    sink.write(chunk)
    return []


def _whole_ratio(archive: str, total: int, compressed: int, limits: ArchiveLimits) -> list[Finding]:
    """The whole archive's expansion (many small members that each stay under the per-member
    ratio, such as 1,800 files of 1 MiB of zeros, add up to a bomb too)."""
    if total > limits.ratio_floor_bytes and compressed and total / compressed > limits.max_ratio:
        return [
            finding(
                "archive.compression_ratio",
                archive,
                f"unpacks to {total / compressed:.0f} times its size ({total / 1024**2:.0f} MiB)",
            )
        ]
    return []


def _vet_counts(archive: str, count: int, total: int, limits: ArchiveLimits) -> list[Finding]:
    out = []
    if count > limits.max_files:
        out.append(
            finding(
                "archive.too_many_files",
                archive,
                f"{count} members, more than the limit of {limits.max_files}",
            )
        )
    if total > limits.max_total_bytes:
        out.append(_too_large(archive, limits))
    return out


def _too_large(archive: str, limits: ArchiveLimits) -> Finding:
    return finding(
        "archive.too_large",
        archive,
        f"unpacks to more than {limits.max_total_bytes / 1024**3:.1f} GiB",
    )


def bundle_root(extracted: Path) -> Path:
    """Archives often wrap the tree in one folder; descend while that is all there is."""
    current = extracted
    divisions = load_common().divisions
    for _ in range(3):
        entries = [p for p in current.iterdir() if p.name not in ("__MACOSX",)]
        if len(entries) == 1 and entries[0].is_dir() and entries[0].name not in divisions:
            current = entries[0]
        else:
            break
    return current
