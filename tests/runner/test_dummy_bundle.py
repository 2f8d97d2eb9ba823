"""The runner drives the real LoadGen with the dummy backend and writes a complete bundle."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from reference_runner.backends.dummy import dummy_answer
from reference_runner.rounds import load_round
from tests.runner.helpers import build_dummy_bundle
from validator.parsing.loadgen_log import read_detail_log

SUB = Path("open/Inferboard")
SYS = "inferboard-dummy-cpu"
BENCH = "inferboard-dummy-echo-3"

SYSTEM_KEYS = [
    "division",
    "submitter",
    "status",
    "system_name",
    "number_of_nodes",
    "host_processor_model_name",
    "host_processors_per_node",
    "host_processor_core_count",
    "host_memory_capacity",
    "host_storage_capacity",
    "host_storage_type",
    "accelerators_per_node",
    "accelerator_model_name",
    "accelerator_memory_capacity",
    "framework",
    "operating_system",
    "system_type",
    "other_software_stack",
    "host_processor_frequency",
    "host_processor_caches",
    "host_memory_configuration",
    "host_processor_interconnect",
    "host_networking",
    "host_networking_topology",
    "accelerator_frequency",
    "accelerator_host_interconnect",
    "accelerator_interconnect",
    "accelerator_interconnect_topology",
    "accelerator_memory_configuration",
    "accelerator_on-chip_memories",
    "cooling",
    "hw_notes",
    "sw_notes",
    "host_network_card_count",
    "system_type_detail",
]
MAY_BE_EMPTY = {
    "host_processor_frequency",
    "host_processor_caches",
    "host_processor_interconnect",
    "accelerator_frequency",
    "accelerator_interconnect_topology",
    "accelerator_on-chip_memories",
    "hw_notes",
    "sw_notes",
    "system_type_detail",
}


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_classic_layout_has_exactly_the_expected_files(dummy_bundle: Path) -> None:
    expected = {
        f"{SUB}/systems/{SYS}.json",
        f"{SUB}/model_mapping.json",
        f"{SUB}/code/{BENCH}/inferboard-dummy/README.md",
    }
    for sc in ("Offline", "Server"):
        res = f"{SUB}/results/{SYS}/{BENCH}/{sc}"
        meas = f"{SUB}/measurements/{SYS}/{BENCH}/{sc}"
        comp = f"{SUB}/compliance/{SYS}/{BENCH}/{sc}/TEST06"
        expected |= {
            f"{res}/performance/run_1/mlperf_log_summary.txt",
            f"{res}/performance/run_1/mlperf_log_detail.txt",
            f"{res}/performance/run_1/mlperf_log_accuracy.json",
            f"{res}/accuracy/mlperf_log_summary.txt",
            f"{res}/accuracy/mlperf_log_detail.txt",
            f"{res}/accuracy/mlperf_log_accuracy.json",
            f"{res}/accuracy/accuracy.txt",
            f"{meas}/user.conf",
            f"{meas}/README.md",
            f"{meas}/{SYS}.json",
            f"{comp}/verify_accuracy.txt",
            f"{comp}/accuracy/mlperf_log_accuracy.json",
        }
    assert _files(dummy_bundle) == expected
    mapping = json.loads((dummy_bundle / SUB / "model_mapping.json").read_text())
    assert mapping == {BENCH: "llama2-70b-99"}


def test_system_description_has_all_35_keys_with_truthful_cpu_values(dummy_bundle: Path) -> None:
    system = json.loads((dummy_bundle / SUB / "systems" / f"{SYS}.json").read_text())
    assert sorted(system) == sorted(SYSTEM_KEYS)
    assert len(SYSTEM_KEYS) == 35
    empty = [k for k in SYSTEM_KEYS if k not in MAY_BE_EMPTY and not system[k]]
    assert empty == []
    assert system["accelerators_per_node"] == "0"  # a string: integer 0 fails the checker
    assert system["division"] == "open"
    assert system["system_type"] == "datacenter"
    assert all(isinstance(v, str) for v in system.values())


def test_logs_carry_the_rounds_seeds_and_no_errors(dummy_bundle: Path) -> None:
    seeds = load_round("v5.1").seeds
    for sc in ("Offline", "Server"):
        for run in ("performance/run_1", "accuracy"):
            path = dummy_bundle / SUB / "results" / SYS / BENCH / sc / run / "mlperf_log_detail.txt"
            log = read_detail_log(path)
            assert log.get("effective_qsl_rng_seed") == seeds.qsl
            assert log.get("effective_sample_index_rng_seed") == seeds.sample_index
            assert log.get("effective_schedule_rng_seed") == seeds.schedule
            assert log.get("requested_use_token_latencies") is True
            assert log.errors == () and log.malformed_lines == 0, path
            assert log.get("effective_scenario") == sc


def test_server_reports_first_tokens_and_dummy_answers_x_x_eos(dummy_bundle: Path) -> None:
    full = dummy_bundle.with_name(dummy_bundle.name + ".untruncated")
    log = full / SUB / "results" / SYS / BENCH / "Server" / "accuracy" / "mlperf_log_accuracy.json"
    entries = json.loads(log.read_text())
    assert len({e["qsl_idx"] for e in entries}) == 200
    for entry in entries:
        tokens = np.frombuffer(bytes.fromhex(entry["data"]), "<i4").tolist()
        assert tokens[0] == tokens[1] and tokens[2] == 2 and len(tokens) == 3
        assert entry["token_data"] == entry["data"][:8]
        assert entry["token_count"] == 3


def test_accuracy_txt_hash_is_sha256_of_the_kept_untruncated_log(dummy_bundle: Path) -> None:
    acc = dummy_bundle / SUB / "results" / SYS / BENCH / "Offline" / "accuracy"
    full = dummy_bundle.with_name(dummy_bundle.name + ".untruncated") / acc.relative_to(
        dummy_bundle
    )
    digest = hashlib.sha256((full / "mlperf_log_accuracy.json").read_bytes()).hexdigest()
    lines = (acc / "accuracy.txt").read_text().splitlines()
    assert f"hash={digest}" in lines
    assert any("'tokens_per_sample': 3.0" in line for line in lines)
    published = (acc / "mlperf_log_accuracy.json").read_text()
    assert len(published) == 8199 and "\n\n...\n\n" in published  # spec §6


def test_test06_verification_lines(dummy_bundle: Path) -> None:
    comp = dummy_bundle / SUB / "compliance" / SYS / BENCH
    offline = (comp / "Offline" / "TEST06" / "verify_accuracy.txt").read_text().splitlines()
    server = (comp / "Server" / "TEST06" / "verify_accuracy.txt").read_text().splitlines()
    assert offline == [
        "First token check pass: Skipped",
        "EOS check pass: True",
        "Sample length check pass: True",
        "TEST06 verification complete",
    ]
    assert server[0] == "First token check pass: True"
    log = json.loads(
        (comp / "Server" / "TEST06" / "accuracy" / "mlperf_log_accuracy.json").read_text()
    )
    assert len(log) == 100  # audit.config: accuracy_log_sampling_target = 100


def test_dummy_answer_is_a_pure_function_of_the_prompt() -> None:
    assert dummy_answer([1, 50, 60], 3) == [60, 60, 2]
    assert dummy_answer([1, 50, 60], 6) == [60, 60, 50, 60, 50, 2]


@pytest.mark.slow  # a second LoadGen run: 3 s
def test_v60_uses_the_merged_layout_and_offline_can_be_valid(
    tmp_path: Path, nltk_data: Path
) -> None:
    out = build_dummy_bundle(
        tmp_path / "b60",
        round="v6.0",
        scenarios=("Offline",),
        modes=("performance", "TEST06"),
        dummy_ms_per_step=3.0,
        max_samples=32,
        nltk_data=nltk_data,
    )
    res = out / SUB / "results" / SYS / BENCH / "Offline"
    assert (res / "measurements.json").is_file()
    assert (res / "user.conf").is_file()
    assert (res / "TEST06" / "verify_accuracy.txt").is_file()
    assert not (out / SUB / "measurements").exists()
    assert not (out / SUB / "compliance").exists()
    assert (out / SUB / "src" / BENCH / "inferboard-dummy" / "README.md").is_file()
    log = read_detail_log(res / "performance" / "run_1" / "mlperf_log_detail.txt")
    assert log.get("result_validity") == "VALID"
    assert log.get("effective_qsl_rng_seed") == load_round("v6.0").seeds.qsl
