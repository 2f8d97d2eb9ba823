"""Walk a submission tree, run every check, collect findings into one :class:`Report`.

Order: folder structure, round detection, submitter layout, system descriptions, then each
result (measurements, accuracy, performance, compliance, truth), in parallel with ``jobs > 1``;
finally the per-benchmark scenario rules, which need every result's validity.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from validator.bundle import ScenarioDirs, discover_results
from validator.checks import accuracy, compliance, measurements, performance, system, tree, truth
from validator.checks.context import ResultContext
from validator.findings import Finding, Severity, finding
from validator.options import Options
from validator.parsing import ParseError
from validator.parsing.documents import read_accuracy_text, read_json_object
from validator.parsing.loadgen_log import DetailLog, read_detail_log, read_values
from validator.report import Report, ResultEntry
from validator.rules import (
    CommonRules,
    FileList,
    RoundRules,
    UnknownRoundError,
    available_rounds,
    load_common,
    load_round,
    round_for_seeds,
)

SEED_KEYS = (
    "effective_qsl_rng_seed",
    "effective_sample_index_rng_seed",
    "effective_schedule_rng_seed",
)


@dataclass(frozen=True)
class ResultTask:
    """Everything one result's checks need; picklable so results can run in worker processes."""

    dirs: ScenarioDirs
    round: str
    options: Options
    system: dict[str, Any]
    mlperf_benchmark: str


def validate_tree(root: Path, options: Options, source: str = "") -> Report:
    common = load_common()
    findings: list[Finding] = list(tree.check_root(root, common))
    scenarios = discover_results(root, common)
    if not scenarios:
        findings.append(
            finding("structure.no_results", ".", "no <division>/<submitter>/results/ found")
        )
        return Report(round=options.round, findings=findings, results=[], source=source)
    round_name, round_findings = _resolve_round(scenarios, options)
    findings += round_findings
    if round_name is None:
        return Report(round=None, findings=findings, results=[], source=source)
    rules = load_round(round_name)

    def check_submitter_trees() -> list[Finding]:
        found: list[Finding] = []
        for division, submitter in sorted({(s.division, s.submitter) for s in scenarios}):
            found += tree.check_submitter_tree(root, division, submitter, common)
            found += tree.check_submitter_layout(root, division, submitter, rules, options)
        return found

    systems, mappings = _load_systems_and_mappings(root, scenarios, common, findings)
    tasks = []
    for dirs in scenarios:
        if (dirs.division, dirs.submitter, dirs.system) not in systems:
            continue
        mapped = mappings.get((dirs.division, dirs.submitter), {}).get(dirs.benchmark)
        tasks.append(
            ResultTask(
                dirs=dirs,
                round=round_name,
                options=options,
                system=systems[(dirs.division, dirs.submitter, dirs.system)],
                mlperf_benchmark=rules.canonical_benchmark(mapped or dirs.benchmark),
            )
        )
    outcomes, tree_findings = _run_tasks(tasks, options.jobs, meanwhile=check_submitter_trees)
    findings += tree_findings
    results = []
    for task, (entry, result_findings) in zip(tasks, outcomes, strict=True):
        entry.system_description = task.system  # not sent back from the workers
        entry.findings = list(result_findings)
        results.append(entry)
        findings += result_findings
    findings += _check_scenario_sets(tasks, results, rules, common)
    findings = list(dict.fromkeys(findings))  # a benchmark-level finding is met once per scenario
    by_scope: dict[tuple[str, ...], list[Finding]] = {}
    for f in findings:
        by_scope.setdefault(f.scope, []).append(f)
    for entry in results:
        key = entry.key
        entry.findings = [f for n in range(len(key) + 1) for f in by_scope.get(key[:n], [])]
    return Report(round=round_name, findings=findings, results=results, source=source)


def _resolve_round(
    scenarios: list[ScenarioDirs], options: Options
) -> tuple[str | None, list[Finding]]:
    if options.round:
        load_round(options.round)  # raises UnknownRoundError for a name with no table
        return options.round, []
    seen: Counter[str | None] = Counter()
    for dirs in scenarios:
        path = dirs.results / "performance" / "run_1" / "mlperf_log_detail.txt"
        seeds = read_values(path, SEED_KEYS)
        if seeds == (None, None, None):
            continue
        seen[round_for_seeds(seeds) if all(isinstance(s, int) for s in seeds) else None] += 1  # type: ignore[arg-type]
    known = [(n, c) for n, c in seen.most_common() if n is not None]
    if not known:
        return None, [
            finding(
                "round.unknown",
                ".",
                "the performance logs' LoadGen seeds match no published round "
                f"({', '.join(_round_names())})",
            )
        ]
    name = known[0][0]
    extra = []
    if len(seen) > 1:
        extra.append(finding("round.mixed", ".", f"most logs are {name}; others: {dict(seen)}"))
    return name, extra


def _round_names() -> list[str]:
    return list(available_rounds())


