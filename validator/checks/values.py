"""The reported number itself: the checker must be able to compute it, and it must be a number
that can be true.

Official: a result key that is absent or not a number makes the checker's ``float()`` raise
(the result fails); a result of exactly 0 gets no summary row up to v5.1 and fails the run's
exit status in v6.0. Inferboard: every measured value (the result, throughputs, latencies,
TTFT/TPOT) is finite and positive, which no official checker tests (``float('nan')`` and
``1e999`` pass it, and NaN would sort first on a leaderboard).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

from validator.checks.context import ResultContext
from validator.checks.registry import Level, check
from validator.findings import Finding
from validator.result_value import reported_value

# detail-log keys that hold measured quantities which must be finite and positive
MEASURED_KEYS = (
    "result_samples_per_second",
    "result_tokens_per_second",
    "result_completed_samples_per_sec",
    "result_completed_tokens_per_second",
    "result_scheduled_samples_per_sec",
    "result_inferred_tokens_per_second",
    "result_inferred_completed_tokens_per_second",
    "result_first_token_99.00_percentile_latency_ns",
    "result_time_per_output_token_99.00_percentile_ns",
    "result_99.00_percentile_latency_ns",
    "result_90.00_percentile_latency_ns",
    "result_mean_latency_ns",
)


def _where(ctx: ResultContext) -> Path:
    return ctx.perf_dir / "mlperf_log_detail.txt"


@check(Level.RESULT, codes=("perf.result_value_unavailable", "perf.result_zero"))
def check_reported_value(ctx: ResultContext) -> Iterator[Finding]:
    if ctx.log is None:
        return
    value = reported_value(ctx)
    if value.raw is None:
        yield ctx.found("perf.result_value_unavailable", _where(ctx), value.problem)
    elif value.raw == 0:
        keeps_row = not ctx.rules.checker.zero_result_has_no_row
        yield ctx.found(
            "perf.result_zero",
            _where(ctx),
            f"the result ({value.key}) is 0"
            + (": the official checker writes its row but fails the run" if keeps_row else ""),
            voids=not keeps_row,
        )


# counts LoadGen writes as integers: a fraction or a text is not a count
COUNT_KEYS = (
    "effective_performance_sample_count",
    "effective_samples_per_query",
    "effective_min_query_count",
    "effective_min_duration_ms",
    "result_query_count",
    "qsl_reported_total_count",
)


@check(Level.RESULT, codes=("truth.count_not_integer",))
def check_counts_are_integers(ctx: ResultContext) -> Iterator[Finding]:
    log = ctx.log
    if log is None:
        return
    for key in COUNT_KEYS:
        if not log.has(key):
            continue
        value = log.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            yield ctx.truth(
                "truth.count_not_integer",
                _where(ctx),
                f"{key} is {str(value)[:40]!r}, not a whole number",
            )


@check(Level.RESULT, codes=("truth.value_not_finite", "truth.value_not_positive"))
def check_numbers_can_be_true(ctx: ResultContext) -> Iterator[Finding]:
    log = ctx.log
    if log is None:
        return
    value = reported_value(ctx)
    if value.raw is not None and not math.isfinite(value.raw):
        yield ctx.truth(
            "truth.value_not_finite",
            _where(ctx),
            f"the result is {value.raw!r}, not a finite number",
        )
    elif value.raw is not None and value.raw <= 0:
        yield ctx.truth("truth.value_not_positive", _where(ctx), f"the result is {value.raw!r}")
    for key in MEASURED_KEYS:
        raw = log.get(key)
        if raw is None or isinstance(raw, bool) or not isinstance(raw, int | float):
            continue
        if not math.isfinite(raw):
            yield ctx.truth("truth.value_not_finite", _where(ctx), f"{key} is {raw!r}")
        elif raw <= 0:
            yield ctx.truth(
                "truth.value_not_positive", _where(ctx), f"{key} is {raw!r}, not positive"
            )


@check(Level.RESULT, codes=("structure.scenario_name_unknown",))
def check_scenario_name_reportable(ctx: ResultContext) -> Iterator[Finding]:
    """The summary row's unit is looked up by the scenario folder's name, among the round's
    scenarios in their own spelling or all in lower case (the classic checkers after mapping
    the lower-case names, v6.0 with both spellings in one table): any other name raises when
    the row is written, which voids the result. (A closed folder the classic checkers do not
    recognise is skipped before that: structure.scenario_not_allowed.)"""
    name = ctx.dirs.scenario_dir
    known = ctx.rules.checker.summary_scenarios
    if name in known or name in {s.lower() for s in known}:
        return
    if ctx.rules.checker.style == "classic" and ctx.is_closed_or_network:
        return
    yield ctx.found(
        "structure.scenario_name_unknown",
        ctx.dirs.results,
        f"{name!r} is not a scenario name of {ctx.rules.round} ({', '.join(known)}, or in "
        "lower case): the official checker has no unit for it and stops with an exception "
        "when it writes this result's summary row",
    )
