"""Performance-run checks on ``performance/run_1/mlperf_log_detail.txt`` (spec §4.2).

Each rule is reproduced as the round's checker applies it, including where the rounds differ
(``rules.checker``): in v6.0 ``result_validity`` is never read, LoadGen errors only count with
``--submission-exceptions``, an unmet early-stopping condition fails the result and the token
latency limits are those of the logged scenario. Where the official checker lets something
pass that is not true of the run (LoadGen's own INVALID, logged errors, a folder holding a run
of another scenario), an Inferboard finding says so.

The checker compares raw JSON values with Python's operators, so a value of the wrong type
makes it raise and the result fail: :func:`compare` reproduces that ("not a number").
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from validator.checks.context import ResultContext
from validator.checks.registry import Level, check
from validator.codes import Verdict
from validator.findings import STOPS, Finding, Severity
from validator.parsing import ParseError
from validator.parsing.loadgen_log import DetailLog

UNCOMMITTED = "Loadgen built with uncommitted changes!"
MULTIPLE_CONF = "Multiple conf files are used"
CLASSIC_INFERABLE = {
    ("Offline", "SingleStream"),
    ("Offline", "MultiStream"),
    ("MultiStream", "SingleStream"),
}
PACKAGE_INFERABLE = {
    ("singlestream", "multistream"),
    ("multistream", "offline"),
    ("singlestream", "offline"),
}


def is_number(value: Any) -> bool:
    """A value Python's ``<`` compares with a number (bool included, as in the checker)."""
    return isinstance(value, int | float)


def _where(ctx: ResultContext) -> Path:
    return ctx.perf_dir / "mlperf_log_detail.txt"


def _text(value: Any) -> str:
    return repr(value)[:80]


@check(
    Level.RESULT,
    codes=("structure.performance_missing", "structure.file_list_mismatch", "perf.log_unreadable"),
)
def check_run_folder(ctx: ResultContext) -> Iterator[Finding]:
    """performance/run_1 with exactly the listed files and a readable detail log."""
    behaviour = ctx.rules.checker
    classic = behaviour.style == "classic"
    if ctx.perf_files is None:
        yield ctx.found(
            "structure.performance_missing",
            ctx.perf_dir,
            "performance/run_1 is missing" + ("" if classic else STOPS),
            **({} if classic else {"scope": ()}),
        )
        return
    power = ctx.power is not None
    if behaviour.run_folder_files == "exact" or power:
        files = ctx.common.performance_files
        required = set(files.required) | (set(ctx.common.power_run_files) if power else set())
        optional = set(files.optional) | set(ctx.common.ignorable_files)
        difference = (set(ctx.perf_files) ^ required) - optional
        if difference:
            yield ctx.found(
                "structure.file_list_mismatch",
                ctx.perf_dir,
                _file_list_message(set(ctx.perf_files), required, difference),
            )
    log = ctx.perf_log
    if log is None:
        yield ctx.found(
            "perf.log_unreadable",
            _where(ctx),
            "mlperf_log_detail.txt is missing" + ("" if classic else STOPS),
            **({} if classic else {"scope": ()}),
        )
    elif isinstance(log, ParseError):
        yield ctx.found(
            "perf.log_unreadable",
            _where(ctx),
            log.message + ("" if classic else STOPS),
            **({} if classic else {"scope": ()}),
        )
    elif log.is_empty and (classic or log.first_line_is_marker):
        # both parsers read such a file (v6.0: only an empty one) as a log of no entries
        yield ctx.found(
            "perf.log_unreadable",
            _where(ctx),
            "mlperf_log_detail.txt holds no ':::MLLOG' line, so the run has no result",
        )
    elif log.malformed_lines or (not classic and not log.first_line_is_marker):
        what = (
            f"{log.malformed_lines} ':::MLLOG' line(s) are not valid JSON"
            if log.malformed_lines
            else "the first line is not a ':::MLLOG' line"
        )
        yield ctx.found(
            "perf.log_unreadable",
            _where(ctx),
            f"{what}; the official parser refuses the log" + ("" if classic else STOPS),
            **({} if classic else {"scope": ()}),
        )


def _file_list_message(present: set[str], required: set[str], difference: set[str]) -> str:
    missing = sorted(difference & required)
    extra = sorted(difference & present)
    parts = []
    if missing:
        parts.append(f"missing {', '.join(missing)}")
    if extra:
        parts.append(f"unexpected {', '.join(extra)}")
    return "; ".join(parts)


