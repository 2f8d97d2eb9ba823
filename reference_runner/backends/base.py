"""The contract between the LoadGen driver and a model: greedy generation of a batch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

# Called as on_first_token(position_in_batch, token_id) as soon as that sequence's first new
# token exists; the Server driver forwards it to LoadGen's FirstTokenComplete (spec §7).
FirstTokenCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class BackendInfo:
    """What the bundle says about the software that generated the tokens."""

    backend: str
    model_id: str
    model_revision: str
    framework: str  # e.g. "transformers 5.23.0, torch 2.13.0"
    dtype: str  # weight data type, e.g. "bf16"
    device: str  # "cpu" or "cuda"


class Backend(Protocol):
    """A model that generates greedily (MLPerf settings: max_new_tokens 1024, min 1; spec §5)."""

    eos_token_id: int

    def info(self) -> BackendInfo:
        """Provenance for systems/, measurements and reproduction reports."""
        ...

    def generate(
        self,
        prompts: Sequence[Sequence[int]],
        on_first_token: FirstTokenCallback | None = None,
    ) -> list[list[int]]:
        """New token ids for each prompt, EOS included when the model emitted it."""
        ...
