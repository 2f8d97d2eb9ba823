"""Bounded file access for everything a bundle holds (house style §18).

A bundle is hostile input. In a folder given on the command line a "log" may be a FIFO (a read
would block forever), a link to ``/dev/zero`` (a read never ends) or to a file outside the
bundle, a dangling or self-referencing link, or simply a file of gigabytes. Every read of a
bundle file goes through :func:`read_bytes` / :func:`read_text`, which

- open only regular files (``stat`` after following links, then ``O_NONBLOCK`` so even a file
  swapped for a FIFO between the check and the open cannot block),
- refuse links that lead outside the bundle root,
- read at most ``limit`` bytes and refuse a larger file (its size is part of the message),
- turn every ``OSError`` (``ELOOP``, ``ENOENT``, ``EACCES`` ...) into a :class:`ParseError`
  whose message names the file relative to the bundle, never a server path.
"""

from __future__ import annotations

import errno
import os
import stat
from functools import lru_cache
from pathlib import Path

from validator.parsing import ParseError

KIB = 1024
MIB = 1024 * KIB

# Size caps per kind of file. Real files are far smaller: detail logs ~170 KB (power runs with
# many samples up to ~2 MB), summary logs ~5 KB, JSON documents ~5 KB, accuracy.txt < 1 KB.
DETAIL_LOG_LIMIT = 64 * MIB
TEXT_LIMIT = 8 * MIB
DOCUMENT_LIMIT = 8 * MIB
MAX_LINE_CHARS = 64 * KIB  # longer lines are cut before any regular expression sees them

_REASONS = {
    errno.ELOOP: "is a link that loops",
    errno.ENOENT: "does not exist (a dangling link?)",
    errno.EACCES: "cannot be read (permission denied)",
    errno.EISDIR: "is a folder, not a file",
    errno.ENAMETOOLONG: "has a name that is too long",
}


def _reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno or 0, f"cannot be read ({exc.strerror or 'I/O error'})")


@lru_cache(maxsize=65536)
def _real_folder(folder: str) -> str:
    """``os.path.realpath(folder)``, from its parent's (cached) real path: one ``lstat`` per
    folder instead of one per component (a round has ~28,000 folders)."""
    parent, name = os.path.split(folder)
    if not name or name in (".", "..") or parent == folder or os.path.islink(folder):  # noqa: PTH114
        return os.path.realpath(folder)
    return os.path.join(_real_folder(parent), name)  # noqa: PTH118


def _inside(path: Path, root: Path | None) -> bool:
    """Whether ``path``, all links followed, is inside ``root`` (folders' real paths are
    cached: a bundle's files share a few hundred folders)."""
    if root is None:
        return True
    try:
        # os.path on strings: pathlib objects cost more than the checks they serve here
        folder = _real_folder(os.path.dirname(path))  # noqa: PTH120
        linked = os.path.islink(path)  # noqa: PTH114
        real = os.path.realpath(path) if linked else os.path.join(folder, path.name)  # noqa: PTH118
        base = _real_folder(str(root))
    except (OSError, ValueError):
        return False
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def regular_file_problem(path: Path, root: Path | None = None) -> str | None:
    """Why ``path`` is not a readable regular file inside ``root``, or None when it is."""
    try:
        st = path.stat()
    except OSError as exc:
        return _reason(exc)
    except ValueError:
        return "has an invalid name"
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file (a FIFO, device or folder)"
    if not _inside(path, root):
        return "is a link that leads outside the bundle"
    return None


def read_bytes(path: Path, limit: int, *, root: Path | None = None, label: str = "") -> bytes:
    """At most ``limit`` bytes of the regular file ``path``; a larger file is refused."""
    name = label or path.name
    problem = regular_file_problem(path, root)
    if problem:
        raise ParseError(f"{name} {problem}", hint="Submit the file itself, as a regular file.")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise ParseError(f"{name} {_reason(exc)}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # swapped after the check
            raise ParseError(f"{name} is not a regular file")
        chunks: list[bytes] = []
        total = 0
        # the first read asks for the whole file (and one byte more, so one read and one
        # that finds the end serve a file that does not change, with no copy to join them)
        want = min(max(st.st_size, 0), limit) + 1
        while True:
            chunk = os.read(fd, min(want, limit + 1 - total))
            want = 1 << 20
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise ParseError(
                    f"{name} is larger than {_size(limit)}; this file is never that large",
                    hint="Submit the file as the tool wrote it.",
                )
        return b"".join(chunks)
    except OSError as exc:
        raise ParseError(f"{name} {_reason(exc)}") from None
    finally:
        os.close(fd)


def read_head(path: Path, size: int, *, root: Path | None = None) -> bytes:
    """The first ``size`` bytes of a regular file (fewer when it is shorter)."""
    problem = regular_file_problem(path, root)
    if problem:
        raise ParseError(f"{path.name} {problem}")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise ParseError(f"{path.name} {_reason(exc)}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ParseError(f"{path.name} is not a regular file")
        return os.read(fd, size)
    except OSError as exc:
        raise ParseError(f"{path.name} {_reason(exc)}") from None
    finally:
        os.close(fd)


def read_text(path: Path, limit: int, *, root: Path | None = None, label: str = "") -> str:
    """The file decoded as UTF-8; invalid bytes become U+FFFD (LoadGen writes UTF-8)."""
    return read_bytes(path, limit, root=root, label=label).decode("utf-8", errors="replace")


def read_lines(path: Path, limit: int, *, root: Path | None = None, label: str = "") -> list[str]:
    """The file's lines, each cut to :data:`MAX_LINE_CHARS` (regexes never see more)."""
    return capped_lines(read_text(path, limit, root=root, label=label))


def capped_lines(text: str) -> list[str]:
    """Lines as Python's text-mode iteration yields them (universal newlines: ``\\n``,
    ``\\r\\n`` and ``\\r`` end a line, nothing else), without their ends, each cut to
    :data:`MAX_LINE_CHARS`. The official checker iterates files this way."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    return [line[:MAX_LINE_CHARS] for line in text.split("\n")] if text else []


def _size(n: int) -> str:
    return f"{n // MIB} MiB" if n >= MIB else f"{n // KIB} KiB"
