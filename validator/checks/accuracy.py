"""Accuracy checks on ``accuracy/`` (spec §4.3): the folder's files, the thresholds read from
accuracy.txt as the checker reads them, the hash line, the truncated log, the accuracy run's
detail log and, for SDXL, the sample images.

Open division takes a result whose accuracy misses its targets (spec §4.3 item 3): up to v5.1
when accuracy.txt yielded any metric, in v6.0 always.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scoring.accuracy_text import AccuracyText
from validator.checks.context import ResultContext
from validator.checks.registry import Level, check
from validator.codes import Verdict
from validator.findings import STOPS, Finding, Severity
from validator.official_accuracy import AccuracyReading, read_like_the_checker
from validator.parsing import ParseError
from validator.parsing.loadgen_log import DetailLog
from validator.parsing.utf8 import NotUtf8


def reading(ctx: ResultContext) -> AccuracyReading | None:
    text = ctx.accuracy_text
    if not isinstance(text, AccuracyText) or ctx.bench is None:
        return None
    return read_like_the_checker(text, ctx.bench.accuracy_min, ctx.bench.accuracy_max)


def forgiven(ctx: ResultContext, read: AccuracyReading | None) -> bool:
    """Open division: failing accuracy is taken (the checker's "taken for open")."""
    if ctx.is_closed_or_network:
        return False
    if ctx.rules.checker.open_accuracy_forgiven == "always":
        return True
    return read is not None and bool(read.values)


def _classic(ctx: ResultContext) -> bool:
    return ctx.rules.checker.style == "classic"


def _stop_scope(ctx: ResultContext) -> dict[str, Any]:
    return {"scope": ()}


@check(
    Level.RESULT,
    codes=(
        "structure.accuracy_missing",
        "structure.file_list_mismatch",
        "accuracy.text_unreadable",
    ),
)
def check_accuracy_folder(ctx: ResultContext) -> Iterator[Finding]:
    txt = ctx.accuracy_dir / "accuracy.txt"
    if ctx.accuracy_text is None:
        yield ctx.found("structure.accuracy_missing", txt, "accuracy/accuracy.txt is missing")
        return
    if isinstance(ctx.accuracy_text, ParseError):
        yield ctx.found("accuracy.text_unreadable", txt, ctx.accuracy_text.message)
    if ctx.accuracy_text_not_utf8 is not None:
        yield _not_utf8(ctx, txt, ctx.accuracy_text_not_utf8)
    if ctx.rules.checker.run_folder_files != "exact" or ctx.accuracy_files is None:
        return
    required = set(ctx.common.accuracy_files.required)
    difference = (set(ctx.accuracy_files) ^ required) - set(ctx.common.ignorable_files)
    if difference:
        missing = sorted(difference & required)
        extra = sorted(difference - required)
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unexpected {', '.join(extra)}"] if extra else []
        )
        yield ctx.found("structure.file_list_mismatch", ctx.accuracy_dir, "; ".join(parts))


def _not_utf8(ctx: ResultContext, txt: Path, bad: NotUtf8) -> Finding:
    """accuracy.txt holds bytes that are not UTF-8: the checker stops where its reading meets
    them. v6.0 reads every line (``readlines``); the classic loop stops after the line where
    every target and the hash are seen, having decoded the file 8 KiB at a time."""
    read = reading(ctx) if _classic(ctx) else None
    stop = read.stopped_at if read is not None else None
    if stop is None or bad.met_by_loop_stopping_after(stop):
        message = bad.describe("accuracy.txt") + STOPS
        return ctx.found("accuracy.text_unreadable", txt, message, scope=())
    return ctx.truth(
        "accuracy.text_unreadable",
        txt,
        bad.describe("accuracy.txt") + f", after line {stop + 1}, where the official checker "
        "stops reading",
        severity=Severity.WARNING,
    )


