"""A deterministic fake model for tests and for exercising LoadGen without torch.

Its answer to a prompt ``p`` is ``[x, x, f1, f2, ..., EOS]`` with ``K`` tokens in all, where
``x`` is the prompt's last token and ``f1...`` repeat the prompt's non-special tokens. With
``K = 3`` that is ``[x, x, 2]``, the fake system of spec §7 that the official checker accepts.
Being a pure function of the prompt, a reproduction regenerates it exactly.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from reference_runner.backends.base import BackendInfo, FirstTokenCallback
from reference_runner.codecs import LLAMA_EOS
from reference_runner.errors import RunnerError


def dummy_answer(prompt: Sequence[int], tokens_per_sample: int, eos: int = LLAMA_EOS) -> list[int]:
    """The dummy model's output for one prompt (a pure function, see module docstring)."""
    x = int(prompt[-1])
    filler = [int(t) for t in prompt if int(t) > LLAMA_EOS] or [x]
    body = [x, x]
    while len(body) < tokens_per_sample - 1:
        body.extend(filler)
    return [*body[: tokens_per_sample - 1], eos]


class DummyBackend:
    """Answers with :func:`dummy_answer`, optionally pacing itself like a real decoder.

    ``ms_per_step`` sleeps once per decode step of a batch, so Offline runs can last long
    enough for LoadGen's min_duration and Server runs see realistic first-token timing.
    """

    eos_token_id = LLAMA_EOS

    def __init__(self, tokens_per_sample: int = 290, ms_per_step: float = 0.0, **_: object) -> None:
        if tokens_per_sample < 2:
            raise RunnerError(
                "--dummy-tokens-per-sample must be at least 2: LoadGen logs an error for every "
                "response of one token ('Number of tokens need to be greater than 1').",
                code="runner.bad_option",
            )
        self.tokens_per_sample = tokens_per_sample
        self.ms_per_step = ms_per_step

    def info(self) -> BackendInfo:
        return BackendInfo(
            backend="dummy",
            model_id=f"inferboard-dummy-echo-{self.tokens_per_sample}",
            model_revision="1",
            framework="inferboard dummy backend (no model)",
            dtype="none (dummy model, no weights)",
            device="cpu",
        )

    def generate(
        self,
        prompts: Sequence[Sequence[int]],
        on_first_token: FirstTokenCallback | None = None,
    ) -> list[list[int]]:
        answers = [dummy_answer(p, self.tokens_per_sample) for p in prompts]
        step_s = self.ms_per_step / 1000.0
        if step_s > 0:
            time.sleep(step_s)
        if on_first_token is not None:
            for position, answer in enumerate(answers):
                on_first_token(position, answer[0])
        if step_s > 0:
            time.sleep(step_s * (self.tokens_per_sample - 1))
        return answers
