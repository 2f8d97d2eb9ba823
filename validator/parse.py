"""Parse, then check (house style §6): build every level's context from the files on disk.

Everything a check may read is read here, once, through the bounded readers of
:mod:`validator.parsing`; a file that cannot be read is kept as its ``ParseError`` so that each
check decides what that means for its rule. Nothing here emits findings.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from scoring import accuracy_text
from scoring.accuracy_text import AccuracyText
from validator.bundle import ScenarioDirs, list_dirs, list_files, walk
from validator.checks.context import (
    ComplianceTest,
    PowerRun,
    ResultContext,
    SubmitterContext,
    SystemContext,
    TreeContext,
)
from validator.options import Options
from validator.parsing import ParseError, safe_json
from validator.parsing.files import DOCUMENT_LIMIT, TEXT_LIMIT, read_lines, read_text
from validator.parsing.loadgen_log import DetailLog, read_detail_log, read_summary_log
from validator.rules import BenchmarkRules, CommonRules, RoundRules

JsonObject = dict[str, Any]


def read_json_object(path: Path, root: Path | None = None) -> JsonObject:
    """A JSON file whose top level is an object, parsed within limits."""
    text = read_text(path, DOCUMENT_LIMIT, root=root)
    try:
        data = safe_json.loads(text)
    except ParseError as exc:
        raise ParseError(f"{path.name} {exc.message}", hint="Submit valid JSON.") from None
    if not isinstance(data, dict):
        raise ParseError(f"{path.name} must hold a JSON object, found {type(data).__name__}")
    return data


def _maybe(reader: Any, path: Path, *args: Any) -> Any:
    """``reader(path, ...)`` for a file that exists, its ParseError when it does not parse,
    None when it is absent."""
    if not os.path.lexists(path):
        return None
    try:
        return reader(path, *args)
    except ParseError as exc:
        return exc


def tree_context(
    root: Path, common: CommonRules, options: Options, rules: RoundRules | None
) -> TreeContext:
    divisions = [d for d in list_dirs(root) if d in common.divisions]
    return TreeContext(
        root=root,
        common=common,
        options=options,
        rules=rules,
        root_files=tuple(list_files(root)),
        root_dirs=tuple(list_dirs(root)),
        division_files={d: tuple(list_files(root / d)) for d in divisions},
    )


def submitter_context(
    root: Path,
    division: str,
    submitter: str,
    common: CommonRules,
    rules: RoundRules,
    options: Options,
) -> SubmitterContext:
    base = root / division / submitter
    return SubmitterContext(
        root=root,
        division=division,
        submitter=submitter,
        common=common,
        rules=rules,
        options=options,
        walk=walk(root, f"{division}/{submitter}"),
        results_systems=tuple(list_dirs(base / "results")),
        measurement_systems=tuple(list_dirs(base / "measurements")),
        system_files=tuple(list_files(base / "systems")),
        has_results_folder=(base / "results").is_dir(),
    )


def system_context(
    root: Path,
    division: str,
    submitter: str,
    system: str,
    common: CommonRules,
    rules: RoundRules,
    options: Options,
) -> SystemContext:
    path = root / division / submitter / "systems" / f"{system}.json"
    description = _maybe(read_json_object, path, root) if path.is_file() else None
    return SystemContext(root, division, submitter, system, common, rules, options, description)


def _accuracy_text(path: Path, round_name: str, root: Path, names: tuple[str, ...]) -> AccuracyText:
    text = read_text(path, TEXT_LIMIT, root=root)
    return accuracy_text.parse(text, accuracy_text.pattern_table(round_name), names)


def _metric_names(bench: BenchmarkRules | None) -> tuple[str, ...]:
    """The metrics the checks read: the targets and limits, and tokens per sample (truth)."""
    if bench is None:
        return ()
    return (*bench.accuracy_min, *bench.accuracy_max, "TOKENS_PER_SAMPLE")


def _implementation_name(
    files: list[str], system: str, scenario_dir: str, merged: bool
) -> str | None:
    if merged:
        return "measurements.json" if "measurements.json" in files else None
    # the first file named <sys>…_<scenario>.json, else <sys>….json, in listing order (spec §1)
    for name in files:
        if name.startswith(system) and name.endswith(f"_{scenario_dir}.json"):
            return name
        if name.startswith(system) and name.endswith(".json"):
            return name
    return None


def _code_ok(dirs: ScenarioDirs, rules: RoundRules, implementation: str | None) -> bool:
    base = dirs.submitter_dir
    if rules.checker.measurements_in_results:
        return (base / "src").exists()
    code = base / "code" / dirs.benchmark
    if code.is_file():  # a file naming the benchmark whose code is shared
        try:
            pointed = read_text(code, 4096, root=dirs.root).strip()
        except ParseError:
            return False
        code = base / "code" / pointed
    return code.exists() or (implementation is not None and (code / "").exists())


def _compliance_test(
    folder: Path, name: str, root: Path, round_name: str, names: tuple[str, ...]
) -> ComplianceTest:
    if not folder.is_dir():
        return ComplianceTest(name, folder, False)
    verify: dict[str, tuple[str, ...] | ParseError] = {}
    for file in ("verify_accuracy.txt", "verify_performance.txt", "verify_output_len.txt"):
        if (folder / file).exists():
            try:
                verify[file] = tuple(read_lines(folder / file, TEXT_LIMIT, root=root))
            except ParseError as exc:
                verify[file] = exc
    accuracy = folder / "accuracy"
    texts: dict[str, AccuracyText | ParseError] = {}
    if accuracy.is_dir():
        for file in ("baseline_accuracy.txt", "compliance_accuracy.txt"):
            if (accuracy / file).is_file():
                texts[file] = _maybe(_accuracy_text, accuracy / file, round_name, root, names)
    run = folder / "performance" / "run_1"
    return ComplianceTest(
        name=name,
        folder=folder,
        exists=True,
        verify_lines=verify,
        accuracy_files=tuple(list_files(accuracy)) if accuracy.is_dir() else None,
        performance_files=tuple(list_files(run)) if run.is_dir() else None,
        performance_log=_maybe(read_detail_log, run / "mlperf_log_detail.txt", root),
        accuracy_texts=texts,
    )


def _power(dirs: ScenarioDirs, measurements: Path) -> PowerRun | None:
    power = dirs.results / "performance" / "power"
    if not power.exists():
        return None
    ranging = dirs.results / "performance" / "ranging"
    spl = dirs.results / "performance" / "run_1" / "spl.txt"
    nearby: list[str] = []
    folder = measurements
    for _ in range(4):  # the measurements folder and the three above it, as the checker does
        nearby += list_files(folder)
        folder = folder / ".."
    return PowerRun(
        power_files=tuple(list_files(power)),
        ranging_files=tuple(list_files(ranging)) if ranging.is_dir() else None,
        ranging_log=_maybe(read_detail_log, ranging / "mlperf_log_detail.txt", dirs.root),
        spl_lines=_maybe(lambda p, r: tuple(read_lines(p, TEXT_LIMIT, root=r)), spl, dirs.root),
        measurement_files=tuple(nearby),
    )


def result_context(
    dirs: ScenarioDirs,
    rules: RoundRules,
    common: CommonRules,
    options: Options,
    system: JsonObject | None,
    mlperf_benchmark: str,
) -> ResultContext:
    root = dirs.root
    bench = rules.benchmark(mlperf_benchmark)
    perf_dir = dirs.results / "performance" / "run_1"
    acc_dir = dirs.results / "accuracy"
    acc_log_path = acc_dir / "mlperf_log_accuracy.json"
    measurements = dirs.measurements(rules.layout)
    measurement_files = list_files(measurements) if measurements.is_dir() else None
    implementation_name = (
        _implementation_name(
            measurement_files, dirs.system, dirs.scenario_dir, rules.layout == "merged"
        )
        if measurement_files is not None
        else None
    )
    implementation = (
        _maybe(read_json_object, measurements / implementation_name, root)
        if implementation_name
        else None
    )
    compliance_root = dirs.compliance(rules.layout)
    tests = bench.compliance_tests if bench else ()
    try:
        acc_log_size: int | None = acc_log_path.stat().st_size if acc_log_path.is_file() else None
    except OSError:
        acc_log_size = None
    extra = {
        folder: (tuple(list_files(acc_dir / folder)) if (acc_dir / folder).is_dir() else None)
        for folder in (bench.accuracy_extra_files if bench else {})
    }
    return ResultContext(
        dirs=dirs,
        rules=rules,
        common=common,
        options=options,
        system=system,
        mlperf_benchmark=mlperf_benchmark,
        bench=bench,
        perf_files=tuple(list_files(perf_dir)) if perf_dir.is_dir() else None,
        perf_log=_maybe(read_detail_log, perf_dir / "mlperf_log_detail.txt", root),
        summary=_maybe(read_summary_log, perf_dir / "mlperf_log_summary.txt", root),
        accuracy_files=tuple(list_files(acc_dir)) if acc_dir.is_dir() else None,
        accuracy_log=_maybe(read_detail_log, acc_dir / "mlperf_log_detail.txt", root),
        accuracy_text=_maybe(
            _accuracy_text, acc_dir / "accuracy.txt", rules.round, root, _metric_names(bench)
        ),
        accuracy_log_size=acc_log_size,
        measurement_files=tuple(measurement_files) if measurement_files is not None else None,
        implementation_name=implementation_name,
        implementation=implementation,
        code_ok=_code_ok(dirs, rules, implementation_name),
        compliance_exists=compliance_root.is_dir(),
        compliance={
            t: _compliance_test(compliance_root / t, t, root, rules.round, _metric_names(bench))
            for t in dict.fromkeys(tests)
        },
        power=_power(dirs, measurements),
        extra_accuracy_folders=extra,
    )


def is_log(value: object) -> bool:
    return isinstance(value, DetailLog)
