"""Submitted outputs against regenerated ones: per-query features and a calibrated verdict.

Greedy decoding is not bit-identical across hardware, kernels, batch shapes and quantization:
two legitimate Llama-2-70B systems answering the same 100 TEST06 queries agree exactly on
about 8 % of them and share half their tokens on a typical query (``bench/calibration_bench.py``
on the published TEST06 logs). So per-query identity proves nothing either way; what a
legitimate run shares with the reference model are *distributions*: how often the first token
agrees, how similar the answers are, how long they are and how they stop. This module
measures those per query and judges a sample of queries against thresholds calibrated on
legitimate pairs (``scoring/calibration.json``, written by :mod:`scoring.calibration`).

Tokens are compared the way the accuracy script sees them: special ids (unk, BOS, EOS) are
skipped, as ``batch_decode(..., skip_special_tokens=True)`` skips them. That matters: NVIDIA's
Server logs put an EOS right after the first token, AMD's end every answer with one, and both
are the same text.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from scoring.rouge_kernels import lcs_fmeasure
from scoring.tiers import ReproductionStatus

LLAMA2_SPECIAL_IDS = frozenset({0, 1, 2})  # <unk>, <s>, </s>
LLAMA2_EOS = 2
MLPERF_MAX_NEW_TOKENS = 1024

Stop = Literal["eos", "limit", "stop"]
FLAG_LENGTH = "length"
FLAG_STOP = "stop"
FLAG_CONTENT = "content"
FLAG_SEVERE_LENGTH = "severe_length"
FLAG_TEXT = {
    FLAG_LENGTH: "lengths differ more than legitimate pairs do",
    FLAG_SEVERE_LENGTH: "lengths differ more than in any legitimate pair measured",
    FLAG_STOP: "one answer ran to the token limit, the other stopped",
    FLAG_CONTENT: "first token differs and the answers share little",
}


@dataclass(frozen=True)
class QueryRules:
    """When one query's pair of answers is flagged (per-query thresholds, calibrated)."""

    max_abs_log2_length_ratio: float = 2.0  # 4x longer or shorter
    severe_abs_log2_length_ratio: float = 4.5  # beyond every legitimate pair: fails the sample
    min_similarity_if_first_token_differs: float = 0.3  # token LCS F1, 0..1


@dataclass(frozen=True)
class OutputShape:
    """An answer as the comparison sees it: its text tokens and how it ended."""

    tokens: int  # as logged (EOS and padding included: what tokens_per_sample counts)
    content: tuple[int, ...]  # special ids removed
    stop: Stop  # eos: ended with EOS; limit: reached max_new_tokens; stop: ended without EOS


def output_shape(
    tokens: Sequence[int],
    *,
    eos_id: int = LLAMA2_EOS,
    special_ids: frozenset[int] = LLAMA2_SPECIAL_IDS,
    max_new_tokens: int = MLPERF_MAX_NEW_TOKENS,
) -> OutputShape:
    """Classify an answer. TensorRT-LLM logs leave the final EOS out and some log one extra
    token, so "limit" is reached at ``max_new_tokens - 1`` text tokens."""
    ids = [int(t) for t in tokens]
    content = tuple(t for t in ids if t not in special_ids)
    if len(content) >= max_new_tokens - 1:
        stop: Stop = "limit"
    elif ids and ids[-1] == eos_id:
        stop = "eos"
    else:
        stop = "stop"
    return OutputShape(tokens=len(ids), content=content, stop=stop)


@dataclass(frozen=True)
class QueryComparison:
    """One sampled query: the submitted and the regenerated answer side by side."""

    qsl_idx: int
    submitted_tokens: int
    regenerated_tokens: int
    submitted_stop: Stop
    regenerated_stop: Stop
    first_token_match: bool
    exact_match: bool  # same text tokens
    common_prefix_tokens: int
    similarity: float  # LCS F1 of the text tokens (ROUGE-L on token ids), 0..1
    log2_length_ratio: float  # log2((submitted + 1) / (regenerated + 1)), text tokens
    flags: tuple[str, ...] = ()
    rouge_l_submitted: float | None = None  # each answer's ROUGE-L F1 against the dataset
    rouge_l_regenerated: float | None = None  # reference (0..1), when the dataset is known

    @property
    def agrees(self) -> bool:
        return not self.flags

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["flags"] = list(self.flags)
        data["agrees"] = self.agrees
        return data


