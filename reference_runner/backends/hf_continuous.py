"""Continuous batching for the hf backend, on transformers' own engine.

transformers ships a continuous-batching engine (``model.init_continuous_batching``: a paged
KV cache, a FIFO scheduler and a background generation thread). We drive it instead of writing
our own (product brief: an existing engine, not a home-made one):

* every request goes to the engine as soon as LoadGen issues it; the engine holds at most
  ``batch_size`` rows in a step, and when a row finishes (EOS or its token limit) the next
  waiting request is prefilled into its place in the very next step;
* Server/Interactive requests are added with ``streaming=True``, so the engine hands back a
  partial output after each step and the first token reaches ``FirstTokenComplete`` as soon as
  it exists;
* greedy decoding. The engine has no ``min_new_tokens`` (MLPerf's ``min 1``, spec §5): a
  request whose only token is EOS is regenerated alone with ``model.generate(min_new_tokens=1)``,
  so outputs equal ``model.generate`` one prompt at a time, and its first token is reported
  only then (an EOS first token would be wrong).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from typing import Any

from reference_runner.backends.base import (
    CompletionCallback,
    FirstTokenCallback,
    RequestIntake,
    RequestQueue,
)
from reference_runner.errors import RunnerError

# The engine's KV cache is paged; small pages waste less memory on short CPU runs.
PAGE_SIZE = 64
# How long one wait for the engine's output may block before the request queue is read again.
POLL_S = 0.02


class _WithoutPsutilNotes(logging.Filter):
    """Drops the engine's "install psutil" messages: on CPU we size the cache ourselves."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "psutil" not in record.getMessage()


_PSUTIL_NOTES = _WithoutPsutilNotes()  # one instance, so adding it again is a no-op


def cache_blocks(batch_size: int, max_prompt_tokens: int, max_new_tokens: int) -> int:
    """KV-cache pages for ``batch_size`` rows of the longest request, plus one spare per row."""
    per_row = math.ceil((max_prompt_tokens + max_new_tokens) / PAGE_SIZE)
    return batch_size * (per_row + 1)


class ContinuousEngine:
    """One transformers continuous-batching manager, kept for the backend's lifetime.

    ``single`` regenerates one prompt with ``min_new_tokens=1`` (the EOS-first fallback).
    """

    def __init__(
        self,
        model: Any,
        *,
        eos_token_id: int,
        pad_token_id: int,
        batch_size: int,
        max_new_tokens: int,
        max_prompt_tokens: int,
        single: Callable[[Sequence[int]], list[int]],
    ) -> None:
        from transformers import GenerationConfig
        from transformers.generation.configuration_utils import ContinuousBatchingConfig

        logging.getLogger("ContinuousBatchingLogger").addFilter(_PSUTIL_NOTES)
        self._model = model
        self._eos = eos_token_id
        self._max_new_tokens = max_new_tokens
        self._max_prompt_tokens = max_prompt_tokens
        self._single = single
        # transformers leaves GenerationConfig.__init__(self, **kwargs) unannotated
        self._generation_config = GenerationConfig(  # type: ignore[no-untyped-call]
            do_sample=False,
            max_new_tokens=max_new_tokens,
            eos_token_id=eos_token_id,
            pad_token_id=pad_token_id,
        )
        on_cpu = model.device.type == "cpu"
        self._cb_config = ContinuousBatchingConfig(
            page_size=PAGE_SIZE,
            max_requests_per_batch=batch_size,
            # On CPU the engine cannot size its cache from free memory (it would need psutil),
            # so it gets exactly what batch_size rows of the longest request need.
            num_blocks=cache_blocks(batch_size, max_prompt_tokens, max_new_tokens)
            if on_cpu
            else None,
            max_batch_tokens=max(max_prompt_tokens, batch_size) if on_cpu else None,
            allow_block_sharing=False,  # prefix sharing reorders requests; keep LoadGen's order
        )

    def _manager(self) -> Any:
        # Returns the manager cached on the model after the first session (same cache, reset).
        return self._model.init_continuous_batching(
            generation_config=self._generation_config,
            continuous_batching_config=self._cb_config,
        )

    def serve(
        self,
        requests: RequestQueue,
        on_first_token: FirstTokenCallback | None,
        on_complete: CompletionCallback,
    ) -> None:
        """Feed ``requests`` to the engine until None arrives and every request has completed."""
        manager = self._manager()
        manager.start()
        try:
            self._loop(manager, requests, on_first_token, on_complete)
        finally:
            manager.stop(block=True, keep_for_next_session=True)

    def _loop(
        self,
        manager: Any,
        requests: RequestQueue,
        on_first_token: FirstTokenCallback | None,
        on_complete: CompletionCallback,
    ) -> None:
        pending: dict[str, tuple[int, Sequence[int]]] = {}
        reported: set[str] = set()
        intake = RequestIntake(requests)
        while not intake.closed or pending:
            # Hand over everything that has arrived; block only when nothing is in flight.
            for key, prompt in intake.take(wait=not pending):
                self._check_prompt(prompt)
                request_id = f"q{key}"
                manager.add_request(
                    list(prompt),
                    request_id=request_id,
                    max_new_tokens=self._max_new_tokens,
                    streaming=on_first_token is not None,
                    eos_token_id=self._eos,
                )
                pending[request_id] = (key, prompt)
            if not pending:
                continue
            output = manager.get_result(timeout=POLL_S)
            if output is None:
                if not manager.is_running():
                    raise RunnerError(
                        "transformers' continuous-batching engine stopped unexpectedly; see the "
                        "log above.",
                        code="runner.backend_failed",
                    )
                continue
            if output.request_id not in pending:
                continue  # a late streaming update for a request already completed
            key, prompt = pending[output.request_id]
            if output.error is not None:
                raise RunnerError(
                    f"Generation failed for query {key}: {output.error}",
                    code="runner.backend_failed",
                )
            tokens = list(output.generated_tokens)
            first_is_usable = bool(tokens) and tokens[0] != self._eos
            if on_first_token is not None and first_is_usable and output.request_id not in reported:
                reported.add(output.request_id)
                on_first_token(key, tokens[0])
            if not output.is_finished():
                continue
            del pending[output.request_id]
            if not first_is_usable:  # EOS first: regenerate with min_new_tokens=1 (module doc)
                with manager.pause():  # the model must not run on two threads at once
                    tokens = self._single(prompt)
                if on_first_token is not None:
                    on_first_token(key, tokens[0])
            reported.discard(output.request_id)
            on_complete(key, tokens)

    def _check_prompt(self, prompt: Sequence[int]) -> None:
        if len(prompt) > self._max_prompt_tokens:
            raise RunnerError(
                f"A prompt has {len(prompt)} tokens, more than the model's context of "
                f"{self._max_prompt_tokens} tokens (max_position_embeddings); shorten the "
                "dataset's prompts or use a model with a longer context.",
                code="runner.bad_option",
            )
