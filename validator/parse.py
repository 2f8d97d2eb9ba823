"""Parse, then check (house style §6): build every level's context from the files on disk.

Everything a check may read is read here, once, through the bounded readers of
:mod:`validator.parsing`; a file that cannot be read is kept as its ``ParseError`` so that each
check decides what that means for its rule. Nothing here emits findings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scoring import accuracy_text
from scoring.accuracy_text import AccuracyText
from validator.bundle import ScenarioDirs, walk
from validator.checks.context import (
    ComplianceTest,
    PowerRun,
    ResultContext,
    SubmitterContext,
    SystemContext,
    TreeContext,
)
from validator.equal_issue_conf import CONF_FILES, EqualIssueConf, read_equal_issue
from validator.listing import Listing
from validator.options import Options
from validator.parsing import ParseError, safe_json
from validator.parsing.files import (
    DOCUMENT_LIMIT,
    TEXT_LIMIT,
    capped_lines,
    read_bytes,
    read_text,
)
from validator.parsing.loadgen_log import read_detail_log, read_summary_log
from validator.parsing.utf8 import NotUtf8, decode, find_not_utf8
from validator.rules import BenchmarkRules, CommonRules, RoundRules

JsonObject = dict[str, Any]


def read_json_value(
    path: Path, root: Path | None = None, max_depth: int = safe_json.MAX_DEPTH
) -> Any:
    """A JSON file's value, whatever its top-level type, parsed within limits (UTF-8 only, as
    the official checkers' ``json.load`` reads it; nesting refused from ``max_depth`` levels,
    where the round's checker fails to read the document)."""
    data = read_bytes(path, DOCUMENT_LIMIT, root=root)
    bad = find_not_utf8(data)
    if bad is not None:
        raise ParseError(bad.describe(path.name), hint="Save the file as UTF-8 JSON.")
    text = data.decode("utf-8")
    try:
        return safe_json.loads(text, max_depth=max_depth)
    except ParseError as exc:
        raise ParseError(f"{path.name} {exc.message}", hint="Submit valid JSON.") from None


def read_json_object(
    path: Path, root: Path | None = None, max_depth: int = safe_json.MAX_DEPTH
) -> JsonObject:
    """A JSON file whose top level is an object, parsed within limits."""
    data = read_json_value(path, root, max_depth)
    if not isinstance(data, dict):
        raise ParseError(f"{path.name} must hold a JSON object, found {type(data).__name__}")
    return data


def _maybe(listing: Listing, reader: Any, path: Path, *args: Any) -> Any:
    """``reader(path, ...)`` for an entry that exists (a file, or a link or FIFO to refuse), its
    ParseError when it does not parse, None when there is no such entry."""
    if path.name not in listing.entries(path.parent):
        return None
    try:
        return reader(path, *args)
    except ParseError as exc:
        return exc


def _files(listing: Listing, folder: Path) -> tuple[str, ...] | None:
    """The folder's files, or None when there is no such folder."""
    return tuple(listing.files(folder)) if listing.is_dir(folder) else None


def tree_context(
    root: Path,
    common: CommonRules,
    options: Options,
    rules: RoundRules | None,
    listing: Listing,
    result_count: int = 0,
) -> TreeContext:
    divisions = [d for d in listing.dirs(root) if d in common.divisions]
    submitters = []
    for division in divisions:
        for submitter in listing.dirs(root / division):
            results = root / division / submitter / "results"
            kind = (
                "folder" if listing.is_dir(results) else "other" if listing.exists(results) else ""
            )
            submitters.append((division, submitter, kind))
    return TreeContext(
        root=root,
        common=common,
        options=options,
        rules=rules,
        root_files=tuple(listing.files(root)),
        root_dirs=tuple(listing.dirs(root)),
        division_files={d: tuple(listing.files(root / d)) for d in divisions},
        submitters=tuple(submitters),
        result_count=result_count,
    )


def submitter_context(
    root: Path,
    division: str,
    submitter: str,
    common: CommonRules,
    rules: RoundRules,
    options: Options,
    listing: Listing,
) -> SubmitterContext:
    base = root / division / submitter
    return SubmitterContext(
        root=root,
        division=division,
        submitter=submitter,
        common=common,
        rules=rules,
        options=options,
        walk=walk(root, f"{division}/{submitter}", listing),
        results_systems=tuple(listing.dirs(base / "results")),
        measurement_systems=tuple(listing.dirs(base / "measurements")),
        system_files=tuple(listing.files(base / "systems")),
        has_results_folder=listing.is_dir(base / "results"),
    )


