"""Compliance checks (spec §4.4) for closed and network results: the round's list of audit tests
for the benchmark (``compliance_tests`` in its rules), each test's folder and verify files, the
performance runs of TEST01/TEST04/TEST05 under the same rules as the main run, TEST01's
accuracy comparison, and TEST06/07/08/09's pass lines.

Round differences reproduced: up to v5.1 a benchmark that needs TEST06 gets no performance
check of any of its tests; TEST01's "TEST PASS" is a substring of a line up to v5.1 and a whole
line in v6.0; TEST01's accuracy tolerance is per metric in v4.1 and v6.0 and by the first letter
of the metric (so 1 %, or 0.1 % for a 99.9 benchmark) in v5.0 and v5.1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from scoring.accuracy_text import AccuracyText
from validator.checks import performance
from validator.checks.context import ComplianceTest, ResultContext
from validator.checks.registry import Level, check
from validator.codes import Verdict
from validator.findings import STOPS, Finding
from validator.parsing import ParseError
from validator.parsing.utf8 import NotUtf8

PERFORMANCE_TESTS = ("TEST01", "TEST04", "TEST05")
_VERIFY_ACCURACY = "verify_accuracy.txt"
_VERIFY_PERFORMANCE = "verify_performance.txt"
_PASS = "TEST PASS"


def _applies(ctx: ResultContext) -> bool:
    return ctx.is_closed_or_network and not ctx.options.skip_compliance and ctx.bench is not None


def _lines(test: ComplianceTest, name: str) -> tuple[str, ...] | None:
    found = test.verify_lines.get(name)
    return found if isinstance(found, tuple) else None


@check(
    Level.RESULT,
    codes=("compliance.dir_missing", "compliance.test_missing", "compliance.file_missing"),
)
def check_tests_present(ctx: ResultContext) -> Iterator[Finding]:
    if not _applies(ctx) or not ctx.compliance:
        return
    classic = ctx.rules.checker.style == "classic"
    if classic and not ctx.compliance_exists:
        root = ctx.dirs.compliance(ctx.rules.layout)
        yield ctx.found("compliance.dir_missing", root, "the compliance folder is missing")
        return
    for name, test in ctx.compliance.items():
        if not test.exists:
            yield ctx.found("compliance.test_missing", test.folder, f"{name} is missing")
            continue
        needed = []
        if name in ("TEST01", "TEST06", "TEST07", "TEST08") or (classic and name == "TEST06"):
            needed.append(_VERIFY_ACCURACY)
        if name in ("TEST01", "TEST04") or (classic and name == "TEST05"):
            needed.append(_VERIFY_PERFORMANCE)
        if name == "TEST09":
            needed.append("verify_output_len.txt")
        for file in needed:
            if file not in test.verify_lines:
                yield ctx.found(
                    "compliance.file_missing", test.folder / file, f"{name}/{file} is missing"
                )
        if name in ("TEST01", "TEST04") and test.performance_log is None and not classic:
            yield ctx.found(
                "compliance.file_missing",
                test.folder / "performance" / "run_1" / "mlperf_log_detail.txt",
                f"{name}'s performance log is missing",
            )


@check(
    Level.RESULT,
    codes=(
        "compliance.performance_failed",
        "compliance.file_list_mismatch",
        "compliance.log_unreadable",
    ),
)
def check_performance_tests(ctx: ResultContext) -> Iterator[Finding]:
    """TEST01/04/05 performance runs: verify_performance.txt passes, run_1 holds exactly the
    LoadGen files, and the run meets every rule of the main run (seeds, duration ...)."""
    if not _applies(ctx):
        return
    classic = ctx.rules.checker.style == "classic"
    if classic and "TEST06" in ctx.compliance:
        return  # the checker skips every performance check of such a benchmark
    for name, test in ctx.compliance.items():
        if name not in PERFORMANCE_TESTS or not test.exists:
            continue
        lines = _lines(test, _VERIFY_PERFORMANCE)
        if lines is not None and not any(_PASS in line for line in lines):
            yield ctx.found(
                "compliance.performance_failed",
                test.folder / _VERIFY_PERFORMANCE,
                f"{name} did not pass",
            )
        run = test.folder / "performance" / "run_1"
        if test.performance_files is None:
            yield ctx.found(
                "compliance.file_list_mismatch", run, f"{name} has no performance/run_1"
            )
        else:
            files = ctx.common.compliance_performance_files
            difference = (
                (set(test.performance_files) ^ set(files.required))
                - set(files.optional)
                - set(ctx.common.ignorable_files)
            )
            if difference:
                yield ctx.found(
                    "compliance.file_list_mismatch",
                    run,
                    f"{name}: unexpected or missing {', '.join(sorted(difference))}",
                )
        yield from _performance_rules(ctx, test)


def _performance_rules(ctx: ResultContext, test: ComplianceTest) -> Iterator[Finding]:
    log = test.performance_log
    run = test.folder / "performance" / "run_1" / "mlperf_log_detail.txt"
    classic = ctx.rules.checker.style == "classic"
    if (
        log is None
        or isinstance(log, ParseError)
        or (log.is_empty and (classic or log.first_line_is_marker))
    ):
        reason = (
            "is missing"
            if log is None
            else log.message
            if isinstance(log, ParseError)
            else "holds no ':::MLLOG' line"
        )
        stops = isinstance(log, ParseError) and not classic
        yield ctx.found(
            "compliance.log_unreadable",
            run,
            f"{test.name}'s detail log {reason}" + (STOPS if stops else ""),
            # v6.0's loader parses the TEST01/TEST04 logs before any check: it stops
            **({"scope": ()} if stops else {}),
        )
        return
    if log.malformed_lines or (
        ctx.rules.checker.style == "package" and not log.first_line_is_marker
    ):
        yield ctx.found(
            "compliance.log_unreadable",
            run,
            f"{test.name}'s detail log has malformed ':::MLLOG' lines"
            + ("" if ctx.rules.checker.style == "classic" else STOPS),
            **({} if ctx.rules.checker.style == "classic" else {"scope": ()}),
        )
        return
    nested = replace(ctx, perf_log=log, power=None)
    rules: tuple[Callable[[ResultContext], Iterator[Finding]], ...] = (
        performance.check_result_validity,
        performance.check_loadgen_errors,
        performance.check_equal_issue,
        performance.check_performance_sample_count,
        performance.check_min_duration,
        performance.check_early_stopping,
        performance.check_min_queries,
        performance.check_token_latencies,
    )
    if ctx.rules.checker.equal_issue_from_conf:
        # v4.1 checks equal issue of the main run only (from the configuration files)
        rules = tuple(r for r in rules if r is not performance.check_equal_issue)
    seeds = ctx.rules.test05_seeds if test.name == "TEST05" and ctx.rules.test05_seeds else None
    for rule in rules:
        for f in rule(nested):
            if f.is_error and f.verdict is Verdict.OFFICIAL:
                yield ctx.found("compliance.performance_failed", run, f"{test.name}: {f.message}")
    checked = (
        replace(nested, rules=ctx.rules.model_copy(update={"seeds": seeds})) if seeds else nested
    )
    for f in performance.check_seeds(checked):
        yield ctx.found("compliance.performance_failed", run, f"{test.name}: {f.message}")


@check(Level.RESULT, codes=("compliance.test_failed", "compliance.file_list_mismatch"))
def check_accuracy_tests(ctx: ResultContext) -> Iterator[Finding]:
    """TEST01 accuracy (deterministic pass, else baseline vs compliance within the delta),
    TEST06 (the three lines), TEST07/TEST09 ("TEST PASS" anywhere), TEST08 (a pass line)."""
    if not _applies(ctx):
        return
    for name, test in ctx.compliance.items():
        if not test.exists:
            continue
        if name == "TEST01":
            yield from _test01(ctx, test)
        elif name == "TEST06":
            yield from _test06(ctx, test)
        elif name in ("TEST07", "TEST09"):
            file = _VERIFY_ACCURACY if name == "TEST07" else "verify_output_len.txt"
            lines = _lines(test, file)
            if lines is not None and _PASS not in "\n".join(lines):
                yield ctx.found(
                    "compliance.test_failed", test.folder / file, f"{name} did not pass"
                )
        elif name == "TEST08":
            lines = _lines(test, _VERIFY_ACCURACY)
            if lines is not None and _PASS not in [line.strip() for line in lines]:
                yield ctx.found(
                    "compliance.test_failed", test.folder / _VERIFY_ACCURACY, "TEST08 did not pass"
                )


def _test06(ctx: ResultContext, test: ComplianceTest) -> Iterator[Finding]:
    lines = _lines(test, _VERIFY_ACCURACY)
    if lines is None:
        return
    stripped = {line.strip() for line in lines}
    for check_name, accepted in ctx.common.test06.lines.items():
        if not stripped.intersection(accepted):
            yield ctx.found(
                "compliance.test_failed",
                test.folder / _VERIFY_ACCURACY,
                f"TEST06 {check_name.replace('_', ' ')} check did not pass "
                f"(expected {accepted[0]!r})",
            )


def _test01(ctx: ResultContext, test: ComplianceTest) -> Iterator[Finding]:
    lines = _lines(test, _VERIFY_ACCURACY)
    if lines is None:
        return
    classic = ctx.rules.checker.style == "classic"
    passed = (
        any(_PASS in line for line in lines)
        if classic
        else _PASS in [line.strip() for line in lines]
    )
    if not classic and passed:
        return  # v6.0 does not look at the accuracy folder of a deterministic pass
    folder = test.folder / "accuracy"
    if test.accuracy_files is None:
        yield ctx.found("compliance.file_list_mismatch", folder, "TEST01 has no accuracy folder")
        return
    required = set(ctx.common.test01_accuracy_files)
    if not passed:
        required |= set(ctx.common.test01_failed_extra_files)
    difference = (set(test.accuracy_files) ^ required) - set(ctx.common.ignorable_files)
    if difference:
        yield ctx.found(
            "compliance.file_list_mismatch",
            folder,
            f"TEST01/accuracy: unexpected or missing {', '.join(sorted(difference))}",
        )
        return
    if not passed:
        yield from _test01_delta(ctx, test)


def _test01_delta(ctx: ResultContext, test: ComplianceTest) -> Iterator[Finding]:
    bench = ctx.bench
    assert bench is not None
    base = test.accuracy_texts.get("baseline_accuracy.txt")
    comp = test.accuracy_texts.get("compliance_accuracy.txt")
    where = test.folder / "accuracy"
    if not isinstance(base, AccuracyText) or not isinstance(comp, AccuracyText):
        unreadable = next((t for t in (base, comp) if isinstance(t, ParseError)), None)
        if unreadable is not None and ctx.rules.checker.style == "classic":
            # the classic checker reads both files outside any try: it stops
            yield ctx.found(
                "compliance.test_failed",
                where,
                f"TEST01: {unreadable.message}" + STOPS,
                scope=(),
            )
            return
        yield ctx.found(
            "compliance.test_failed", where, "TEST01 baseline/compliance accuracy cannot be read"
        )
        return
    for metric in bench.accuracy_min:
        b = base.last(metric)
        c = comp.last(metric)
        b_value = b.number if b else 0.0
        c_value = c.number if c else 0.0
        if not b_value or not c_value:
            yield ctx.found(
                "compliance.test_failed", where, f"TEST01: no {metric} in both accuracy files"
            )
            return
        allowed = _delta_percent(ctx, metric)
        delta = abs(1 - b_value / c_value) * 100
        if delta > allowed:
            yield ctx.found(
                "compliance.test_failed",
                where,
                f"TEST01: {metric} differs by {delta:.3f}% between baseline and compliance runs "
                f"(allowed {allowed}%)",
            )
            return


def _delta_percent(ctx: ResultContext, metric: str) -> float:
    bench = ctx.bench
    assert bench is not None
    key = metric[0] if ctx.rules.checker.test01_delta_by_first_letter else metric
    if key in bench.accuracy_delta_percent:
        return bench.accuracy_delta_percent[key]
    return 0.1 if "99.9" in ctx.mlperf_benchmark else 1.0


_LOADER_READS = {  # v6.0's loader reads these of every result, in every division (readlines)
    "TEST01": "verify_accuracy.txt",
    "TEST04": "verify_accuracy.txt",
    "TEST06": "verify_accuracy.txt",
    "TEST07": "verify_accuracy.txt",
    "TEST08": "verify_accuracy.txt",
    "TEST09": "verify_output_len.txt",
}


@check(Level.RESULT, codes=("compliance.text_unreadable",))
def check_verify_files_are_text(ctx: ResultContext) -> Iterator[Finding]:
    """Verify files that are not UTF-8 where the checker reads them. v6.0's loader reads the
    verify_accuracy (TEST09: verify_output_len) file of every test with ``readlines`` and
    stops; its verify_performance.txt is read inside a check (the result fails). The classic
    checkers stop where their reading meets the byte: verify_performance.txt and TEST01's
    verify_accuracy.txt up to the first "TEST PASS" line, TEST06's whole."""
    package = ctx.rules.checker.style == "package"
    for name, test in ctx.compliance.items():
        for file, bad in test.verify_not_utf8.items():
            where = test.folder / file
            message = bad.describe(f"{name}/{file}")
            if package and _LOADER_READS.get(name) == file:
                yield ctx.found("compliance.text_unreadable", where, message + STOPS, scope=())
            elif package:
                if file == _VERIFY_PERFORMANCE and _applies(ctx):
                    yield ctx.found("compliance.text_unreadable", where, message)
            elif _applies(ctx) and _classic_reads(ctx, name, file, test, bad):
                yield ctx.found("compliance.text_unreadable", where, message + STOPS, scope=())


def _classic_reads(
    ctx: ResultContext, name: str, file: str, test: ComplianceTest, bad: NotUtf8
) -> bool:
    """Whether the classic checker's reading of the file meets the byte."""
    if file == _VERIFY_PERFORMANCE and name in PERFORMANCE_TESTS:
        if "TEST06" in ctx.compliance:
            return False  # it skips every performance check of such a benchmark
    elif not (file == _VERIFY_ACCURACY and name in ("TEST01", "TEST06")):
        return False  # a file it does not open
    if name == "TEST06":
        return True  # readlines()
    lines = test.verify_lines.get(file)
    passed = (
        next((n for n, line in enumerate(lines) if _PASS in line), None)
        if isinstance(lines, tuple)
        else None
    )
    return bad.met_by_loop_stopping_after(passed)
