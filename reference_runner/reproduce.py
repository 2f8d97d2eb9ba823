"""Spot reproduction of a bundle: regenerate sampled queries and compare with what it logged.

For every accuracy directory of the bundle (one per scenario):

1. find the untruncated accuracy log (the bundle's own if it is whole, else the copy under
   ``<bundle>.untruncated/`` that the runner keeps, else ``--accuracy-log``) and check its
   sha256 against the ``hash=`` line of ``accuracy.txt`` (spec §6);
2. sample K query indices (seeded), regenerate them greedily with the reference model and
   compare per sample: exact match, common-prefix fraction, position-wise token agreement and
   ROUGE-L F1 of the decoded texts;
3. recompute the accuracy from the log with the dataset and tokenizer and compare it with
   ``accuracy.txt``.

Greedy decoding is deterministic on one machine but not bit-identical across hardware,
batch shapes and kernels: sequences agree for a while and may then diverge. The tolerances
below accept that and nothing more; they are written into every report.
"""

from __future__ import annotations

import json
import platform
import random
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from reference_runner.accuracy_files import score_entries, sentence_splitter
from reference_runner.codecs import TextCodec
from reference_runner.config import DEFAULT_CPU_MODEL, DEFAULT_GPU_MODEL
from reference_runner.datasets import load_dataset
from reference_runner.errors import RunnerError
from reference_runner.system_info import Accelerators, cuda_accelerators, describe_system
from reference_runner.worker import build_backend, build_codec
from scoring.accuracy_log import (
    AccuracyEntry,
    AccuracyLogError,
    decode_tokens,
    first_entry_per_sample,
    guess_dtype,
    read_accuracy_log_with_digest,
    sha256_of_file,
)
from scoring.llama2 import parse_accuracy_txt
from scoring.punkt_data import SentenceSplitter
from scoring.rouge import ROUGE_TYPES, score_fast


@dataclass(frozen=True)
class Tolerances:
    """When a regenerated sample counts as agreeing, and when the whole bundle does."""

    min_prefix_fraction: float = 0.5  # common prefix / submitted length
    min_rouge_l: float = 0.8  # ROUGE-L F1 (0..1) between regenerated and submitted text
    min_pass_fraction: float = 0.9  # share of sampled queries that must agree
    accuracy_abs: float = 0.0001  # |recomputed - claimed| per ROUGE metric (4 decimals)
    tokens_per_sample_abs: float = 0.05  # printed with 1 decimal


@dataclass(frozen=True)
class ReproduceConfig:
    """Inputs of one reproduction (the CLI builds it from its arguments)."""

    bundle: Path
    dataset: str
    backend: str = "hf"
    model: str | None = None
    tokenizer: str | None = None
    samples: int = 8
    seed: int = 0
    scenario: str | None = None
    accuracy_log: Path | None = None
    device: str = "cpu"
    dtype: str | None = None
    batch_size: int = 8
    max_new_tokens: int = 1024
    token_dtype: str | None = None
    dummy_tokens_per_sample: int = 290
    nltk_data: Path | None = None
    tolerances: Tolerances = Tolerances()


def _accuracy_dirs(bundle: Path, scenario: str | None) -> list[Path]:
    dirs = sorted(p for p in bundle.glob("*/*/results/*/*/*/accuracy") if p.is_dir())
    if scenario is not None:
        dirs = [d for d in dirs if d.parent.name.lower() == scenario.lower()]
    if not dirs:
        raise RunnerError(
            f"{bundle}: no results/<system>/<benchmark>/<scenario>/accuracy/ directory"
            + (f" for scenario {scenario}" if scenario else "")
            + "; pass the bundle root (the directory holding closed/ or open/).",
            code="runner.bad_bundle",
        )
    return dirs


def find_untruncated_log(
    bundle: Path, accuracy_dir: Path, explicit: Path | None
) -> tuple[Path, list[AccuracyEntry], str]:
    """The whole accuracy log for ``accuracy_dir`` (see module docstring for the search order),
    with its entries and sha256 from the one read that proved it whole."""
    relative = (accuracy_dir / "mlperf_log_accuracy.json").relative_to(bundle)
    candidates = [
        bundle / relative,
        bundle.with_name(bundle.name + ".untruncated") / relative,
    ]
    if explicit is not None:
        candidates.insert(0, explicit)
    for candidate in candidates:
        if not candidate.is_file():
            continue
        try:
            entries, digest = read_accuracy_log_with_digest(candidate)
        except AccuracyLogError:
            continue
        return candidate, entries, digest
    raise RunnerError(
        f"{bundle / relative}: no untruncated accuracy log found (looked at "
        f"{', '.join(str(c) for c in candidates)}). Pass it with --accuracy-log; the published "
        "copy is truncated and cannot be reproduced from.",
        code="runner.missing_accuracy_log",
    )


