"""GPU smoke test of the reference runner's hf backend: a Llama-2-70B-shaped model, cut to a
few layers, with random weights (no download, no network), through short LoadGen Offline and
Server runs, plus the decode speed at batch 1 and the fraction of HBM bandwidth it reaches.

On one GPU (an H200 with torch, transformers and accelerate; no vLLM needed):

    python -m bench.gpu_smoke                     # 2 layers of Llama-2-70B's shape, bf16, cuda
    python -m bench.gpu_smoke --layers 4 --queries 64

Here, on a CPU, the same code path with a tiny shape (what the tests run):

    .venv/bin/python -m bench.gpu_smoke --device cpu --tiny

What it prints: the model's shape and weight bytes, the batch-1 decode rate (median of
--repeats, the prefill subtracted by timing 1 and N new tokens), the weight bytes read per
token (every parameter but the embedding table), that rate as a fraction of the device's
memory bandwidth (the catalogue's datasheet figure for the GPU, a measured copy bandwidth on
a CPU: the baseline a batch-1 decode cannot beat), and the tokens/s LoadGen reports for the
Offline and Server runs. Budget: well under 5 minutes on an H200 (weights are created on the
device, nothing is written but the LoadGen logs); --json writes the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TypedDict

from reference_runner.errors import RunnerError

ROOT = Path(__file__).resolve().parents[1]


class Shape(TypedDict):
    """The LlamaConfig fields that give a model its size."""

    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_attention_heads: int
    num_key_value_heads: int
    max_position_embeddings: int
    rms_norm_eps: float


LLAMA2_70B: Shape = {  # config.json of meta-llama/Llama-2-70b-chat-hf
    "vocab_size": 32000,
    "hidden_size": 8192,
    "intermediate_size": 28672,
    "num_attention_heads": 64,
    "num_key_value_heads": 8,
    "max_position_embeddings": 4096,
    "rms_norm_eps": 1e-5,
}
TINY: Shape = {
    "vocab_size": 512,
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 1024,
    "rms_norm_eps": 1e-5,
}
_DTYPES = {"bf16": "bfloat16", "fp16": "float16", "fp32": "float32"}
_METRIC = re.compile(
    r'"key": "(result_tokens_per_second|result_completed_tokens_per_second)", '
    r'"value": ([0-9.eE+-]+)'
)


def word_tokenizer(directory: Path, vocab_size: int) -> Path:
    """A tokenizer with Llama-2's special ids (0 unk, 1 BOS, 2 EOS) and ``vocab_size`` ids,
    saved for HFCodec's ``from_pretrained``: the prompts are token ids, so only the special
    ids and decoding matter."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2} | {f"w{i}": i for i in range(3, vocab_size)}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    # transformers leaves TokenizersBackend.__init__ (*args, **kwargs) unannotated
    tokenizer = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=core, unk_token="<unk>", bos_token="<s>", eos_token="</s>"
    )
    tokenizer.save_pretrained(directory)
    return directory


