"""Benchmark-level checks (spec §4.1 items 4-5): the benchmark is one of the round's, the
system type has a scenario table for it, and the required scenarios are there.

The rounds differ in what "there" means and what a failure does:

- up to v5.1 a required scenario needs a result whose performance run passed (accuracy and
  compliance do not matter for this), and a missing one only fails the bundle's verdict: the
  other scenarios keep their rows;
- v6.0 looks at the scenario *folders*, and a missing or unknown one fails every scenario of
  the benchmark; a benchmark the system type has no table for stops the checker.
"""

from __future__ import annotations

from collections.abc import Iterator

from validator.checks.context import BenchmarkContext, ResultContext, ResultOutcome
from validator.checks.registry import Level, check
from validator.findings import STOPS, Finding, finding
from validator.rules import ScenarioTable

# An official error with one of these codes keeps the classic checker from reaching (or
# passing) a scenario's performance run, so the scenario does not count as present.
_PERFORMANCE_BLOCKERS = (
    "structure.scenario_not_allowed",
    "structure.measurements_missing",
    "structure.code_missing",
    "structure.accuracy_missing",
    "structure.file_list_mismatch",
    "structure.performance_missing",
    "measurements.",
    "perf.",
    "power.",
)


def reached_performance(errors: tuple[Finding, ...]) -> bool:
    """Whether the classic checker counted the scenario as present (its run passed)."""
    return not any(
        f.code.startswith(_PERFORMANCE_BLOCKERS) and f.code != "perf.result_zero" for f in errors
    )


# Failures that stop the classic checker before the performance run, each counting 1 in its
# ``errors`` column; an accuracy failure and a failed performance run count 1 each.
_EARLYSTOPS = (
    "structure.scenario_not_allowed",
    "structure.measurements_missing",
    "measurements.",
    "structure.code_missing",
    "structure.accuracy_missing",
)
_PERFORMANCE_FAILURES = ("perf.", "power.")


def errors_counted(errors: tuple[Finding, ...], accuracy_failed: bool) -> int:
    """How much one scenario adds to the classic checker's running ``errors`` count of its
    benchmark (spec: a missing run_1, a run-folder file list and compliance add nothing)."""
    codes = [f.code for f in errors]
    if any(c.startswith(_EARLYSTOPS) for c in codes):
        return 1
    if any(
        c == "structure.file_list_mismatch" and "accuracy" in f.path
        for c, f in zip(codes, errors, strict=True)
    ):
        return 1
    performance_failed = any(
        c.startswith(_PERFORMANCE_FAILURES) and c != "perf.result_zero" for c in codes
    )
    return int(accuracy_failed) + int(performance_failed)


def _table(ctx: BenchmarkContext) -> ScenarioTable | None:
    bench = ctx.rules.benchmark(ctx.mlperf_benchmark)
    if bench is None or ctx.system_type is None:
        return None
    return bench.scenarios.get(ctx.common.system_types.get(ctx.system_type, ""))


@check(Level.BENCHMARK, codes=("structure.model_mapping_invalid",))
def check_model_mapping_lookup(ctx: BenchmarkContext) -> Iterator[Finding]:
    """An open model_mapping.json that is valid JSON but not an object is only read (with
    ``.get``, which fails) for a benchmark folder named neither as a benchmark of the round
    nor as one of its aliases; the classic checkers get there only for a system that passed
    its checks, v6.0 for every scenario."""
    mapping = ctx.model_mapping
    if ctx.division != "open" or mapping is None or isinstance(mapping, dict):
        return
    if not ctx.rules.needs_model_mapping(ctx.benchmark):
        return
    if ctx.rules.checker.style == "classic" and not ctx.system_ok:
        return
    kind = type(mapping).__name__
    yield finding(
        "structure.model_mapping_invalid",
        f"{ctx.division}/{ctx.submitter}/model_mapping.json",
        f"holds a JSON {kind}, not an object, and {ctx.benchmark!r} is looked up in it" + STOPS,
        scope=(),
    )


@check(Level.BENCHMARK, codes=("structure.unknown_benchmark",))
def check_known_benchmark(ctx: BenchmarkContext) -> Iterator[Finding]:
    """Closed and network results must be for one of the round's benchmarks, and the system
    type must have a scenario table for it (the classic checker asks the latter of open
    results too)."""
    if not ctx.system_ok:
        return
    closed = ctx.division in ctx.common.closed_rule_divisions
    package = ctx.rules.checker.style == "package"
    if package and not closed:
        return
    if closed and ctx.mlperf_benchmark not in ctx.rules.models and not package:
        yield finding(
            "structure.unknown_benchmark",
            ctx.path,
            f"{ctx.benchmark!r} is not a {ctx.rules.round} benchmark",
            scope=ctx.scope,
        )
        return
    if _table(ctx) is None:
        yield finding(
            "structure.unknown_benchmark",
            ctx.path,
            f"{ctx.benchmark} ({ctx.mlperf_benchmark}) has no scenarios for system_type "
            f"{ctx.system_type!r} in {ctx.rules.round}" + (STOPS if package else ""),
            scope=() if package else ctx.scope,
        )


