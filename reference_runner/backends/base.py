"""The contract between the LoadGen driver and a model: greedy generation of a batch or a stream."""

from __future__ import annotations

import queue
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

# Called as on_first_token(key, token_id) as soon as that request's first new token exists; the
# Server driver forwards it to LoadGen's FirstTokenComplete (spec §7). ``key`` is the position in
# the batch for ``generate`` and the caller's request key for ``serve``.
FirstTokenCallback = Callable[[int, int], None]
# Called as on_complete(key, tokens) once per request, with its new tokens (EOS included).
CompletionCallback = Callable[[int, list[int]], None]
# What ``serve`` reads: (key, prompt token ids) per request, then None when no more will come.
RequestQueue = queue.Queue[tuple[int, Sequence[int]] | None]


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


@runtime_checkable
class StreamingBackend(Protocol):
    """A backend with its own continuous-batching engine (hf, vllm).

    ``serve`` keeps the engine's batch full: requests are handed to it as LoadGen issues them
    and a finished row's slot goes to the next waiting request at once, instead of the driver
    cutting the stream into batches that each wait for their longest row.
    """

    eos_token_id: int
    can_serve: bool  # False when this instance must fall back to ``generate`` batches

    def serve(
        self,
        requests: RequestQueue,
        on_first_token: FirstTokenCallback | None,
        on_complete: CompletionCallback,
    ) -> None:
        """Generate for every request until the queue yields None and all are complete."""
        ...


def streaming(backend: object) -> StreamingBackend | None:
    """``backend`` as a streaming backend when it can serve, else None (use ``generate``)."""
    if isinstance(backend, StreamingBackend) and backend.can_serve:
        return backend
    return None


class RequestIntake:
    """Reads a ``RequestQueue`` for an engine that adds requests between its own steps.

    ``take`` drains what has arrived without blocking while work is in flight; with ``wait``
    (nothing in flight) it blocks for the first request only. The closing None sets ``closed``,
    after which nothing more is read.
    """

    def __init__(self, requests: RequestQueue) -> None:
        self._requests = requests
        self.closed = False

    def take(self, *, wait: bool) -> list[tuple[int, Sequence[int]]]:
        """The requests that have arrived, in arrival order (empty once closed)."""
        arrived: list[tuple[int, Sequence[int]]] = []
        while not self.closed:
            try:
                item = self._requests.get(block=wait and not arrived)
            except queue.Empty:
                break
            if item is None:
                self.closed = True
            else:
                arrived.append(item)
        return arrived


def generate_by_serving(
    backend: StreamingBackend,
    prompts: Sequence[Sequence[int]],
    on_first_token: FirstTokenCallback | None = None,
) -> list[list[int]]:
    """``Backend.generate`` on a streaming backend: all prompts queued at once, keyed by index."""
    requests: RequestQueue = queue.Queue()
    for position, prompt in enumerate(prompts):
        requests.put((position, prompt))
    requests.put(None)
    outputs: dict[int, list[int]] = {}

    def complete(key: int, tokens: list[int]) -> None:
        outputs[key] = tokens

    backend.serve(requests, on_first_token, complete)
    return [outputs[position] for position in range(len(prompts))]
