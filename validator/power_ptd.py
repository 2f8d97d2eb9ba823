"""Sub-checks of the Power WG script about the power analyzer daemon (PTDaemon): its
version, model and replies (``server.json: ptd_messages``), its configuration
(``ptd_config``) and its own log (``power/ptd_logs.txt``).

Like :mod:`validator.power_session`, each function raises :class:`PowerLogError` saying what
is wrong. The PTD log check mirrors one quirk of the checker exactly: the first warning it
meets ends the check as *passed* (a warning is for the auditor), so later lines are not read.
"""

from __future__ import annotations

from typing import Any

from validator.power_files import (
    PowerLogError,
    detail_log_window,
    read_lines,
    time_utc_seconds,
)
from validator.power_session import Session, show


def check_ptd_messages(session: Session) -> None:
    """PTDaemon identified itself as an accepted version and model, replied as expected to
    every range/start/stop command, and was set back to its initial ranges at the end."""
    rules = session.rules.ptd
    where = session.shown(session.server_path)
    messages = session.server.get("ptd_messages")
    if not isinstance(messages, list) or not all(
        isinstance(m, dict) and isinstance(m.get("cmd"), str) for m in messages
    ):
        raise PowerLogError(f"{where}: ptd_messages must be a list of {{cmd, reply}} objects")
    identify: dict[str, Any] = next((m for m in messages if m["cmd"] == rules.identify_command), {})
    answer = identify.get("reply", "")
    if not isinstance(answer, str) or not answer:
        raise PowerLogError(f"{where}: PTDaemon did not answer the 'Identify' command")
    version = ptd_version(answer, rules.version_marker)
    model = answer.split(",", 1)[0]
    if version not in session.rules.round.ptd_versions:
        raise PowerLogError(
            f"{where}: PTDaemon version {show(version)} is not accepted in "
            f"{session.rules.round_name} (only {', '.join(session.rules.round.ptd_versions)})"
        )
    if model not in rules.meter_models:
        raise PowerLogError(f"{where}: power meter {show(model)} is not a supported model")
    for prefix, expected in rules.replies:
        _check_replies(messages, prefix, expected, session)
    _check_initial_ranges(messages, session)


def ptd_version(identify: str, marker: str) -> str:
    """The text between ``version=`` and the next ``-`` on the same line (at least one
    character), as the checker's ``(?<=version=)(.+?)-`` finds it; ``""`` when there is none.

    Scanned in one pass: if an occurrence has no such ``-``, no later one on its line has.
    """
    start = 0
    while (hit := identify.find(marker, start)) >= 0:
        text_start = hit + len(marker)
        line_end = identify.find("\n", text_start)
        line_end = len(identify) if line_end < 0 else line_end
        dash = identify.find("-", text_start + 1, line_end)
        if text_start < line_end and dash >= 0:
            return identify[text_start:dash]
        start = line_end
        if line_end >= len(identify):
            break
    return ""


def _check_replies(
    messages: list[dict[str, Any]], prefix: str, expected: str, session: Session
) -> None:
    rules = session.rules.ptd
    stops = 0
    for message in messages:
        command = message["cmd"]
        if not command.startswith(prefix):
            continue
        if command == rules.stop_command:
            stops += 1
            if stops >= rules.late_stop_from:
                expected = rules.late_stop_reply
        if message.get("reply", _MISSING) != expected:
            raise PowerLogError(
                f"{session.shown(session.server_path)}: PTDaemon replied "
                f"{show(message.get('reply'))} to {show(command)}, expected {expected!r}"
            )


_MISSING = object()


def _check_initial_ranges(messages: list[dict[str, Any]], session: Session) -> None:
    rules = session.rules.ptd
    where = session.shown(session.server_path)
    index = rules.ranges_message_index
    reply = messages[index].get("reply") if len(messages) > index else None
    if not isinstance(reply, str):
        raise PowerLogError(f"{where}: message {index} holds no range reply")
    fields = reply.split(",")
    amps = _initial_range(fields, rules.amps_range_field, rules.auto_range, where)
    volts = _initial_range(fields, rules.volts_range_field, rules.auto_range, where)
    restored = [
        _nth_command(messages, rules.amps_command, n, where)
        for n in session.rules.round.amps_range_command_positions
    ]
    if f"{rules.amps_command},{amps}" not in restored:
        raise PowerLogError(
            f"{where}: the Amps range was not set back to its initial value "
            f"'{rules.amps_command},{show(amps)[1:-1]}' (got {', '.join(map(show, restored))})"
        )
    volts_command = _nth_command(
        messages, rules.volts_command, rules.volts_range_command_position, where
    )
    if volts_command != f"{rules.volts_command},{volts}":
        raise PowerLogError(
            f"{where}: the Volts range was not set back to its initial value "
            f"'{rules.volts_command},{show(volts)[1:-1]}' (got {show(volts_command)})"
        )


