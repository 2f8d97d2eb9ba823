"""Power measurements of a result (spec §4.6): the metric from ``spl.txt`` and the Power WG's
log checks.

Interim: the metric is complete; the PTD log checks are being written (see the power branch).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from validator.parsing import ParseError
from validator.parsing.files import TEXT_LIMIT, read_lines
from validator.parsing.loadgen_log import read_detail_log

TIME_FORMAT = "%m-%d-%Y %H:%M:%S.%f"
WATT_SCENARIOS = ("Offline", "Server", "Interactive")


@dataclass(frozen=True)
class PowerProblem:
    rule: str
    message: str


def check_power_logs(performance_dir: Path, round_name: str, root: Path) -> list[PowerProblem]:
    return []


def _time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.strptime(text, TIME_FORMAT)
    except ValueError:
        return None


def power_metric(
    run_dir: Path,
    scenario_folder: str,
    logged_scenario: str,
    result_value: float | None,
    round_name: str,
    root: Path,
) -> tuple[float | None, str | None]:
    """The checker's power metric: mean watts of the spl.txt samples strictly inside
    power_begin..power_end (Offline/Server/Interactive), or millijoules per query
    (SingleStream/MultiStream)."""
    try:
        log = read_detail_log(run_dir / "mlperf_log_detail.txt", root)
        lines = read_lines(run_dir / "spl.txt", TEXT_LIMIT, root=root)
    except ParseError as exc:
        return None, exc.message
    begin, end = _time(log.get("power_begin")), _time(log.get("power_end"))
    if begin is None or end is None:
        return None, "power_begin/power_end are missing from the detail log"
    if scenario_folder == "Interactive" and round_name in ("v5.1",):
        return None, "the v5.1 checker accepts no power result for the Interactive scenario"
    samples: list[float] = []
    for line in lines:
        if not line.startswith("Time"):
            continue
        fields = line.split(",")
        if len(fields) < 4:
            return None, "spl.txt has a malformed 'Time' line"
        stamp = _time(fields[1])
        try:
            watts = float(fields[3])
        except ValueError:
            return None, f"spl.txt: {fields[3][:40]!r} is not a number"
        if stamp is None:
            return None, f"spl.txt: {fields[1][:40]!r} is not a time"
        if begin < stamp < end and watts > 0:
            samples.append(watts)
    if not samples:
        return None, "no power samples fall between power_begin and power_end"
    average = sum(samples) / len(samples)
    if scenario_folder in WATT_SCENARIOS:
        return average, None
    duration = (end - begin).total_seconds()
    queries = log.get("result_query_count")
    try:
        count = int(queries)
    except (TypeError, ValueError):
        return None, f"result_query_count is {queries!r}"
    if count == 0:
        return None, "result_query_count is 0"
    per_query = 8 if scenario_folder == "MultiStream" and logged_scenario == "SingleStream" else 1
    value = average * duration * per_query * 1000 / count
    return (value if math.isfinite(value) else None), None