def compare_query(
    qsl_idx: int,
    submitted: Sequence[int],
    regenerated: Sequence[int],
    rules: QueryRules,
    *,
    eos_id: int = LLAMA2_EOS,
    special_ids: frozenset[int] = LLAMA2_SPECIAL_IDS,
    max_new_tokens: int = MLPERF_MAX_NEW_TOKENS,
    rouge_l: tuple[float, float] | None = None,
) -> QueryComparison:
    """Features of one pair and its flags (see :data:`FLAG_TEXT`)."""
    sub = output_shape(
        submitted, eos_id=eos_id, special_ids=special_ids, max_new_tokens=max_new_tokens
    )
    reg = output_shape(
        regenerated, eos_id=eos_id, special_ids=special_ids, max_new_tokens=max_new_tokens
    )
    prefix = 0
    for a, b in zip(sub.content, reg.content, strict=False):
        if a != b:
            break
        prefix += 1
    first_match = sub.content[:1] == reg.content[:1]
    similarity = (
        1.0 if sub.content == reg.content else lcs_fmeasure(list(reg.content), list(sub.content))
    )
    ratio = math.log2((len(sub.content) + 1) / (len(reg.content) + 1))
    flags = []
    if abs(ratio) > rules.max_abs_log2_length_ratio:
        flags.append(FLAG_LENGTH)
    if abs(ratio) > rules.severe_abs_log2_length_ratio:
        flags.append(FLAG_SEVERE_LENGTH)
    if (sub.stop == "limit") != (reg.stop == "limit"):
        flags.append(FLAG_STOP)
    if not first_match and similarity < rules.min_similarity_if_first_token_differs:
        flags.append(FLAG_CONTENT)
    return QueryComparison(
        qsl_idx=qsl_idx,
        submitted_tokens=sub.tokens,
        regenerated_tokens=reg.tokens,
        submitted_stop=sub.stop,
        regenerated_stop=reg.stop,
        first_token_match=first_match,
        exact_match=sub.content == reg.content,
        common_prefix_tokens=prefix,
        similarity=round(similarity, 4),
        log2_length_ratio=round(ratio, 4),
        flags=tuple(flags),
        rouge_l_submitted=None if rouge_l is None else round(rouge_l[0], 4),
        rouge_l_regenerated=None if rouge_l is None else round(rouge_l[1], 4),
    )


@dataclass(frozen=True)
class SampleStatistics:
    """The distributions of a sample of queries, summarised (what the verdict is made on)."""

    queries: int
    flagged_fraction: float  # share of queries with a flag; higher is worse
    first_token_agreement: float  # share of queries whose first text token agrees; lower worse
    mean_similarity: float  # mean token LCS F1; lower is worse
    median_log2_length_ratio: float  # submitted vs regenerated; far from 0 is worse
    rouge_l_deficit: float | None  # mean(regenerated - submitted) ROUGE-L vs the reference


def sample_statistics(comparisons: Sequence[QueryComparison]) -> SampleStatistics:
    n = len(comparisons)
    if n == 0:
        raise ValueError("no queries to summarise")
    rouge_l_gains = [
        c.rouge_l_regenerated - c.rouge_l_submitted
        for c in comparisons
        if c.rouge_l_submitted is not None and c.rouge_l_regenerated is not None
    ]
    deficit = round(statistics.fmean(rouge_l_gains), 4) if rouge_l_gains else None
    return SampleStatistics(
        queries=n,
        flagged_fraction=round(sum(not c.agrees for c in comparisons) / n, 4),
        first_token_agreement=round(sum(c.first_token_match for c in comparisons) / n, 4),
        mean_similarity=round(statistics.fmean(c.similarity for c in comparisons), 4),
        median_log2_length_ratio=round(
            statistics.median(c.log2_length_ratio for c in comparisons), 4
        ),
        rouge_l_deficit=deficit,
    )


