"""The hf backend's continuous batching on a tiny local Llama.

Greedy outputs must equal ``model.generate`` one prompt at a time with MLPerf's settings
(spec §5: greedy, min_new_tokens 1, stop at EOS), whatever the batch shape; a finished row's
slot must go to the next waiting prompt at once; first tokens must be reported once each.
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from reference_runner.codecs import HFCodec

pytestmark = pytest.mark.slow  # a tiny Llama generating on the CPU: 5-14 s each

TEXTS = [
    "Why is the sky blue?",
    "Hi",
    "Summarise the plot of a long novel about the sea and a whale.",
    "a b c d e f g",
    "Tell me",
    "What is the capital of France, and why?",
]
MAX_NEW = 8


def one_at_a_time(model_dir: Path, prompts: list[list[int]], eos: int) -> list[list[int]]:
    """The plain loop: ``model.generate`` per prompt, cut after the first EOS."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    outputs = []
    with torch.inference_mode():
        for prompt in prompts:
            ids = torch.tensor([prompt])
            new = model.generate(
                ids,
                attention_mask=torch.ones_like(ids),
                do_sample=False,
                max_new_tokens=MAX_NEW,
                min_new_tokens=1,
                eos_token_id=eos,
                pad_token_id=eos,
            )[0, len(prompt) :].tolist()
            outputs.append(new[: new.index(eos) + 1] if eos in new else new)
    return outputs


def with_eos(tiny_llama: Path, directory: Path, eos: int) -> Path:
    """A copy of the tiny model whose EOS is ``eos`` (to make rows finish at chosen steps)."""
    shutil.copytree(tiny_llama, directory)
    config_file = directory / "generation_config.json"
    config = json.loads(config_file.read_text())
    config["eos_token_id"] = eos
    config_file.write_text(json.dumps(config))
    return directory


def backend(model_dir: Path, batch_size: int) -> Any:
    from reference_runner.backends.hf import HFBackend

    return HFBackend(
        str(model_dir), HFCodec(str(model_dir)), max_new_tokens=MAX_NEW, batch_size=batch_size
    )


@pytest.fixture(scope="module")
def prompts(tiny_llama: Path) -> list[list[int]]:
    codec = HFCodec(str(tiny_llama))
    return [codec.encode(text) for text in TEXTS]


@pytest.mark.parametrize("batch_size", [1, 4])
def test_outputs_equal_generate_one_prompt_at_a_time(
    tiny_llama: Path, prompts: list[list[int]], batch_size: int
) -> None:
    hf = backend(tiny_llama, batch_size)
    assert hf.can_serve
    firsts: list[tuple[int, int]] = []
    outputs = hf.generate(prompts, lambda key, token: firsts.append((key, token)))
    assert outputs == one_at_a_time(tiny_llama, prompts, hf.eos_token_id)
    assert sorted(firsts) == [(key, out[0]) for key, out in enumerate(outputs)]
    assert hf.generate(prompts[:2]) == outputs[:2]  # the engine is reused between calls


def test_a_finished_row_is_refilled_while_others_decode(
    tiny_llama: Path, prompts: list[list[int]], tmp_path: Path
) -> None:
    plain_outputs = one_at_a_time(tiny_llama, prompts, eos=2)
    eos = plain_outputs[1][1]  # "Hi" now ends after two tokens, the others run longer
    model_dir = with_eos(tiny_llama, tmp_path / "early-eos", eos)
    expected = one_at_a_time(model_dir, prompts, eos)
    lengths = [len(out) for out in expected]
    assert lengths[1] == 2 and max(lengths) > 4, f"precondition: rows of unequal length {lengths}"

    hf = backend(model_dir, batch_size=2)
    rows_per_step: list[list[int]] = []  # query tokens of each row in each engine step

    def record(_module: Any, _args: Any, kwargs: dict[str, Any]) -> None:
        bounds = kwargs["cu_seq_lens_q"].tolist()
        rows_per_step.append([b - a for a, b in itertools.pairwise(bounds)])

    hook = hf._model.register_forward_pre_hook(record, with_kwargs=True)
    try:
        outputs = hf.generate(prompts)
    finally:
        hook.remove()

    assert outputs == expected
    assert max(len(rows) for rows in rows_per_step) == 2  # never more than batch_size rows
    # Some step prefills a new prompt (many tokens) next to a row that is mid-decode (1 token).
    assert any(max(rows) > 1 and min(rows) == 1 for rows in rows_per_step), rows_per_step
    # Every row of every step makes a token someone asked for; static batches of two would
    # carry each finished row as padding until its batch's longest row is done.
    row_steps = sum(len(rows) for rows in rows_per_step)
    static_row_steps = sum(2 * max(lengths[i : i + 2]) for i in range(0, len(lengths), 2))
    assert row_steps == sum(lengths) < static_row_steps


def test_eos_as_first_token_is_regenerated_with_min_new_tokens(
    tiny_llama: Path, prompts: list[list[int]], tmp_path: Path
) -> None:
    plain_outputs = one_at_a_time(tiny_llama, prompts, eos=2)
    eos = plain_outputs[0][0]  # the engine's greedy first token for prompt 0 is now EOS
    model_dir = with_eos(tiny_llama, tmp_path / "eos-first", eos)
    expected = one_at_a_time(model_dir, prompts, eos)
    assert expected[0][0] != eos  # min_new_tokens=1 forbids EOS as the first token

    firsts: dict[int, int] = {}
    outputs = backend(model_dir, batch_size=3).generate(
        prompts, lambda key, token: firsts.setdefault(key, token)
    )
    assert outputs == expected
    assert firsts[0] == expected[0][0]
