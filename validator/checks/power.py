"""Power checks (spec §4.6), for results with ``performance/power``: the run, ranging and power
folders hold exactly their files, the Power WG's log checks pass, and the power metric
(average watts, or millijoules per query) can be computed from ``spl.txt``."""

from __future__ import annotations

import math
from collections.abc import Iterator

from validator import power_logs
from validator.checks.context import ResultContext
from validator.checks.registry import Level, check
from validator.findings import Finding


@check(Level.RESULT, codes=("power.file_list_mismatch",))
def check_power_folders(ctx: ResultContext) -> Iterator[Finding]:
    power = ctx.power
    if power is None:
        return
    files = ctx.common.performance_files
    required = set(files.required) | set(ctx.common.power_run_files)
    optional = set(files.optional) | set(ctx.common.ignorable_files)
    ranging = ctx.dirs.results / "performance" / "ranging"
    if power.ranging_files is None:
        yield ctx.found("power.file_list_mismatch", ranging, "performance/ranging is missing")
    else:
        difference = (set(power.ranging_files) ^ required) - optional
        if difference:
            yield ctx.found(
                "power.file_list_mismatch",
                ranging,
                f"unexpected or missing {', '.join(sorted(difference))}",
            )
    folder = ctx.dirs.results / "performance" / "power"
    difference = (set(power.power_files) ^ set(ctx.common.power_folder_files)) - set(
        ctx.common.ignorable_files
    )
    if difference:
        yield ctx.found(
            "power.file_list_mismatch",
            folder,
            f"unexpected or missing {', '.join(sorted(difference))}",
        )


@check(Level.RESULT, codes=("power.logs_failed",))
def check_power_logs(ctx: ResultContext) -> Iterator[Finding]:
    """The Power WG's checks of the PTD logs (power_checker.py), unless skipped."""
    if ctx.power is None or ctx.options.skip_power_check:
        return
    performance = ctx.dirs.results / "performance"
    for problem in power_logs.check_power_logs(performance, ctx.rules.round, ctx.dirs.root):
        yield ctx.found(
            "power.logs_failed", performance / "power", f"{problem.rule}: {problem.message}"
        )


@check(Level.RESULT, codes=("power.metric_unavailable",))
def check_power_metric(ctx: ResultContext) -> Iterator[Finding]:
    if ctx.power is None:
        return
    value, problem = power_metric(ctx)
    if value is None:
        yield ctx.found(
            "power.metric_unavailable",
            ctx.perf_dir / "spl.txt",
            problem.message if problem else "the power metric cannot be computed",
        )


@check(Level.RESULT, codes=("truth.power_not_finite",))
def check_power_is_finite(ctx: ResultContext) -> Iterator[Finding]:
    """The checker averages spl.txt as it stands: an ``inf`` or ``nan`` sample gives a power
    that is not a number (printed as such in the official summary); no real meter reads it."""
    if ctx.power is None:
        return
    value, _ = power_metric(ctx)
    if value is not None and not math.isfinite(value):
        yield ctx.found(
            "truth.power_not_finite",
            ctx.perf_dir / "spl.txt",
            f"the power metric is {value!r}: spl.txt holds a sample that is not a finite "
            "number of watts",
        )


def power_metric(ctx: ResultContext) -> tuple[float | None, power_logs.PowerProblem | None]:
    """The checker's power metric of the result's testing run (computed once per result)."""
    return ctx.power_metric
