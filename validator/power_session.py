"""Sub-checks of the Power WG script that compare the two session descriptors
(``power/client.json`` and ``power/server.json``) with each other and with the result files.

Each function checks one rule and raises :class:`PowerLogError` with what is wrong; the
caller (:mod:`validator.power_logs`) turns that into a problem. The descriptors are plain
JSON, so every value is checked for type before use, with Python's own equality where the
official script compares values (so ``1`` equals ``1.0``, as it does for the checker).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from validator.power_files import (
    Bundle,
    PowerLogError,
    detail_log_window,
    hash_tree,
    microseconds,
    read_lines,
    time_microseconds,
)
from validator.power_rules import PowerRules


@dataclass(frozen=True)
class Session:
    """What every sub-check may look at."""

    client: dict[str, Any]
    server: dict[str, Any]
    client_path: Path
    server_path: Path
    performance_dir: Path
    rules: PowerRules
    bundle: Bundle

    def shown(self, path: Path) -> str:
        return self.bundle.shown(path)


def show(value: Any, limit: int = 60) -> str:
    """A value from a file, quoted and cut short, safe to put in a message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_sources(session: Session, side: str) -> None:
    """The PTD client/server code that ran is one of the released versions (by checksums)."""
    document, path = _side(session, side)
    sources = document["sources"]
    if sources in session.rules.expected_sources:
        return
    detail = ""
    if isinstance(sources, dict):
        expected = session.rules.expected_sources[-1]
        changed = sorted(
            str(name) for name in sources.keys() | expected.keys()
            if sources.get(name) != expected.get(name)
        )  # fmt: skip
        detail = f" (differs in {', '.join(changed[:5])}{', ...' if len(changed) > 5 else ''})"
    raise PowerLogError(
        f"{session.shown(path)}: the sources checksums are not those of a PTD client/server "
        f"release accepted in {session.rules.round_name}{detail}"
    )


def _side(session: Session, side: str) -> tuple[dict[str, Any], Path]:
    if side == "client":
        return session.client, session.client_path
    return session.server, session.server_path


def check_uuid(session: Session) -> None:
    """client.json and server.json name the same client and server UUIDs."""
    for role in ("client", "server"):
        mine = _uuid(session.client, role, session, session.client_path)
        theirs = _uuid(session.server, role, session, session.server_path)
        if mine != theirs:
            raise PowerLogError(
                f"{session.shown(session.client_path)} and {session.shown(session.server_path)} "
                f"name different {role} UUIDs ({mine} and {theirs})"
            )


def _uuid(document: dict[str, Any], role: str, session: Session, path: Path) -> uuid.UUID:
    ids = document["uuid"]
    value = ids.get(role) if isinstance(ids, dict) else None
    if not isinstance(value, str):
        raise PowerLogError(f"{session.shown(path)}: uuid.{role} is missing or not text")
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise PowerLogError(f"{session.shown(path)}: uuid.{role} {show(value)} is no UUID") from exc


def check_session_name(session: Session) -> None:
    client_name, server_name = session.client["session_name"], session.server["session_name"]
    if client_name != server_name:
        raise PowerLogError(
            f"{session.shown(session.client_path)} names session {show(client_name)} but "
            f"{session.shown(session.server_path)} names {show(server_name)}"
        )


def check_messages(session: Session) -> None:
    """The client and the server logged the same commands and replies, and ran the same
    protocol version."""
    client_msgs, server_msgs = session.client["messages"], session.server["messages"]
    where = f"{session.shown(session.client_path)} and {session.shown(session.server_path)}"
    if not isinstance(client_msgs, list) or not isinstance(server_msgs, list):
        raise PowerLogError(f"{where}: 'messages' must be lists")
    if len(client_msgs) != len(server_msgs) or not server_msgs:
        raise PowerLogError(
            f"{where} log {len(client_msgs)} and {len(server_msgs)} messages; "
            "both sides must log the same, non-empty exchange"
        )
    unchecked = session.rules.session.unchecked_reply_command
    for index, (mine, theirs) in enumerate(zip(client_msgs, server_msgs, strict=True)):
        if not (isinstance(mine, dict) and isinstance(theirs, dict)):
            raise PowerLogError(f"{where}: message {index} is not an object")
        if "cmd" not in mine or "cmd" not in theirs or mine["cmd"] != theirs["cmd"]:
            raise PowerLogError(f"{where}: command {index} differs or is missing")
        if unchecked != mine["cmd"] and (
            "reply" not in mine or "reply" not in theirs or mine["reply"] != theirs["reply"]
        ):
            raise PowerLogError(f"{where}: the replies to command {index} differ or are missing")
    first = server_msgs[0]
    rules = session.rules
    client_version = _protocol_version(rules.client_version, first.get("cmd"))
    server_version = _protocol_version(rules.server_version, first.get("reply"))
    if client_version is None or server_version is None or client_version != server_version:
        raise PowerLogError(
            f"{session.shown(session.server_path)}: the first message does not show matching "
            f"client and server versions ({show(first.get('cmd'))} / {show(first.get('reply'))})"
        )