def _initial_range(fields: list[str], index: int, auto: str, where: str) -> str:
    """A fixed range is written ``0,<value>`` (value > 0); anything else means auto range."""
    if index >= len(fields):
        raise PowerLogError(f"{where}: the initial ranges cannot be read from the RR reply")
    if fields[index] != "0":
        return auto
    try:
        if float(fields[index + 1]) > 0:
            return fields[index + 1]
    except (IndexError, ValueError) as exc:
        raise PowerLogError(f"{where}: the initial ranges cannot be read from the reply") from exc
    return auto


def _nth_command(messages: list[dict[str, Any]], prefix: str, position: int, where: str) -> str:
    count = 0
    for message in messages:
        if message["cmd"].startswith(prefix):
            count += 1
            if count == position:
                return str(message["cmd"])  # checked to be a text when read
    raise PowerLogError(f"{where}: there is no command number {position} starting {prefix!r}")


def check_ptd_config(session: Session) -> None:
    """Every configured analyzer is a supported device type; a multichannel one measures
    exactly two channels."""
    rules = session.rules.ptd
    where = session.shown(session.server_path)
    if "ptd_config" not in session.server:
        raise PowerLogError(f"{where} has no ptd_config")
    config = session.server["ptd_config"]
    if session.rules.round.ptd_config_shape == "single":
        analyzers = [config]
    elif isinstance(config, list | dict | str):
        analyzers = list(config)  # a dict or text yields names, which are no analyzers
    else:
        raise PowerLogError(f"{where}: ptd_config must be a list of analyzers")
    supported = tuple(rules.meter_models.values())
    for analyzer in analyzers:
        if not isinstance(analyzer, dict) or "device_type" not in analyzer:
            raise PowerLogError(f"{where}: an analyzer in ptd_config has no device_type")
        device = analyzer["device_type"]
        if device not in supported:
            raise PowerLogError(f"{where}: PTD device type {show(device)} is not supported")
        if device == rules.multichannel_device_type and not _two_channels(analyzer, rules):
            raise PowerLogError(
                f"{where}: device type {rules.multichannel_device_type} must measure "
                f"{rules.multichannel_channels} channels"
            )


def _two_channels(analyzer: dict[str, Any], rules: Any) -> bool:
    if "command" not in analyzer or "channel" not in analyzer:
        return False
    command = analyzer["command"]
    if not isinstance(command, list):
        return False  # text or an object never holds the option as one element
    channels: Any = ""
    if rules.channels_option in command:
        at = command.index(rules.channels_option)
        if at + 1 >= len(command):
            return False
        channels = command[at + 1]
    if not isinstance(channels, str) or len(channels.split(",")) != rules.multichannel_channels:
        return False
    listed = analyzer["channel"]
    return isinstance(listed, list | str | dict) and len(listed) == rules.multichannel_channels