def build_model(shape: Shape, layers: int, device: str, dtype: str) -> Any:
    """Random weights of the given shape, created directly on the device in ``dtype``."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        **shape, num_hidden_layers=layers, bos_token_id=1, eos_token_id=2, pad_token_id=0
    )
    torch.manual_seed(0)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, _DTYPES[dtype]))
    try:
        with torch.device(device):
            model = LlamaForCausalLM(config)
    finally:
        torch.set_default_dtype(previous)
    # Random weights: the smoke test wants every answer to run to max_new_tokens.
    model.generation_config.eos_token_id = 2
    return model.eval()  # type: ignore[no-untyped-call]  # PreTrainedModel.eval is unannotated


def decode_rate(model: Any, prompt_tokens: int, new_tokens: int, repeats: int) -> float:
    """Batch-1 decode tokens/s: (N - 1) / (time(N new) - time(1 new)), median of repeats.

    Each time is the best of three (a busy machine only ever adds time): with one sample
    each, a short run on a loaded CPU could time N tokens faster than 1 and report billions
    of tokens/s. Should the best N still not be slower, N / time(N new) is the rate (a lower
    bound: it counts the prompt's prefill too)."""
    import torch

    device = next(model.parameters()).device
    ids = torch.randint(3, model.config.vocab_size, (1, prompt_tokens), device=device)

    def timed(n: int) -> float:
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        with torch.inference_mode():
            model.generate(
                input_ids=ids,
                attention_mask=torch.ones_like(ids),
                do_sample=False,
                max_new_tokens=n,
                min_new_tokens=n,
                pad_token_id=0,
            )
        if device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start

    timed(2)  # warm-up (kernels, allocator)
    rates = []
    for _ in range(repeats):
        one = min(timed(1) for _ in range(3))
        many = min(timed(new_tokens) for _ in range(3))
        rates.append((new_tokens - 1) / (many - one) if many > one else new_tokens / many)
    return statistics.median(rates)


def weight_bytes(model: Any) -> tuple[int, int]:
    """All parameter bytes, and those read for one decoded token (all but the embedding
    table, of which one row is read)."""
    total = sum(p.numel() * p.element_size() for p in model.parameters())
    embedding = model.model.embed_tokens.weight
    return total, total - embedding.numel() * embedding.element_size()


def peak_bandwidth_gbs(device: str) -> tuple[float, str]:
    """The datasheet HBM bandwidth of the GPU (hardware catalogue), or a measured copy
    bandwidth on a CPU."""
    if device == "cuda":
        import torch

        import hardware

        name = torch.cuda.get_device_name(0)
        spec = hardware.identify(name)
        if spec is None or not spec.memory_bandwidth_tbs:
            raise RunnerError(f"no memory bandwidth for {name!r} in hardware/accelerators.yaml")
        return spec.memory_bandwidth_tbs * 1000, f"{spec.model} datasheet"
    import numpy as np

    src = np.ones(256 * 2**20 // 8)
    dst = np.empty_like(src)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - start)
    return 2 * src.nbytes / best / 1e9, "measured CPU copy bandwidth"


def loadgen_runs(backend: Any, args: argparse.Namespace, vocab: int, out: Path) -> dict[str, float]:
    """Short Offline and Server runs; tokens/s as LoadGen reports them."""
    import numpy as np

    from reference_runner.datasets import Sample
    from reference_runner.loadgen_driver import LoadgenOverrides, run_loadgen
    from reference_runner.rounds import load_round

    rng = np.random.default_rng(0)
    samples = [
        Sample(i, tuple(int(t) for t in rng.integers(3, vocab, args.prompt_tokens)), "")
        for i in range(args.queries)
    ]
    results = {}
    for scenario, overrides in (
        ("Offline", LoadgenOverrides(min_duration_ms=1000, min_query_count=args.queries)),
        (
            "Server",
            LoadgenOverrides(
                min_duration_ms=1000,
                min_query_count=args.queries,
                server_target_qps=args.server_qps,
            ),
        ),
    ):
        started = time.perf_counter()
        outdir = run_loadgen(
            backend=backend,
            samples=samples,
            scenario=scenario,
            mode="performance",
            round_settings=load_round("v5.1"),
            overrides=overrides,
            batch_size=args.batch_size,
            token_dtype="int32",
            outdir=out / scenario,
        )
        match = _METRIC.search((outdir / "mlperf_log_detail.txt").read_text(encoding="utf-8"))
        results[scenario] = float(match.group(2)) if match else float("nan")
        print(f"{scenario:8} LoadGen: {results[scenario]:10.1f} tokens/s "
              f"({time.perf_counter() - started:.1f} s wall)", flush=True)  # fmt: skip
    return results


def _size(nbytes: int) -> str:
    return f"{nbytes / 1e9:.2f} GB" if nbytes >= 1e8 else f"{nbytes / 1e6:.2f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    parser.add_argument("--tiny", action="store_true", help="a tiny shape instead of Llama-2-70B's")
    parser.add_argument("--layers", type=int, default=2, help="decoder layers kept (70B has 80)")
    parser.add_argument("--dtype", choices=tuple(_DTYPES), help="default bf16 (cuda), fp32 (cpu)")
    parser.add_argument("--queries", type=int, default=32)
    parser.add_argument("--prompt-tokens", type=int, default=128)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--server-qps", type=float, default=20.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    dtype = args.dtype or ("bf16" if args.device == "cuda" else "fp32")
    started = time.perf_counter()
    try:
        import torch

        from reference_runner.backends.hf import HFBackend, check_gpu_stack
        from reference_runner.codecs import HFCodec

        if args.device == "cuda":
            check_gpu_stack(torch)
        shape = TINY if args.tiny else LLAMA2_70B
        print(f"load average before: {os.getloadavg()[0]:.2f}; torch {torch.__version__}, "
              f"device {args.device}, dtype {dtype}", flush=True)  # fmt: skip
        model = build_model(shape, args.layers, args.device, dtype)
        total, per_token = weight_bytes(model)
        name = f"{'tiny' if args.tiny else 'llama2-70b'}-shape-{args.layers}-layers-random"
        print(f"model {name}: {_size(total)} of weights, {_size(per_token)} read per decoded "
              f"token (built in {time.perf_counter() - started:.1f} s)", flush=True)  # fmt: skip
        rate = decode_rate(model, args.prompt_tokens, args.new_tokens, args.repeats)
        peak, peak_source = peak_bandwidth_gbs(args.device)
        fraction = rate * per_token / 1e9 / peak
        used = rate * per_token / 1e9
        print(f"batch 1 decode: {rate:.1f} tokens/s, {used:.1f} GB/s of weights = "
              f"{fraction:.1%} of {peak:.0f} GB/s ({peak_source})", flush=True)  # fmt: skip
        with tempfile.TemporaryDirectory() as scratch:
            codec = HFCodec(str(word_tokenizer(Path(scratch) / "tok", shape["vocab_size"])))
            backend = HFBackend.from_model(
                model,
                codec,
                model_id=name,
                device=args.device,
                dtype=dtype,
                max_new_tokens=args.new_tokens,
                batch_size=args.batch_size,
            )
            loadgen = loadgen_runs(backend, args, shape["vocab_size"], Path(scratch) / "logs")
    except RunnerError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    figures = {
        "model": name,
        "device": args.device,
        "device_name": torch.cuda.get_device_name(0) if args.device == "cuda" else "cpu",
        "dtype": dtype,
        "weight_bytes": total,
        "bytes_per_token": per_token,
        "batch1_tokens_per_s": round(rate, 3),
        "bandwidth_gbs": round(peak, 1),
        "bandwidth_source": peak_source,
        "batch1_bandwidth_fraction": round(fraction, 4),
        "offline_tokens_per_s": loadgen["Offline"],
        "server_tokens_per_s": loadgen["Server"],
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(f"done in {figures['seconds']} s; load average after: {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
