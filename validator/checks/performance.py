"""Performance-run checks on ``performance/run_1/mlperf_log_detail.txt`` (spec §4.2)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from validator.checks.context import ResultContext
from validator.findings import Finding
from validator.parsing.loadgen_log import DetailLog

UNCOMMITTED = "Loadgen built with uncommitted changes!"
INFERABLE = {
    ("Offline", "SingleStream"),
    ("Offline", "MultiStream"),
    ("MultiStream", "SingleStream"),
}


def _where(ctx: ResultContext) -> Path:
    return ctx.perf_dir / "mlperf_log_detail.txt"


def check_required_keys(ctx: ResultContext, log: DetailLog) -> Iterator[Finding]:
    needed = [
        "effective_scenario",
        "effective_qsl_rng_seed",
        "effective_sample_index_rng_seed",
        "effective_schedule_rng_seed",
        "effective_performance_sample_count",
        "effective_min_duration_ms",
        "effective_min_query_count",
        "effective_samples_per_query",
    ]
    missing = [key for key in needed if not log.has(key)]
    if missing:
        yield ctx.found("perf.key_missing", _where(ctx), f"missing keys: {', '.join(missing)}")


def check_result_validity(ctx: ResultContext, log: DetailLog) -> Iterator[Finding]:
    validity = log.get("result_validity")
    if validity != "VALID":
        yield ctx.found(
            "perf.result_invalid", _where(ctx), f"result_validity is {validity!r}, not 'VALID'"
        )


def check_loadgen_errors(ctx: ResultContext, log: DetailLog) -> Iterator[Finding]:
    """VALID and errors can coexist (spec §4.2 item 2, §7): count them regardless."""
    errors = list(log.errors)
    if ctx.options.submission_exceptions:
        errors = [e for e in errors if UNCOMMITTED not in e]
    counted = log.get("num_errors")
    if errors or (
        isinstance(counted, int) and counted > 0 and not ctx.options.submission_exceptions
    ):
        total = max(len(errors), counted if isinstance(counted, int) else 0)
        sample = f"; first: {errors[0][:200]!r}" if errors else ""
        yield ctx.found("perf.loadgen_errors", _where(ctx), f"{total} LoadGen errors{sample}")


def check_token_latencies(ctx: ResultContext, log: DetailLog) -> Iterator[Finding]:
    """LLM rule (spec §4.2 item 3): token latencies on; p99 TTFT/TPOT strictly below limits."""
    if ctx.bench is None or not ctx.bench.is_llm:
        return
    if log.get("requested_use_token_latencies") is not True:
        yield ctx.found(
            "perf.token_latencies_disabled",
            _where(ctx),
            f"requested_use_token_latencies is {log.get('requested_use_token_latencies')!r}",
        )
        return
    limit = ctx.bench.token_latency_limits_ns.get(ctx.dirs.scenario)
    if ctx.dirs.scenario == "Offline" or limit is None:
        return
    ttft = log.get("result_first_token_99.00_percentile_latency_ns")
    tpot = log.get("result_time_per_output_token_99.00_percentile_ns")
    if not isinstance(ttft, int | float) or ttft >= limit.ttft:
        yield ctx.found(
            "perf.ttft_p99_exceeded",
            _where(ctx),
            f"p99 TTFT {ttft} ns is not below {limit.ttft} ns ({ctx.dirs.scenario})",
        )
    if not isinstance(tpot, int | float) or tpot >= limit.tpot:
        yield ctx.found(
            "perf.tpot_p99_exceeded",
            _where(ctx),
            f"p99 TPOT {tpot} ns is not below {limit.tpot} ns ({ctx.dirs.scenario})",
        )


def check_equal_issue(ctx: ResultContext, log: DetailLog) -> Iterator[Finding]:
    if ctx.bench is None or ctx.dirs.division not in ctx.bench.equal_issue_required:
        return
    if log.get("effective_sample_concatenate_permutation") is not True:
        yield ctx.found(
            "perf.equal_issue_disabled",
            _where(ctx),
            "effective_sample_concatenate_permutation is "
            f"{log.get('effective_sample_concatenate_permutation')!r}, expected true",
        )


def check_performance_sample_count(ctx: ResultContext, log: DetailLog) -> Iterator[Finding]:
    required = ctx.bench.performance_sample_count if ctx.bench else None
    found = log.get("effective_performance_sample_count")
    if required is not None and isinstance(found, int) and found < required:
        yield ctx.found(
            "perf.performance_sample_count",
            _where(ctx),
            f"performance_sample_count is {found}, needs to be >= {required}",
        )


def check_seeds(ctx: ResultContext, log: DetailLog) -> Iterator[Finding]:
    """The only binding to a round (spec §4.2 item 6)."""
    expected = ctx.rules.seeds
    for key, want in (
        ("qsl_rng_seed", expected.qsl_rng_seed),
        ("sample_index_rng_seed", expected.sample_index_rng_seed),
        ("schedule_rng_seed", expected.schedule_rng_seed),
    ):
        got = log.get(f"effective_{key}")
        if got != want:
            yield ctx.found(
                "perf.seed_mismatch",
                _where(ctx),
                f"{key} is {got}, round {ctx.rules.round} expects {want}",
            )


def check_min_duration(ctx: ResultContext, log: DetailLog) -> Iterator[Finding]:
    found = log.get("effective_min_duration_ms")
    required = ctx.common.min_duration_ms
    if not isinstance(found, int | float) or found < required:
        yield ctx.found(
            "perf.min_duration",
            _where(ctx),
            f"min_duration is {found} ms, needs to be >= {required} ms",
        )


def check_min_queries(ctx: ResultContext, log: DetailLog) -> Iterator[Finding]:
    """Min query count for scenarios without early stopping; Offline samples per query."""
    scenario = log.get("effective_scenario")
    if ctx.bench is None:
        return
    if scenario in ("Offline", "SingleStream"):  # Server and MultiStream use early stopping
        required = ctx.bench.min_query_count.get(scenario)
        found = log.get("effective_min_query_count")
        if required and isinstance(found, int) and found < required:
            yield ctx.found(
                "perf.min_query_count",
                _where(ctx),
                f"min_query_count is {found}, needs to be >= {required}",
            )
    if scenario == "Offline":
        required = ctx.common.offline_min_samples_per_query.get(ctx.mlperf_benchmark)
        found = log.get("effective_samples_per_query")
        if required and isinstance(found, int) and found < required:
            yield ctx.found(
                "perf.offline_samples_per_query",
                _where(ctx),
                f"samples_per_query is {found}, needs to be >= {required}",
            )


def check_early_stopping(ctx: ResultContext, log: DetailLog) -> Iterator[Finding]:
    scenario = log.get("effective_scenario")
    if scenario not in ("Server", "SingleStream", "MultiStream"):
        return
    if log.has("early_stopping_met") and not log.get("early_stopping_met"):
        yield ctx.found(
            "perf.early_stopping_unmet",
            _where(ctx),
            f"early stopping not met: {str(log.get('early_stopping_result', ''))[:200]}",
        )
    limit = ctx.bench.target_latency_ns.get(scenario) if ctx.bench else None
    found = log.get("effective_target_latency_ns")
    if scenario == "Server" and limit and isinstance(found, int | float) and found > limit:
        yield ctx.found(
            "perf.target_latency_exceeded",
            _where(ctx),
            f"effective_target_latency_ns is {found}, limit {limit}",
        )


def check_scenario(ctx: ResultContext, log: DetailLog) -> Iterator[Finding]:
    """Folder scenario vs the logged one (spec §4.2 item 10)."""
    logged = log.get("effective_scenario")
    folder = ctx.dirs.scenario
    if folder == "Interactive":
        if logged != "Server":
            yield ctx.found(
                "perf.interactive_not_server",
                _where(ctx),
                f"the Interactive folder holds a {logged} run",
            )
    elif logged != folder:
        if (folder, logged) in INFERABLE:
            yield ctx.found(
                "perf.scenario_inferred", _where(ctx), f"{folder} result inferred from {logged}"
            )
        else:
            yield ctx.found(
                "perf.scenario_mismatch",
                _where(ctx),
                f"the {folder} folder holds a {logged} run",
            )


def check_network_sut(ctx: ResultContext, log: DetailLog) -> Iterator[Finding]:
    if ctx.dirs.division != "network":
        return
    needle = ctx.common.system_description.network_sut_name_substring
    if needle not in str(log.get("sut_name", "")):
        yield ctx.found(
            "perf.network_sut_name", _where(ctx), f"sut_name is {log.get('sut_name')!r}"
        )


CHECKS: tuple[Callable[[ResultContext, DetailLog], Iterator[Finding]], ...] = (
    check_required_keys,
    check_result_validity,
    check_loadgen_errors,
    check_token_latencies,
    check_equal_issue,
    check_performance_sample_count,
    check_seeds,
    check_min_duration,
    check_min_queries,
    check_early_stopping,
    check_scenario,
    check_network_sut,
)


def result_value(ctx: ResultContext, log: DetailLog) -> tuple[float | None, str, bool]:
    """The reported metric (spec §4.2 item 11), its units and whether it is inferred."""
    logged = str(log.get("effective_scenario"))
    folder = ctx.dirs.scenario
    key = ctx.rules.result_key(ctx.mlperf_benchmark, logged)
    raw = log.get(key) if key else None
    value = float(raw) if isinstance(raw, int | float) else None
    inferred = folder != "Interactive" and folder != logged and (folder, logged) in INFERABLE
    if value is not None and logged in ("SingleStream", "MultiStream") and not inferred:
        value /= 1e6  # ns -> ms
    if inferred:
        value = _inferred_value(folder, logged, log)
    units = ctx.common.units_by_scenario.get(folder, "")
    if key in ctx.common.token_result_keys:
        units = ctx.common.token_units
    return value, units, inferred


def _inferred_value(folder: str, logged: str, log: DetailLog) -> float | None:
    try:
        if folder == "Offline" and logged == "SingleStream":
            return float(log.get("result_qps_without_loadgen_overhead"))
        if folder == "Offline" and logged == "MultiStream":
            latency_ms = float(log.get("result_mean_query_latency_ns")) / 1e6
            return float(log.get("effective_samples_per_query")) * 1000 / latency_ms
        if folder == "MultiStream" and logged == "SingleStream":
            return float(log.get("early_stopping_latency_ms")) * 8 / 1e6
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return None