def compare_sample(
    qsl_idx: int, submitted: list[int], regenerated: list[int], rouge_l: float, tol: Tolerances
) -> dict[str, Any]:
    """Per-sample agreement figures and whether they are within the tolerances."""
    prefix = 0
    for a, b in zip(submitted, regenerated, strict=False):
        if a != b:
            break
        prefix += 1
    longest = max(len(submitted), len(regenerated), 1)
    same_positions = sum(a == b for a, b in zip(submitted, regenerated, strict=False))
    prefix_fraction = prefix / max(len(submitted), 1)
    return {
        "qsl_idx": qsl_idx,
        "submitted_tokens": len(submitted),
        "regenerated_tokens": len(regenerated),
        "exact_match": submitted == regenerated,
        "first_token_match": bool(submitted[:1] == regenerated[:1]),
        "prefix_fraction": round(prefix_fraction, 4),
        "token_agreement": round(same_positions / longest, 4),
        "rouge_l_f1": round(rouge_l, 4),
        "passed": prefix_fraction >= tol.min_prefix_fraction or rouge_l >= tol.min_rouge_l,
    }


def _pairwise_rouge_l(
    submitted: list[list[int]],
    regenerated: list[list[int]],
    codec: TextCodec,
    split: SentenceSplitter,
) -> list[float]:
    """ROUGE-L F1 (0..1) per pair, with MLPerf's pipeline (scoring.rouge), submitted as target."""
    if not submitted:
        return []
    result = score_fast(
        [codec.decode(t) for t in regenerated], [codec.decode(t) for t in submitted], split
    )
    return [float(v) for v in result.per_pair[:, ROUGE_TYPES.index("rougeL")]]


def _compare_accuracy(claimed: dict[str, Any], recomputed: dict[str, Any], tol: Tolerances) -> dict:
    differences: dict[str, Any] = {}
    for key in ("rouge1", "rouge2", "rougeL", "tokens_per_sample"):
        limit = tol.tokens_per_sample_abs if key == "tokens_per_sample" else tol.accuracy_abs
        if key not in claimed:
            differences[key] = {"claimed": None, "recomputed": recomputed[key]}
        elif abs(float(claimed[key]) - float(recomputed[key])) > limit + 1e-9:
            differences[key] = {"claimed": claimed[key], "recomputed": recomputed[key]}
    return {
        "claimed": claimed,
        "recomputed": recomputed,
        "differences": differences,
        "matches": not differences,
    }


def _sampled(entries: list[AccuracyEntry], k: int, seed: int) -> list[AccuracyEntry]:
    kept, _ = first_entry_per_sample(entries)
    kept.sort(key=lambda e: e.qsl_idx)
    return random.Random(seed).sample(kept, min(k, len(kept)))


def reproduce(config: ReproduceConfig) -> dict[str, Any]:
    """Run the reproduction and return the report (a JSON-ready dict)."""
    bundle = config.bundle
    if not bundle.is_dir():
        raise RunnerError(f"{bundle}: no such bundle directory.", code="runner.bad_bundle")
    tol = config.tolerances
    tokenizer = config.tokenizer or _backend_job(config)["backend_options"].get("model")
    codec = build_codec(tokenizer)
    split = sentence_splitter(config.nltk_data)
    backend = None
    scenarios = []
    inputs: dict[str, Any] = {"accuracy_logs": {}, "accuracy_txt": {}}
    for accuracy_dir in _accuracy_dirs(bundle, config.scenario):
        log_path, entries, log_hash = find_untruncated_log(
            bundle, accuracy_dir, config.accuracy_log
        )
        dtype = config.token_dtype or guess_dtype(entries)
        max_qsl = max((e.qsl_idx for e in entries), default=0)
        dataset = load_dataset(config.dataset, codec, max_qsl + 1)
        txt_path = accuracy_dir / "accuracy.txt"
        claimed = (
            parse_accuracy_txt(txt_path.read_text(encoding="utf-8")) if txt_path.is_file() else {}
        )
        inputs["accuracy_logs"][str(log_path)] = log_hash
        if txt_path.is_file():
            inputs["accuracy_txt"][str(txt_path)] = sha256_of_file(txt_path)
        inputs["dataset"] = {"path": str(dataset.path), "sha256": dataset.sha256}

        if backend is None:
            backend = build_backend(_backend_job(config), codec)
        chosen = _sampled(entries, config.samples, config.seed)
        submitted = [decode_tokens(e.data, dtype).tolist() for e in chosen]
        regenerated: list[list[int]] = []
        for start in range(0, len(chosen), config.batch_size):
            batch = chosen[start : start + config.batch_size]
            regenerated += backend.generate([dataset.samples[e.qsl_idx].tok_input for e in batch])
        rouge_l = _pairwise_rouge_l(submitted, regenerated, codec, split)
        samples = [
            compare_sample(e.qsl_idx, s, r, f1, tol)
            for e, s, r, f1 in zip(chosen, submitted, regenerated, rouge_l, strict=True)
        ]
        recomputed = score_entries(
            entries, [s.reference for s in dataset.samples], codec, dtype, split
        )
        pass_fraction = sum(s["passed"] for s in samples) / max(len(samples), 1)
        scenarios.append(
            {
                "scenario": accuracy_dir.parent.name,
                "accuracy_dir": str(accuracy_dir.relative_to(bundle)),
                "accuracy_log": str(log_path),
                "token_dtype": dtype,
                "hash_claimed": claimed.get("hash"),
                "hash_actual": log_hash,
                "hash_matches": claimed.get("hash") == log_hash,
                "samples": samples,
                "pass_fraction": round(pass_fraction, 4),
                "accuracy": _compare_accuracy(
                    {k: v for k, v in claimed.items() if k != "hash"}, recomputed.as_dict(), tol
                ),
            }
        )
    assert backend is not None
    info = backend.info()
    return _report(config, scenarios, inputs, asdict(info), tokenizer)


