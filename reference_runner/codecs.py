"""Text <-> token ids for prompts and accuracy scoring.

Two implementations of one small protocol:

* :class:`ByteCodec` needs nothing installed. One token per UTF-8 byte (id = byte + 3) with
  Llama's special ids (0 unk, 1 BOS, 2 EOS), so the ``dummy`` backend can run a full pipeline,
  accuracy included, without torch or a downloaded tokenizer.
* :class:`HFCodec` wraps a transformers tokenizer loaded with ``from_pretrained`` (imported
  lazily); it is what real runs and the official dataset use (spec §5: the Llama-2 tokenizer).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from reference_runner.errors import RunnerError

LLAMA_BOS = 1
LLAMA_EOS = 2
_BYTE_OFFSET = 3


class TextCodec(Protocol):
    """What the runner needs from a tokenizer."""

    name: str
    eos_token_id: int

    def encode(self, text: str) -> list[int]:
        """Prompt text -> token ids, BOS included as the model expects."""
        ...

    def decode(self, tokens: Sequence[int]) -> str:
        """Token ids -> text with special tokens skipped (as evaluate-accuracy.py does)."""
        ...


class ByteCodec:
    """Bytes as tokens; deterministic, dependency-free, and lossless for any UTF-8 text."""

    name = "inferboard-byte-codec"
    eos_token_id = LLAMA_EOS

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
                "transformers is not installed; install requirements.txt to use a tokenizer.",
                code="runner.missing_dependency",
            ) from err
        try:
            self._tok: Any = AutoTokenizer.from_pretrained(
                path_or_id, model_max_length=2048, padding_side="left"
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

    @property
    def tokenizer(self) -> Any:
        """The underlying transformers tokenizer (the hf backend pads with it)."""
        return self._tok

    def encode(self, text: str) -> list[int]:
        return list(self._tok(text)["input_ids"])

    def decode(self, tokens: Sequence[int]) -> str:
        return str(self._tok.decode([int(t) for t in tokens], skip_special_tokens=True))
