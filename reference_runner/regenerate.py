"""Tier 3: regenerate sampled queries with the reference model and judge the distributions.

Queries are drawn with a seed drawn per run (``secrets``) unless the operator fixes one to
replay a report; the seed is secret until the report is written, so a submitter cannot know
which answers will be checked. The comparison and its calibrated thresholds are
:mod:`scoring.comparison` and ``scoring/calibration.json``.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from typing import Any

from reference_runner.codecs import TextCodec
from reference_runner.datasets import Dataset
from scoring.accuracy_log import AccuracyEntry, TokenDtype, decode_tokens
from scoring.calibration import Calibration
from scoring.comparison import compare_query, judge
from scoring.punkt_data import SentenceSplitter
from scoring.rouge import ROUGE_TYPES, score_fast
from scoring.tiers import Agreement, ReproductionStatus


def draw(pool: Sequence[AccuracyEntry], k: int, seed: int) -> list[AccuracyEntry]:
    """``k`` entries (all when fewer), in a seeded random order."""
    return random.Random(seed).sample(list(pool), min(k, len(pool)))


def regenerate_and_judge(
    chosen: Sequence[AccuracyEntry],
    backend: Any,
    dataset: Dataset,
    codec: TextCodec,
    dtype: TokenDtype,
    split: SentenceSplitter,
    calibration: Calibration,
    *,
    batch_size: int,
    max_new_tokens: int,
    scenario: str,
    progress: bool,
) -> dict[str, Any]:
    """Regenerate ``chosen`` in batches (with totals and ETA), compare, judge."""
    from tqdm import tqdm

    submitted = [decode_tokens(e.data, dtype).tolist() for e in chosen]
    regenerated: list[list[int]] = []
    with tqdm(
        total=len(chosen),
        desc=f"tier 3: {scenario} regenerate",
        unit="query",
        disable=not progress,
        file=sys.stderr,
    ) as bar:
        for start in range(0, len(chosen), batch_size):
            batch = chosen[start : start + batch_size]
            regenerated += backend.generate([dataset.samples[e.qsl_idx].tok_input for e in batch])
            bar.update(len(batch))
    references = [dataset.samples[e.qsl_idx].reference for e in chosen]
    rouge_sub = _rouge_l([codec.decode(t) for t in submitted], references, split)
    rouge_reg = _rouge_l([codec.decode(t) for t in regenerated], references, split)
    rows = [
        compare_query(
            e.qsl_idx,
            sub,
            reg,
            calibration.query_rules,
            eos_id=codec.eos_token_id,
            special_ids=codec.special_ids,
            max_new_tokens=max_new_tokens,
            rouge_l=(rs, rr),
        )
        for e, sub, reg, rs, rr in zip(
            chosen, submitted, regenerated, rouge_sub, rouge_reg, strict=True
        )
    ]
    judgement = judge(rows, calibration.thresholds_for(len(rows)), calibration.rouge_l_margin)
    agrees = judgement.verdict is ReproductionStatus.CONSISTENT
    return {
        "status": Agreement.AGREES if agrees else Agreement.DISAGREES,
        "queries": [row.as_dict() for row in rows],
        "judgement": judgement.as_dict(),
    }


def _rouge_l(predictions: list[str], references: list[str], split: SentenceSplitter) -> list[float]:
    """ROUGE-L F1 (0..1) of each answer against its dataset reference (MLPerf's pipeline)."""
    if not predictions:
        return []
    result = score_fast(predictions, references, split)
    return [float(v) for v in result.per_pair[:, ROUGE_TYPES.index("rougeL")]]
