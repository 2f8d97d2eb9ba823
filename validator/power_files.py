"""Bounded reading of the files of a power measurement (house style §18).

The Power WG script opens files with Python's text mode: UTF-8, universal newlines (``\\r\\n``
and a lone ``\\r`` end a line, like ``\\n``), strict decoding. We read them the same way so
that a file it rejects we reject, but only regular files, each under a size cap and with a
cap on line length. Anything we cannot read becomes a :class:`PowerLogError` naming the file
relative to the bundle root; the check that read it turns that into a problem.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from validator.parsing import ParseError, files
from validator.power_rules import Limits, PowerRules

_HASH_BLOCK = 1 << 20
# "%m-%d-%Y %H:%M:%S.%f" never matches more than 26 characters; longer text is not a time.
_MAX_TIME_TEXT = 64


class PowerLogError(Exception):
    """One sub-check cannot pass; the message is for the submitter (no server path)."""


class Bundle:
    """Names files the way a submitter sees them: relative to the bundle root."""

    def __init__(self, root: Path, performance_dir: Path) -> None:
        self.root = root
        self.performance_dir = performance_dir

    def shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            try:
                return "performance/" + path.relative_to(self.performance_dir).as_posix()
            except ValueError:
                return path.name


def _stat_regular(path: Path, cap: int, bundle: Bundle) -> None:
    """The path is (or links to) a regular file inside the bundle, no larger than ``cap``
    (the validator's own test of a file, :func:`files.regular_file_problem`)."""
    problem = files.regular_file_problem(path, bundle.root)
    if problem:
        raise PowerLogError(f"{bundle.shown(path)} {problem}")
    if path.stat().st_size > cap:
        raise PowerLogError(f"{bundle.shown(path)} is larger than {cap // 2**20} MiB")


def read_bytes(path: Path, cap: int, bundle: Bundle) -> bytes:
    """The file through the validator's one bounded reader (a regular file inside the bundle,
    opened without blocking, at most ``cap`` bytes): the checker follows links, so we do too,
    but never to a folder, device or pipe, nor out of the bundle."""
    try:
        return files.read_bytes(path, cap, root=bundle.root, label=bundle.shown(path))
    except ParseError as exc:
        raise PowerLogError(exc.message) from exc


def read_text(path: Path, limits: Limits, bundle: Bundle) -> str:
    data = read_bytes(path, limits.text_bytes, bundle)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PowerLogError(
            f"{bundle.shown(path)} is not UTF-8 text (byte {exc.start} cannot be decoded)"
        ) from exc


def read_lines(path: Path, limits: Limits, bundle: Bundle) -> list[str]:
    """Every line with its ending as ``\\n``, as Python's text mode iterates a file."""
    text = read_text(path, limits, bundle).replace("\r\n", "\n").replace("\r", "\n")
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    longest = max((len(line) for line in lines), default=0)
    if longest > limits.line_chars:
        raise PowerLogError(
            f"{bundle.shown(path)} has a line of {longest} characters "
            f"(more than {limits.line_chars})"
        )
    return lines


def read_json(path: Path, limits: Limits, bundle: Bundle) -> Any:
    data = read_bytes(path, limits.json_bytes, bundle)
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PowerLogError(f"{bundle.shown(path)} is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise PowerLogError(
            f"{bundle.shown(path)} is not valid JSON ({exc.msg} at line {exc.lineno})"
        ) from exc
    except (ValueError, RecursionError) as exc:  # a number too long, nesting too deep
        raise PowerLogError(f"{bundle.shown(path)} is not valid JSON ({exc})") from exc


# The PTD format, and the pattern CPython's strptime builds for it (_strptime.TimeRE, compiled
# with IGNORECASE, so \d is any Unicode digit as there): a power log holds ~10,000 stamps and
# strptime's per-call locale and cache work was half the validator's time on a whole round.
PTD_TIME_FORMAT = "%m-%d-%Y %H:%M:%S.%f"
_PTD_TIME = re.compile(
    r"(?P<m>1[0-2]|0[1-9]|[1-9])-(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])-(?P<Y>\d\d\d\d)"
    r"\s+(?P<H>2[0-3]|[0-1]\d|\d):(?P<M>[0-5]\d|\d):(?P<S>6[0-1]|[0-5]\d|\d)"
    r"\.(?P<f>[0-9]{1,6})",
    re.IGNORECASE,
)


def parse_time(text: str, time_format: str) -> datetime:
    """``strptime`` as the checker calls it; ``ValueError`` when the text is not such a time.
    The PTD format is matched with strptime's own pattern and built as strptime builds it
    (tests compare the two on generated text); anything else goes to strptime itself."""
    if len(text) > _MAX_TIME_TEXT:
        raise ValueError("too long for a time")
    if time_format == PTD_TIME_FORMAT and (found := _PTD_TIME.fullmatch(text)):
        fraction = found["f"]
        return datetime(  # raises ValueError where strptime does (30 February, second 60)
            int(found["Y"]),
            int(found["m"]),
            int(found["d"]),
            int(found["H"]),
            int(found["M"]),
            int(found["S"]),
            int(fraction + "0" * (6 - len(fraction))),
        )
    return datetime.strptime(text, time_format)


_EPOCH = datetime(1970, 1, 1)
_ONE_MICROSECOND = timedelta(microseconds=1)
_MICROSECONDS_PER_DAY = 86_400_000_000
_MAX_CACHED_DAYS = 4096
# date text (month, day, year as matched) -> microseconds from the epoch to that midnight
_DAY_STARTS: dict[tuple[str, str, str], int] = {}


def utc_seconds(moment: datetime) -> float:
    """The checker reads every log time as UTC: ``moment.replace(tzinfo=UTC).timestamp()``,
    which is exactly this difference from the epoch (without building an aware datetime per
    log line)."""
    return (moment - _EPOCH).total_seconds()


def microseconds(moment: datetime) -> int:
    """Whole microseconds from the epoch to ``moment`` (naive, read as UTC): an exact integer,
    so comparing two of them is comparing the datetimes."""
    return (moment - _EPOCH) // _ONE_MICROSECOND


def time_microseconds(text: str, time_format: str) -> int:
    """``microseconds(parse_time(text, time_format))``, raising where ``parse_time`` raises.

    A power log holds ~10,000 stamps of a few days: for the PTD format the day is checked and
    placed once (``datetime`` builds it, so 30 February raises as it does), and each stamp
    adds its time of day; a second of 60 or 61 (which strptime's pattern matches and
    ``datetime`` refuses), an unknown day and any other format take ``parse_time`` itself.
    Tests compare both ways on generated stamps."""
    if time_format == PTD_TIME_FORMAT and len(text) <= _MAX_TIME_TEXT:
        found = _PTD_TIME.fullmatch(text)
        if found is not None:
            month, day, year, hour, minute, second, fraction = found.groups()
            day_start = _DAY_STARTS.get((month, day, year))
            seconds = int(second)
            if day_start is not None and seconds < 60:
                return (
                    day_start
                    + ((int(hour) * 60 + int(minute)) * 60 + seconds) * 1_000_000
                    + int(fraction.ljust(6, "0"))
                )
            moment = parse_time(text, time_format)
            if len(_DAY_STARTS) >= _MAX_CACHED_DAYS:
                _DAY_STARTS.clear()  # a hostile log of many days: bounded memory
            _DAY_STARTS[(month, day, year)] = microseconds(
                moment.replace(hour=0, minute=0, second=0, microsecond=0)
            )
            return microseconds(moment)
    return microseconds(parse_time(text, time_format))


def time_utc_seconds(text: str, time_format: str) -> float:
    """``utc_seconds(parse_time(text, time_format))``, the same float (``total_seconds`` is
    this integer division of whole microseconds), raising where ``parse_time`` raises."""
    return time_microseconds(text, time_format) / 1_000_000


def detail_log_window(run_dir: Path, rules: PowerRules, bundle: Bundle) -> tuple[float, float]:
    """The LoadGen run's ``power_begin`` and ``power_end`` as the Power WG script finds them.

    It scans ``mlperf_log_detail.txt`` line by line for the words (any case), takes the first
    ``D-D-D D:D:D.D`` on that line (each D any run of digits, also empty), and stops as soon as
    both are non-zero; a later line of the same kind overwrites an earlier one until then.
    Because it stops early, bytes after that point are never decoded: we read through the same
    text layer so that a bad byte counts exactly when it counts for the checker.
    """
    path = run_dir / "mlperf_log_detail.txt"
    limits = rules.limits
    _stat_regular(path, limits.text_bytes, bundle)
    begin: float | None = None
    end: float | None = None
    phases = rules.phases
    try:
        with path.open(encoding="utf-8") as handle:
            while line := handle.readline(limits.line_chars + 1):
                if len(line) > limits.line_chars and not line.endswith("\n"):
                    raise PowerLogError(
                        f"{bundle.shown(path)} has a line longer than {limits.line_chars} "
                        "characters"
                    )
                lowered = line.lower()
                if phases.begin_key in lowered:
                    begin = _detail_time(line, path, rules, bundle)
                elif phases.end_key in lowered:
                    end = _detail_time(line, path, rules, bundle)
                if begin and end:
                    break
    except OSError as exc:
        raise PowerLogError(f"{bundle.shown(path)} cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise PowerLogError(f"{bundle.shown(path)} is not UTF-8 text") from exc
    if begin is None:
        raise PowerLogError(f"{bundle.shown(path)} has no {phases.begin_key} time")
    if end is None:
        raise PowerLogError(f"{bundle.shown(path)} has no {phases.end_key} time")
    return begin, end


def _detail_time(line: str, path: Path, rules: PowerRules, bundle: Bundle) -> float:
    found = rules.detail_timestamp.search(line)
    if found is None:
        raise PowerLogError(f"{bundle.shown(path)}: a power_begin/power_end line has no time")
    try:
        return time_utc_seconds(found.group(0), rules.ptd_log.timestamp_format)
    except (ValueError, OverflowError) as exc:
        raise PowerLogError(
            f"{bundle.shown(path)}: {found.group(0)[:40]!r} is not a time "
            f"in the form {rules.ptd_log.timestamp_format}"
        ) from exc


def hash_tree(
    performance_dir: Path, wanted: set[str], limits: Limits, bundle: Bundle
) -> dict[str, str]:
    """SHA-1 of the ``wanted`` files under ``performance/`` (paths joined with ``/``).

    The checker hashes every file of the folder (not following linked folders), so a file it
    cannot open fails the check even when nobody asked for its hash: every other file is
    opened too. Links are followed to files, not to folders (as ``os.walk`` does); special
    files are refused.
    """
    hashes: dict[str, str] = {}
    seen = 0
    pending: list[tuple[Path, str, int]] = [(performance_dir, "", 0)]
    while pending:
        folder, prefix, depth = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue  # os.walk skips a folder it cannot list, and so does the checker
        for entry in entries:
            seen += 1
            if seen > limits.tree_entries:
                raise PowerLogError(
                    f"{bundle.shown(performance_dir)} holds more than {limits.tree_entries} entries"
                )
            relative = prefix + entry.name
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                if depth + 1 >= limits.tree_depth:
                    raise PowerLogError(f"{bundle.shown(path)} is nested too deep")
                pending.append((path, relative + "/", depth + 1))
            elif entry.is_symlink() and entry.is_dir():
                continue  # os.walk lists a linked folder but does not enter it
            elif relative in wanted:
                hashes[relative] = _sha1(path, limits, bundle)
            else:
                _stat_regular(path, 1 << 62, bundle)
                try:
                    path.open("rb").close()
                except OSError as exc:
                    raise PowerLogError(
                        f"{bundle.shown(path)} cannot be read ({exc.strerror})"
                    ) from exc
    return hashes


def _sha1(path: Path, limits: Limits, bundle: Bundle) -> str:
    _stat_regular(path, limits.hashed_bytes, bundle)
    digest = hashlib.sha1(usedforsecurity=False)
    total = 0
    try:
        with path.open("rb") as handle:
            while block := handle.read(_HASH_BLOCK):
                total += len(block)
                if total > limits.hashed_bytes:
                    raise PowerLogError(f"{bundle.shown(path)} grew beyond the size cap")
                digest.update(block)
    except OSError as exc:
        raise PowerLogError(f"{bundle.shown(path)} cannot be read ({exc.strerror})") from exc
    return digest.hexdigest()
