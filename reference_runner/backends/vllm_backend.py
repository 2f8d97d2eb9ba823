"""vLLM backend for multi-GPU nodes (tensor parallel over every visible GPU).

vLLM is not part of the pinned stack; it is imported only when this backend is chosen, and
its absence gives a message saying how to install it.

It drives vLLM's ``LLMEngine`` step by step instead of ``LLM.generate`` (which returns whole
completions only): each issued query is added to the engine as it arrives, vLLM's scheduler
keeps the batch full (continuous batching, ``max_num_seqs`` = ``--batch-size``), and after
every ``engine.step()`` a request's first token is reported at once, so Server/Interactive
TTFT is measured, not bounded by the batch's end.

vLLM is not installed on the machines this was written on: ``EngineBackend`` and
``serve_engine`` are tested with a fake engine that behaves like ``LLMEngine`` (add_request /
step / has_unfinished_requests, cumulative ``token_ids``); the real engine is untested here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Any

from reference_runner.backends.base import (
    BackendInfo,
    CompletionCallback,
    FirstTokenCallback,
    RequestIntake,
    RequestQueue,
    generate_by_serving,
)
from reference_runner.codecs import LLAMA_EOS
from reference_runner.errors import RunnerError

_DTYPES = {"bf16": "bfloat16", "fp16": "float16", "fp32": "float32"}


def serve_engine(
    engine: Any,
    params: Any,
    requests: RequestQueue,
    on_first_token: FirstTokenCallback | None,
    on_complete: CompletionCallback,
) -> None:
    """Feed ``requests`` to a vLLM ``LLMEngine`` and step it until all are complete.

    ``LLMEngine`` is not thread-safe, so requests are added on this thread between steps; the
    loop blocks on the queue only while the engine has nothing to do.
    """
    keys: dict[str, int] = {}
    reported: set[str] = set()
    intake = RequestIntake(requests)
    while not intake.closed or keys:
        for key, prompt in intake.take(wait=not keys):
            request_id = f"q{key}"
            engine.add_request(request_id, {"prompt_token_ids": list(prompt)}, params)
            keys[request_id] = key
        if not keys:
            continue
        for output in engine.step():
            answered = keys.get(output.request_id)
            if answered is None:
                continue
            tokens = list(output.outputs[0].token_ids)  # cumulative (vLLM's default kind)
            if on_first_token is not None and tokens and output.request_id not in reported:
                reported.add(output.request_id)
                on_first_token(answered, int(tokens[0]))
            if output.finished:
                del keys[output.request_id]
                reported.discard(output.request_id)
                on_complete(answered, [int(t) for t in tokens])


def greedy_sampling(make_params: Callable[..., Any], max_new_tokens: int) -> Any:
    """MLPerf's sampling settings (temperature 0, min_tokens 1; spec §5) in vLLM's terms."""
    return make_params(temperature=0.0, max_tokens=max_new_tokens, min_tokens=1)


class EngineBackend:
    """The backend around an ``LLMEngine``-shaped engine: serving, batches and provenance.

    ``VLLMBackend`` puts vLLM's real engine inside; the tests put a fake one, so everything
    here but the engine itself is what they exercise.
    """

    can_serve = True

    def __init__(self, engine: Any, params: Any, *, eos_token_id: int, info: BackendInfo) -> None:
        self._engine = engine
        self._params = params
        self._info = info
        self.eos_token_id = eos_token_id

    def info(self) -> BackendInfo:
        return self._info

    def serve(
        self,
        requests: RequestQueue,
        on_first_token: FirstTokenCallback | None,
        on_complete: CompletionCallback,
    ) -> None:
        serve_engine(self._engine, self._params, requests, on_first_token, on_complete)

    def generate(
        self,
        prompts: Sequence[Sequence[int]],
        on_first_token: FirstTokenCallback | None = None,
    ) -> list[list[int]]:
        return generate_by_serving(self, prompts, on_first_token)


class VLLMBackend(EngineBackend):
    """Greedy generation with vLLM's ``LLMEngine`` (temperature 0, min_tokens 1; spec §5)."""

    def __init__(
        self,
        model: str,
        device: str = "cuda",
        dtype: str | None = None,
        max_new_tokens: int = 1024,
        batch_size: int = 8,
        **_: object,
    ) -> None:
        try:
            import torch
            import vllm
        except ImportError as err:
            raise RunnerError(
                "The vllm backend needs vLLM, which is not installed here: pip install vllm "
                "on a CUDA machine, or use --backend hf.",
                code="runner.missing_dependency",
            ) from err
        if device != "cuda":
            raise RunnerError("The vllm backend runs on GPUs only; pass --device cuda.")
        dtype = dtype or "bf16"
        engine = vllm.LLMEngine.from_engine_args(
            vllm.EngineArgs(
                model=model,
                dtype=_DTYPES[dtype],
                tensor_parallel_size=max(1, torch.cuda.device_count()),
                max_num_seqs=batch_size,
            )
        )
        eos = engine.get_tokenizer().eos_token_id
        super().__init__(
            engine,
            greedy_sampling(vllm.SamplingParams, max_new_tokens),
            eos_token_id=int(eos) if eos is not None else LLAMA_EOS,
            info=BackendInfo(
                backend="vllm",
                model_id=model,
                model_revision="unknown",
                framework=f"vllm {metadata.version('vllm')}",
                dtype=dtype,
                device="cuda",
            ),
        )
