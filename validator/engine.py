"""Walk a submission tree, run every registered check level by level, settle the verdicts.

Order: the tree, round detection, each system description, then each submitter's walk and
each result (in worker processes with ``jobs > 1``, in units :mod:`validator.schedule` plans),
then each benchmark's scenario set (which needs its results' outcomes). Findings are put back
in one order (submitters, then results, as listed) whichever process found them.
The engine holds no rule of its own: checks live in ``checks/``, their
data in ``rules/``, and :func:`validator.report.settle` turns findings into validity.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from validator import parse, round_detection, scenario_walk, schedule
from validator.bundle import ScenarioDirs, discover_results
from validator.checks import registry
from validator.checks.accuracy import reading
from validator.checks.context import (
    BenchmarkContext,
    ResultContext,
    ResultOutcome,
    SystemContext,
)
from validator.checks.registry import Level
from validator.checks.scenarios import errors_counted, reached_performance
from validator.codes import Verdict
from validator.failure import failing_in
from validator.findings import STOPS, Finding, finding
from validator.listing import Listing
from validator.options import Options
from validator.parsing import ParseError
from validator.report import OfficialRow, PowerResult, Report, ResultEntry, json_safe, settle
from validator.result_value import reported_value
from validator.rules import CommonRules, RoundRules, load_common, load_round

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class ResultTask:
    """Everything one result's checks need; picklable so results can run in worker processes."""

    dirs: ScenarioDirs
    round: str
    options: Options
    system: JsonObject | None
    mlperf_benchmark: str


def validate_tree(root: Path, options: Options, source: str = "") -> Report:
    with _fewer_collections():
        return _validate_tree(root, options, source)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """The cyclic garbage collector runs once per ``GC_YOUNG_OBJECTS`` new objects instead of
    Python's 700 while a tree is validated: a round makes millions of short-lived objects
    (folder entries, log lines, findings) and almost no cycles, and the collections cost ~5%
    of the CPU. Memory held is the same (reference counting frees the objects); the threshold
    is restored after (worker processes inherit it as they fork)."""
    before = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_OBJECTS, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


GC_YOUNG_OBJECTS = 20_000


def _validate_tree(root: Path, options: Options, source: str) -> Report:
    common = load_common()
    listing = Listing()
    scenarios = discover_results(root, common, listing)
    rules, found = _rules(root, scenarios, options, common)
    tree = parse.tree_context(root, common, options, rules, listing, len(scenarios))
    found += registry.run(Level.TREE, tree)
    if rules is None:
        return settle(Report(round=None, findings=found, source=source))
    # the checker walks every submitter that has a results/ folder, with results in it or not
    submitters = [(d, s) for d, s, kind in tree.submitters if kind == "folder"]

    if not scenarios:
        for division, submitter in submitters:
            with failing_in(f"{division}/{submitter}"):
                found += check_submitter(root, division, submitter, rules.round, options, listing)
        return settle(
            Report(
                round=rules.round,
                checker_commit=rules.checker.commit,
                findings=found,
                source=source,
            )
        )
    systems, system_ok = _systems(root, scenarios, common, rules, options, found, listing)
    raw_mappings = _model_mappings(root, scenarios, rules, found)
    mappings = {
        key: {str(k): v for k, v in data.items() if isinstance(v, str)}
        for key, data in raw_mappings.items()
        if isinstance(data, dict)
    }
    tasks = [
        ResultTask(
            dirs=d,
            round=rules.round,
            options=options,
            system=systems.get((d.division, d.submitter, d.system)),
            mlperf_benchmark=rules.canonical_benchmark(
                d.benchmark, mappings.get((d.division, d.submitter))
            ),
        )
        for d in scenarios
    ]

    outcomes, submitter_findings = _run_units(root, submitters, tasks, options, listing)
    found += submitter_findings
    benchmark_findings = _benchmarks(
        root, tasks, outcomes, (systems, system_ok, raw_mappings), common, rules, options
    )
    classic = rules.checker.style == "classic"
    if classic:  # what the checker skips before walking a result, it never judges
        skips = scenario_walk.skip_points([*found, *benchmark_findings])
        outcomes = [
            (entry, scenario_walk.unwalked(result_findings, task.dirs.key, skips))
            for task, (entry, result_findings) in zip(tasks, outcomes, strict=True)
        ]
    entries = []
    for entry, result_findings in outcomes:
        entries.append(entry)
        found += result_findings
    found += benchmark_findings
    if classic:
        _count_errors(tasks, outcomes)
    return settle(
        Report(
            round=rules.round,
            checker_commit=rules.checker.commit,
            source=source,
            findings=list(dict.fromkeys(found)),
            results=entries,
        )
    )


