"""transformers backend: greedy generation with MLPerf's settings (spec §5), batched.

* CPU: fp32 (default) or bf16; GPU: bf16 (default) with ``device_map="auto"``, which spreads
  the layers over every visible GPU, so Llama-2-70B runs on a multi-GPU node unchanged.
* Continuous batching (``hf_continuous.py``, transformers' own engine) on one device: up to
  ``batch_size`` rows per step, a finished row's slot refilled at once, first tokens streamed.
* A model spread over several GPUs by ``device_map="auto"`` uses static batches instead (the
  engine's paged cache lives on one device): left-padded ``model.generate`` calls, each row cut
  at its own EOS, the first tokens reported through a streamer after the first decode step.

torch and transformers are imported when the backend is built, never at module import time
of the package (tests/test_layers.py).
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from reference_runner.backends.base import (
    BackendInfo,
    CompletionCallback,
    FirstTokenCallback,
    RequestQueue,
    generate_by_serving,
)
from reference_runner.codecs import LLAMA_EOS, HFCodec
from reference_runner.errors import RunnerError

_DTYPES = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}


def model_revision(model: str, config: Any) -> str:
    """The hub commit when transformers knows it, else a fingerprint of a local directory.

    The fingerprint hashes the JSON files and the names and sizes of the weight files, so it
    changes when a checkpoint is swapped, without reading tens of GB of weights.
    """
    commit = getattr(config, "_commit_hash", None)
    if commit:
        return str(commit)
    path = Path(model)
    if not path.is_dir():
        return "unknown"
    digest = hashlib.sha256()
    for file in sorted(path.iterdir()):
        if file.suffix == ".json":
            digest.update(file.name.encode() + file.read_bytes())
        elif file.suffix in {".safetensors", ".bin"}:
            digest.update(f"{file.name}:{file.stat().st_size}".encode())
    return "local-sha256:" + digest.hexdigest()[:16]


def check_gpu_stack(torch: Any) -> None:
    """Say which part of the GPU stack is missing, before a load fails with a vaguer error."""
    if getattr(torch.version, "cuda", None) is None and getattr(torch.version, "hip", None) is None:
        raise RunnerError(
            f"--device cuda, but torch {torch.__version__} is a CPU-only build; on the GPU "
            "machine install the CUDA build of torch (pip install -r requirements.txt -r "
            "requirements-gpu.txt there), or use --device cpu.",
            code="runner.no_gpu",
        )
    if not torch.cuda.is_available():
        raise RunnerError(
            "--device cuda, but torch sees no GPU (driver missing, or CUDA_VISIBLE_DEVICES "
            "empty); check nvidia-smi, or use --device cpu.",
            code="runner.no_gpu",
        )
    if importlib.util.find_spec("accelerate") is None:
        raise RunnerError(
            "--device cuda spreads the model over the GPUs with device_map='auto', which needs "
            "accelerate: pip install -r requirements-gpu.txt (accelerate==1.15.0).",
            code="runner.missing_dependency",
        )


class _FirstTokenStreamer:
    """A ``generate`` streamer that reports each row's first new token once.

    ``generate`` calls ``put`` first with the prompt ids, then once per decode step with the
    new token of every row; only the first of those calls matters here.
    """

    def __init__(self, callback: FirstTokenCallback) -> None:
        self._callback = callback
        self._calls = 0

    def put(self, value: Any) -> None:
        self._calls += 1
        if self._calls != 2:
            return
        for position, token in enumerate(value.reshape(-1).tolist()):
            self._callback(position, int(token))

    def end(self) -> None:
        """Nothing to flush."""


class HFBackend:
    """Greedy generation with ``AutoModelForCausalLM.from_pretrained(model)``."""

    def __init__(
        self,
        model: str,
        codec: HFCodec,
        device: str = "cpu",
        dtype: str | None = None,
        max_new_tokens: int = 1024,
        batch_size: int = 8,
        **_: object,
    ) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM
        except ImportError as err:
            raise RunnerError(
                "The hf backend needs torch and transformers; install the runner extra "
                "(pip install -e '.[runner]', or make setup).",
                code="runner.missing_dependency",
            ) from err
        if not isinstance(codec, HFCodec):
            raise RunnerError(
                "The hf backend needs a transformers tokenizer (--tokenizer or --model).",
                code="runner.missing_tokenizer",
            )
        dtype = dtype or ("bf16" if device == "cuda" else "fp32")
        if dtype not in _DTYPES:
            raise RunnerError(
                f"Unknown --dtype {dtype!r}; use fp32, bf16 or fp16.", code="runner.bad_option"
            )
        if device == "cuda":
            check_gpu_stack(torch)
        try:
            loaded = AutoModelForCausalLM.from_pretrained(
                model,
                dtype=getattr(torch, _DTYPES[dtype]),
                device_map="auto" if device == "cuda" else None,
            )
        except ImportError as err:  # a library transformers needs for this checkpoint
            raise RunnerError(
                f"Loading {model!r} needs a library that is not installed ({err}); on a GPU "
                "machine install requirements-gpu.txt.",
                code="runner.missing_dependency",
            ) from err
        except (OSError, ValueError) as err:
            raise RunnerError(
                f"Cannot load the model {model!r} ({err}). Pass a local directory written by "
                "save_pretrained, or a hub id already in the local HF cache (this machine "
                "cannot download).",
                code="runner.missing_model",
            ) from err
        self._setup(loaded, codec, device, dtype, max_new_tokens, batch_size, model)

    @classmethod
    def from_model(
        cls,
        model: Any,
        codec: HFCodec,
        *,
        model_id: str,
        device: str,
        dtype: str,
        max_new_tokens: int = 1024,
        batch_size: int = 8,
    ) -> HFBackend:
        """Serve a model already built in memory (``bench/gpu_smoke.py``: random weights of
        Llama-2-70B's shape, never written to disk)."""
        import torch

        backend = cls.__new__(cls)
        backend._torch = torch
        backend._setup(model, codec, device, dtype, max_new_tokens, batch_size, model_id)
        return backend

    def _setup(
        self,
        model: Any,
        codec: HFCodec,
        device: str,
        dtype: str,
        max_new_tokens: int,
        batch_size: int,
        model_id: str,
    ) -> None:
        import torch

        self._model = model
        self._model.eval()
        self._torch = torch
        self._codec = codec
        self._device = device
        self._dtype = dtype
        self._model_id = model_id
        self._max_new_tokens = max_new_tokens
        tokenizer = codec.tokenizer
        self.eos_token_id = int(
            self._model.generation_config.eos_token_id
            if isinstance(self._model.generation_config.eos_token_id, int)
            else codec.eos_token_id
        )
        pad = tokenizer.pad_token_id
        self._pad = int(pad) if pad is not None else self.eos_token_id or LLAMA_EOS
        self._input_device = next(self._model.parameters()).device
        # One row per step gains nothing from the engine and its paged cache costs ~30 % in bf16
        # on CPU (docs/reference_runner.md, "Speed"): batch size 1 serves with plain generate.
        self._serial = batch_size == 1
        self._engine = None if self._serial else self._continuous_engine(batch_size)
        self.can_serve = self._serial or self._engine is not None

    def _continuous_engine(self, batch_size: int) -> Any:
        """The continuous-batching engine, or None for a model spread over several devices."""
        devices = set((getattr(self._model, "hf_device_map", None) or {}).values())
        if len(devices) > 1:
            return None
        from reference_runner.backends.hf_continuous import ContinuousEngine

        return ContinuousEngine(
            self._model,
            eos_token_id=self.eos_token_id,
            pad_token_id=self._pad,
            batch_size=batch_size,
            max_new_tokens=self._max_new_tokens,
            max_prompt_tokens=int(getattr(self._model.config, "max_position_embeddings", 4096)),
            single=lambda prompt: self._generate_static([prompt])[0],
        )

    def info(self) -> BackendInfo:
        versions = ", ".join(
            f"{name} {metadata.version(name)}" for name in ("transformers", "torch")
        )
        return BackendInfo(
            backend="hf",
            model_id=self._model_id,
            model_revision=model_revision(self._model_id, self._model.config),
            framework=versions,
            dtype=self._dtype,
            device=self._device,
        )

    def _left_padded(self, prompts: Sequence[Sequence[int]]) -> tuple[Any, Any]:
        torch = self._torch
        width = max(len(p) for p in prompts)
        ids = torch.full((len(prompts), width), self._pad, dtype=torch.long)
        mask = torch.zeros((len(prompts), width), dtype=torch.long)
        for row, prompt in enumerate(prompts):
            ids[row, width - len(prompt) :] = torch.tensor(list(prompt), dtype=torch.long)
            mask[row, width - len(prompt) :] = 1
        return ids.to(self._input_device), mask.to(self._input_device)

    def serve(
        self,
        requests: RequestQueue,
        on_first_token: FirstTokenCallback | None,
        on_complete: CompletionCallback,
    ) -> None:
        """Continuous batching over a stream of requests (see ``StreamingBackend``)."""
        if self._serial:
            self._serve_serially(requests, on_first_token, on_complete)
            return
        if self._engine is None:
            raise RunnerError(
                "This model is spread over several GPUs; the runner uses static batches for it.",
                code="runner.no_streaming",
            )
        self._engine.serve(requests, on_first_token, on_complete)

    def generate(
        self,
        prompts: Sequence[Sequence[int]],
        on_first_token: FirstTokenCallback | None = None,
    ) -> list[list[int]]:
        if self._engine is not None or self._serial:
            return generate_by_serving(self, prompts, on_first_token)
        return self._generate_static(prompts, on_first_token)

    def _serve_serially(
        self,
        requests: RequestQueue,
        on_first_token: FirstTokenCallback | None,
        on_complete: CompletionCallback,
    ) -> None:
        """Batch size 1: each request in turn through ``model.generate`` (the plain loop)."""
        while (item := requests.get()) is not None:
            key, prompt = item
            report = _keyed(on_first_token, key) if on_first_token is not None else None
            on_complete(key, self._generate_static([prompt], report)[0])

    def _generate_static(
        self,
        prompts: Sequence[Sequence[int]],
        on_first_token: FirstTokenCallback | None = None,
    ) -> list[list[int]]:
        """One left-padded ``model.generate`` call (MLPerf's settings, min_new_tokens 1)."""
        ids, mask = self._left_padded(prompts)
        streamer = _FirstTokenStreamer(on_first_token) if on_first_token else None
        with self._torch.inference_mode():
            output = self._model.generate(
                input_ids=ids,
                attention_mask=mask,
                do_sample=False,
                num_beams=1,
                max_new_tokens=self._max_new_tokens,
                min_new_tokens=1,
                pad_token_id=self._pad,
                eos_token_id=self.eos_token_id,
                streamer=streamer,
            )
        new_tokens = output[:, ids.shape[1] :].tolist()
        return [_until_eos(row, self.eos_token_id) for row in new_tokens]


def _keyed(callback: FirstTokenCallback, key: int) -> FirstTokenCallback:
    """A first-token callback for a one-row batch that reports row 0 under the query's key."""

    def report(_position: int, token: int) -> None:
        callback(key, token)

    return report


def _until_eos(tokens: list[int], eos: int) -> list[int]:
    """Tokens up to and including the first EOS (later positions are generate's padding)."""
    try:
        return tokens[: tokens.index(eos) + 1]
    except ValueError:
        return tokens