@dataclass(frozen=True)
class Thresholds:
    """Limits for a sample of ``sample_size`` queries (or more), one per statistic."""

    sample_size: int
    max_flagged_fraction: float
    min_first_token_agreement: float
    min_mean_similarity: float
    max_abs_median_log2_length_ratio: float


@dataclass(frozen=True)
class Judgement:
    verdict: Literal[ReproductionStatus.CONSISTENT, ReproductionStatus.INCONSISTENT]
    reasons: list[str]
    statistics: SampleStatistics
    thresholds: Thresholds
    rouge_l_margin: float
    flagged: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "verdict": self.verdict.value,
            "reasons": list(self.reasons),
            "statistics": asdict(self.statistics),
            "thresholds": asdict(self.thresholds),
            "rouge_l_margin": self.rouge_l_margin,
            "flagged": list(self.flagged),
        }


def judge(
    comparisons: Sequence[QueryComparison],
    thresholds: Thresholds,
    rouge_l_margin: float,
) -> Judgement:
    """``inconsistent`` when any statistic is outside what legitimate pairs show.

    Every flagged query is listed too, with why, whatever the verdict: a 32-token answer
    against 1,024 regenerated tokens is named even when the sample as a whole passes.
    """
    stats = sample_statistics(comparisons)
    t = thresholds
    reasons = []
    if stats.flagged_fraction > t.max_flagged_fraction:
        reasons.append(
            f"{stats.flagged_fraction:.0%} of sampled queries are flagged (length, stop or "
            f"content); legitimate pairs stay at or below {t.max_flagged_fraction:.0%} "
            f"for {t.sample_size}+ queries"
        )
    if stats.first_token_agreement < t.min_first_token_agreement:
        reasons.append(
            f"the first token agrees on {stats.first_token_agreement:.0%} of queries; "
            f"legitimate pairs agree on at least {t.min_first_token_agreement:.0%}"
        )
    if stats.mean_similarity < t.min_mean_similarity:
        reasons.append(
            f"mean token similarity {stats.mean_similarity:.2f}; legitimate pairs reach at "
            f"least {t.min_mean_similarity:.2f}"
        )
    if abs(stats.median_log2_length_ratio) > t.max_abs_median_log2_length_ratio:
        factor = 2 ** abs(stats.median_log2_length_ratio)
        side = "shorter" if stats.median_log2_length_ratio < 0 else "longer"
        reasons.append(
            f"submitted answers are typically {factor:.1f}x {side} than regenerated ones; "
            f"legitimate pairs stay within {2**t.max_abs_median_log2_length_ratio:.1f}x"
        )
    severe = [c for c in comparisons if FLAG_SEVERE_LENGTH in c.flags]
    if severe:
        listed = ", ".join(
            f"qsl {c.qsl_idx} ({c.submitted_tokens} submitted vs {c.regenerated_tokens} "
            "regenerated tokens)"
            for c in severe[:5]
        )
        reasons.append(
            f"{len(severe)} answer(s) differ in length more than any legitimate pair "
            f"measured: {listed}"
        )
    if stats.rouge_l_deficit is not None and stats.rouge_l_deficit > rouge_l_margin:
        reasons.append(
            f"submitted answers score {stats.rouge_l_deficit * 100:.1f} ROUGE-L points below "
            f"the regenerated ones against the dataset reference (margin "
            f"{rouge_l_margin * 100:.0f})"
        )
    flagged = [
        {
            "qsl_idx": c.qsl_idx,
            "flags": list(c.flags),
            "why": "; ".join(FLAG_TEXT[f] for f in c.flags),
            "submitted_tokens": c.submitted_tokens,
            "regenerated_tokens": c.regenerated_tokens,
        }
        for c in comparisons
        if c.flags
    ]
    return Judgement(
        verdict=ReproductionStatus.INCONSISTENT if reasons else ReproductionStatus.CONSISTENT,
        reasons=reasons,
        statistics=stats,
        thresholds=thresholds,
        rouge_l_margin=rouge_l_margin,
        flagged=flagged,
    )
