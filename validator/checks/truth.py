"""Truth checks: cross-checks the official checker does not make (product brief; spec §6, §7).

The official checker trusts accuracy.txt and never recomputes anything, so a fake system that
answers 3 tokens per query with a copied accuracy.txt passes it (spec §7). These checks compare
the numbers of a bundle with each other and with physics.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

import hardware
from scoring.accuracy_log import (
    AccuracyLogError,
    TokenDtype,
    decode_tokens,
    guess_dtype,
    looks_truncated,
    read_accuracy_log,
    read_accuracy_log_with_digest,
    token_statistics,
    tokens_per_sample_agree,
)
from validator.checks.compliance import compliance_root
from validator.checks.context import ResultContext
from validator.findings import Finding, Severity
from validator.parsing import ParseError
from validator.parsing.loadgen_log import DetailLog, read_summary_log

# summary-log label -> detail-log key (spec §3): the same run must print the same numbers.
SUMMARY_TO_DETAIL = {
    "Result is": "result_validity",
    "Samples per second": "result_samples_per_second",
    "Tokens per second": "result_tokens_per_second",
    "Completed samples per second": "result_completed_samples_per_sec",
    "Completed tokens per second": "result_completed_tokens_per_second",
    "99.00 percentile first token latency (ns)": "result_first_token_99.00_percentile_latency_ns",
    "99.00 percentile time to output token (ns)": (
        "result_time_per_output_token_99.00_percentile_ns"
    ),
    "qsl_rng_seed": "effective_qsl_rng_seed",
    "sample_index_rng_seed": "effective_sample_index_rng_seed",
    "schedule_rng_seed": "effective_schedule_rng_seed",
}
FLOPS_PER_TOKEN_PER_PARAMETER = 2  # one multiply-add per weight per generated token


def _same_number(printed: str, logged: object) -> bool:
    """The summary rounds for print; allow the rounding of its last printed digit."""
    try:
        shown = float(printed)
        exact = float(logged)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(printed) == str(logged)
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    # the detail log itself keeps 6 significant digits (24593.8 vs the summary's 24593.77)
    return abs(shown - exact) <= max(0.5 * 10**-decimals, 1e-5 * abs(exact)) + 1e-12


def _tokens_per_second(log: DetailLog) -> object:
    """Generated tokens/s of the run: Offline's or Server's (completed) key (spec §3)."""
    return log.get("result_tokens_per_second", log.get("result_completed_tokens_per_second"))


def check_summary_matches_detail(ctx: ResultContext) -> Iterator[Finding]:
    log = ctx.perf_log
    path = ctx.perf_dir / "mlperf_log_summary.txt"
    if log is None or not path.is_file():
        return
    try:
        summary = read_summary_log(path)
    except ParseError as exc:
        yield ctx.found("truth.summary_detail_mismatch", path, str(exc))
        return
    for label, key in SUMMARY_TO_DETAIL.items():
        if label in summary and log.has(key) and not _same_number(summary[label], log.get(key)):
            yield ctx.found(
                "truth.summary_detail_mismatch",
                path,
                f"summary says {label} = {summary[label]}, detail log says {key} = {log.get(key)}",
            )


def check_perf_tokens_per_sample(ctx: ResultContext) -> Iterator[Finding]:
    """tokens/s ÷ samples/s of the performance run is its mean output length (spec §6)."""
    log, text = ctx.perf_log, ctx.accuracy_text
    if log is None or text is None or "TOKENS_PER_SAMPLE" not in text.metrics:
        return
    tokens = _tokens_per_second(log)
    samples = log.get("result_samples_per_second", log.get("result_completed_samples_per_sec"))
    if not isinstance(tokens, int | float) or not isinstance(samples, int | float) or samples <= 0:
        return
    implied = tokens / samples
    claimed = text.metrics["TOKENS_PER_SAMPLE"]
    tolerance = ctx.options.perf_tokens_per_sample_tolerance
    if abs(implied - claimed) > tolerance * claimed:
        # open division does not enforce accuracy, so an inconsistent claim there is a warning
        severity = None if ctx.is_closed_or_network else Severity.WARNING
        yield ctx.found(
            "truth.perf_tokens_per_sample",
            ctx.perf_dir / "mlperf_log_detail.txt",
            f"the performance run produced {implied:.1f} tokens per sample "
            f"({tokens} tokens/s ÷ {samples} samples/s) but accuracy.txt claims "
            f"tokens_per_sample {claimed} (tolerance {tolerance:.0%})",
            severity=severity,
        )


def check_untruncated_accuracy_log(ctx: ResultContext) -> Iterator[Finding]:
    """With the full log: its sha256 is accuracy.txt's hash=, it covers every sample once,
    and its own token counts give the claimed tokens_per_sample (spec §5, §6)."""
    path = ctx.accuracy_dir / "mlperf_log_accuracy.json"
    text = ctx.accuracy_text
    if not path.is_file() or text is None or ctx.bench is None or not ctx.bench.is_llm:
        return
    if _is_truncated(path, ctx.common.max_truncated_accuracy_log_bytes):
        yield ctx.found("truth.accuracy_log_truncated", path, "only the truncated log is present")
        return
    try:
        entries, digest = read_accuracy_log_with_digest(path)
    except AccuracyLogError as exc:
        yield ctx.found("truth.accuracy_log_unreadable", path, str(exc))
        return
    problems = 0
    if text.hash_value and digest != text.hash_value:
        problems += 1
        yield ctx.found(
            "truth.accuracy_log_hash_mismatch",
            path,
            f"sha256 is {digest}, accuracy.txt says hash={text.hash_value}",
        )
    dtype = guess_dtype(entries)
    stats = token_statistics(entries, dtype)
    expected = ctx.bench.dataset_size
    indices = set(stats.qsl_indices)
    missing = (expected - len(indices & set(range(expected)))) if expected else 0
    extra = len({i for i in indices if expected is not None and not 0 <= i < expected})
    if stats.duplicate_qsl_idx or missing or extra:
        problems += 1
        yield ctx.found(
            "truth.accuracy_log_coverage",
            path,
            f"{len(indices)} distinct samples of {expected}: {missing} missing, "
            f"{len(stats.duplicate_qsl_idx)} logged more than once, {extra} out of range",
        )
    claimed = text.metrics.get("TOKENS_PER_SAMPLE")
    if claimed is not None and not tokens_per_sample_agree(stats.tokens_per_sample, claimed):
        problems += 1
        yield ctx.found(
            "truth.accuracy_log_tokens_per_sample",
            path,
            f"the log holds {stats.gen_tok_len} tokens in {stats.gen_num} samples "
            f"({stats.tokens_per_sample} per sample, {dtype}); accuracy.txt claims {claimed}",
        )
    if not problems:
        yield ctx.found(
            "truth.accuracy_log_verified",
            path,
            f"sha256 matches, {stats.gen_num} samples, {stats.tokens_per_sample} tokens/sample",
        )


def _is_truncated(path: Path, limit: int) -> bool:
    if path.stat().st_size > limit:
        return False
    head = path.read_text(encoding="utf-8", errors="replace")
    return looks_truncated(head) or head.strip() in ("", "[", "[]")


def check_test06_log(ctx: ResultContext) -> Iterator[Finding]:
    """Re-run TEST06's three checks on its own accuracy log (spec §4.4)."""
    if (
        not ctx.is_closed_or_network
        or ctx.bench is None
        or "TEST06" not in ctx.bench.compliance_tests
    ):
        return
    path = compliance_root(ctx) / "TEST06" / "accuracy" / "mlperf_log_accuracy.json"
    if not path.is_file():
        return
    try:
        entries = read_accuracy_log(path)
        dtype = guess_dtype(entries)
    except AccuracyLogError as exc:
        yield ctx.found("truth.test06_unverifiable", path, str(exc))
        return
    # Token ids are fixed-width hex, so the three checks work on the hex text itself; only the
    # last two tokens are decoded (for EOS).
    width = np.dtype(dtype).itemsize * 2
    eos = ctx.common.test06.eos_token_id
    if ctx.dirs.scenario != "Offline":
        bad = [e.qsl_idx for e in entries if not _first_token_ok(e.token_data, e.data)]
        if bad:
            yield ctx.found(
                "truth.test06_first_token",
                path,
                f"{len(bad)} of {len(entries)} samples' first token differs from the reported "
                f"one (qsl_idx {bad[:5]})",
            )
    bad = [e.qsl_idx for e in entries if _repeated_trailing_eos(e.data, width, dtype, eos)]
    if bad:
        yield ctx.found(
            "truth.test06_eos",
            path,
            f"{len(bad)} samples end with repeated EOS (qsl_idx {bad[:5]})",
        )
    bad = [e.qsl_idx for e in entries if e.token_count != len(e.data) // width]
    if bad:
        yield ctx.found(
            "truth.test06_length",
            path,
            f"{len(bad)} samples' token_count differs from their data (qsl_idx {bad[:5]})",
        )


def _first_token_ok(token_data: str | None, data: str) -> bool:
    """The reported first token(s) start the response: run_verification.py compares the
    tokens pairwise up to the shorter of the two, which on fixed-width hex is a prefix test."""
    if token_data is None:
        return False
    n = min(len(token_data), len(data))
    return token_data[:n].upper() == data[:n].upper()


def _repeated_trailing_eos(data: str, width: int, dtype: TokenDtype, eos: int) -> bool:
    """Two or more EOS at the end, as run_verification.py counts them (index 0 never counts)."""
    if len(data) < 3 * width:
        return False
    last_two = decode_tokens(data[-2 * width :], dtype)
    return bool(last_two[0] == eos and last_two[1] == eos)


def check_physical_bound(ctx: ResultContext) -> Iterator[Finding]:
    """Generated tokens/s per accelerator cannot beat peak FLOP/s ÷ (2 × active parameters)."""
    log, bench = ctx.perf_log, ctx.bench
    if log is None or bench is None or not bench.active_parameters_billion:
        return
    tokens = _tokens_per_second(log)
    if not isinstance(tokens, int | float):
        return
    name = str(ctx.system.get("accelerator_model_name", ""))
    spec = hardware.identify(name)
    where = ctx.dirs.submitter_dir / "systems" / f"{ctx.dirs.system}.json"
    if spec is None or not spec.peak_dense_tflops:
        if spec is None or spec.key != hardware.CPU_ONLY.key:
            yield ctx.found("truth.accelerator_unknown", where, f"no peak figure for {name!r}")
        return
    count = _total_accelerators(ctx.system)
    if count is None:
        return
    flops_per_token = FLOPS_PER_TOKEN_PER_PARAMETER * bench.active_parameters_billion * 1e9
    bound = spec.peak_dense_tflops * 1e12 / flops_per_token
    per_accelerator = tokens / count
    if per_accelerator > bound:
        yield ctx.found(
            "truth.throughput_above_physical_bound",
            ctx.perf_dir / "mlperf_log_detail.txt",
            f"{per_accelerator:,.0f} tokens/s per accelerator "
            f"({tokens} over {count} x {spec.model}) "
            f"exceeds {bound:,.0f}, the peak {spec.peak_dense_tflops} TFLOPS "
            f"({spec.peak_precision or 'dense'}) ÷ {flops_per_token:.3g} FLOP per token",
        )


def _total_accelerators(system: dict[str, object]) -> int | None:
    try:
        nodes = int(str(system.get("number_of_nodes", 1)).strip() or 1)
        per_node = int(str(system.get("accelerators_per_node", 0)).strip())
    except ValueError:
        return None
    total = nodes * per_node
    return total if total > 0 else None


CHECKS = (
    check_summary_matches_detail,
    check_perf_tokens_per_sample,
    check_untruncated_accuracy_log,
    check_test06_log,
    check_physical_bound,
)
