"""Generated tokens per second of the runner's hf backend on this CPU (issue 4, "Speed").

Model: LiteLlama-460M-1T's shape (24 layers, hidden 1024, MLP 4096, 16 heads, vocab 50304)
with random weights, since no hub is reachable. For each dtype (fp32, bf16) and batch size
(1, 8) it times, side by side in the same process:

* runner: ``HFBackend.generate`` on the whole batch with ``--batch-size`` = the batch:
  transformers' continuous-batching engine for 8, plain ``model.generate`` per query for 1;
* static: one left-padded ``model.generate`` call on the whole batch (the runner's old path,
  still used for a model spread over several GPUs);
* plain: a loop calling ``model.generate`` once per prompt (the naive harness).

The three run interleaved within each repeat (the machine is shared: load moves all of them
alike), after one warm-up each; it prints medians over ``--repeats``, the runner/plain ratio,
the load average before and after, and the fraction of the memory-bandwidth limit reached:
decoding reads every weight once per step, so tokens/s <= batch * bandwidth / weight bytes,
with bandwidth measured here by a NumPy copy.

    .venv/bin/python -m bench.runner_bench [--repeats 3] [--prompt-tokens 128] [--new-tokens 32]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def memory_bandwidth_gbs(size_mb: int = 512, repeats: int = 5) -> float:
    """Best-of copy bandwidth (read + write bytes) of a large array, GB/s."""
    import numpy as np

    src = np.ones(size_mb * 2**20 // 8)
    dst = np.empty_like(src)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - start)
    return 2 * src.nbytes / best / 1e9


def build(directory: Path) -> None:
    """A random-weight LiteLlama-460M-shaped model and a trivial tokenizer, saved locally."""
    import torch
    from tokenizers import Tokenizer, models
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=50304,
        hidden_size=1024,
        intermediate_size=4096,
        num_hidden_layers=24,
        num_attention_heads=16,
        num_key_value_heads=16,
        max_position_embeddings=1024,
        bos_token_id=1,
        eos_token_id=2,
    )
    LlamaForCausalLM(config).save_pretrained(directory)
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    tokenizer = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    # transformers leaves TokenizersBackend.__init__ (*args, **kwargs) unannotated
    PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=tokenizer, unk_token="<unk>", bos_token="<s>", eos_token="</s>"
    ).save_pretrained(directory)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--prompt-tokens", type=int, default=128)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--dtypes", default="fp32,bf16")
    parser.add_argument("--batches", default="1,8")
    args = parser.parse_args()

    import torch

    from reference_runner.backends.hf import HFBackend
    from reference_runner.codecs import HFCodec

    bandwidth = memory_bandwidth_gbs()
    print("load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"torch threads: {torch.get_num_threads()}, copy bandwidth: {bandwidth:.1f} GB/s")
    print(f"prompt {args.prompt_tokens} tokens, {args.new_tokens} new tokens, greedy")
    print(
        f"{'dtype':<5} {'batch':>5} {'runner tok/s':>13} {'static tok/s':>13} {'plain tok/s':>12} "
        f"{'ratio':>6} "
        f"{'bw limit tok/s':>15} {'runner % of limit':>18}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "litellama-460m-shape"
        build(model_dir)
        codec = HFCodec(str(model_dir))
        for dtype in args.dtypes.split(","):
            generator = torch.Generator().manual_seed(1)
            for batch in (int(b) for b in args.batches.split(",")):
                # --batch-size equal to the batch, as a run would use (1 takes the serial path)
                backend = HFBackend(
                    str(model_dir),
                    codec,
                    dtype=dtype,
                    max_new_tokens=args.new_tokens,
                    batch_size=batch,
                )
                model = backend._model  # the same weights for the plain loop
                n_params = sum(p.numel() for p in model.parameters())
                weight_bytes = n_params * (2 if dtype in ("bf16", "fp16") else 4)
                prompts = torch.randint(3, 50304, (batch, args.prompt_tokens), generator=generator)
                prompt_lists = [row.tolist() for row in prompts]

                # defaults bind this iteration's objects (a closure would see the last ones)
                def runner(
                    prompt_lists: list[list[int]] = prompt_lists, backend: HFBackend = backend
                ) -> int:
                    return sum(len(o) for o in backend.generate(prompt_lists))

                def static(
                    prompt_lists: list[list[int]] = prompt_lists, backend: HFBackend = backend
                ) -> int:
                    return sum(len(o) for o in backend._generate_static(prompt_lists))

                # Any: the backend holds the transformers model untyped (HFBackend._setup)
                def plain(prompts: torch.Tensor = prompts, model: Any = model) -> int:
                    produced = 0
                    with torch.inference_mode():
                        for row in prompts:
                            out = model.generate(
                                row[None, :],
                                attention_mask=torch.ones_like(row[None, :]),
                                do_sample=False,
                                max_new_tokens=args.new_tokens,
                                pad_token_id=2,
                            )
                            produced += out.shape[1] - prompts.shape[1]
                    return produced

                methods = (("runner", runner), ("static", static), ("plain", plain))
                samples: dict[str, list[float]] = {name: [] for name, _ in methods}
                for _, fn in methods:
                    fn()  # warm-up: the first run after start can be 3x slower
                for _ in range(args.repeats):
                    for name, fn in methods:
                        start = time.perf_counter()
                        tokens = fn()
                        samples[name].append(tokens / (time.perf_counter() - start))
                rates = {name: statistics.median(values) for name, values in samples.items()}
                limit = batch * bandwidth * 1e9 / weight_bytes
                print(
                    f"{dtype:<5} {batch:>5} {rates['runner']:>13.1f} {rates['static']:>13.1f} "
                    f"{rates['plain']:>12.1f} "
                    f"{rates['runner'] / rates['plain']:>6.2f} {limit:>15.1f} "
                    f"{100 * rates['runner'] / limit:>17.1f}%",
                    flush=True,
                )
    print("load average (1, 5, 15 min) after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