@check(Level.RESULT, codes=("perf.result_invalid",))
def check_result_validity(ctx: ResultContext) -> Iterator[Finding]:
    """LoadGen's own verdict. The v6.0 checker never reads it: there it is our truth check."""
    log = ctx.log
    if log is None:
        return
    validity = log.get("result_validity")
    if validity != "VALID":
        behaviour = ctx.rules.checker
        # v6.0 never reads it; in v4.x the LLM check's verdict replaces it for LLMs
        ignored = behaviour.style == "package" or (
            behaviour.llm_check_replaces_validity and ctx.mlperf_benchmark in ctx.rules.llm_models
        )
        yield ctx.found(
            "perf.result_invalid",
            _where(ctx),
            f"result_validity is {_text(validity)}, not 'VALID'"
            + (
                " (LoadGen itself rejected the run; the round's checker lets it pass)"
                if ignored
                else ""
            ),
            **({"verdict": Verdict.INFERBOARD} if ignored else {}),
        )


@check(Level.RESULT, codes=("perf.loadgen_errors",))
def check_loadgen_errors(ctx: ResultContext) -> Iterator[Finding]:
    """VALID and errors can coexist (spec §4.2 item 2, §7): errors fail the result.

    The classic checkers ask the log parser whether it has errors: up to v5.0 (and in v6.0)
    it counts the entries flagged ``is_error``; v5.1's parser returns the ``num_errors`` value
    when the log has that key. With ``--submission-exceptions`` only entries other than
    "uncommitted changes" fail the run. Errors LoadGen recorded that the round's checker lets
    pass (entries beside ``num_errors: 0`` in v5.1, a ``num_errors`` count without entries
    before, any error in v6.0 without the flag) are ours."""
    log = ctx.log
    if log is None:
        return
    exceptions = ctx.options.submission_exceptions
    if ctx.rules.checker.performance_errors_fail:  # the classic checkers (v4.0-v5.1)
        entries_only = ctx.rules.checker.num_errors_from_entries_only
        has_error = log.official_has_error(counts_entries_only=entries_only)
        blocking = [e for e in log.errors if UNCOMMITTED not in e] if exceptions else log.errors
        if has_error and (not exceptions or blocking):
            errors = list(blocking) or [f"num_errors is {_text(log.get('num_errors'))}"]
            yield ctx.found("perf.loadgen_errors", _where(ctx), _errors_message(log, errors))
            return
        counted = log.get("num_errors")
        claimed = is_number(counted) and not isinstance(counted, bool) and counted > 0
        if blocking or (claimed and not exceptions):
            parser = "error entries only" if entries_only else "its num_errors count only"
            errors = list(blocking) or [f"num_errors is {_text(counted)}"]
            yield ctx.truth(
                "perf.loadgen_errors",
                _where(ctx),
                _errors_message(log, errors) + f" (the {ctx.rules.round} checker reads "
                f"{parser}; LoadGen recorded errors, so the run is not a clean measurement)",
            )
        return
    # v6.0: errors fail only with --submission-exceptions (and then only other errors);
    # without it the checker lets them pass, which is untrue of the run: ours
    if not log.errors:
        return
    if exceptions:
        blocking = [e for e in log.errors if UNCOMMITTED not in e and MULTIPLE_CONF not in e]
        if blocking:
            yield ctx.found("perf.loadgen_errors", _where(ctx), _errors_message(log, blocking))
        return
    yield ctx.truth(
        "perf.loadgen_errors",
        _where(ctx),
        _errors_message(log, list(log.errors)) + " (the v6.0 checker counts them only with "
        "submission exceptions; LoadGen recorded them, so the run is not a clean measurement)",
    )


def _errors_message(log: DetailLog, errors: list[str]) -> str:
    sample = f"; first: {errors[0][:200]!r}" if errors else ""
    return f"{max(len(errors), log.num_errors)} LoadGen errors{sample}"


def _limit_scenario(ctx: ResultContext) -> str | None:
    if ctx.rules.checker.llm_limits_by == "folder":
        return ctx.dirs.scenario
    return ctx.logged_scenario


