"""Files of the workflow, all under ``settings.storage_dir`` and nowhere else.

Layout::

    storage_dir/
      incoming/<random>.part        an upload being spooled (removed or renamed at the end)
      blobs/<aa>/<sha256>           the bundle as received: content-addressed, read-only, shared
                                    by every submission of the same bytes, never rewritten
      logs/<aa>/<sha256>            whole accuracy logs uploaded beside a submission, stored the
                                    same way (outside the bundle, which they never change)
      submissions/<id>/             what the work produced: report.json, summary.csv,
                                    reproduction.json (each written whole, by rename)
      work/<id>/                    scratch: the archive extracted for validation; rebuilt by
                                    each attempt, removed once the submission is decided
      worker-status.json            what the worker is doing now (for operators and tests)

Uploads arrive from the browser as a stream that sits in memory (environment notes,
"Streamlit"); :func:`spool` copies it to disk in chunks while hashing and counting, so the
size limit holds however large the upload claims to be. User-supplied file names never become
paths: blobs are named by hash, folders by submission id.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from submissions.errors import SubmissionError
from validator.archive import ARCHIVE_SUFFIXES

CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class Spooled:
    """An upload on disk, hashed and counted, not yet stored as a blob."""

    path: Path
    sha256: str
    size_bytes: int


def archive_suffix(filename: str) -> str:
    """The archive suffix of an uploaded file name, or :class:`SubmissionError` saying which."""
    lowered = filename.strip().lower()
    for suffix in ARCHIVE_SUFFIXES:
        if lowered.endswith(suffix) and len(lowered) > len(suffix):
            return suffix
    raise SubmissionError(
        "upload.format",
        f"{display_name(filename)!r} is not a bundle archive: upload the MLPerf tree as a "
        ".zip, .tar.gz or .tgz file",
    )


def write_whole(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: a uniquely named temporary file in the
    same folder, flushed to disk, then renamed over ``path``. A killed process leaves the old
    file or the new one, never half of one; two writers of the same file never share a
    temporary name. (Every JSON file of the workflow, and its children's outputs.)"""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(0o644)  # mkstemp makes 0600; operators read these files
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def display_name(filename: str) -> str:
    """The last path component of an uploaded name, without control characters, at most 200
    characters: kept for people to read, never used to build a path."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c if c.isprintable() else "_" for c in base).strip()
    return cleaned[:200] or "upload"


class Storage:
    """The folder tree above; every path it returns lies inside ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    # ----------------------------------------------------------------------- uploads
    def spool(self, stream: BinaryIO, max_bytes: int) -> Spooled:
        """Copy ``stream`` to ``incoming/`` in chunks, hashing and counting as it goes.

        Over ``max_bytes`` the partial file is removed and ``upload.too_large`` raised, so a
        refused upload leaves nothing behind.
        """
        incoming = self._folder("incoming")
        digest = hashlib.sha256()
        size = 0
        handle, name = tempfile.mkstemp(dir=incoming, suffix=".part")
        path = Path(name)
        try:
            with os.fdopen(handle, "wb") as sink:
                while chunk := stream.read(CHUNK_BYTES):
                    size += len(chunk)
                    if size > max_bytes:
                        raise SubmissionError(
                            "upload.too_large",
                            f"the upload is larger than the limit of {_mib(max_bytes)}; remove "
                            "files the rules do not ask for (full accuracy logs go to the "
                            "reviewer separately) or ask a maintainer to raise the limit",
                        )
                    digest.update(chunk)
                    sink.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return Spooled(path=path, sha256=digest.hexdigest(), size_bytes=size)

    def store_blob(self, spooled: Spooled) -> Path:
        """Move a spooled upload to its content address; identical bytes are kept once."""
        return _keep_once(spooled, self.blob_path(spooled.sha256))

    def store_accuracy_log(self, spooled: Spooled) -> Path:
        """A whole accuracy log under its content address (``logs/``), read-only."""
        return _keep_once(spooled, self.accuracy_log_path(spooled.sha256))

    def accuracy_log_path(self, sha256: str) -> Path:
        return self.blob_path(sha256).parents[2] / "logs" / sha256[:2] / sha256

    def discard(self, spooled: Spooled) -> None:
        spooled.path.unlink(missing_ok=True)

    def blob_path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise SubmissionError("storage.bad_hash", f"{sha256!r} is not a sha256 hex digest")
        return self.root / "blobs" / sha256[:2] / sha256

    # ----------------------------------------------------------------------- per submission
    def submission_dir(self, submission_id: int) -> Path:
        return self._folder("submissions", str(int(submission_id)))

    def work_dir(self, submission_id: int, *, fresh: bool = False) -> Path:
        """Scratch folder of one submission; ``fresh`` empties it first (a retried step)."""
        path = self.root / "work" / str(int(submission_id))
        if fresh and path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def remove_work_dir(self, submission_id: int) -> None:
        shutil.rmtree(self.root / "work" / str(int(submission_id)), ignore_errors=True)

    def write_json(self, path: Path, data: Any) -> None:
        """Write whole or not at all (rename), so a killed process never leaves half a file."""
        self._check_inside(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_whole(path, json.dumps(data, indent=2, sort_keys=True))

    def read_json(self, path: Path) -> Any | None:
        self._check_inside(path)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    # ----------------------------------------------------------------------- helpers
    def _folder(self, *parts: str) -> Path:
        path = self.root.joinpath(*parts)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _check_inside(self, path: Path) -> None:
        resolved = path.resolve()
        if resolved != self.root and self.root not in resolved.parents:
            raise SubmissionError(
                "storage.outside", f"{path} is outside the storage folder {self.root}"
            )


def _keep_once(spooled: Spooled, target: Path) -> Path:
    """``spooled`` at its content address ``target``, read-only; bytes already stored there
    are kept and the spooled copy dropped."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        spooled.path.unlink(missing_ok=True)
        return target
    spooled.path.chmod(0o444)
    spooled.path.replace(target)
    return target


def _mib(size: int) -> str:
    return f"{size / 2**20:.0f} MiB" if size >= 2**20 else f"{size} bytes"