@check(
    Level.RESULT,
    codes=(
        "accuracy.metric_missing",
        "accuracy.below_target",
        "accuracy.above_limit",
        "accuracy.open_below_target",
        "accuracy.hash_missing",
        "accuracy.value_not_a_number",
        "accuracy.line_refused",
    ),
)
def check_thresholds(ctx: ResultContext) -> Iterator[Finding]:
    """Every target metric at or above its target on every line that states it, upper limits
    respected, a ``hash=`` line present (spec §4.3 items 1-2)."""
    read = reading(ctx)
    text = ctx.accuracy_text
    if read is None or not isinstance(text, AccuracyText):
        return
    where = ctx.accuracy_dir / "accuracy.txt"
    for n in text.refused_lines:
        yield ctx.found(
            "accuracy.line_refused",
            where,
            f"line {n + 1} repeats a metric name too often to be searched; it is not read",
            severity=Severity.WARNING,
        )
    if read.not_a_number:
        metric, value, n = read.not_a_number
        classic = _classic(ctx)
        yield ctx.found(
            "accuracy.value_not_a_number",
            where,
            f"{metric} on line {n + 1} is {value!r}, not a number" + (STOPS if classic else ""),
            **(_stop_scope(ctx) if classic else {}),
        )
        return
    open_ok = forgiven(ctx, read)
    downgrade: dict[str, Any] = {"severity": Severity.WARNING} if open_ok else {}
    if read.absent:
        yield ctx.found(
            "accuracy.metric_missing",
            where,
            f"no value for {', '.join(read.absent)}" + (" (accepted in open)" if open_ok else ""),
            **downgrade,
        )
    for metric, value, n in read.below:
        target = ctx.bench.accuracy_min[metric] if ctx.bench else 0.0
        yield ctx.found(
            "accuracy.open_below_target" if open_ok else "accuracy.below_target",
            where,
            f"{metric} is {value} on line {n + 1}, target {target:.6g}",
        )
    for metric, value, n in read.above:
        limit = ctx.bench.accuracy_max[metric] if ctx.bench else 0.0
        yield ctx.found(
            "accuracy.open_below_target" if open_ok else "accuracy.above_limit",
            where,
            f"{metric} is {value} on line {n + 1}, upper limit {limit:.6g}",
        )
    if not read.hash_value:
        yield ctx.found(
            "accuracy.hash_missing",
            where,
            "no 'hash=' line" + (" (accepted in open)" if open_ok else ""),
            **downgrade,
        )


@check(Level.RESULT, codes=("accuracy.log_missing", "accuracy.log_not_truncated"))
def check_accuracy_log(ctx: ResultContext) -> Iterator[Finding]:
    """Present and truncated (<= 10 KiB). The untruncated log is uploaded beside the bundle;
    a published bundle carries the truncated form. The classic checkers test this inside
    their accuracy check, so the open division's "taken for open" covers it too; the v6.0
    package tests it apart, in every division."""
    if ctx.accuracy_text is None:
        return
    path = ctx.accuracy_dir / "mlperf_log_accuracy.json"
    open_ok = _classic(ctx) and forgiven(ctx, reading(ctx))
    downgrade: dict[str, Any] = {"severity": Severity.WARNING} if open_ok else {}
    suffix = " (accepted in open)" if open_ok else ""
    if ctx.accuracy_log_size is None:
        message = "mlperf_log_accuracy.json is missing" + suffix
        yield ctx.found("accuracy.log_missing", path, message, **downgrade)
        return
    limit = ctx.common.max_truncated_accuracy_log_bytes
    if ctx.accuracy_log_size > limit:
        yield ctx.found(
            "accuracy.log_not_truncated",
            path,
            f"{ctx.accuracy_log_size} bytes, more than {limit}: publish the truncated log and "
            "upload the whole one beside the submission" + suffix,
            **downgrade,
        )


def _accuracy_log(ctx: ResultContext) -> DetailLog | None:
    return ctx.accuracy_log if isinstance(ctx.accuracy_log, DetailLog) else None


