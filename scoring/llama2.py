"""Llama-2-70B accuracy from an untruncated log, as ``evaluate-accuracy.py`` prints it (spec §5).

Inputs are the accuracy log's entries, the dataset's reference outputs (the ``output``
column of the OpenOrca pickle, indexed by ``qsl_idx``) and a ``decode`` callable that turns
token ids into text. The caller supplies ``decode`` (the runner passes a transformers
tokenizer's ``batch_decode(..., skip_special_tokens=True)``), so this package never imports
transformers. The result formats as the exact ``accuracy.txt`` text, and
:func:`parse_accuracy_txt` reads such files with the official checker's patterns (spec §4.3).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from scoring import accuracy_text
from scoring.accuracy_log import (
    AccuracyEntry,
    TokenDtype,
    decode_tokens,
    first_entry_per_sample,
    token_statistics,
)
from scoring.accuracy_text import latest_round
from scoring.errors import ScoringError
from scoring.punkt_data import SentenceSplitter
from scoring.rouge import score_fast

Decoder = Callable[[list[list[int]]], list[str]]

# accuracy.txt keys as evaluate-accuracy.py prints them -> the official table's metric names
# (scoring/accuracy_patterns.yaml, read by scoring.accuracy_text for every consumer)
_METRIC_NAMES = {
    "rouge1": "ROUGE1",
    "rouge2": "ROUGE2",
    "rougeL": "ROUGEL",
    "rougeLsum": "ROUGELSUM",
    "gen_len": "GEN_LEN",
    "gen_num": "GEN_NUM",
    "gen_tok_len": "GEN_TOK_LEN",
    "tokens_per_sample": "TOKENS_PER_SAMPLE",
}
_INTEGER_KEYS = frozenset({"gen_len", "gen_num", "gen_tok_len"})


@dataclass(frozen=True)
class Llama2Accuracy:
    """The dict ``evaluate-accuracy.py`` prints, plus what a reviewer needs to trust it."""

    rouge1: float
    rouge2: float
    rougeL: float  # noqa: N815 - official metric names
    rougeLsum: float  # noqa: N815
    gen_len: int
    gen_num: int
    gen_tok_len: int
    tokens_per_sample: float
    dtype: TokenDtype
    duplicate_qsl_idx: list[int] = field(default_factory=list)
    qsl_indices: list[int] = field(default_factory=list, repr=False)
    per_pair: np.ndarray | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, float | int]:
        """The official result dict, keys in the official order, plain Python numbers."""
        return {
            "rouge1": float(self.rouge1),
            "rouge2": float(self.rouge2),
            "rougeL": float(self.rougeL),
            "rougeLsum": float(self.rougeLsum),
            "gen_len": int(self.gen_len),
            "gen_num": int(self.gen_num),
            "gen_tok_len": int(self.gen_tok_len),
            "tokens_per_sample": float(self.tokens_per_sample),
        }


def decode_predictions(
    entries: Sequence[AccuracyEntry], decode: Decoder, dtype: TokenDtype
) -> tuple[list[int], list[str]]:
    """(qsl_idx, text) of the first entry per sample, in log order, as the official script."""
    kept, _ = first_entry_per_sample(entries)
    token_ids = [decode_tokens(entry.data, dtype).tolist() for entry in kept]
    texts = list(decode(token_ids))
    if len(texts) != len(token_ids):
        raise ScoringError(
            "scoring.decoder",
            None,
            f"the decoder returned {len(texts)} texts for {len(token_ids)} token sequences.",
        )
    return [entry.qsl_idx for entry in kept], texts


def evaluate_llama2(
    entries: Sequence[AccuracyEntry],
    references: Sequence[str],
    decode: Decoder,
    dtype: TokenDtype,
    split_sentences: SentenceSplitter | None = None,
    jobs: int = 1,
    on_progress: Callable[[int], None] | None = None,
) -> Llama2Accuracy:
    """Recompute a llama2-70b accuracy result from an untruncated log (spec §5).

    ``references[qsl_idx]`` must be the reference output of dataset sample ``qsl_idx``.
    ``split_sentences`` defaults to ``nltk.sent_tokenize`` (needs ``NLTK_DATA``); pass
    :func:`scoring.punkt_data.load_sentence_splitter` to use an explicit directory.
    """
    stats = token_statistics(entries, dtype)
    out_of_range = [q for q in stats.qsl_indices if q >= len(references)]
    if out_of_range:
        raise ScoringError(
            "scoring.dataset_mismatch",
            None,
            f"the log refers to sample {out_of_range[0]} but the dataset has only "
            f"{len(references)} references ({len(out_of_range)} samples out of range); use "
            "the dataset the run was made with (open_orca_gpt4_tokenized_llama.sampled_24576).",
        )
    qsl_indices, predictions = decode_predictions(entries, decode, dtype)
    targets = [references[q] for q in qsl_indices]
    rouge = score_fast(predictions, targets, split_sentences, jobs=jobs, on_progress=on_progress)
    return Llama2Accuracy(
        rouge1=rouge.rouge1,
        rouge2=rouge.rouge2,
        rougeL=rouge.rougeL,
        rougeLsum=rouge.rougeLsum,
        gen_len=rouge.gen_len,
        gen_num=stats.gen_num,
        gen_tok_len=stats.gen_tok_len,
        tokens_per_sample=stats.tokens_per_sample,
        dtype=dtype,
        duplicate_qsl_idx=stats.duplicate_qsl_idx,
        qsl_indices=qsl_indices,
        per_pair=rouge.per_pair,
    )


def format_accuracy_txt(result: Llama2Accuracy, hash_hex: str | None = None) -> str:
    """The text of ``accuracy.txt``: the script's printout, then the truncation's ``hash=`` line.

    ``print("\\nResults\\n"); print(result)`` with plain floats (NumPy 2 would print
    ``np.float64(...)``, which the checker cannot read, spec §5), then what the current
    ``truncate_accuracy_log.py`` appends, ``"\\nhash=<sha256>\\n"`` (spec §6).
    """
    text = f"\nResults\n\n{result.as_dict()}\n"
    if hash_hex is not None:
        if not re.fullmatch(r"[0-9a-f]{64}", hash_hex):
            raise ScoringError(
                "scoring.bad_hash", None, f"{hash_hex!r} is not a lower-case hex sha256."
            )
        text += f"\nhash={hash_hex}\n"
    return text


def parse_accuracy_txt(text: str, round_name: str | None = None) -> dict[str, float | int | str]:
    """Values of an ``accuracy.txt`` (spec §4.3.1), read by :mod:`scoring.accuracy_text` with
    the official patterns of ``round_name`` (default: the newest round).

    Where several lines match, the last one's value is kept (the value a reader of the file
    sees last; the validator applies the checker's every-line rule to the same parse). Keys
    present only when found: ``rouge1``, ``rouge2``, ``rougeL``, ``rougeLsum``,
    ``tokens_per_sample`` (floats), ``gen_len``, ``gen_num``, ``gen_tok_len`` (ints) and
    ``hash`` (a string). A value the pattern captures but that is not a number (``'44.5.1'``)
    is left out, so a caller reports it as missing rather than crashing as the checker would.
    """
    parsed = accuracy_text.parse(text, accuracy_text.pattern_table(round_name or latest_round()))
    found: dict[str, float | int | str] = {}
    for key, name in _METRIC_NAMES.items():
        last = parsed.last(name)
        if last is None or last.number is None:
            continue
        if key in _INTEGER_KEYS:
            if last.number.is_integer():
                found[key] = int(last.number)
        else:
            found[key] = last.number
    if parsed.hash_value:
        found["hash"] = parsed.hash_value
    return found