def _count_errors(
    tasks: list[ResultTask], outcomes: list[tuple[ResultEntry, list[Finding]]]
) -> None:
    """The classic CSV's ``errors`` column: each benchmark's running count of failed scenarios
    before this one, in the order ``os.listdir`` gives them (as the checker walks them)."""
    by_benchmark: dict[tuple[str, ...], dict[str, tuple[ResultEntry, list[Finding]]]] = {}
    for task, outcome in zip(tasks, outcomes, strict=True):
        by_benchmark.setdefault(task.dirs.key[:4], {})[task.dirs.scenario_dir] = outcome
    for key, members in by_benchmark.items():
        folder = tasks[0].dirs.root.joinpath(key[0], key[1], "results", key[2], key[3])
        try:
            order = [p.name for p in folder.iterdir() if p.name in members]  # listdir order
        except OSError:
            order = sorted(members)
        running = 0
        for name in order:
            entry, result_findings = members[name]
            entry.official_row.errors_before = running
            errors = tuple(
                f for f in result_findings if f.counts_against(Verdict.OFFICIAL) and f.voids
            )
            accuracy_failed = any(f.code.startswith("accuracy.") for f in errors)
            running += errors_counted(errors, accuracy_failed)


def _rules(
    root: Path, scenarios: list[ScenarioDirs], options: Options, common: CommonRules
) -> tuple[RoundRules | None, list[Finding]]:
    if not scenarios:
        return (load_round(options.round) if options.round else None), []
    name, found = round_detection.resolve(scenarios, options)
    return (load_round(name) if name else None), found


def _systems(
    root: Path,
    scenarios: list[ScenarioDirs],
    common: CommonRules,
    rules: RoundRules,
    options: Options,
    found: list[Finding],
    listing: Listing,
) -> tuple[dict[tuple[str, str, str], JsonObject], dict[tuple[str, str, str], bool]]:
    """Each system description, parsed and checked; which systems the checker goes on with."""
    systems: dict[tuple[str, str, str], JsonObject] = {}
    ok: dict[tuple[str, str, str], bool] = {}
    for key in sorted({(s.division, s.submitter, s.system) for s in scenarios}):
        ctx: SystemContext = parse.system_context(root, *key, common, rules, options, listing)
        system_findings = registry.run(Level.SYSTEM, ctx)
        found += system_findings
        if isinstance(ctx.description, dict):
            systems[key] = ctx.description
        ok[key] = isinstance(ctx.description, dict) and not any(
            f.counts_against(Verdict.OFFICIAL) and f.voids for f in system_findings
        )
    return systems, ok


def _model_mappings(
    root: Path, scenarios: list[ScenarioDirs], rules: RoundRules, found: list[Finding]
) -> dict[tuple[str, str], Any]:
    """Open submitters' model_mapping.json as parsed (an object maps a folder name to the
    benchmark it counts for; what another JSON value does is the benchmark check's to say)."""
    out: dict[tuple[str, str], Any] = {}
    for division, submitter in sorted({(s.division, s.submitter) for s in scenarios}):
        path = root / division / submitter / "model_mapping.json"
        if division != "open" or not path.exists():
            continue
        try:
            data = parse.read_json_value(path, root, rules.checker.json_depth_limits.model_mapping)
        except ParseError as exc:
            found.append(
                finding(
                    "structure.model_mapping_invalid",
                    f"{division}/{submitter}/model_mapping.json",
                    exc.message + STOPS,
                    scope=(),
                )
            )
            continue
        out[(division, submitter)] = data
    return out


@dataclass(frozen=True)
class _UnitWork:
    """One :class:`validator.schedule.Unit` with what its worker needs (picklable)."""

    root: Path
    round: str
    options: Options
    walk: tuple[str, str] | None
    tasks: tuple[ResultTask, ...]