@check(
    Level.RESULT,
    codes=("accuracy.log_unreadable", "accuracy.loadgen_errors", "accuracy.dataset_not_covered"),
)
def check_accuracy_run(ctx: ResultContext) -> Iterator[Finding]:
    """The accuracy run's detail log: readable, without errors, over the whole dataset."""
    if ctx.accuracy_text is None:
        return
    where = ctx.accuracy_dir / "mlperf_log_detail.txt"
    log = ctx.accuracy_log
    classic = _classic(ctx)
    if (
        log is None
        or isinstance(log, ParseError)
        or log.malformed_lines
        or (not classic and not log.first_line_is_marker)
    ):
        reason = (
            "mlperf_log_detail.txt is missing"
            if log is None
            else log.message
            if isinstance(log, ParseError)
            else "the official parser refuses the log (a malformed ':::MLLOG' line)"
        )
        if classic and log is None:
            return  # the file list check reports it; the checker never gets here
        yield ctx.found("accuracy.log_unreadable", where, reason + STOPS, scope=())
        return
    if log.is_empty:
        # the official parsers read it as a run without errors; nothing shows the accuracy run
        yield ctx.truth(
            "accuracy.log_unreadable",
            where,
            "mlperf_log_detail.txt holds no ':::MLLOG' line, so nothing shows that accuracy.txt "
            "comes from a LoadGen accuracy run (the official checker reads it as a log without "
            "errors)",
        )
    if classic:
        behaviour = ctx.rules.checker
        if log.official_has_error(counts_entries_only=behaviour.num_errors_from_entries_only):
            # the checker's find_error_in_detail_log: excused only by --submission-exceptions
            # when every error entry is the uncommitted-changes one
            excused = ctx.options.submission_exceptions and all(
                "Loadgen built with uncommitted changes!" in e for e in log.errors
            )
            if excused:
                pass
            elif behaviour.accuracy_log_errors_stop:
                # v5.1's error path names a variable it sets later: the checker stops
                yield ctx.found(
                    "accuracy.loadgen_errors",
                    where,
                    f"{log.num_errors} LoadGen errors" + STOPS,
                    scope=(),
                )
            else:
                # earlier rounds: the accuracy is invalid (open takes it, as other failures)
                open_ok = forgiven(ctx, reading(ctx))
                yield ctx.found(
                    "accuracy.loadgen_errors",
                    where,
                    f"{log.num_errors} LoadGen errors" + (" (accepted in open)" if open_ok else ""),
                    **({"severity": Severity.WARNING} if open_ok else {}),
                )
    elif log.errors:
        excused = ctx.options.submission_exceptions and all(
            "Loadgen built with uncommitted changes!" in e for e in log.errors
        )
        if not excused:
            yield ctx.found("accuracy.loadgen_errors", where, f"{len(log.errors)} LoadGen errors")
    yield from _dataset(ctx, log, where)


def _dataset(ctx: ResultContext, log: DetailLog, where: Any) -> Iterator[Finding]:
    bench = ctx.bench
    if bench is None or bench.dataset_size is None:
        return
    expected = bench.accuracy_sample_count or bench.dataset_size
    key = "qsl_reported_total_count"
    if not _classic(ctx) and log.has("effective_accuracy_sample_count"):
        key = "effective_accuracy_sample_count"
    found = log.get(key)
    if found != expected:
        fails = ctx.rules.checker.accuracy_dataset_check_fails
        yield ctx.found(
            "accuracy.dataset_not_covered",
            where,
            f"{key} is {found!r}, the dataset has {expected} samples",
            severity=Severity.ERROR if fails else Severity.WARNING,
        )


@check(Level.RESULT, codes=("accuracy.extra_files_missing",))
def check_extra_files(ctx: ResultContext) -> Iterator[Finding]:
    """SDXL: the listed sample images in accuracy/images (classic checkers, closed only)."""
    bench = ctx.bench
    if bench is None or not bench.accuracy_extra_files or not _classic(ctx):
        return
    if ctx.accuracy_text is None or not isinstance(ctx.accuracy_text, AccuracyText):
        return
    for folder, stems in bench.accuracy_extra_files.items():
        listing = ctx.extra_accuracy_folders.get(folder)
        present = {name.split(".")[0] for name in listing or ()}
        missing = [s for s in stems if s not in present]
        if listing is None or missing:
            what = (
                f"accuracy/{folder}/ is missing"
                if listing is None
                else (f"accuracy/{folder}/ lacks {', '.join(m + '.png' for m in missing)}")
            )
            open_ok = forgiven(ctx, reading(ctx))
            yield ctx.found(
                "accuracy.extra_files_missing",
                ctx.accuracy_dir / folder,
                what + (" (accepted in open)" if open_ok else ""),
                **({"severity": Severity.WARNING} if open_ok else {}),
            )


@check(Level.RESULT, codes=("truth.accuracy_detail_from_performance_run",))
def check_accuracy_run_mode(ctx: ResultContext) -> Iterator[Finding]:
    """accuracy/mlperf_log_detail.txt must come from an accuracy run: seven published results
    carry a PerformanceOnly log there, and both checkers accept them."""
    log = _accuracy_log(ctx)
    if log is None:
        return
    mode = log.get("effective_test_mode", log.get("requested_test_mode"))
    if isinstance(mode, str) and mode.replace(" ", "").lower() == "performanceonly":
        yield ctx.found(
            "truth.accuracy_detail_from_performance_run",
            ctx.accuracy_dir / "mlperf_log_detail.txt",
            "the accuracy folder's detail log is from a PerformanceOnly run, so accuracy.txt "
            "cannot come from it",
            verdict=Verdict.INFERBOARD,
        )