@check(
    Level.RESULT,
    codes=("perf.token_latencies_disabled", "perf.ttft_p99_exceeded", "perf.tpot_p99_exceeded"),
)
def check_token_latencies(ctx: ResultContext) -> Iterator[Finding]:
    """LLM rule (spec §4.2 item 3): token latencies on; p99 TTFT/TPOT strictly below limits."""
    log = ctx.log
    if log is None or ctx.mlperf_benchmark not in ctx.rules.llm_models:
        return
    if not log.get("requested_use_token_latencies"):
        yield ctx.found(
            "perf.token_latencies_disabled",
            _where(ctx),
            f"requested_use_token_latencies is {_text(log.get('requested_use_token_latencies'))}",
        )
        return
    scenario = _limit_scenario(ctx)
    behaviour = ctx.rules.checker
    exempt = behaviour.llm_exempt_scenarios
    if (scenario in exempt) if exempt else (scenario not in behaviour.llm_checked_scenarios):
        yield from _interactive_truth(ctx, log)
        return
    limits = ctx.bench.token_latency_limits_ns if ctx.bench else {}
    limit = limits.get(scenario or "")
    if limit is None and exempt:
        # these checkers' limits do not depend on the scenario (a folder of any other name,
        # "OFFLINE" say, is held to them)
        limit = limits.get("Server")
    yield from _token_limits(ctx, log, scenario or "", limit, official=True)
    yield from _interactive_truth(ctx, log)


def _interactive_truth(ctx: ResultContext, log: DetailLog) -> Iterator[Finding]:
    """v6.0 applies the logged (Server) limits to an Interactive folder; the Interactive
    limits are what the folder claims, so ours checks them."""
    if ctx.dirs.scenario != "Interactive" or ctx.rules.checker.llm_limits_by == "folder":
        return
    limits = ctx.bench.token_latency_limits_ns if ctx.bench else {}
    if "Interactive" in limits:
        yield from _token_limits(ctx, log, "Interactive", limits["Interactive"], official=False)


def _token_limits(
    ctx: ResultContext, log: DetailLog, scenario: str, limit: Any, *, official: bool
) -> Iterator[Finding]:
    extra: dict[str, Any] = {} if official else {"verdict": Verdict.INFERBOARD}
    suffix = "" if official else f" (the limits of the {scenario} scenario the folder claims)"
    if limit is None:
        yield ctx.found(
            "perf.ttft_p99_exceeded",
            _where(ctx),
            f"the round has no TTFT/TPOT limits for {ctx.mlperf_benchmark} {scenario}; the "
            "official checker fails looking them up",
            **extra,
        )
        return
    ttft = log.get("result_first_token_99.00_percentile_latency_ns")
    tpot = log.get("result_time_per_output_token_99.00_percentile_ns")
    ttft_ok = is_number(ttft) and ttft < limit.ttft
    tpot_ok = is_number(tpot) and tpot < limit.tpot
    if not ttft_ok:
        yield ctx.found(
            "perf.ttft_p99_exceeded",
            _where(ctx),
            f"p99 TTFT {_text(ttft)} ns is not below {limit.ttft} ns ({scenario}){suffix}",
            **extra,
        )
    if not tpot_ok and (ttft_ok or is_number(ttft)):
        yield ctx.found(
            "perf.tpot_p99_exceeded",
            _where(ctx),
            f"p99 TPOT {_text(tpot)} ns is not below {limit.tpot} ns ({scenario}){suffix}",
            **extra,
        )


@check(Level.RESULT, codes=("perf.equal_issue_disabled",))
def check_equal_issue(ctx: ResultContext) -> Iterator[Finding]:
    log = ctx.log
    if log is None or ctx.bench is None or ctx.dirs.division not in ctx.bench.equal_issue_required:
        return
    value = log.get("effective_sample_concatenate_permutation")
    if ctx.rules.checker.equal_issue_from_conf:
        yield from _equal_issue_from_conf(ctx, value)
        return
    if value != True:  # noqa: E712 - the checker's own comparison (1 passes, "true" does not)
        yield ctx.found(
            "perf.equal_issue_disabled",
            _where(ctx),
            f"effective_sample_concatenate_permutation is {_text(value)}, expected true",
        )


def _equal_issue_from_conf(ctx: ResultContext, value: Any) -> Iterator[Finding]:
    """v4.1: the run passes when the log's value is the *text* "true" (LoadGen writes the
    JSON true, so it never is) or the measurements' mlperf.conf/user.conf set equal issue
    for the benchmark and scenario folders (validator/equal_issue_conf.py)."""
    conf = ctx.equal_issue_conf
    if value == "true" or (conf is not None and (conf.used or conf.stops)):
        return  # (a file the checker cannot read stops it: measurements.conf_unreadable)
    folder = ctx.dirs.measurements(ctx.rules.layout)
    yield ctx.found(
        "perf.equal_issue_disabled",
        folder,
        f"the measurements' mlperf.conf and user.conf do not set "
        f"{ctx.dirs.benchmark}.{ctx.dirs.scenario_dir}.sample_concatenate_permutation = 1 "
        f"(the {ctx.rules.round} checker decides equal issue by them; the log's "
        f"effective_sample_concatenate_permutation {_text(value)} is not the text 'true' "
        "it compares with)",
    )