def _protocol_version(pattern: Any, text: Any) -> str | None:
    if not isinstance(text, str):
        return None
    found = pattern.search(text)
    return found.group(1) if found else None


def check_debug(session: Session) -> None:
    if session.server.get("debug", False) is not False:
        raise PowerLogError(f"{session.shown(session.server_path)}: the server ran in debug mode")


def check_results(session: Session) -> None:
    """The hashes the session recorded match the result files, and every file is there."""
    rules = session.rules.session
    required = set(rules.result_files) - set(rules.unhashed_result_files)
    computed = hash_tree(session.performance_dir, required, session.rules.limits, session.bundle)
    recorded: dict[str, Any] = {}
    for side in ("server", "client"):
        document, path = _side(session, side)
        results = document["results"]
        if not isinstance(results, dict):
            raise PowerLogError(f"{session.shown(path)}: 'results' must be an object")
        mine = {name: value for name, value in results.items() if name in required}
        for name in mine.keys() & recorded.keys():
            if mine[name] != recorded[name]:
                raise PowerLogError(
                    f"{session.shown(session.client_path)} and "
                    f"{session.shown(session.server_path)} record different checksums for {name}"
                )
        recorded = {**mine, **recorded}  # the server's value wins, as for the checker
    missing = sorted(required - recorded.keys())
    if missing:
        raise PowerLogError(
            f"{session.shown(session.server_path)} + client.json record no checksum for "
            f"{', '.join(missing)}"
        )
    absent = sorted(required - computed.keys())
    if absent:
        shown = ", ".join(session.shown(session.performance_dir / name) for name in absent)
        raise PowerLogError(f"the power measurement lacks {shown}")
    for name in sorted(required):
        if recorded[name] != computed[name]:
            raise PowerLogError(
                f"{session.shown(session.performance_dir / name)} changed after the measurement: "
                f"SHA-1 {computed[name]}, the session recorded {show(recorded[name], 48)}"
            )


def check_phases(session: Session) -> None:
    """Client and server agree on the phase times; each LoadGen run lies inside its phase; the
    testing run draws no less power on average than the ranging run (5% margin)."""
    rules = session.rules
    ranging, testing = rules.session.ranging_dir, rules.session.testing_dir
    client_phases = _phase_table(session.client, session, session.client_path)
    server_phases = _phase_table(session.server, session, session.server_path)
    for mode in ("ranging", "testing"):
        _compare_phase_starts(client_phases[mode], server_phases[mode], mode, session)
    windows = {}
    for mode, folder in (("ranging", ranging), ("testing", testing)):
        windows[mode] = detail_log_window(session.performance_dir / folder, rules, session.bundle)
    for mode in ("ranging", "testing"):
        _inside_phase(windows[mode], client_phases[mode], mode, session)
    ranging_span = windows["ranging"][1] - windows["ranging"][0]
    testing_span = windows["testing"][1] - windows["testing"][0]
    if ranging_span == 0:
        raise PowerLogError(f"{session.shown(session.performance_dir)}: the ranging run lasted 0 s")
    if (ranging_span - testing_span) / ranging_span > rules.phases.duration_warning_ratio:
        return  # the checker only warns here, and skips the power comparison below
    ranging_watts = _average_watts(session, ranging, windows["ranging"])
    testing_watts = _average_watts(session, testing, windows["testing"])
    if ranging_watts == 0:
        raise PowerLogError(f"{session.shown(session.performance_dir)}: ranging power is 0 W")
    delta = round((testing_watts / ranging_watts - 1) * 100, 2)
    if not delta > rules.phases.min_power_delta_percent:
        raise PowerLogError(
            f"{session.shown(session.performance_dir)}: average power while testing "
            f"({testing_watts} W) differs by {delta}% from the ranging run's "
            f"({ranging_watts} W); it may not be {-rules.phases.min_power_delta_percent}% "
            "lower or more"
        )


