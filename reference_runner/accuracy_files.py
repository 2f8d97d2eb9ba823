"""accuracy.txt for an accuracy run: MLPerf's llama2 metrics computed from the untruncated log.

The scoring itself lives in ``scoring.llama2`` (shared with the validator and the portal); this
module only feeds it the run's log, the dataset references, the tokenizer's decode and the
Punkt sentence model, and turns scoring errors into the runner's one error type.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reference_runner.codecs import TextCodec
from reference_runner.errors import RunnerError
from scoring.accuracy_log import AccuracyEntry, TokenDtype, read_accuracy_log_with_digest
from scoring.errors import ScoringError
from scoring.llama2 import Decoder, Llama2Accuracy, evaluate_llama2, format_accuracy_txt
from scoring.punkt_data import SentenceSplitter, load_sentence_splitter

# `make setup` writes NLTK's English Punkt model here (scoring.punkt_data).
DEFAULT_NLTK_DATA = Path(__file__).resolve().parents[1] / "data" / "nltk_data"


def sentence_splitter(nltk_data: Path | None) -> SentenceSplitter:
    """nltk's sent_tokenize with its model read from ``nltk_data`` (default: data/nltk_data)."""
    try:
        return load_sentence_splitter(nltk_data or DEFAULT_NLTK_DATA)
    except ScoringError as err:
        raise RunnerError(str(err), code=err.code) from err


def batch_decoder(codec: TextCodec) -> Decoder:
    """``scoring.llama2`` decodes whole batches; wrap the codec's one-sequence decode."""

    def decode(batch: list[list[int]]) -> list[str]:
        return [codec.decode(tokens) for tokens in batch]

    return decode


def score_entries(
    entries: Sequence[AccuracyEntry],
    references: Sequence[str],
    codec: TextCodec,
    dtype: TokenDtype,
    split: SentenceSplitter,
) -> Llama2Accuracy:
    """The llama2 metrics of an untruncated accuracy log's entries against the references."""
    try:
        return evaluate_llama2(entries, references, batch_decoder(codec), dtype, split)
    except ScoringError as err:
        raise RunnerError(str(err), code=err.code) from err


def _read_full_log(full_log: Path) -> tuple[list[AccuracyEntry], str]:
    """The untruncated log's entries and sha256 from one read (the runner's error type)."""
    try:
        return read_accuracy_log_with_digest(full_log)
    except ScoringError as err:
        raise RunnerError(str(err), code=err.code) from err


def accuracy_txt(
    full_log: Path,
    references: Sequence[str],
    codec: TextCodec,
    dtype: TokenDtype,
    split: SentenceSplitter,
) -> str:
    """The text of accuracy.txt, ending with the ``hash=`` of ``full_log`` (spec §6)."""
    entries, digest = _read_full_log(full_log)
    return format_accuracy_txt(score_entries(entries, references, codec, dtype, split), digest)