def _below(ctx: ResultContext, key: str, required: Any, code: str, label: str) -> Iterator[Finding]:
    log = ctx.log
    if log is None:
        return
    found = log.get(key)
    if required is None:
        yield ctx.found(code, _where(ctx), f"the round has no {label} for {ctx.mlperf_benchmark}")
    elif not is_number(found):
        yield ctx.found(code, _where(ctx), f"{key} is {_text(found)}, not a number")
    elif found < required:
        yield ctx.found(code, _where(ctx), f"{label} is {found}, needs to be >= {required}")


@check(Level.RESULT, codes=("perf.performance_sample_count",))
def check_performance_sample_count(ctx: ResultContext) -> Iterator[Finding]:
    required = ctx.bench.performance_sample_count if ctx.bench else None
    yield from _below(
        ctx,
        "effective_performance_sample_count",
        required,
        "perf.performance_sample_count",
        "performance_sample_count",
    )


@check(Level.RESULT, codes=("perf.seed_mismatch",))
def check_seeds(ctx: ResultContext) -> Iterator[Finding]:
    """The only binding to a round (spec §4.2 item 6)."""
    log = ctx.log
    if log is None:
        return
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
                f"{key} is {_text(got)}, round {ctx.rules.round} expects {want}",
            )


@check(Level.RESULT, codes=("perf.min_duration",))
def check_min_duration(ctx: ResultContext) -> Iterator[Finding]:
    yield from _below(
        ctx,
        "effective_min_duration_ms",
        ctx.common.min_duration_ms,
        "perf.min_duration",
        "min_duration (ms)",
    )


@check(Level.RESULT, codes=("perf.early_stopping_unmet", "perf.target_latency_exceeded"))
def check_early_stopping(ctx: ResultContext) -> Iterator[Finding]:
    """Early stopping met (v6.0 fails the result; earlier checkers only log it) and the target
    latency passed to it within the benchmark's constraint."""
    log = ctx.log
    scenario = ctx.logged_scenario
    if log is None or scenario not in ctx.common.early_stopping_scenarios:
        return
    if not log.get("early_stopping_met"):
        fails = ctx.rules.checker.early_stopping_unmet_fails
        result = _early_stopping_reason(log)
        yield ctx.found(
            "perf.early_stopping_unmet",
            _where(ctx),
            "early stopping not met" + (f": {result}" if result else " (LoadGen gave no reason)"),
            severity=Severity.ERROR if fails else Severity.WARNING,
        )
    limit = ctx.bench.target_latency_ns.get(scenario) if ctx.bench else None
    if limit:
        found = log.get("effective_target_latency_ns")
        if not is_number(found) or found > limit:
            yield ctx.found(
                "perf.target_latency_exceeded",
                _where(ctx),
                f"effective_target_latency_ns is {_text(found)}, limit {limit}",
            )


def _early_stopping_reason(log: DetailLog) -> str:
    """LoadGen's reason: ``early_stopping_result``, or (LoadGen 6 with token latencies, which
    logs no such key) its TTFT and TPOT results joined."""
    result = str(log.get("early_stopping_result", "") or "").strip()
    if result:
        return result[:200]
    parts = []
    for key, label in (
        ("early_stopping_ttft_result", "TTFT"),
        ("early_stopping_tpot_result", "TPOT"),
    ):
        text = " ".join(str(log.get(key, "") or "").split())
        if text:
            parts.append(f"{label}: {text[:200]}")
    return "; ".join(parts)


