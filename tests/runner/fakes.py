"""A fake of vLLM's ``LLMEngine`` (vLLM is not installed here) and a backend around it.

It behaves like the parts of ``LLMEngine`` the runner uses: ``add_request(request_id,
{"prompt_token_ids": [...]}, params)``, ``step()`` returning ``RequestOutput``-shaped objects
with cumulative ``outputs[0].token_ids`` and ``finished``, ``has_unfinished_requests()``.
Like vLLM's scheduler it runs at most ``max_num_seqs`` requests per step and admits waiting
requests into freed slots in arrival order. Its answer to a prompt ``p`` is ``p[1:]`` (BOS
dropped) followed by EOS, so answers have different lengths and rows finish at different steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from reference_runner.backends.base import BackendInfo
from reference_runner.backends.vllm_backend import EngineBackend, greedy_sampling

EOS = 2


def fake_answer(prompt: Sequence[int]) -> list[int]:
    """What the fake engine generates for ``prompt``."""
    return [*prompt[1:], EOS]


@dataclass
class FakeLLMEngine:
    """``LLMEngine`` stand-in; records what happened at each step for the tests to check."""

    max_num_seqs: int = 2
    fail_at_step: int | None = None
    steps: int = 0
    waiting: list[str] = field(default_factory=list)
    running: list[str] = field(default_factory=list)
    answers: dict[str, list[int]] = field(default_factory=dict)
    produced: dict[str, int] = field(default_factory=dict)
    first_token_step: dict[str, int] = field(default_factory=dict)
    finished_step: dict[str, int] = field(default_factory=dict)
    admitted_step: dict[str, int] = field(default_factory=dict)
    max_running: int = 0

    def add_request(self, request_id: str, prompt: dict[str, Any], params: Any) -> None:
        answer = fake_answer(prompt["prompt_token_ids"])
        self.answers[request_id] = answer[: params.max_tokens]
        self.produced[request_id] = 0
        self.waiting.append(request_id)

    def has_unfinished_requests(self) -> bool:
        return bool(self.waiting or self.running)

    def step(self) -> list[SimpleNamespace]:
        self.steps += 1
        if self.fail_at_step is not None and self.steps >= self.fail_at_step:
            raise RuntimeError("CUDA error: an illegal memory access was encountered (fake)")
        while self.waiting and len(self.running) < self.max_num_seqs:
            request_id = self.waiting.pop(0)
            self.running.append(request_id)
            self.admitted_step[request_id] = self.steps
        self.max_running = max(self.max_running, len(self.running))
        outputs = []
        for request_id in list(self.running):
            self.produced[request_id] += 1
            self.first_token_step.setdefault(request_id, self.steps)
            tokens = self.answers[request_id][: self.produced[request_id]]
            finished = len(tokens) == len(self.answers[request_id])
            if finished:
                self.running.remove(request_id)
                self.finished_step[request_id] = self.steps
            outputs.append(
                SimpleNamespace(
                    request_id=request_id,
                    outputs=[SimpleNamespace(token_ids=tuple(tokens))],
                    finished=finished,
                )
            )
        return outputs


class FakeVLLMBackend(EngineBackend):
    """``VLLMBackend`` with the fake engine inside: only the engine is fake, the rest is ours."""

    def __init__(self, engine: FakeLLMEngine, max_new_tokens: int = 1024) -> None:
        super().__init__(
            engine,
            greedy_sampling(SimpleNamespace, max_new_tokens),
            eos_token_id=EOS,
            info=BackendInfo("vllm", "fake-engine", "1", "fake vLLM engine", "none", "cpu"),
        )