_UnitOutcome = tuple[list[Finding] | None, list[tuple[ResultEntry, list[Finding]]]]


def _run_units(
    root: Path,
    submitters: list[tuple[str, str]],
    tasks: list[ResultTask],
    options: Options,
    listing: Listing,
) -> tuple[list[tuple[ResultEntry, list[Finding]]], list[Finding]]:
    """Every submitter walk and result check, in worker processes when ``jobs > 1`` (units
    as :mod:`validator.schedule` plans them); outcomes in task order, submitter findings in
    walk order, whichever process ran them. Work shares its process's folder listings
    (``listing`` here; one per worker, which lives as long as this run's pool)."""
    round_name = tasks[0].round
    owners = [(t.dirs.division, t.dirs.submitter) for t in tasks]
    costs = [schedule.result_cost(t.dirs.results) for t in tasks] if options.jobs > 1 else []
    units = schedule.plan(submitters, owners, costs or [1.0] * len(tasks), options.jobs)
    work = [
        _UnitWork(
            root,
            round_name,
            options,
            submitters[u.walk] if u.walk is not None else None,
            tuple(tasks[i] for i in u.results),
        )
        for u in units
    ]
    if options.jobs <= 1 or len(work) < 2:
        done = [_check_unit(w, listing) for w in work]
    else:
        with ProcessPoolExecutor(max_workers=options.jobs, initializer=_start_worker) as pool:
            done = [f.result() for f in [pool.submit(_check_unit_in_worker, w) for w in work]]
    walked: dict[int, list[Finding]] = {}
    outcomes: dict[int, tuple[ResultEntry, list[Finding]]] = {}
    for unit, (walk_findings, result_outcomes) in zip(units, done, strict=True):
        if unit.walk is not None and walk_findings is not None:
            walked[unit.walk] = walk_findings
        outcomes.update(zip(unit.results, result_outcomes, strict=True))
    side = [f for i in range(len(submitters)) for f in walked[i]]
    return [outcomes[i] for i in range(len(tasks))], side


_worker_listing: Listing | None = None


def _start_worker() -> None:
    global _worker_listing  # one per worker process, set as it starts
    _worker_listing = Listing()


def _check_unit_in_worker(work: _UnitWork) -> _UnitOutcome:
    return _check_unit(work, _worker_listing or Listing())


def _check_unit(work: _UnitWork, listing: Listing) -> _UnitOutcome:
    """A unit's walk and results; what raises is named by its folder (validator/failure.py)."""
    walk_findings = None
    if work.walk is not None:
        with failing_in("/".join(work.walk)):
            walk_findings = check_submitter(
                work.root, *work.walk, work.round, work.options, listing
            )
    outcomes = []
    for task in work.tasks:
        with failing_in(task.dirs.location):
            outcomes.append(check_result(task, listing))
    return walk_findings, outcomes


def check_submitter(
    root: Path, division: str, submitter: str, round_name: str, options: Options, listing: Listing
) -> list[Finding]:
    """Every submitter-level check of one submitter (its whole folder walked)."""
    ctx = parse.submitter_context(
        root, division, submitter, load_common(), load_round(round_name), options, listing
    )
    return registry.run(Level.SUBMITTER, ctx)


def check_result(
    task: ResultTask, listing: Listing | None = None
) -> tuple[ResultEntry, list[Finding]]:
    """Every result-level check of one scenario folder, and the entry it reports (``listing``:
    the folder listings of this bundle read so far in this process, if any)."""
    rules = load_round(task.round)
    common = load_common()
    ctx = parse.result_context(
        task.dirs, rules, common, task.options, task.system, task.mlperf_benchmark, listing
    )
    if ctx.bench is None and ctx.is_closed_or_network:
        # the benchmark-level check reports it; the checker judges nothing inside it
        return _entry(ctx), []
    found = registry.run(Level.RESULT, ctx)
    if rules.checker.style == "classic":
        found = scenario_walk.walked(found, task.dirs, common.classic_scenario_walk)
    return _entry(ctx), found


