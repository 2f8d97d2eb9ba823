"""Text <-> token ids for prompts and accuracy scoring.

Two implementations of one small protocol:

* :class:`ByteCodec` needs nothing installed. One token per UTF-8 byte (id = byte + 3) with
  Llama's special ids (0 unk, 1 BOS, 2 EOS), so the ``dummy`` backend can run a full pipeline,
  accuracy included, without torch or a downloaded tokenizer.
* :class:`HFCodec` wraps a transformers tokenizer loaded with ``from_pretrained`` (imported
  lazily); it is what real runs and the official dataset use (spec §5: the Llama-2 tokenizer).

MLPerf's ``evaluate-accuracy.py`` loads the Llama-2 tokenizer with ``use_fast=False``: the
SentencePiece ("slow") tokenizer, whose decoding is ``sp_model.decode`` of the ids with the
special ones skipped. transformers 5 ignores ``use_fast`` and always builds the fast
tokenizer, so when the folder holds the SentencePiece model (``tokenizer.model``) and
``sentencepiece`` is installed, :class:`HFCodec` decodes with SentencePiece itself, as the
slow tokenizer did; ``decoder`` in reports says which one ran.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from reference_runner.errors import RunnerError

LLAMA_BOS = 1
LLAMA_EOS = 2
_BYTE_OFFSET = 3


class TextCodec(Protocol):
    """What the runner needs from a tokenizer."""

    name: str
    decoder: str  # which decoding ran, for reports
    eos_token_id: int
    special_ids: frozenset[int]  # skipped when decoding and when comparing answers

    def encode(self, text: str) -> list[int]:
        """Prompt text -> token ids, BOS included as the model expects."""
        ...

    def decode(self, tokens: Sequence[int]) -> str:
        """Token ids -> text with special tokens skipped (as evaluate-accuracy.py does)."""
        ...


class ByteCodec:
    """Bytes as tokens; deterministic, dependency-free, and lossless for any UTF-8 text."""

    name = "inferboard-byte-codec"
    decoder = "inferboard byte codec"
    eos_token_id = LLAMA_EOS
    special_ids = frozenset({0, LLAMA_BOS, LLAMA_EOS})

    def encode(self, text: str) -> list[int]:
        return [LLAMA_BOS, *(b + _BYTE_OFFSET for b in text.encode("utf-8"))]

    def decode(self, tokens: Sequence[int]) -> str:
        data = bytes(int(t) - _BYTE_OFFSET for t in tokens if _BYTE_OFFSET <= int(t) < 259)
        return data.decode("utf-8", errors="replace")


class HFCodec:
    """A transformers tokenizer, loaded the way MLPerf's scripts load it (spec §5)."""

    def __init__(self, path_or_id: str) -> None:
        try:
            from transformers import AutoTokenizer
        except ImportError as err:  # pragma: no cover - the pinned stack has transformers
            raise RunnerError(
                "transformers is not installed; install the runner extra "
                "(pip install -e '.[runner]') to use a tokenizer.",
                code="runner.missing_dependency",
            ) from err
        try:
            self._tok: Any = AutoTokenizer.from_pretrained(
                path_or_id, model_max_length=2048, padding_side="left", use_fast=False
            )
        except (OSError, ValueError) as err:
            raise RunnerError(
                f"Cannot load the tokenizer {path_or_id!r} ({err}). Pass a local directory "
                "written by save_pretrained, or a hub id that is in the local HF cache "
                "(this machine cannot download).",
                code="runner.missing_tokenizer",
            ) from err
        self.name = path_or_id
        eos = self._tok.eos_token_id
        self.eos_token_id = int(eos) if eos is not None else LLAMA_EOS
        self.special_ids = frozenset(int(i) for i in self._tok.all_special_ids)
        self._sentencepiece = _sentencepiece_model(path_or_id)
        self.decoder = (
            "sentencepiece (slow, use_fast=False)"
            if self._sentencepiece is not None
            else f"{type(self._tok).__name__} (transformers)"
        )

    @property
    def tokenizer(self) -> Any:
        """The underlying transformers tokenizer (the hf backend pads with it)."""
        return self._tok

    def encode(self, text: str) -> list[int]:
        return list(self._tok(text)["input_ids"])

    def decode(self, tokens: Sequence[int]) -> str:
        if self._sentencepiece is not None:
            ids = [int(t) for t in tokens if int(t) not in self.special_ids]
            size = self._sentencepiece.get_piece_size()
            return str(self._sentencepiece.decode([i for i in ids if 0 <= i < size]))
        return str(self._tok.decode([int(t) for t in tokens], skip_special_tokens=True))


def _sentencepiece_model(path_or_id: str) -> Any | None:
    """The SentencePiece model beside a local tokenizer, when sentencepiece is installed."""
    model_file = Path(path_or_id) / "tokenizer.model"
    if not model_file.is_file():
        return None
    try:
        import sentencepiece
    except ImportError:  # pragma: no cover - pinned in the runner extra
        return None
    processor = sentencepiece.SentencePieceProcessor()
    try:
        processor.Load(str(model_file))
    except (OSError, RuntimeError) as err:
        raise RunnerError(
            f"{model_file}: not a SentencePiece model ({err}); pass the Llama-2 tokenizer "
            "folder as written by save_pretrained.",
            code="runner.missing_tokenizer",
        ) from err
    return processor
