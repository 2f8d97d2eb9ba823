"""Tier 2: the whole accuracy.txt recomputed from the whole log, without a model.

The dataset is checked before anything is scored: its md5 against the official file's
(or its sha256 against one pinned with ``--dataset-sha256``, or against the one the bundle's
own README declares, for bundles the reference runner made), and its size against the log:
a dataset that does not cover every logged ``qsl_idx`` is refused, never repeated, unless the
bundle declares that it ran on that very file repeated to N samples (the runner's
``--max-samples`` beyond a small file), which the report then says.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from reference_runner.codecs import TextCodec
from reference_runner.datasets import OFFICIAL_MD5, OFFICIAL_NAME, Dataset
from reference_runner.errors import RunnerError
from scoring.accuracy_log import AccuracyEntry, TokenDtype
from scoring.errors import ScoringError
from scoring.llama2 import evaluate_llama2
from scoring.punkt_data import SentenceSplitter
from scoring.tiers import Agreement

# accuracy.txt prints ROUGE with 4 decimals and tokens_per_sample with 1 (spec §3, §5).
ROUGE_TOLERANCE = 0.00005 + 1e-9
TOKENS_PER_SAMPLE_TOLERANCE = 0.05 + 1e-9
COMPARED = ("rouge1", "rouge2", "rougeL", "rougeLsum", "gen_len", "gen_num", "gen_tok_len")


@dataclass(frozen=True)
class DatasetCheck:
    """Whether a dataset may be used for a bundle, and how."""

    identity: str  # "official", "pinned sha256", "declared by the bundle"
    repeated_to: int | None  # rows repeated to this many samples, as the bundle declares


def check_dataset(
    dataset: Dataset,
    needed: int,
    declared: Mapping[str, int],
    pinned_sha256: str | None,
) -> DatasetCheck:
    """Refuse a dataset that is not the right file or does not cover ``needed`` samples."""
    if pinned_sha256 is not None:
        if dataset.sha256 != pinned_sha256.lower():
            raise RunnerError(
                f"the dataset {dataset.name} has sha256 {dataset.sha256}, not the pinned "
                f"{pinned_sha256}; pass the file that sha256 belongs to.",
                code="runner.dataset_mismatch",
            )
        identity = "pinned sha256"
    elif dataset.is_official:
        identity = "official"
    elif dataset.sha256 in declared:
        identity = "declared by the bundle"
    else:
        raise RunnerError(
            f"the dataset {dataset.name} (sha256 {dataset.sha256}, md5 {dataset.md5}) is neither "
            f"the official {OFFICIAL_NAME} (md5 {OFFICIAL_MD5}) nor a file the bundle's README "
            "declares; scores or prompts from another file would prove nothing. Pass the "
            "official file, or pin your copy's sha256 with --dataset-sha256.",
            code="runner.dataset_mismatch",
        )
    if needed <= dataset.rows:
        return DatasetCheck(identity=identity, repeated_to=None)
    declared_count = declared.get(dataset.sha256, 0)
    if declared_count >= needed:
        return DatasetCheck(identity=identity, repeated_to=declared_count)
    raise RunnerError(
        f"the dataset {dataset.name} has {dataset.rows} samples but the log refers to sample "
        f"{needed - 1}; it does not cover the log (a dataset is never repeated silently). "
        f"Pass the dataset the run was made with ({OFFICIAL_NAME} for llama2-70b).",
        code="runner.dataset_too_small",
    )


def repeated(dataset: Dataset, count: int) -> Dataset:
    """``dataset`` with row i % rows at index i, up to ``count`` (what the run did)."""
    rows = dataset.samples[: dataset.rows]
    samples = tuple(replace(rows[i % len(rows)], index=i) for i in range(count))
    return replace(dataset, samples=samples)


def recompute_accuracy(
    entries: Sequence[AccuracyEntry],
    dataset: Dataset,
    codec: TextCodec,
    dtype: TokenDtype,
    split: SentenceSplitter,
    claimed: Mapping[str, Any],
    *,
    jobs: int,
    progress: bool,
) -> dict[str, Any]:
    """Recompute accuracy.txt's values and compare each one printed with the claim."""
    from tqdm import tqdm

    references = [sample.reference for sample in dataset.samples]
    total = len({e.qsl_idx for e in entries})
    with tqdm(
        total=total, desc="tier 2: ROUGE", unit="sample", disable=not progress, file=sys.stderr
    ) as bar:

        def advance(done: int) -> None:  # tqdm's update returns whether it redrew
            bar.update(done)

        try:
            result = evaluate_llama2(
                entries,
                references,
                lambda batch: [codec.decode(tokens) for tokens in batch],
                dtype,
                split,
                jobs=jobs,
                on_progress=advance,
            )
        except ScoringError as err:
            raise RunnerError(err.message, code=err.code) from err
    recomputed = result.as_dict()
    differences = {}
    for key in (*COMPARED, "tokens_per_sample"):
        if key not in claimed:
            if key in ("rouge1", "rouge2", "rougeL", "tokens_per_sample"):
                differences[key] = {"claimed": None, "recomputed": recomputed[key]}
            continue
        limit = (
            TOKENS_PER_SAMPLE_TOLERANCE
            if key == "tokens_per_sample"
            else ROUGE_TOLERANCE
            if key.startswith("rouge")
            else 0
        )
        if abs(float(claimed[key]) - float(recomputed[key])) > limit:
            differences[key] = {"claimed": claimed[key], "recomputed": recomputed[key]}
    return {
        "status": Agreement.DISAGREES if differences else Agreement.AGREES,
        "claimed": {k: v for k, v in claimed.items() if k != "hash"},
        "recomputed": recomputed,
        "differences": differences,
        "decoder": codec.decoder,
    }