def check_ptd_log(session: Session) -> None:
    """The PTD log shows the ranging run, uncertainty checking switched on before it, and no
    error outside the expected ranging ones (nor an uncertainty warning during the load)."""
    rules = session.rules
    log_rules = rules.ptd_log
    mark = f"{session.server['session_name']}{log_rules.ranging_mark_suffix}"
    load_begin, load_end = detail_log_window(
        session.performance_dir / rules.session.testing_dir, rules, session.bundle
    )
    _check_timezone(session)
    path = session.performance_dir / "power" / "ptd_logs.txt"
    where = session.shown(path)
    lines = read_lines(path, rules.limits, session.bundle)
    stamps = _Stamps(session, where)
    begin, end = _ranging_window(lines, log_rules.go_with_mark + repr(mark), session, stamps)
    for line in lines:
        if rules.uncertainty_activated.search(line):
            if not stamps.time(line) < begin:
                raise PowerLogError(f"{where}: uncertainty checking started after ranging began")
            break
    else:
        raise PowerLogError(f"{where}: uncertainty checking was never activated")
    markers = ((log_rules.warning_marker, False), (log_rules.error_marker, True))
    for line in lines:
        if log_rules.warning_marker not in line and log_rules.error_marker not in line:
            continue  # what _after_marker finds nothing in (most lines)
        for marker, is_error in markers:
            text = _after_marker(line, marker) if marker in line else None
            if text is None:
                continue
            moment = stamps.time(line)
            problem = text.strip()
            if is_error:
                if problem in log_rules.accepted_errors:
                    return  # accepted as a warning: the checker stops reading here
                if not begin < moment < end:
                    raise PowerLogError(f"{where}: {show(line.strip(), 120)} outside ranging")
                if not problem.startswith(log_rules.ranging_errors):
                    return  # an unusual ranging error is only a warning: the checker stops
            elif load_begin + log_rules.load_margin < moment < load_end - log_rules.load_margin:
                if rules.uncertainty_error.search(problem):
                    raise PowerLogError(f"{where}: {show(line.strip(), 120)} during the test")
                return  # a warning during the load: the checker stops reading here


def _check_timezone(session: Session) -> None:
    value = session.server["timezone"]
    try:
        float(int(value))  # the checker adds it to a float time: it must convert
    except (TypeError, ValueError, OverflowError) as exc:
        raise PowerLogError(
            f"{session.shown(session.server_path)}: timezone {show(value)} is not a whole number"
        ) from exc


def _ranging_window(
    lines: list[str], go_line: str, session: Session, stamps: _Stamps
) -> tuple[float, float]:
    """Times of the first ``Go with mark '<session>_ranging'`` and the next ``Completed test``."""
    completed = session.rules.ptd_log.completed
    begin: float | None = None
    for line in lines:
        message = stamps.message(line)
        if message is None:
            continue
        if not begin and message == go_line:
            begin = stamps.time(line)
        if begin and message == completed:
            return begin, stamps.time(line)
    raise PowerLogError(
        f"{stamps.where}: the ranging run (Go with mark ... Completed test) is not there"
    )


class _Stamps:
    """The time stamps of one PTD log's lines, each read once: the ranging search, the
    uncertainty check and the error scan meet the same lines (~10,000 in a log)."""

    def __init__(self, session: Session, where: str) -> None:
        self.where = where
        self._pattern = session.rules.log_timestamp
        self._format = session.rules.ptd_log.timestamp_format
        self._read: dict[str, tuple[float, int] | None] = {}

    def _stamp(self, line: str) -> tuple[float, int] | None:
        """(the time, where the stamp ends), None when the line has none; an invalid stamp
        raises (nothing is kept of it, so it raises again when asked again)."""
        if line in self._read:
            return self._read[line]
        found = self._pattern.search(line)
        read: tuple[float, int] | None = None
        if found is not None:
            stamp = found.group(0)
            try:
                read = (time_utc_seconds(stamp, self._format), found.end())
            except (ValueError, OverflowError) as exc:
                raise PowerLogError(f"{self.where}: {stamp!r} is not a valid time") from exc
        self._read[line] = read
        return read

    def message(self, line: str) -> str | None:
        """The text after the line's time stamp, stripped; the whole line when it has no
        time stamp; None when nothing follows the stamp."""
        read = self._stamp(line)
        if read is None:
            return line
        rest = line[read[1] :]
        if not rest or rest[0] == "\n":
            return None
        return rest.split("\n", 1)[0].strip()

    def time(self, line: str) -> float:
        read = self._stamp(line)
        if read is None:
            raise PowerLogError(f"{self.where}: {show(line.strip(), 80)} has no time stamp")
        return read[0]


def _after_marker(line: str, marker: str) -> str | None:
    """What follows the first ``marker`` on the line (to the line end), if anything does."""
    start = 0
    while (hit := line.find(marker, start)) >= 0:
        text_start = hit + len(marker)
        if text_start < len(line) and line[text_start] != "\n":
            return line[text_start:].split("\n", 1)[0]
        start = hit + 1
    return None