def _phase_table(
    document: dict[str, Any], session: Session, path: Path
) -> dict[str, list[list[Any]]]:
    phases = document["phases"]
    table = {}
    for mode in ("ranging", "testing"):
        rows = phases.get(mode) if isinstance(phases, dict) else None
        if not isinstance(rows, list) or not all(
            isinstance(row, list) and row and _is_number(row[0]) for row in rows
        ):
            raise PowerLogError(
                f"{session.shown(path)}: phases.{mode} must be a list of [time, ...] entries"
            )
        table[mode] = rows
    return table


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float)  # JSON true/false count, as in Python arithmetic


def _compare_phase_starts(
    client: list[list[Any]], server: list[list[Any]], mode: str, session: Session
) -> None:
    if len(client) != len(server):
        raise PowerLogError(
            f"{session.shown(session.client_path)} and {session.shown(session.server_path)} "
            f"list {len(client)} and {len(server)} {mode} phases"
        )
    tolerance_ms = session.rules.phases.tolerance_ms
    for number, (mine, theirs) in enumerate(zip(client, server, strict=True), start=1):
        try:
            apart = abs(mine[0] - theirs[0])
        except OverflowError as exc:
            raise PowerLogError(
                f"{session.shown(session.client_path)}: phase {number} of {mode} has a time "
                "out of range"
            ) from exc
        if not apart <= tolerance_ms / 1000:
            raise PowerLogError(
                f"{session.shown(session.client_path)} and {session.shown(session.server_path)}: "
                f"phase {number} of {mode} starts {apart * 1000:.0f} ms apart "
                f"(at most {tolerance_ms} ms)"
            )


def _inside_phase(
    window: tuple[float, float], rows: list[list[Any]], mode: str, session: Session
) -> None:
    shift = session.rules.phases.dst_shift_s
    first = rows[1][0] if len(rows) > 1 else None
    last = rows[2][0] if len(rows) > 2 else None
    for label, moment in zip(("begin", "end"), window, strict=True):
        if (
            first is None
            or last is None
            or not (first < moment < last or first < moment - shift < last)
        ):
            raise PowerLogError(
                f"{session.shown(session.client_path)}: the LoadGen {mode} run's {label} time "
                f"is outside the {mode} phase"
            )


def _average_watts(session: Session, folder: str, window: tuple[float, float]) -> float:
    """Average of the positive power samples of spl.txt inside the LoadGen window, rounded to
    5 decimals; -1.0 when there is none (the checker goes on with that value)."""
    rules = session.rules
    path = session.performance_dir / folder / "spl.txt"
    try:
        begin = datetime.fromtimestamp(window[0], tz=UTC)
        end = datetime.fromtimestamp(window[1], tz=UTC)
    except (OverflowError, ValueError, OSError) as exc:
        raise PowerLogError(f"{session.shown(path)}: the LoadGen window is out of range") from exc
    watts: list[float] = []
    phases = rules.phases
    time_format = rules.ptd_log.timestamp_format
    first, last = microseconds(begin.replace(tzinfo=None)), microseconds(end.replace(tzinfo=None))
    for number, line in enumerate(read_lines(path, rules.limits, session.bundle), start=1):
        if not line.startswith(phases.sample_prefix):
            continue
        fields = line.split(",")
        try:  # the sample's time read as UTC, between the window's (whole microseconds)
            if first < time_microseconds(fields[phases.time_field], time_format) < last:
                sample = float(fields[phases.watts_field])
                float(fields[phases.power_factor_field])  # read (and so required) by the checker
                if sample > 0:
                    watts.append(sample)
        except (IndexError, ValueError) as exc:
            raise PowerLogError(f"{session.shown(path)} line {number} is not a sample") from exc
    average = sum(watts) / len(watts) if watts else -1.0
    return round(average, 5)
