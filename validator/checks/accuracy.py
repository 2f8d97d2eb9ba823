"""Accuracy checks on ``accuracy/`` (spec §4.3): thresholds from accuracy.txt, the hash line,
the truncated log and the accuracy run's detail log."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from validator.checks.context import ResultContext
from validator.findings import Finding, Severity


def check_thresholds(ctx: ResultContext) -> Iterator[Finding]:
    """Every target metric present and >= its target; upper limits strictly respected.

    Open division accepts failing accuracy (spec §4.3 item 3): reported as info there."""
    text = ctx.accuracy_text
    if text is None or ctx.bench is None:
        return
    where = ctx.accuracy_dir / "accuracy.txt"
    missing = [m for m in ctx.bench.accuracy_min if m not in text.metrics]
    if missing:
        forgiven = not ctx.is_closed_or_network and bool(text.metrics)
        severity = Severity.WARNING if forgiven else None
        yield ctx.found(
            "accuracy.metric_missing",
            where,
            f"no value for {', '.join(missing)}",
            severity=severity,
        )
    closed = ctx.is_closed_or_network
    for metric, target in ctx.bench.accuracy_min.items():
        value = text.metrics.get(metric)
        if value is not None and value < target:
            yield ctx.found(
                "accuracy.below_target" if closed else "accuracy.open_below_target",
                where,
                f"{metric} is {value}, target {target:.6g}",
            )
    for metric, limit in ctx.bench.accuracy_max.items():
        value = text.metrics.get(metric)
        if value is not None and value > limit:
            yield ctx.found(
                "accuracy.above_limit" if closed else "accuracy.open_below_target",
                where,
                f"{metric} is {value}, upper limit {limit:.6g}",
            )


def check_hash_line(ctx: ResultContext) -> Iterator[Finding]:
    if ctx.accuracy_text is not None and not ctx.accuracy_text.hash_value:
        yield ctx.found(
            "accuracy.hash_missing", ctx.accuracy_dir / "accuracy.txt", "no 'hash=' line"
        )


def check_accuracy_log(ctx: ResultContext) -> Iterator[Finding]:
    """Present and truncated (<= 10 KiB). An untruncated log is what the truth checks want,
    so the portal keeps it, but a published bundle must carry the truncated form."""
    path = ctx.accuracy_dir / "mlperf_log_accuracy.json"
    if not path.is_file():
        yield ctx.found("accuracy.log_missing", path, "mlperf_log_accuracy.json is missing")
        return
    size = path.stat().st_size
    limit = ctx.common.max_truncated_accuracy_log_bytes
    if size > limit:
        yield ctx.found(
            "accuracy.log_not_truncated",
            path,
            f"{size} bytes, more than {limit}: run truncate_accuracy_log.py before publishing",
        )


def check_accuracy_run_errors(ctx: ResultContext) -> Iterator[Finding]:
    log = ctx.accuracy_log
    if log is None:
        return
    where = ctx.accuracy_dir / "mlperf_log_detail.txt"
    if log.num_errors > 0:
        yield ctx.found("accuracy.loadgen_errors", where, f"{log.num_errors} LoadGen errors")
    expected = ctx.bench.dataset_size if ctx.bench else None
    found = log.get("qsl_reported_total_count")
    if expected is not None and found != expected:
        yield ctx.found(
            "accuracy.dataset_not_covered",
            where,
            f"qsl_reported_total_count is {found}, dataset size {expected}",
        )


CHECKS: tuple[Callable[[ResultContext], Iterator[Finding]], ...] = (
    check_thresholds,
    check_hash_line,
    check_accuracy_log,
    check_accuracy_run_errors,
)


def summary_accuracy(ctx: ResultContext) -> str:
    """The checker's CSV ``Accuracy`` text: ``ROUGE1: 44.4465  ROUGE2: ...`` (spec §4)."""
    text = ctx.accuracy_text
    if text is None or ctx.bench is None:
        return ""
    names = [m for m in ctx.bench.accuracy_min if m in text.raw_metrics]
    if ctx.rules.legacy_summary_format:
        return text.raw_metrics[names[0]] if names else ""
    return "  ".join(f"{name}: {text.raw_metrics[name]}" for name in names)