def system_context(
    root: Path,
    division: str,
    submitter: str,
    system: str,
    common: CommonRules,
    rules: RoundRules,
    options: Options,
    listing: Listing,
) -> SystemContext:
    path = root / division / submitter / "systems" / f"{system}.json"
    found = listing.is_file(path)
    depth = rules.checker.json_depth_limits.system
    description = _maybe(listing, read_json_object, path, root, depth) if found else None
    return SystemContext(root, division, submitter, system, common, rules, options, description)


def _accuracy_text(path: Path, round_name: str, root: Path, names: tuple[str, ...]) -> AccuracyText:
    """An accuracy.txt the checker reads whole (TEST01's baseline and compliance files)."""
    text, bad = decode(read_bytes(path, TEXT_LIMIT, root=root))
    if bad is not None:
        raise ParseError(bad.describe(path.name), hint="Submit the accuracy script's printout.")
    return accuracy_text.parse(text, accuracy_text.pattern_table(round_name), names)


def _result_accuracy_text(
    listing: Listing, path: Path, round_name: str, root: Path, names: tuple[str, ...]
) -> tuple[AccuracyText | ParseError | None, NotUtf8 | None]:
    """The result's accuracy.txt, and where it stops being UTF-8: the classic checker's loop
    may stop before it meets that byte, so the check decides (spec §1.3.A step 2)."""
    if path.name not in listing.entries(path.parent):
        return None, None
    try:
        text, bad = decode(read_bytes(path, TEXT_LIMIT, root=root))
    except ParseError as exc:
        return exc, None
    return accuracy_text.parse(text, accuracy_text.pattern_table(round_name), names), bad


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
    # the first file named <sys>…_<scenario>.json or <sys>….json, in os.listdir order (spec §1)
    for name in files:
        if name.startswith(system) and name.endswith(f"_{scenario_dir}.json"):
            return name
        if name.startswith(system) and name.endswith(".json"):
            return name
    return None


def _code_ok(dirs: ScenarioDirs, rules: RoundRules, listing: Listing) -> bool:
    base = dirs.submitter_dir
    if rules.checker.measurements_in_results:
        return listing.exists(base / "src")
    code = base / "code" / dirs.benchmark
    if listing.is_file(code):  # a file naming the benchmark whose code is shared
        try:
            pointed = read_text(code, 4096, root=dirs.root).strip()
        except ParseError:
            return False
        return (base / "code" / pointed).exists()
    return listing.exists(code)


def _equal_issue_conf(
    dirs: ScenarioDirs, rules: RoundRules, folder: Path, files: list[str], root: Path
) -> EqualIssueConf | None:
    """v4.1: equal issue read from the measurements' configuration files, for a benchmark
    whose folder name requires it (None where the checker does not read them)."""
    by_folder = rules.benchmark(dirs.benchmark)
    if not rules.checker.equal_issue_from_conf or by_folder is None:
        return None
    if dirs.division not in by_folder.equal_issue_required:
        return None
    contents: dict[str, bytes] = {}
    for name in CONF_FILES:
        if name in files:
            try:
                contents[name] = read_bytes(folder / name, TEXT_LIMIT, root=root)
            except ParseError as exc:
                return EqualIssueConf(False, "", exc.message)
    return read_equal_issue(contents, dirs.benchmark, dirs.scenario_dir)