def _load_systems_and_mappings(
    root: Path,
    scenarios: list[ScenarioDirs],
    common: CommonRules,
    findings: list[Finding],
) -> tuple[dict[tuple[str, str, str], dict[str, Any]], dict[tuple[str, str], dict[str, str]]]:
    systems: dict[tuple[str, str, str], dict[str, Any]] = {}
    mappings: dict[tuple[str, str], dict[str, str]] = {}
    for division, submitter in sorted({(s.division, s.submitter) for s in scenarios}):
        if division == "open":
            mappings[(division, submitter)] = _read_model_mapping(
                root, division, submitter, findings
            )
    for division, submitter, name in sorted(
        {(s.division, s.submitter, s.system) for s in scenarios}
    ):
        path = root / division / submitter / "systems" / f"{name}.json"
        rel = path.relative_to(root).as_posix()
        scope = (division, submitter, name)
        if not path.is_file():
            findings.append(
                finding(
                    "structure.system_description_missing", rel, f"{name}.json missing", scope=scope
                )
            )
            continue
        try:
            data = read_json_object(path)
        except ParseError as exc:
            findings.append(finding("system.json_invalid", rel, str(exc), scope=scope))
            continue
        findings += system.check_system_description(data, rel, scope, division, submitter, common)
        systems[(division, submitter, name)] = data
    return systems, mappings


def _read_model_mapping(
    root: Path, division: str, submitter: str, findings: list[Finding]
) -> dict[str, str]:
    path = root / division / submitter / "model_mapping.json"
    if not path.is_file():
        return {}
    try:
        data = read_json_object(path)
    except ParseError as exc:
        findings.append(
            finding(
                "structure.model_mapping_invalid",
                path.relative_to(root).as_posix(),
                str(exc),
                scope=(division, submitter),
            )
        )
        return {}
    return {str(k): str(v) for k, v in data.items()}