@check(Level.RESULT, codes=("perf.min_query_count", "perf.offline_samples_per_query"))
def check_min_queries(ctx: ResultContext) -> Iterator[Finding]:
    """Min query count for scenarios without early stopping (Offline: SingleStream and
    MultiStream use early stopping, spec §4.2 items 7-8; v4.1 also exempts equal-issue
    benchmarks); Offline samples per query."""
    log = ctx.log
    scenario = ctx.logged_scenario
    if log is None or ctx.bench is None or scenario is None:
        return
    # v4.1 exempts the benchmarks it runs in equal-issue mode (their query count is fixed)
    exempt = (
        ctx.rules.checker.min_queries_exempt_equal_issue
        and ctx.dirs.division in ctx.bench.equal_issue_required
    )
    if scenario not in ctx.common.early_stopping_scenarios and not exempt:
        required = ctx.bench.min_query_count.get(scenario)
        found = log.get("effective_min_query_count")
        if not ctx.bench.min_query_count:
            yield ctx.found(
                "perf.min_query_count",
                _where(ctx),
                f"the round has no query counts for {ctx.mlperf_benchmark}",
            )
        elif required and not is_number(found):
            yield ctx.found(
                "perf.min_query_count", _where(ctx), f"min_query_count is {_text(found)}"
            )
        elif required and found < required:
            yield ctx.found(
                "perf.min_query_count",
                _where(ctx),
                f"min_query_count is {found}, needs to be >= {required}",
            )
    if scenario != "Offline":
        return
    required = ctx.bench.offline_min_samples_per_query
    found = log.get("effective_samples_per_query")
    closed_only = ctx.rules.checker.style == "package"
    if required is None or not is_number(found):
        yield ctx.found(
            "perf.offline_samples_per_query",
            _where(ctx),
            f"samples_per_query is {_text(found)}"
            + ("" if required else f"; the round has no minimum for {ctx.mlperf_benchmark}"),
        )
    elif found < required and not (closed_only and ctx.dirs.division != "closed"):
        yield ctx.found(
            "perf.offline_samples_per_query",
            _where(ctx),
            f"samples_per_query is {found}, needs to be >= {required}",
        )


@check(
    Level.RESULT,
    codes=("perf.interactive_not_server", "perf.scenario_mismatch", "perf.scenario_inferred"),
)
def check_scenario(ctx: ResultContext) -> Iterator[Finding]:
    """Folder scenario vs the logged one (spec §4.2 item 10)."""
    log = ctx.log
    if log is None:
        return
    logged = log.get("effective_scenario")
    folder = ctx.dirs.scenario
    if not isinstance(logged, str):
        yield ctx.found(
            "perf.scenario_mismatch", _where(ctx), f"effective_scenario is {_text(logged)}"
        )
        return
    if ctx.rules.checker.style == "classic":
        yield from _classic_scenario(ctx, folder, logged)
    else:
        yield from _package_scenario(ctx, logged)


def _classic_scenario(ctx: ResultContext, folder: str, logged: str) -> Iterator[Finding]:
    if folder == logged:
        return
    if folder == "Interactive":
        if logged != "Server":
            yield ctx.found(
                "perf.interactive_not_server",
                _where(ctx),
                f"the Interactive folder holds a {logged} run",
            )
    elif (folder, logged) in CLASSIC_INFERABLE:
        yield ctx.found(
            "perf.scenario_inferred", _where(ctx), f"{folder} result inferred from {logged}"
        )
    else:
        # the classic checker reports the run's value under the folder's scenario
        yield ctx.truth(
            "perf.scenario_mismatch",
            _where(ctx),
            f"the {folder} folder holds a {logged} run (the official checker takes it as is)",
        )


def _package_scenario(ctx: ResultContext, logged: str) -> Iterator[Finding]:
    folder = ctx.dirs.scenario_dir.lower()
    if logged.lower() == folder or (logged.lower(), folder) == ("server", "interactive"):
        return
    system_type = str((ctx.system or {}).get("system_type", ""))
    if ctx.rules.checker.inference_needs_edge and "edge" not in system_type.lower():
        yield ctx.found(
            "perf.scenario_mismatch",
            _where(ctx),
            f"the {ctx.dirs.scenario_dir} folder holds a {logged} run; results may be inferred "
            f"from another scenario only for edge systems (system_type {system_type!r})",
        )
    elif (logged.lower(), folder) not in PACKAGE_INFERABLE:
        yield ctx.found(
            "perf.scenario_mismatch",
            _where(ctx),
            f"a {ctx.dirs.scenario_dir} result cannot be inferred from a {logged} run",
        )
    else:
        yield ctx.found(
            "perf.scenario_inferred",
            _where(ctx),
            f"{ctx.dirs.scenario_dir} result inferred from {logged}",
        )


@check(Level.RESULT, codes=("perf.network_sut_name",))
def check_network_sut(ctx: ResultContext) -> Iterator[Finding]:
    log = ctx.log
    if log is None or ctx.system is None:
        return
    value = ctx.system.get("is_network")
    if not (isinstance(value, str) and value.lower() == "true"):
        return
    needle = ctx.common.system_description.network_sut_name_substring
    sut = log.get("sut_name")
    if not isinstance(sut, str) or needle not in sut:
        yield ctx.found("perf.network_sut_name", _where(ctx), f"sut_name is {_text(sut)}")