def _compliance_test(
    folder: Path, name: str, root: Path, round_name: str, names: tuple[str, ...], listing: Listing
) -> ComplianceTest:
    if not listing.is_dir(folder):
        return ComplianceTest(name, folder, False)
    verify: dict[str, tuple[str, ...] | ParseError] = {}
    not_utf8: dict[str, NotUtf8] = {}
    present = listing.entries(folder)
    for file in ("verify_accuracy.txt", "verify_performance.txt", "verify_output_len.txt"):
        if file in present and present[file].exists:
            try:
                text, bad = decode(read_bytes(folder / file, TEXT_LIMIT, root=root))
            except ParseError as exc:
                verify[file] = exc
                continue
            verify[file] = tuple(capped_lines(text))
            if bad is not None:
                not_utf8[file] = bad
    accuracy = folder / "accuracy"
    texts: dict[str, AccuracyText | ParseError] = {}
    accuracy_files = _files(listing, accuracy)
    for file in ("baseline_accuracy.txt", "compliance_accuracy.txt"):
        if accuracy_files is not None and file in accuracy_files:
            texts[file] = _maybe(listing, _accuracy_text, accuracy / file, round_name, root, names)
    run = folder / "performance" / "run_1"
    return ComplianceTest(
        name=name,
        folder=folder,
        exists=True,
        verify_lines=verify,
        accuracy_files=accuracy_files,
        performance_files=_files(listing, run),
        performance_log=_maybe(listing, read_detail_log, run / "mlperf_log_detail.txt", root),
        accuracy_texts=texts,
        verify_not_utf8=not_utf8,
    )


def _power(dirs: ScenarioDirs, measurements: Path, listing: Listing) -> PowerRun | None:
    power = dirs.results / "performance" / "power"
    if not listing.exists(power):
        return None
    ranging = dirs.results / "performance" / "ranging"
    nearby: list[tuple[str, int]] = []
    folder = measurements
    for _ in range(4):  # the measurements folder and the three above it, as the checker does
        entries = listing.entries(folder)
        nearby += [(name, entries[name].size) for name in listing.files_in_order(folder)]
        folder = folder.parent
    return PowerRun(
        power_files=tuple(listing.files(power)),
        ranging_files=_files(listing, ranging),
        measurement_files=tuple(nearby),
    )


def result_context(
    dirs: ScenarioDirs,
    rules: RoundRules,
    common: CommonRules,
    options: Options,
    system: JsonObject | None,
    mlperf_benchmark: str,
    listing: Listing | None = None,
) -> ResultContext:
    listing = listing or Listing()
    root = dirs.root
    bench = rules.benchmark(mlperf_benchmark)
    names = _metric_names(bench)
    perf_dir = dirs.results / "performance" / "run_1"
    acc_dir = dirs.results / "accuracy"
    measurements = dirs.measurements(rules.layout)
    in_order = listing.files_in_order(measurements) if listing.is_dir(measurements) else None
    implementation_name = (
        _implementation_name(in_order, dirs.system, dirs.scenario_dir, rules.layout == "merged")
        if in_order is not None
        else None
    )
    implementation = (  # any JSON value: what a checker makes of a non-object differs by round
        _maybe(
            listing,
            read_json_value,
            measurements / implementation_name,
            root,
            rules.checker.json_depth_limits.measurements,
        )
        if implementation_name
        else None
    )
    equal_issue = (
        _equal_issue_conf(dirs, rules, measurements, in_order, root)
        if in_order is not None and implementation_name is not None
        else None
    )
    accuracy, accuracy_not_utf8 = _result_accuracy_text(
        listing, acc_dir / "accuracy.txt", rules.round, root, names
    )
    compliance_root = dirs.compliance(rules.layout)
    tests = bench.compliance_tests if bench else ()
    extra = {
        folder: _files(listing, acc_dir / folder)
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
        perf_files=_files(listing, perf_dir),
        perf_log=_maybe(listing, read_detail_log, perf_dir / "mlperf_log_detail.txt", root),
        summary=_maybe(listing, read_summary_log, perf_dir / "mlperf_log_summary.txt", root),
        accuracy_files=_files(listing, acc_dir),
        accuracy_log=_maybe(listing, read_detail_log, acc_dir / "mlperf_log_detail.txt", root),
        accuracy_text=accuracy,
        accuracy_log_size=listing.size(acc_dir / "mlperf_log_accuracy.json"),
        measurement_files=tuple(sorted(in_order)) if in_order is not None else None,
        implementation_name=implementation_name,
        implementation=implementation,
        code_ok=_code_ok(dirs, rules, listing),
        compliance_exists=listing.is_dir(compliance_root),
        compliance={
            t: _compliance_test(compliance_root / t, t, root, rules.round, names, listing)
            for t in dict.fromkeys(tests)
        },
        power=_power(dirs, measurements, listing),
        extra_accuracy_folders=extra,
        accuracy_text_not_utf8=accuracy_not_utf8,
        equal_issue_conf=equal_issue,
    )