def _backend_job(config: ReproduceConfig) -> dict[str, Any]:
    if config.backend == "dummy":
        options: dict[str, Any] = {"tokens_per_sample": config.dummy_tokens_per_sample}
    else:
        options = {
            "model": config.model
            or (DEFAULT_GPU_MODEL if config.device == "cuda" else DEFAULT_CPU_MODEL),
            "device": config.device,
            "dtype": config.dtype,
            "max_new_tokens": config.max_new_tokens,
        }
    return {"backend": config.backend, "backend_options": options}


def _report(
    config: ReproduceConfig,
    scenarios: list[dict[str, Any]],
    inputs: dict[str, Any],
    info: dict[str, Any],
    tokenizer: str | None,
) -> dict[str, Any]:
    tol = config.tolerances
    reasons = []
    for s in scenarios:
        name = s["scenario"]
        if not s["hash_matches"]:
            reasons.append(f"{name}: accuracy log sha256 differs from accuracy.txt's hash= line")
        if s["pass_fraction"] < tol.min_pass_fraction:
            reasons.append(
                f"{name}: only {s['pass_fraction']:.0%} of sampled queries agree with the "
                f"reference model (need {tol.min_pass_fraction:.0%})"
            )
        if not s["accuracy"]["matches"]:
            keys = ", ".join(sorted(s["accuracy"]["differences"]))
            reasons.append(f"{name}: accuracy.txt differs from the recomputed accuracy ({keys})")
    accelerators = cuda_accelerators() if config.device == "cuda" else Accelerators(count=0)
    system = describe_system(
        division="-",
        submitter="-",
        system_name=platform.node() or "-",
        availability="-",
        framework=info["framework"],
        software_packages=("torch", "transformers"),
        accelerators=accelerators,
        sw_notes="",
    )
    hardware = {
        k: system[k]
        for k in (
            "host_processor_model_name",
            "host_processor_core_count",
            "host_memory_capacity",
            "accelerators_per_node",
            "accelerator_model_name",
            "operating_system",
            "other_software_stack",
        )
    }
    return {
        "kind": "inferboard.reproduction",
        "version": 1,
        "bundle": str(config.bundle),
        "model": {
            "id": info["model_id"],
            "revision": info["model_revision"],
            "backend": info["backend"],
            "dtype": info["dtype"],
            "device": info["device"],
        },
        "tokenizer": tokenizer or "inferboard-byte-codec",
        "inputs": inputs,
        "hardware": hardware,
        "sampling": {"samples": config.samples, "seed": config.seed},
        "tolerances": asdict(tol),
        "scenarios": scenarios,
        "verdict": "consistent" if not reasons else "inconsistent",
        "reasons": reasons,
    }


def reproduce_from_args(args: Any) -> int:
    """CLI entry: run, write the report, exit 0 when consistent and 1 when not."""
    report = reproduce(
        ReproduceConfig(
            bundle=args.bundle,
            dataset=args.dataset,
            backend=args.backend,
            model=args.model,
            tokenizer=args.tokenizer,
            samples=args.samples,
            seed=args.seed,
            scenario=args.scenario,
            accuracy_log=args.accuracy_log,
            device=args.device,
            dtype=args.dtype,
            batch_size=args.batch_size,
            max_new_tokens=args.max_new_tokens,
            token_dtype=args.token_dtype,
            dummy_tokens_per_sample=args.dummy_tokens_per_sample,
            nltk_data=args.nltk_data,
        )
    )
    text = json.dumps(report, indent=2)
    if args.report:
        args.report.write_text(text + "\n", encoding="utf-8")
        print(f"{report['verdict']}: report written to {args.report}")
    else:
        print(text)
    for reason in report["reasons"]:
        print(f"  - {reason}", file=sys.stderr)
    return 0 if report["verdict"] == "consistent" else 1
