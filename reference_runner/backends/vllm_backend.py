"""vLLM backend for multi-GPU nodes (tensor parallel over every visible GPU).

vLLM is not part of the pinned stack; it is imported only when this backend is chosen, and
its absence gives a message saying how to install it. ``LLM.generate`` returns whole
completions, so the first token is reported when the batch finishes: Server TTFT measured
this way is an upper bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata

from reference_runner.backends.base import BackendInfo, FirstTokenCallback
from reference_runner.codecs import LLAMA_EOS
from reference_runner.errors import RunnerError


class VLLMBackend:
    """Greedy generation with ``vllm.LLM`` (temperature 0, min_tokens 1; spec §5)."""

    def __init__(
        self,
        model: str,
        device: str = "cuda",
        dtype: str | None = None,
        max_new_tokens: int = 1024,
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
        self._dtype = dtype or "bf16"
        self._model_id = model
        self._llm = vllm.LLM(
            model=model,
            dtype={"bf16": "bfloat16", "fp16": "float16", "fp32": "float32"}[self._dtype],
            tensor_parallel_size=max(1, torch.cuda.device_count()),
        )
        self._params = vllm.SamplingParams(temperature=0.0, max_tokens=max_new_tokens, min_tokens=1)
        eos = self._llm.get_tokenizer().eos_token_id
        self.eos_token_id = int(eos) if eos is not None else LLAMA_EOS

    def info(self) -> BackendInfo:
        return BackendInfo(
            backend="vllm",
            model_id=self._model_id,
            model_revision="unknown",
            framework=f"vllm {metadata.version('vllm')}",
            dtype=self._dtype,
            device="cuda",
        )

    def generate(
        self,
        prompts: Sequence[Sequence[int]],
        on_first_token: FirstTokenCallback | None = None,
    ) -> list[list[int]]:
        requests = [{"prompt_token_ids": list(p)} for p in prompts]
        results = self._llm.generate(requests, self._params, use_tqdm=False)
        outputs = [list(r.outputs[0].token_ids) for r in results]
        if on_first_token is not None:
            for position, tokens in enumerate(outputs):
                on_first_token(position, tokens[0])
        return outputs
