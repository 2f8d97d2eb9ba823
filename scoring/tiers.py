"""The three tiers of reproduction, as data: what each proves, on what hardware, how long.

One table for the docs (docs/reference_runner.md, checked by a test), the reproduction
report and the portal's review page, so the three always say the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Agreement(StrEnum):
    """What one tier found for one scenario (``status`` of ``tierN`` in the report)."""

    AGREES = "agrees"
    DISAGREES = "disagrees"
    NOT_RUN = "not run"  # asked for, but what it needs is missing (the message says what)
    NOT_REQUESTED = "not requested"  # the review page's word for a tier the settings skip


class ReproductionStatus(StrEnum):
    """The reproduction's word for a submission: the runner's verdict (the first three), or
    the workflow's when the runner gave none. Stored as these strings in reproduction.json."""

    CONSISTENT = "consistent"  # every tier that ran agrees, and every requested tier ran
    INCONSISTENT = "inconsistent"  # some tier disagrees
    INCOMPLETE = "incomplete"  # nothing disagrees, but some tier could not run
    FAILED = "failed"
    TIMED_OUT = "timed out"
    NOT_RUN = "not run"  # no reproduction was recorded

    @property
    def agreed(self) -> bool | None:
        """True when the reproduction agreed, False when it disagreed, None when it
        established nothing either way (incomplete, failed, not run)."""
        if self is ReproductionStatus.CONSISTENT:
            return True
        return False if self is ReproductionStatus.INCONSISTENT else None


@dataclass(frozen=True)
class Tier:
    number: int
    name: str
    proves: str
    needs: str
    hardware: str
    duration: str


TIERS: tuple[Tier, ...] = (
    Tier(
        1,
        "log recount",
        "the whole accuracy log is the one accuracy.txt was computed from (sha256 = hash=), "
        "covers every sample once, and holds the claimed gen_num, gen_tok_len and "
        "tokens_per_sample",
        "the whole accuracy log of the scenario (uploaded beside the bundle)",
        "any CPU",
        "seconds (one read of a ~60 MB log)",
    ),
    Tier(
        2,
        "accuracy recompute",
        "the logged answers score the claimed rouge1/2/L/Lsum and gen_len against the "
        "official dataset: the whole accuracy.txt is recomputed, no model needed",
        "tier 1's log, the Llama-2 tokenizer (use_fast=False) and the official dataset "
        "(md5 checked); refused when the dataset does not cover the log",
        "CPU cores (ROUGE runs in parallel)",
        "about 1 min per 1,000 samples per core; a full 24,576-sample log in ~10 min on 2 cores",
    ),
    Tier(
        3,
        "regeneration of sampled queries",
        "answers of queries drawn with a secret per-run seed have the distribution the "
        "reference model gives (first token, similarity, length, stop), within what "
        "legitimate systems show (1 % false alarms, calibrated on published TEST06 pairs)",
        "the reference model (LiteLlama-460M for LiteLlama bundles, Llama-2-70B for "
        "llama2-70b), the dataset's prompts, and whole answers: an uploaded log, the TEST06 "
        "log (100 queries) or the complete entries at the head of the published log",
        "LiteLlama: a laptop CPU; Llama-2-70B: GPUs holding 138 GB of bf16 weights plus the "
        "KV cache (2x H100 80GB or 2x H200; one H200 is too small in bf16)",
        "LiteLlama: 10-90 s per query on 2 cores (5-12 tokens/s); Llama-2-70B: an estimate of "
        "10-30 s per query at batch 1 from HBM bandwidth (not measured: no GPU was lent), "
        "plus the weights' load",
    ),
)