@check(
    Level.BENCHMARK,
    codes=(
        "structure.scenario_not_allowed",
        "structure.required_scenario_missing",
        "structure.server_or_interactive_missing",
    ),
)
def check_scenario_set(ctx: BenchmarkContext) -> Iterator[Finding]:
    table = _table(ctx)
    if table is None or not ctx.system_ok or ctx.division not in ctx.common.closed_rule_divisions:
        return
    if ctx.rules.checker.required_scenarios == "folders":
        yield from _folders(ctx, table)
    else:
        yield from _valid_results(ctx, table)


@check(Level.RESULT, codes=("structure.scenario_not_allowed",))
def check_scenario_allowed(ctx: ResultContext) -> Iterator[Finding]:
    """Classic checkers: a closed scenario folder that is neither required nor optional is
    the first thing they test in it, and they leave it there (one failed scenario)."""
    if ctx.rules.checker.required_scenarios != "valid_results" or not ctx.is_closed_or_network:
        return
    system_type = (ctx.system or {}).get("system_type")
    if ctx.bench is None or not isinstance(system_type, str):
        return
    table = ctx.bench.scenarios.get(ctx.common.system_types.get(system_type, ""))
    if table is not None and ctx.dirs.scenario not in {*table.required, *table.optional}:
        yield ctx.found(
            "structure.scenario_not_allowed",
            ctx.dirs.results,
            f"{ctx.dirs.scenario_dir} is neither required nor optional for {ctx.dirs.benchmark}",
        )


def _valid_results(ctx: BenchmarkContext, table: ScenarioTable) -> Iterator[Finding]:
    allowed = {*table.required, *table.optional}
    present: set[str] = set()
    for outcome in ctx.outcomes:  # a scenario not allowed has its own (result) finding
        if outcome.dirs.scenario in allowed and outcome.reached_performance:
            present.add(outcome.dirs.scenario)
    missing = [s for s in table.required if s not in present]
    if missing:
        yield finding(
            "structure.required_scenario_missing",
            ctx.path,
            f"no passing performance run for required scenario(s) {', '.join(missing)}",
            scope=ctx.scope,
            voids=False,
            caused_by=_causes(ctx.outcomes, missing),
        )
    if table.one_of and not present.intersection(table.one_of):
        yield finding(
            "structure.server_or_interactive_missing",
            ctx.path,
            f"one of {' or '.join(table.one_of)} is required",
            scope=ctx.scope,
            voids=False,
            caused_by=_causes(ctx.outcomes, list(table.one_of)),
        )


def _causes(outcomes: tuple[ResultOutcome, ...], scenarios: list[str]) -> tuple[str, ...]:
    """The errors that made the named scenarios fail (shown under this finding)."""
    return tuple(f.ref for o in outcomes if o.dirs.scenario in scenarios for f in o.official_errors)


def _folders(ctx: BenchmarkContext, table: ScenarioTable) -> Iterator[Finding]:
    present = {d.lower() for d in ctx.scenario_dirs}
    allowed = {s.lower() for s in (*table.required, *table.optional)}
    missing = [s for s in table.required if s.lower() not in present]
    unknown = sorted(d for d in ctx.scenario_dirs if d.lower() not in allowed)
    for name in unknown:
        yield finding(
            "structure.scenario_not_allowed",
            f"{ctx.path}/{name}",
            f"{name} is neither required nor optional for {ctx.benchmark}, so the official "
            "checker fails every scenario of the benchmark",
            scope=ctx.scope,
        )
    if missing:
        yield finding(
            "structure.required_scenario_missing",
            ctx.path,
            f"required scenario folder(s) {', '.join(missing)} missing, so the official checker "
            "fails every scenario of the benchmark",
            scope=ctx.scope,
        )
    one_of = {s.lower() for s in table.one_of}
    if (
        one_of
        and {"server", "interactive"} <= {s.lower() for s in table.optional}
        and not present & one_of
    ):
        yield finding(
            "structure.server_or_interactive_missing",
            ctx.path,
            "one of Server or Interactive is required, so the official checker fails every "
            "scenario of the benchmark",
            scope=ctx.scope,
        )
