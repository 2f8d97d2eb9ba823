"""The hf backend end to end on a tiny local Llama: a bundle, then its reproduction."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from reference_runner import LoadgenOverrides, RunConfig, run_benchmark
from reference_runner.codecs import HFCodec
from reference_runner.reproduce import ReproduceConfig, reproduce

pytestmark = pytest.mark.slow  # three LoadGen runs, each importing torch in a fresh process


@pytest.fixture(scope="module")
def hf_bundle(tiny_llama: Path, nltk_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_benchmark(
        RunConfig(
            out=tmp_path_factory.mktemp("hf") / "bundle",
            backend="hf",
            model=str(tiny_llama),
            scenarios=("Server",),
            max_samples=8,
            max_new_tokens=6,
            batch_size=4,
            overrides=LoadgenOverrides(min_duration_ms=50, min_query_count=8, server_target_qps=20),
            nltk_data=nltk_data,
            progress=False,
        )
    )


def test_hf_backend_batches_equal_single_prompts(tiny_llama: Path) -> None:
    from reference_runner.backends.hf import HFBackend

    codec = HFCodec(str(tiny_llama))
    backend = HFBackend(str(tiny_llama), codec, max_new_tokens=5)
    long, short = codec.encode("Why is the sky blue?"), codec.encode("Hi")
    firsts: list[tuple[int, int]] = []
    batched = backend.generate([long, short], lambda i, t: firsts.append((i, t)))
    assert batched == [backend.generate([long])[0], backend.generate([short])[0]]
    assert firsts == [(0, batched[0][0]), (1, batched[1][0])]
    assert all(1 <= len(out) <= 5 for out in batched)


def test_hf_bundle_logs_the_models_tokens(hf_bundle: Path, tiny_llama: Path) -> None:
    sub = hf_bundle / "open" / "Inferboard"
    mapping = json.loads((sub / "model_mapping.json").read_text())
    assert mapping == {tiny_llama.name: "llama2-70b-99"}
    full = hf_bundle.with_name(hf_bundle.name + ".untruncated")
    log = next(full.rglob("mlperf_log_accuracy.json"))
    entries = json.loads(log.read_text())
    assert len(entries) == 8
    for entry in entries:
        tokens = np.frombuffer(bytes.fromhex(entry["data"]), "<i4")
        assert 1 <= len(tokens) <= 6 and entry["token_count"] == len(tokens)
        assert entry["data"].startswith(entry["token_data"])
    system = json.loads(next((sub / "systems").glob("*.json")).read_text())
    assert system["framework"].startswith("transformers ")
    verify = next(sub.rglob("verify_accuracy.txt")).read_text()
    assert "First token check pass: True" in verify


def test_hf_bundle_reproduces_as_consistent(
    hf_bundle: Path, tiny_llama: Path, nltk_data: Path
) -> None:
    report = reproduce(
        ReproduceConfig(
            bundle=hf_bundle,
            dataset="demo",
            backend="hf",
            model=str(tiny_llama),
            samples=4,
            max_new_tokens=6,
            batch_size=2,  # another batch shape than the run: greedy output must not depend on it
            nltk_data=nltk_data,
        )
    )
    assert report["verdict"] == "consistent", report["reasons"]
    assert report["model"]["model_revision"].startswith("local-sha256:")
    (server,) = report["scenarios"]
    assert [server[f"tier{n}"]["status"] for n in (1, 2, 3)] == ["agrees"] * 3
    assert all(q["exact_match"] for q in server["tier3"]["queries"])
    assert report["tokenizer"]["decoder"].endswith("(transformers)")
