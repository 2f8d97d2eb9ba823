"""Truth checks: cross-checks the official checker does not make (product brief; spec §6, §7).

The official checker trusts accuracy.txt and never recomputes anything, so a fake system that
answers 3 tokens per query with a copied accuracy.txt passes it (spec §7). These checks compare
the numbers of a bundle with each other, with the logs and with physics. Every finding here
counts against the Inferboard verdict only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

import hardware
from scoring.accuracy_log import (
    AccuracyEntry,
    AccuracyLogError,
    TokenDtype,
    decode_tokens,
    guess_dtype,
    looks_truncated,
    parse_accuracy_log,
    token_statistics,
    tokens_per_sample_agree,
)
from scoring.accuracy_text import AccuracyText
from validator.checks.context import ResultContext
from validator.checks.registry import Level, check
from validator.findings import Finding, Severity
from validator.parsing import ParseError
from validator.parsing.files import MIB, read_bytes
from validator.parsing.loadgen_log import DetailLog

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
ACCURACY_LOG_LIMIT = 512 * MIB  # a whole llama2 accuracy log is ~60 MB
EMPTY_LOG_TEXTS = ("", "[]")


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _same_number(printed: str, logged: object) -> bool:
    """The summary rounds for print; allow the rounding of its last printed digit. A value
    that is not a finite number never agrees with anything."""
    try:
        shown = float(printed)
    except ValueError:
        return printed == str(logged)
    exact = _number(logged)
    if exact is None:
        return printed == str(logged)
    if not (np.isfinite(shown) and np.isfinite(exact)):
        return False
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    # the detail log itself keeps 6 significant digits (24593.8 vs the summary's 24593.77)
    return bool(abs(shown - exact) <= max(0.5 * 10**-decimals, 1e-5 * abs(exact)) + 1e-12)


def _tokens_per_second(log: DetailLog) -> float | None:
    """Generated tokens/s of the run: Offline's or Server's (completed) key (spec §3)."""
    return _number(
        log.get("result_tokens_per_second", log.get("result_completed_tokens_per_second"))
    )


def _samples_per_second(log: DetailLog) -> tuple[float | None, str]:
    """Samples/s of the run over the same time as its tokens/s, and how it was corrected.

    Offline's ``result_samples_per_second`` is N/T. Server's (and Interactive's)
    ``result_completed_samples_per_sec`` is (N-1)/T while ``result_completed_tokens_per_second``
    counts all N samples' tokens over T, so their quotient overstates tokens per sample by
    N/(N-1): 7 % for a 16-query run. With N = ``result_query_count`` it is put back to N/T."""
    offline = _number(log.get("result_samples_per_second"))
    if offline is not None:
        return offline, ""
    completed = _number(log.get("result_completed_samples_per_sec"))
    queries = _number(log.get("result_query_count"))
    if completed is None or queries is None or queries <= 1:
        return completed, ""
    return completed * queries / (queries - 1), f", LoadGen's (N-1)/T with N = {queries:.0f}"


def _claimed(ctx: ResultContext, metric: str) -> float | None:
    text = ctx.accuracy_text
    if not isinstance(text, AccuracyText):
        return None
    last = text.last(metric)
    return last.number if last else None


@check(Level.RESULT, codes=("truth.summary_detail_mismatch",))
def check_summary_matches_detail(ctx: ResultContext) -> Iterator[Finding]:
    log, summary = ctx.log, ctx.summary
    path = ctx.perf_dir / "mlperf_log_summary.txt"
    if log is None or summary is None:
        return
    if isinstance(summary, ParseError):
        yield ctx.truth("truth.summary_detail_mismatch", path, summary.message)
        return
    for label, key in SUMMARY_TO_DETAIL.items():
        if label in summary and log.has(key) and not _same_number(summary[label], log.get(key)):
            yield ctx.truth(
                "truth.summary_detail_mismatch",
                path,
                f"summary says {label} = {summary[label][:60]}, detail log says {key} = "
                f"{str(log.get(key))[:60]}",
            )


@check(Level.RESULT, codes=("truth.perf_tokens_per_sample",))
def check_perf_tokens_per_sample(ctx: ResultContext) -> Iterator[Finding]:
    """tokens/s ÷ samples/s of the performance run is its mean output length (spec §6)."""
    log = ctx.log
    claimed = _claimed(ctx, "TOKENS_PER_SAMPLE")
    if log is None or claimed is None or claimed <= 0:
        return
    tokens = _tokens_per_second(log)
    samples, corrected = _samples_per_second(log)
    if tokens is None or samples is None or samples <= 0 or not np.isfinite(tokens / samples):
        return
    implied = tokens / samples
    tolerance = ctx.options.perf_tokens_per_sample_tolerance
    if abs(implied - claimed) > tolerance * claimed:
        # open division does not enforce accuracy, so an inconsistent claim there is a warning
        yield ctx.truth(
            "truth.perf_tokens_per_sample",
            ctx.perf_dir / "mlperf_log_detail.txt",
            f"the performance run produced {implied:.1f} tokens per sample "
            f"({tokens} tokens/s ÷ {samples:.6g} samples/s{corrected}) but accuracy.txt claims "
            f"tokens_per_sample {claimed} (tolerance {tolerance:.0%})",
            **({} if ctx.is_closed_or_network else {"severity": Severity.WARNING}),
        )


def _read_log(ctx: ResultContext, path: Path) -> tuple[list[AccuracyEntry], bytes]:
    """(entries, the file's bytes) of an accuracy log, read within limits."""
    raw = read_bytes(path, ACCURACY_LOG_LIMIT, root=ctx.dirs.root, label=ctx.rel(path))
    return parse_accuracy_log(raw.decode("utf-8", errors="replace"), path.name), raw


@check(
    Level.RESULT,
    codes=(
        "truth.accuracy_log_truncated",
        "truth.accuracy_log_empty",
        "truth.accuracy_log_unreadable",
        "truth.accuracy_log_hash_mismatch",
        "truth.accuracy_log_coverage",
        "truth.accuracy_log_tokens_per_sample",
        "truth.accuracy_log_verified",
    ),
)
def check_accuracy_log_contents(ctx: ResultContext) -> Iterator[Finding]:
    """The accuracy folder's log: truncated (nothing to verify, a note), empty beside claimed
    scores (an error: no accuracy run produced them), or whole (hash, coverage, tokens)."""
    path = ctx.accuracy_dir / "mlperf_log_accuracy.json"
    text = ctx.accuracy_text
    if ctx.accuracy_log_size is None or not isinstance(text, AccuracyText) or ctx.bench is None:
        return
    if ctx.accuracy_log_size <= ctx.common.max_truncated_accuracy_log_bytes:
        try:
            head = read_bytes(path, ctx.common.max_truncated_accuracy_log_bytes, root=ctx.dirs.root)
        except ParseError as exc:
            yield ctx.truth("truth.accuracy_log_unreadable", path, exc.message)
            return
        # some submitters truncated on Windows: the log's lines end in CR LF
        small = head.decode("utf-8", errors="replace").replace("\r\n", "\n")
        compact = "".join(small.split())
        if compact in EMPTY_LOG_TEXTS and any(text.matches.get(m) for m in ctx.bench.accuracy_min):
            yield ctx.truth(
                "truth.accuracy_log_empty",
                path,
                "the accuracy log holds no sample (what a performance run leaves), yet "
                "accuracy.txt states scores: they cannot come from this run",
            )
            return
        if looks_truncated(small) or compact in (*EMPTY_LOG_TEXTS, "["):
            if ctx.bench.is_llm:
                yield ctx.truth(
                    "truth.accuracy_log_truncated", path, "only the truncated log is present"
                )
            return
    if not ctx.bench.is_llm:
        return
    try:
        entries, raw = _read_log(ctx, path)
        digest = hashlib.sha256(raw).hexdigest()
    except (AccuracyLogError, ParseError) as exc:
        yield ctx.truth("truth.accuracy_log_unreadable", path, exc.message)
        return
    yield from _verify_whole_log(ctx, path, entries, digest, text)


def _verify_whole_log(
    ctx: ResultContext, path: Path, entries: list[AccuracyEntry], digest: str, text: AccuracyText
) -> Iterator[Finding]:
    assert ctx.bench is not None
    problems = 0
    if text.hash_value and digest != text.hash_value:
        problems += 1
        yield ctx.truth(
            "truth.accuracy_log_hash_mismatch",
            path,
            f"sha256 is {digest}, accuracy.txt says hash={text.hash_value}",
        )
    if not entries:
        yield ctx.truth("truth.accuracy_log_empty", path, "the accuracy log holds no sample")
        return
    dtype = guess_dtype(entries)
    stats = token_statistics(entries, dtype)
    expected = ctx.bench.accuracy_sample_count or ctx.bench.dataset_size
    indices = set(stats.qsl_indices)
    missing = (expected - len(indices & set(range(expected)))) if expected else 0
    extra = len({i for i in indices if expected is not None and not 0 <= i < expected})
    if stats.duplicate_qsl_idx or missing or extra:
        problems += 1
        yield ctx.truth(
            "truth.accuracy_log_coverage",
            path,
            f"{len(indices)} distinct samples of {expected}: {missing} missing, "
            f"{len(stats.duplicate_qsl_idx)} logged more than once, {extra} out of range",
        )
    claimed = _claimed(ctx, "TOKENS_PER_SAMPLE")
    if claimed is not None and not tokens_per_sample_agree(stats.tokens_per_sample, claimed):
        problems += 1
        yield ctx.truth(
            "truth.accuracy_log_tokens_per_sample",
            path,
            f"the log holds {stats.gen_tok_len} tokens in {stats.gen_num} samples "
            f"({stats.tokens_per_sample} per sample, {dtype}); accuracy.txt claims {claimed}",
        )
    if not problems:
        yield ctx.truth(
            "truth.accuracy_log_verified",
            path,
            f"sha256 matches, {stats.gen_num} samples, {stats.tokens_per_sample} tokens/sample",
        )


@check(
    Level.RESULT,
    codes=(
        "truth.test06_unverifiable",
        "truth.test06_first_token",
        "truth.test06_eos",
        "truth.test06_length",
    ),
)
def check_test06_log(ctx: ResultContext) -> Iterator[Finding]:
    """Re-run TEST06's three checks on its own accuracy log (spec §4.4)."""
    test = ctx.compliance.get("TEST06")
    if not ctx.is_closed_or_network or test is None or not test.exists:
        return
    path = test.folder / "accuracy" / "mlperf_log_accuracy.json"
    if not path.exists():
        return
    try:
        entries, _ = _read_log(ctx, path)  # TEST06 is checked by content, not by hash
        dtype = guess_dtype(entries)
    except (AccuracyLogError, ParseError) as exc:
        yield ctx.truth("truth.test06_unverifiable", path, exc.message)
        return
    if not entries:
        yield ctx.truth("truth.test06_unverifiable", path, "TEST06's accuracy log holds no sample")
        return
    yield from _test06_rules(ctx, path, entries, dtype)


def _test06_rules(
    ctx: ResultContext, path: Path, entries: list[AccuracyEntry], dtype: TokenDtype
) -> Iterator[Finding]:
    # Token ids are fixed-width hex, so the three checks work on the hex text itself; only the
    # last two tokens are decoded (for EOS).
    width = np.dtype(dtype).itemsize * 2
    eos = ctx.common.test06.eos_token_id
    if ctx.dirs.scenario != "Offline":
        bad = [e.qsl_idx for e in entries if not _first_token_ok(e.token_data, e.data)]
        if bad:
            yield ctx.truth(
                "truth.test06_first_token",
                path,
                f"{len(bad)} of {len(entries)} samples' first token differs from the reported "
                f"one (qsl_idx {bad[:5]})",
            )
    bad = [e.qsl_idx for e in entries if _repeated_trailing_eos(e.data, width, dtype, eos)]
    if bad:
        yield ctx.truth(
            "truth.test06_eos",
            path,
            f"{len(bad)} samples end with repeated EOS (qsl_idx {bad[:5]})",
        )
    bad = [e.qsl_idx for e in entries if e.token_count != len(e.data) // width]
    if bad:
        yield ctx.truth(
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


@check(Level.RESULT, codes=("truth.throughput_above_physical_bound", "truth.accelerator_unknown"))
def check_physical_bound(ctx: ResultContext) -> Iterator[Finding]:
    """Generated tokens/s per accelerator cannot beat peak FLOP/s ÷ (2 × active parameters)."""
    log, bench = ctx.log, ctx.bench
    if log is None or bench is None or not bench.active_parameters_billion or ctx.system is None:
        return
    tokens = _tokens_per_second(log)
    if tokens is None or not np.isfinite(tokens):
        return
    name = str(ctx.system.get("accelerator_model_name", ""))[:200]
    spec = hardware.identify(name)
    where = ctx.dirs.submitter_dir / "systems" / f"{ctx.dirs.system}.json"
    if spec is None or not spec.peak_dense_tflops:
        if spec is None or spec.key != hardware.CPU_ONLY.key:
            yield ctx.truth(
                "truth.accelerator_unknown",
                where,
                f"no peak figure for {name!r}",
                severity=Severity.INFO,
            )
        return
    count = total_accelerators(ctx.system)
    if count is None:
        return
    flops_per_token = FLOPS_PER_TOKEN_PER_PARAMETER * bench.active_parameters_billion * 1e9
    bound = spec.peak_dense_tflops * 1e12 / flops_per_token
    per_accelerator = tokens / count
    if per_accelerator > bound:
        yield ctx.truth(
            "truth.throughput_above_physical_bound",
            ctx.perf_dir / "mlperf_log_detail.txt",
            f"{per_accelerator:,.0f} tokens/s per accelerator "
            f"({tokens} over {count} x {spec.model}) "
            f"exceeds {bound:,.0f}, the peak {spec.peak_dense_tflops} TFLOPS "
            f"({spec.peak_precision or 'dense'}) ÷ {flops_per_token:.3g} FLOP per token",
        )


def total_accelerators(system: dict[str, object]) -> int | None:
    try:
        nodes = int(str(system.get("number_of_nodes", 1)).strip() or 1)
        per_node = int(str(system.get("accelerators_per_node", 0)).strip())
    except ValueError:
        return None
    total = nodes * per_node
    return total if 0 < total < 10**7 else None
