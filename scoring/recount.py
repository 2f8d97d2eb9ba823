"""Tier 1 of reproduction: what an accuracy log proves by itself (no model, no dataset).

* :func:`recount` checks a *whole* log against its ``accuracy.txt``: the sha256 against
  ``hash=`` (spec §6), coverage (every sample of the run logged once, none out of range) and
  the token counts ``evaluate-accuracy.py`` prints (``gen_num``, ``gen_tok_len``,
  ``tokens_per_sample``, spec §5).
* :func:`salvage_entries` recovers the complete entries a *truncated* published log still
  holds at its head and tail (spec §6: the first and last 4096 characters): a handful of whole
  answers that can be regenerated (tier 3) even when nobody uploaded the whole log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from scoring.accuracy_log import (
    AccuracyEntry,
    TokenDtype,
    token_statistics,
    tokens_per_sample_agree,
)
from scoring.tiers import Agreement

# One LoadGen entry, as LoadGen writes it (spec §3): bounded, no nested quantifiers.
_ENTRY = re.compile(
    r'\{\s{0,8}"seq_id"\s{0,8}:\s{0,8}(\d{1,12})\s{0,8},'
    r'\s{0,8}"qsl_idx"\s{0,8}:\s{0,8}(\d{1,12})\s{0,8},'
    r'\s{0,8}"data"\s{0,8}:\s{0,8}"([0-9A-Fa-f]*)"'
    r'(?:\s{0,8},\s{0,8}"token_data"\s{0,8}:\s{0,8}"([0-9A-Fa-f]*)")?'
    r'(?:\s{0,8},\s{0,8}"token_count"\s{0,8}:\s{0,8}(\d{1,12}))?'
    r"\s{0,8}\}"
)
_MAX_SALVAGE_CHARS = 1 << 16  # a truncated log is 8,199 characters


@dataclass(frozen=True)
class LogRecount:
    """The tier-1 result for one whole log; ``problems`` is empty when everything agrees."""

    sha256: str
    hash_claimed: str | None
    samples: int  # distinct qsl_idx (gen_num)
    expected_samples: int | None  # the run's dataset size, when known
    missing: int
    duplicates: int
    out_of_range: int
    gen_tok_len: int
    tokens_per_sample: float
    dtype: TokenDtype
    claimed: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def status(self) -> Agreement:
        return Agreement.DISAGREES if self.problems else Agreement.AGREES

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "status": self.status}


def recount(
    entries: Sequence[AccuracyEntry],
    sha256: str,
    claimed: Mapping[str, object],
    dtype: TokenDtype,
    expected_samples: int | None,
) -> LogRecount:
    """Compare a whole log with the ``accuracy.txt`` values ``claimed`` (parsed)."""
    stats = token_statistics(entries, dtype)
    indices = set(stats.qsl_indices)
    out_of_range = (
        sum(1 for i in indices if not 0 <= i < expected_samples) if expected_samples else 0
    )
    missing = expected_samples - (len(indices) - out_of_range) if expected_samples else 0
    problems = []
    hash_claimed = claimed.get("hash")
    if hash_claimed is None:
        problems.append("accuracy.txt has no hash= line to match the log against")
    elif hash_claimed != sha256:
        problems.append(f"the log's sha256 {sha256[:12]}… differs from hash={hash_claimed}")
    if missing or out_of_range or stats.duplicate_qsl_idx:
        problems.append(
            f"{len(indices)} distinct samples of {expected_samples}: {missing} missing, "
            f"{len(stats.duplicate_qsl_idx)} logged more than once, {out_of_range} out of range"
        )
    tps = claimed.get("tokens_per_sample")
    if not isinstance(tps, int | float):
        problems.append("accuracy.txt states no tokens_per_sample")
    elif not tokens_per_sample_agree(stats.tokens_per_sample, float(tps)):
        problems.append(
            f"the log holds {stats.tokens_per_sample} tokens per sample, accuracy.txt claims {tps}"
        )
    for key, value in (("gen_num", stats.gen_num), ("gen_tok_len", stats.gen_tok_len)):
        if key in claimed and claimed[key] != value:
            problems.append(f"the log gives {key} {value}, accuracy.txt claims {claimed[key]}")
    return LogRecount(
        sha256=sha256,
        hash_claimed=hash_claimed if isinstance(hash_claimed, str) else None,
        samples=stats.gen_num,
        expected_samples=expected_samples,
        missing=missing,
        duplicates=len(stats.duplicate_qsl_idx),
        out_of_range=out_of_range,
        gen_tok_len=stats.gen_tok_len,
        tokens_per_sample=stats.tokens_per_sample,
        dtype=dtype,
        claimed={k: v for k, v in claimed.items() if k != "hash"},
        problems=problems,
    )


def salvage_entries(text: str) -> list[AccuracyEntry]:
    """The complete entries of a truncated log (head and tail), in order, unvalidated beyond
    their shape. Entries cut by the truncation do not match and are left out."""
    if len(text) > _MAX_SALVAGE_CHARS:
        return []  # not a truncated log; parse it whole instead
    return [
        AccuracyEntry(
            seq_id=int(m.group(1)),
            qsl_idx=int(m.group(2)),
            data=m.group(3),
            token_data=m.group(4),
            token_count=int(m.group(5)) if m.group(5) is not None else None,
        )
        for m in _ENTRY.finditer(text)
        if len(m.group(3)) % 8 == 0
    ]
