"""The number a result reports (spec §4.2 item 11), exactly as the round's checker derives it,
with its unit and direction.

The checker takes ``float()`` of the round's result key for the scenario LoadGen ran (a
benchmark may override the key), converts SingleStream/MultiStream latencies from ns to ms
(wan-2.2: to s), and infers Offline or MultiStream results from a SingleStream/MultiStream
run. It prints the value with Python's ``str``. Non-finite values survive ``float()`` there;
here they are kept as text for the official CSV and never become a number of the report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from validator.checks.context import ResultContext
from validator.parsing.loadgen_log import DetailLog
from validator.rules import higher_is_better

NS_PER_MS = 1_000_000
MS_PER_S = 1000
SECONDS_BENCHMARKS = ("wan-2.2-t2v-a14b",)


@dataclass(frozen=True)
class ReportedValue:
    raw: float | None  # what the checker computes (may be NaN or infinite); None: it raises
    problem: str  # why the checker cannot compute it (empty when it can)
    key: str | None
    inferred: bool  # the checker's inferred flag (classic) / an inferred value (package)
    inferred_column: bool  # the CSV's inferred column as that checker writes it
    units: str  # what the number is, ours (tokens/s even where the official label differs)
    summary_units: str  # the official CSV's label
    higher_is_better: bool

    @property
    def finite(self) -> float | None:
        return self.raw if self.raw is not None and math.isfinite(self.raw) else None

    @property
    def official_text(self) -> str:
        return "" if self.raw is None else str(self.raw)


def _float(value: Any) -> float | None:
    """Python's ``float(value)``, or None where it raises."""
    if isinstance(value, bool | int | float):
        try:
            return float(value)
        except OverflowError:
            return None
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _inferred(
    folder: str, logged: str, res: float, log: DetailLog
) -> tuple[float | None, bool, str]:
    """(value, inferred, problem) for a folder scenario that differs from the logged one."""
    try:
        if folder == "Offline" and logged == "SingleStream":
            return _float(log.get("result_qps_without_loadgen_overhead")), True, ""
        if folder == "Offline" and logged == "MultiStream":
            samples = _float(log.get("effective_samples_per_query"))
            mean = _float(log.get("result_mean_query_latency_ns"))
            if samples is None or mean is None:
                return None, True, "the values to infer an Offline result from are missing"
            return samples * MS_PER_S / (mean / NS_PER_MS), True, ""
        if folder == "MultiStream" and logged == "SingleStream":
            latency = _float(log.get("early_stopping_latency_ms"))
            if latency is None:
                return None, True, "early_stopping_latency_ms is missing"
            return latency * 8 / NS_PER_MS, True, ""
    except ZeroDivisionError:
        return None, True, "the mean latency is 0: no Offline result can be inferred"
    return res, False, ""


def reported_value(ctx: ResultContext) -> ReportedValue:
    log = ctx.log
    folder = ctx.dirs.scenario
    summary_units = ctx.common.units_by_scenario.get(folder, "")
    by_folder = ctx.rules.checker.units_by == "folder"
    unit_rules = ctx.rules.benchmark(ctx.dirs.benchmark) if by_folder else ctx.bench
    if unit_rules is not None and folder in unit_rules.units:
        summary_units = unit_rules.units[folder]
    logged = ctx.logged_scenario or ""
    key = ctx.rules.result_key(ctx.mlperf_benchmark, logged) if logged else None
    units = ctx.common.token_units if key in ctx.common.token_result_keys else summary_units
    latency = not higher_is_better(folder)
    if latency:
        units = "Latency (s)" if ctx.mlperf_benchmark in SECONDS_BENCHMARKS else "Latency (ms)"
    package = ctx.rules.checker.style == "package"
    column = (
        package
        and (ctx.dirs.scenario_dir != logged)
        and (logged, ctx.dirs.scenario_dir) != ("server", "interactive")
    )
    described = ReportedValue(
        None,
        "",
        key=key,
        inferred=False,
        inferred_column=column,
        units=units,
        summary_units=summary_units,
        higher_is_better=not latency,
    )
    if log is None or key is None:
        problem = (
            "no performance log"
            if log is None
            else f"the round has no result key for a {logged!r} run"
        )
        return replace(described, problem=problem)
    res = _float(log.get(key))
    if res is None:
        return replace(described, problem=f"{key} is {log.get(key)!r}, not a number")
    if not higher_is_better(logged):
        res /= NS_PER_MS
        if package and ctx.mlperf_benchmark in SECONDS_BENCHMARKS:
            res /= MS_PER_S
    differs = logged.lower() != ctx.dirs.scenario_dir.lower() if package else folder != logged
    if differs and (logged, folder) != ("Server", "Interactive"):
        value, inferred, problem = _inferred(folder, logged, res, log)
        return replace(
            described,
            raw=value,
            problem=problem,
            inferred=inferred,
            inferred_column=column or (not package and inferred),
        )
    return replace(described, raw=res)