def _run_tasks(
    tasks: list[ResultTask], jobs: int, meanwhile: Callable[[], list[Finding]]
) -> tuple[list[tuple[ResultEntry, list[Finding]]], list[Finding]]:
    """Result checks, in worker processes when ``jobs > 1``; ``meanwhile`` (the tree walk,
    which needs no result) runs in this process while the workers do."""
    if jobs <= 1 or len(tasks) < 2:
        return [check_result(task) for task in tasks], meanwhile()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        chunk = max(1, len(tasks) // (jobs * 8))
        pending = pool.map(check_result, tasks, chunksize=chunk)  # submits every chunk now
        side = meanwhile()
        return list(pending), side


def check_result(task: ResultTask) -> tuple[ResultEntry, list[Finding]]:
    """Every result-level check of one scenario folder."""
    rules = load_round(task.round)
    common = load_common()
    dirs = task.dirs
    ctx = ResultContext(
        dirs=dirs,
        rules=rules,
        common=common,
        options=task.options,
        system=task.system,
        mlperf_benchmark=task.mlperf_benchmark,
        bench=rules.benchmark(task.mlperf_benchmark),
    )
    found: list[Finding] = _check_known_benchmark(ctx)
    if any(f.code == "structure.unknown_benchmark" for f in found):
        return _entry(ctx), found  # nothing else can be judged without the benchmark's rules
    found += measurements.check_measurements(ctx)
    found += _read_accuracy(ctx)
    found += _read_performance(ctx)
    if ctx.perf_log is not None:
        for perf_check in performance.CHECKS:
            found += perf_check(ctx, ctx.perf_log)
    if ctx.accuracy_text is not None:
        for acc_check in accuracy.CHECKS:
            found += acc_check(ctx)
    for other in (*compliance.CHECKS, *truth.CHECKS):
        found += other(ctx)
    found = _forgive_open_accuracy(ctx, found)
    entry = _entry(ctx)
    return entry, found


def _check_known_benchmark(ctx: ResultContext) -> list[Finding]:
    where = ctx.dirs.submitter_dir / "results" / ctx.dirs.system / ctx.dirs.benchmark
    if not ctx.is_closed_or_network:
        return []
    if ctx.bench is None:
        return [
            ctx.found(
                "structure.unknown_benchmark",
                where,
                f"{ctx.dirs.benchmark!r} is not a {ctx.rules.round} benchmark",
            )
        ]
    table = ctx.bench.scenarios.get(_system_type(ctx.system, ctx.common) or "")
    if table is None:
        return [
            ctx.found(
                "structure.unknown_benchmark",
                where,
                f"{ctx.dirs.benchmark} has no scenarios for system_type "
                f"{ctx.system.get('system_type')!r}",
            )
        ]
    if ctx.dirs.scenario not in (*table.required, *table.optional):
        return [
            ctx.found(
                "structure.scenario_not_allowed",
                ctx.dirs.results,
                f"{ctx.dirs.scenario_dir} is neither required nor optional "
                f"for {ctx.dirs.benchmark}",
            )
        ]
    return []


def _system_type(system: dict[str, Any], common: CommonRules) -> str | None:
    return common.system_types.get(str(system.get("system_type", "")))


def _read_accuracy(ctx: ResultContext) -> list[Finding]:
    txt = ctx.accuracy_dir / "accuracy.txt"
    if not txt.is_file():
        return [ctx.found("structure.accuracy_missing", txt, "accuracy/accuracy.txt is missing")]
    found, ctx.accuracy_log = _read_run_folder(ctx, ctx.accuracy_dir, ctx.common.accuracy_files)
    try:
        ctx.accuracy_text = read_accuracy_text(
            txt, ctx.common.accuracy_patterns, ctx.common.hash_pattern
        )
    except ParseError as exc:
        found.append(ctx.found("accuracy.metric_missing", txt, str(exc)))
    return found


def _read_performance(ctx: ResultContext) -> list[Finding]:
    if not ctx.perf_dir.is_dir():
        return [
            ctx.found("structure.performance_missing", ctx.perf_dir, "performance/run_1 missing")
        ]
    found, ctx.perf_log = _read_run_folder(ctx, ctx.perf_dir, ctx.common.performance_files)
    return found


def _read_run_folder(
    ctx: ResultContext, folder: Path, files: FileList
) -> tuple[list[Finding], DetailLog | None]:
    """A LoadGen output folder: its exact file list, and its detail log parsed once."""
    found = list(
        tree.file_list_findings(
            folder,
            files.required,
            files.optional,
            ctx.common.ignorable_files,
            ctx.rel(folder),
            ctx.scope,
        )
    )
    detail = folder / "mlperf_log_detail.txt"
    if not detail.is_file():
        return found, None
    try:
        return found, read_detail_log(detail)
    except ParseError as exc:
        found.append(ctx.found("perf.log_unreadable", detail, str(exc)))
        return found, None


def _forgive_open_accuracy(ctx: ResultContext, found: list[Finding]) -> list[Finding]:
    """Open division takes a result whose accuracy.txt parsed, whatever its accuracy checks say
    (the official checker's ``accuracy not valid but taken for open``, spec §4.3 item 3)."""
    if ctx.is_closed_or_network or ctx.accuracy_text is None or not ctx.accuracy_text.metrics:
        return found
    return [
        _downgrade(f) if f.code.startswith("accuracy.") and f.severity is Severity.ERROR else f
        for f in found
    ]


def _downgrade(f: Finding) -> Finding:
    return Finding(
        f.code, Severity.WARNING, f.path, f.message + " (accepted in open)", f.hint, f.scope
    )


def _entry(ctx: ResultContext) -> ResultEntry:
    dirs = ctx.dirs
    entry = ResultEntry(
        division=dirs.division,
        submitter=dirs.submitter,
        system=dirs.system,
        benchmark=dirs.benchmark,
        mlperf_benchmark=ctx.mlperf_benchmark,
        scenario=dirs.scenario,
        scenario_dir=dirs.scenario_dir,
        location=ctx.rel(dirs.results),
        round=ctx.rules.round,
        weight_data_types=ctx.weight_data_types,
    )
    if ctx.perf_log is not None:
        value, units, inferred = performance.result_value(ctx, ctx.perf_log)
        entry.value, entry.units, entry.inferred = value, units, inferred
        entry.summary_units = (
            ctx.common.units_by_scenario.get(dirs.scenario, units)
            if ctx.rules.legacy_summary_format
            else units
        )
        entry.ttft_p99_ns = ctx.perf_log.get("result_first_token_99.00_percentile_latency_ns")
        entry.tpot_p99_ns = ctx.perf_log.get("result_time_per_output_token_99.00_percentile_ns")
    if ctx.accuracy_text is not None:
        entry.accuracy = dict(ctx.accuracy_text.metrics)
        entry.accuracy_summary = accuracy.summary_accuracy(ctx)
    return entry


def _check_scenario_sets(
    tasks: list[ResultTask], results: list[ResultEntry], rules: RoundRules, common: CommonRules
) -> list[Finding]:
    """Required scenarios need a valid result; v5.1+: Server or Interactive (spec §4.1 item 5)."""
    found: list[Finding] = []
    groups: dict[tuple[str, str, str, str], list[tuple[ResultTask, ResultEntry]]] = {}
    for task, entry in zip(tasks, results, strict=True):
        d = task.dirs
        groups.setdefault((d.division, d.submitter, d.system, d.benchmark), []).append(
            (task, entry)
        )
    for (division, submitter, system_name, benchmark), members in groups.items():
        if division == "open":
            continue
        task = members[0][0]
        bench = rules.benchmark(task.mlperf_benchmark)
        table = bench.scenarios.get(_system_type(task.system, common) or "") if bench else None
        if table is None:
            continue
        valid = {e.scenario for _, e in members if e.valid}
        rel = f"{division}/{submitter}/results/{system_name}/{benchmark}"
        scope = (division, submitter, system_name, benchmark)
        missing = [s for s in table.required if s not in valid]
        if missing:
            found.append(
                finding(
                    "structure.required_scenario_missing",
                    rel,
                    f"no valid result for required scenario(s) {', '.join(missing)}",
                    scope=scope,
                )
            )
        if table.one_of and not valid.intersection(table.one_of):
            found.append(
                finding(
                    "structure.server_or_interactive_missing",
                    rel,
                    f"one of {', '.join(table.one_of)} is required",
                    scope=scope,
                )
            )
    return found


__all__ = ["ResultTask", "UnknownRoundError", "check_result", "validate_tree"]
