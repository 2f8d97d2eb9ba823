"""The power metric of a result, as the official checker computes it for its summary CSV
(spec §1.3.W step 2): from the samples of ``spl.txt`` strictly between the detail log's
``power_begin`` and ``power_end`` whose power is positive.

Offline and Server (and Interactive from v6.0): the average power in watts. SingleStream and
MultiStream: the energy per query in millijoules, average watts x duration x 1000 / query
count, with a MultiStream result measured in SingleStream counting the 8 samples of a query.
The float operations are the checker's, in its order, so ``str(value)`` equals its CSV text.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from validator.power_files import (
    Bundle,
    PowerLogError,
    microseconds,
    parse_time,
    read_lines,
    time_microseconds,
)
from validator.power_rules import PowerRules


def compute_power_metric(
    run_dir: Path,
    scenario: str,
    logged_scenario: object,
    result_value: float | None,
    rules: PowerRules,
    bundle: Bundle,
) -> float:
    metric = rules.round.metric
    time_format = rules.ptd_log.timestamp_format
    detail = run_dir / "mlperf_log_detail.txt"
    values = _first_values(
        detail,
        (rules.phases.begin_key, rules.phases.end_key, metric.query_count_key),
        rules,
        bundle,
    )
    begin = _log_time(values[0], rules.phases.begin_key, detail, time_format, bundle)
    end = _log_time(values[1], rules.phases.end_key, detail, time_format, bundle)
    spl = run_dir / "spl.txt"
    watts = _samples(spl, begin, end, rules, bundle)
    if not watts:
        raise PowerLogError(
            f"{bundle.shown(spl)} has no power sample between power_begin ({begin}) and "
            f"power_end ({end}) of {bundle.shown(detail)}"
        )
    average = sum(watts) / len(watts)
    duration = (end - begin).total_seconds()
    fold = str.lower if metric.scenario_case_insensitive else str
    if fold(scenario) in {fold(name) for name in metric.watts_scenarios}:
        if not isinstance(result_value, int | float):
            raise PowerLogError(
                f"{bundle.shown(run_dir)}: no performance result to relate the power to"
            )
        return average
    per_query = {fold(name): n for name, n in metric.samples_per_query.items()}
    if fold(scenario) not in per_query:
        raise PowerLogError(
            f"{bundle.shown(run_dir)}: the checker of {rules.round_name} computes no power "
            f"metric for the {scenario} scenario"
        )
    queries = _query_count(values[2], metric.query_count_key, detail, bundle)
    if queries == 0:
        raise PowerLogError(f"{bundle.shown(detail)}: {metric.query_count_key} is 0")
    energy = average * duration * 1000 / queries
    samples = per_query[fold(scenario)]
    measured_as = {fold(k): v for k, v in metric.multiplied_when_logged_as.items()}
    if fold(scenario) in measured_as and _same_scenario(
        logged_scenario, measured_as[fold(scenario)], metric.scenario_case_insensitive, detail,
        bundle,
    ):  # fmt: skip
        energy = average * duration * samples * 1000 / queries
    if energy == 0:
        raise PowerLogError(f"{bundle.shown(run_dir)}: the energy per query is 0 mJ")
    return energy


def _same_scenario(
    logged: object, name: str, case_insensitive: bool, detail: Path, bundle: Bundle
) -> bool:
    if not case_insensitive:
        return logged == name
    if not isinstance(logged, str):
        raise PowerLogError(f"{bundle.shown(detail)}: effective_scenario is not text")
    return logged.lower() == name.lower()


def _query_count(value: Any, key: str, detail: Path, bundle: Bundle) -> int:
    try:
        if isinstance(value, str | int | float):
            return int(value)
    except (ValueError, OverflowError):
        pass
    raise PowerLogError(f"{bundle.shown(detail)}: {key} {str(value)[:40]!r} is not a count")


def _log_time(value: Any, key: str, detail: Path, time_format: str, bundle: Bundle) -> datetime:
    if not isinstance(value, str):
        raise PowerLogError(f"{bundle.shown(detail)} has no {key} time")
    try:
        return parse_time(value, time_format)
    except ValueError as exc:
        raise PowerLogError(
            f"{bundle.shown(detail)}: {key} {value[:40]!r} is not a time in the form {time_format}"
        ) from exc


def _first_values(
    detail: Path, keys: tuple[str, ...], rules: PowerRules, bundle: Bundle
) -> list[Any]:
    """The first value of each key (``None`` if absent), after the whole log parsed as the
    checker parses it: every entry line must be a JSON object with a key."""
    metric = rules.round.metric
    lines = read_lines(detail, rules.limits, bundle)
    markers = metric.log_markers
    if metric.first_line_marker_required and lines:
        first = lines[0].rstrip()
        markers = tuple(m for m in markers if first.startswith(m))[:1]
        if not markers:
            raise PowerLogError(f"{bundle.shown(detail)}: the first line is not a log entry")
    found: dict[str, Any] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        marker = next((m for m in markers if line.startswith(m)), None)
        if marker is None:
            continue
        try:
            entry = json.loads(line[len(marker) :])
        except (ValueError, RecursionError):
            entry = None
        key = entry.get("key") if isinstance(entry, dict) else None
        if not isinstance(key, str | int | float | None) or "key" not in (entry or {}):
            raise PowerLogError(f"{bundle.shown(detail)} line {number} is not a log entry")
        if key in keys and key not in found:
            found[key] = entry.get("value", _NO_VALUE)  # an error only where it is used
    return [found.get(key) for key in keys]


_NO_VALUE = object()


def _samples(
    spl: Path, begin: datetime, end: datetime, rules: PowerRules, bundle: Bundle
) -> list[float]:
    phases = rules.phases
    time_format = rules.ptd_log.timestamp_format
    first, last = microseconds(begin), microseconds(end)
    watts = []
    for number, line in enumerate(read_lines(spl, rules.limits, bundle), start=1):
        if not line.startswith(phases.sample_prefix):
            continue
        fields = line.split(",")
        try:  # the sample's time between the window's (whole microseconds)
            if first < time_microseconds(fields[phases.time_field], time_format) < last:
                sample = float(fields[phases.watts_field])
                if sample > 0:
                    watts.append(sample)
        except (IndexError, ValueError) as exc:
            raise PowerLogError(f"{bundle.shown(spl)} line {number} is not a sample") from exc
    return watts