def _entry(ctx: ResultContext) -> ResultEntry:
    dirs = ctx.dirs
    value = reported_value(ctx)
    read = reading(ctx)
    entry = ResultEntry(
        division=dirs.division,
        submitter=dirs.submitter,
        system=dirs.system,
        benchmark=dirs.benchmark,
        mlperf_benchmark=ctx.mlperf_benchmark,
        scenario=dirs.scenario,
        scenario_dir=dirs.scenario_dir,
        location=dirs.location,
        round=ctx.rules.round,
        value=value.finite,
        units=value.units,
        higher_is_better=value.higher_is_better,
        summary_units=value.summary_units,
        inferred=value.inferred,
        official_row=OfficialRow(
            result_text=value.official_text,
            compliance=not ctx.is_closed_or_network or not ctx.options.skip_compliance,
            inferred_column=value.inferred_column,
            power_only=_power_only(ctx),
            weight_data_types_quotes_replaced=ctx.rules.checker.weight_data_types_quotes_replaced,
        ),
        system_description=json_safe(ctx.system or {}),
        weight_data_types=json_safe(ctx.implementation.get("weight_data_types"))
        if isinstance(ctx.implementation, dict)
        else None,
    )
    log = ctx.log
    if log is not None:
        entry.ttft_p99_ns = _finite(log.get("result_first_token_99.00_percentile_latency_ns"))
        entry.tpot_p99_ns = _finite(log.get("result_time_per_output_token_99.00_percentile_ns"))
    if read is not None:
        entry.accuracy = {
            name: number
            for name, text in read.values.items()
            if (number := _finite(_to_float(text))) is not None
        }
        entry.accuracy_summary = read.summary(
            legacy=ctx.rules.checker.accuracy_column == "first_value"
        )
    if ctx.power is not None:
        from validator.checks.power import power_metric

        metric, _ = power_metric(ctx)
        if metric is not None:
            units = ctx.common.power_units_by_scenario.get(dirs.scenario, "Watts")
            entry.power = PowerResult(value=_finite(metric), units=units, official_text=str(metric))
    return entry


def _power_only(ctx: ResultContext) -> bool:
    """system_power_only (v5.0, v5.1): the power row replaces the performance row."""
    if ctx.rules.checker.csv_style != "classic" or ctx.system is None:
        return False
    flag = ctx.system.get("system_power_only")
    if isinstance(flag, str):
        return flag.lower() == "true"
    return bool(flag) if isinstance(flag, bool | int) else False


def _to_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _finite(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if number == number and abs(number) != float("inf") else None


def _benchmarks(
    root: Path,
    tasks: list[ResultTask],
    outcomes: list[tuple[ResultEntry, list[Finding]]],
    parsed: tuple[
        dict[tuple[str, str, str], JsonObject],  # system descriptions
        dict[tuple[str, str, str], bool],  # whether the checker goes on with each system
        dict[tuple[str, str], Any],  # open submitters' model_mapping.json
    ],
    common: CommonRules,
    rules: RoundRules,
    options: Options,
) -> list[Finding]:
    systems, system_ok, mappings = parsed
    groups: dict[tuple[str, str, str, str], list[ResultOutcome]] = {}
    mapped: dict[tuple[str, str, str, str], str] = {}
    for task, (_, result_findings) in zip(tasks, outcomes, strict=True):
        d = task.dirs
        errors = tuple(f for f in result_findings if f.counts_against(Verdict.OFFICIAL) and f.voids)
        key = (d.division, d.submitter, d.system, d.benchmark)
        groups.setdefault(key, []).append(ResultOutcome(d, errors, reached_performance(errors)))
        mapped[key] = task.mlperf_benchmark
    found: list[Finding] = []
    for key, members in groups.items():
        system = systems.get(key[:3])
        system_type = system.get("system_type") if system else None
        ctx = BenchmarkContext(
            root=root,
            division=key[0],
            submitter=key[1],
            system=key[2],
            benchmark=key[3],
            mlperf_benchmark=mapped[key],
            common=common,
            rules=rules,
            options=options,
            system_type=system_type if isinstance(system_type, str) else None,
            scenario_dirs=tuple(m.dirs.scenario_dir for m in members),
            outcomes=tuple(members),
            system_ok=system_ok.get(key[:3], False),
            model_mapping=mappings.get(key[:2]),
        )
        found += registry.run(Level.BENCHMARK, ctx)
    return found


__all__ = ["ResultTask", "check_result", "check_submitter", "validate_tree"]
