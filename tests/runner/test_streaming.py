"""Streaming backends: vLLM's step loop (on a fake engine) and the LoadGen driver that feeds it.

vLLM is not installed here, so ``serve_engine`` runs against ``tests/runner/fakes.py``; the
driver runs the real LoadGen in-process (Server, accuracy mode: every query logged).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from reference_runner.backends.base import streaming
from reference_runner.datasets import Sample
from reference_runner.errors import RunnerError
from reference_runner.loadgen_driver import LoadgenOverrides, run_loadgen
from reference_runner.rounds import load_round
from tests.runner.fakes import FakeLLMEngine, FakeVLLMBackend, fake_answer
from validator.parsing.loadgen_log import read_detail_log

# Prompts of different lengths: the fake's answers take 2, 6, 3, 8 and 4 steps.
PROMPTS = [[1, 10], [1, 11, 12, 13, 14, 15], [1, 16, 17], [1, *range(20, 27)], [1, 30, 31, 32]]


def test_vllm_step_loop_reports_first_tokens_as_generated() -> None:
    engine = FakeLLMEngine(max_num_seqs=2)
    backend = FakeVLLMBackend(engine)
    firsts: dict[int, tuple[int, int]] = {}

    def on_first(key: int, token: int) -> None:
        assert key not in firsts, "first token reported twice"
        firsts[key] = (token, engine.steps)

    outputs = backend.generate(PROMPTS, on_first)

    assert outputs == [fake_answer(p) for p in PROMPTS]
    for key, (token, step) in firsts.items():
        assert token == outputs[key][0]
        # Reported in the very step that produced it, long before the request finished.
        assert step == engine.first_token_step[f"q{key}"]
    assert sorted(firsts) == list(range(len(PROMPTS)))
    long_request = "q3"
    assert engine.first_token_step[long_request] < engine.finished_step[long_request] - 5


def test_vllm_step_loop_refills_free_slots_at_once() -> None:
    engine = FakeLLMEngine(max_num_seqs=2)
    FakeVLLMBackend(engine).generate(PROMPTS)
    assert engine.max_running == 2
    # q0 (2 steps) finishes at step 2; q2 takes its slot in step 3 while q1 is still running.
    assert engine.finished_step["q0"] == 2
    assert engine.admitted_step["q2"] == 3
    assert engine.finished_step["q1"] > 3
    # Static batches of two would need 6 + 8 + 4 = 18 steps; the refilled engine needs fewer.
    assert engine.steps < 18


def test_vllm_step_loop_respects_max_tokens() -> None:
    engine = FakeLLMEngine(max_num_seqs=3)
    outputs = FakeVLLMBackend(engine, max_new_tokens=3).generate(PROMPTS)
    assert outputs == [fake_answer(p)[:3] for p in PROMPTS]


def test_streaming_is_chosen_only_for_backends_that_can_serve() -> None:
    from reference_runner.backends.dummy import DummyBackend

    assert streaming(FakeVLLMBackend(FakeLLMEngine())) is not None
    assert streaming(DummyBackend(tokens_per_sample=3)) is None


def _run_server(backend: FakeVLLMBackend, outdir: Path, n: int = 40) -> Path:
    samples = [
        Sample(index=i, tok_input=tuple(PROMPTS[i % len(PROMPTS)]), reference="") for i in range(n)
    ]
    return run_loadgen(
        backend=backend,
        samples=samples,
        scenario="Server",
        mode="accuracy",
        round_settings=load_round("v5.1"),
        overrides=LoadgenOverrides(min_duration_ms=10, min_query_count=n, server_target_qps=500),
        batch_size=2,
        token_dtype="int32",
        outdir=outdir,
    )


def test_driver_streams_queries_through_loadgen_server(tmp_path: Path) -> None:
    engine = FakeLLMEngine(max_num_seqs=3)
    outdir = _run_server(FakeVLLMBackend(engine), tmp_path / "server")

    entries = json.loads((outdir / "mlperf_log_accuracy.json").read_text())
    assert len(entries) == 40
    for entry in entries:
        tokens = np.frombuffer(bytes.fromhex(entry["data"]), "<i4").tolist()
        assert tokens == fake_answer(PROMPTS[entry["qsl_idx"] % len(PROMPTS)])
        assert entry["token_count"] == len(tokens)
    assert engine.max_running <= 3
    assert read_detail_log(outdir / "mlperf_log_detail.txt").get("effective_scenario") == "Server"
    assert _sut_errors(outdir / "mlperf_log_detail.txt") == []


def _sut_errors(detail: Path) -> list[str]:
    """LoadGen's error entries, less "Multiple conf files" (logged when an earlier test in this
    process already ran LoadGen: a fact about the process, not the SUT)."""
    errors = []
    for line in detail.read_text().splitlines():
        record = json.loads(line.removeprefix(":::MLLOG "))
        if record["metadata"].get("is_error") and "Multiple conf" not in str(record["value"]):
            errors.append(f"{record['key']}: {record['value']}")
    return errors


def test_driver_answers_every_query_when_the_engine_fails(tmp_path: Path) -> None:
    engine = FakeLLMEngine(max_num_seqs=2, fail_at_step=5)
    with pytest.raises(RunnerError) as raised:
        _run_server(FakeVLLMBackend(engine), tmp_path / "failing", n=20)
    assert raised.value.code == "runner.backend_failed"
    assert "illegal memory access" in str(raised.value)
    assert (tmp_path / "failing" / "mlperf_log_summary.txt").is_file()  # LoadGen finished
