"""Copies of the real bundles with one rule broken each: the exact error codes must appear,
and nothing else may turn an error (golden negative examples, house style §16)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.validator.conftest import PARTIAL, copy_bundle
from validator import Options, validate_path

AMD = "closed/AMD"
AMD_SYS = "8xMI300X_2xEPYC_9575F"
AMD_RES = f"{AMD}/results/{AMD_SYS}/llama2-70b-99"
NV = "closed/NVIDIA"
NV_RES = f"{NV}/results/H200-SXM-141GBx8_TRT/llama2-70b-99"
ACC_LOG = "accuracy/mlperf_log_accuracy.json"
INTEL_RES = "closed/Intel/results/1-node-4x-BMG-B70/llama2-70b-99"


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def set_detail(path: Path, key: str, value: object) -> None:
    """Rewrite the first MLLOG entry for ``key`` with a new value."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if f'"key": "{key}"' in line:
            entry = json.loads(line[len(":::MLLOG ") :])
            entry["value"] = value
            lines[i] = ":::MLLOG " + json.dumps(entry)
            break
    else:
        raise AssertionError(f"{key} not in {path}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def edit_system(path: Path, **changes: object) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    path.write_text(json.dumps(data), encoding="utf-8")


Mutation = Callable[[Path], None]
AMD_SERVER_PERF = f"{AMD_RES}/Server/performance/run_1/mlperf_log_detail.txt"
AMD_OFFLINE_ACC = f"{AMD_RES}/Offline/accuracy/accuracy.txt"

CASES: dict[str, tuple[str, Mutation, set[str]]] = {
    "invalid run": (
        "v5.1-AMD",
        lambda r: set_detail(r / AMD_SERVER_PERF, "result_validity", "INVALID"),
        {"perf.result_invalid", "truth.summary_detail_mismatch"},
    ),
    "errors in a VALID run": (
        "v5.1-AMD",
        lambda r: set_detail(r / AMD_SERVER_PERF, "num_errors", 24576),
        {"perf.loadgen_errors"},
    ),
    "wrong seed": (
        "v5.1-AMD",
        lambda r: set_detail(r / AMD_SERVER_PERF, "effective_schedule_rng_seed", 1),
        {"perf.seed_mismatch", "round.mixed", "truth.summary_detail_mismatch"},
    ),
    "short run": (
        "v5.1-AMD",
        lambda r: set_detail(r / AMD_SERVER_PERF, "effective_min_duration_ms", 60000),
        {"perf.min_duration"},
    ),
    "TTFT over the limit": (
        "v5.1-AMD",
        lambda r: set_detail(
            r / AMD_SERVER_PERF, "result_first_token_99.00_percentile_latency_ns", 2000000000
        ),
        {"perf.ttft_p99_exceeded", "truth.summary_detail_mismatch"},
    ),
    "interactive TPOT over 40 ms": (
        "v5.1-AMD",
        lambda r: set_detail(
            r / f"{AMD_RES}/Interactive/performance/run_1/mlperf_log_detail.txt",
            "result_time_per_output_token_99.00_percentile_ns",
            40000000,
        ),
        {"perf.tpot_p99_exceeded", "truth.summary_detail_mismatch"},
    ),
    "token latencies off": (
        "v5.1-AMD",
        lambda r: set_detail(r / AMD_SERVER_PERF, "requested_use_token_latencies", False),
        {"perf.token_latencies_disabled"},
    ),
    "equal issue off": (
        "v5.1-AMD",
        lambda r: set_detail(
            r / AMD_SERVER_PERF, "effective_sample_concatenate_permutation", False
        ),
        {"perf.equal_issue_disabled"},
    ),
    "small performance sample count": (
        "v5.1-AMD",
        lambda r: set_detail(r / AMD_SERVER_PERF, "effective_performance_sample_count", 1000),
        {"perf.performance_sample_count"},
    ),
    "rouge1 below target": (
        "v5.1-AMD",
        lambda r: edit(r / AMD_OFFLINE_ACC, "'rouge1': 44.4465", "'rouge1': 43.9"),
        {"accuracy.below_target"},
    ),
    "tokens per sample above the cap": (
        "v5.1-AMD",
        lambda r: edit(
            r / AMD_OFFLINE_ACC, "'tokens_per_sample': 301.1", "'tokens_per_sample': 330.0"
        ),
        {"accuracy.above_limit", "truth.perf_tokens_per_sample"},
    ),
    "no hash line": (
        "v5.1-AMD",
        lambda r: edit(r / AMD_OFFLINE_ACC, "hash=", "hush="),
        {"accuracy.hash_missing"},
    ),
    "extra file in run_1": (
        "v5.1-AMD",
        lambda r: (r / f"{AMD_RES}/Offline/performance/run_1/notes.txt").write_text("x"),
        {"structure.file_list_mismatch"},
    ),
    "hidden file": (
        "v5.1-AMD",
        lambda r: (r / f"{AMD}/.DS_Store").write_text("x"),
        {"structure.hidden_name"},
    ),
    "empty folder": (
        "v5.1-AMD",
        lambda r: (r / f"{AMD}/documentation").mkdir(),
        {"structure.empty_dir"},
    ),
    "broken symbolic link": (
        "v5.1-AMD",
        lambda r: (r / f"{AMD}/measurements/{AMD_SYS}/llama2-70b-99/Offline/old.conf").symlink_to(
            "missing.conf"
        ),
        {"structure.broken_symlink"},
    ),
    "space and __pycache__": (
        "v5.1-AMD",
        lambda r: (r / f"{AMD}/code tools/__pycache__").mkdir(parents=True),
        {"structure.space_in_name", "structure.pycache", "structure.empty_dir"},
    ),
    "TEST06 EOS check failed": (
        "v5.1-AMD",
        lambda r: edit(
            r / f"{AMD}/compliance/{AMD_SYS}/llama2-70b-99/Offline/TEST06/verify_accuracy.txt",
            "EOS check pass: True",
            "EOS check pass: False",
        ),
        {"compliance.test_failed"},
    ),
    "TEST06 log contradicts its verdict": (
        "v5.1-AMD",
        lambda r: _tamper_test06_counts(
            r / f"{AMD}/compliance/{AMD_SYS}/llama2-70b-99/Server/TEST06" / ACC_LOG
        ),
        {"truth.test06_length"},
    ),
    "summary disagrees with detail": (
        "v5.1-AMD",
        lambda r: edit(
            r / f"{AMD_RES}/Offline/performance/run_1/mlperf_log_summary.txt",
            "Tokens per second: 27803.9",
            "Tokens per second: 37803.9",
        ),
        {"truth.summary_detail_mismatch"},
    ),
    "required system field missing": (
        "v5.1-AMD",
        lambda r: edit_system(r / f"{AMD}/systems/{AMD_SYS}.json", cooling=None),
        {"system.field_missing"},
    ),
    "bad availability": (
        "v5.1-AMD",
        lambda r: edit_system(r / f"{AMD}/systems/{AMD_SYS}.json", status="soon"),
        {"system.status_invalid"},
    ),
    "availability that is not a text": (
        "v5.1-AMD",
        lambda r: edit_system(r / f"{AMD}/systems/{AMD_SYS}.json", status=["available"]),
        {"system.status_invalid"},
    ),
    "submitter that is not a text": (
        "v5.1-AMD",
        lambda r: edit_system(r / f"{AMD}/systems/{AMD_SYS}.json", submitter=7),
        {"system.submitter_mismatch"},
    ),
    "integer zero accelerators": (
        "v5.1-AMD",
        lambda r: edit_system(r / f"{AMD}/systems/{AMD_SYS}.json", accelerators_per_node=0),
        {"system.field_empty"},
    ),
    "no Server and no Interactive": (
        "v5.1-AMD",
        lambda r: _remove_scenarios(r, ["Server", "Interactive"]),
        {"structure.server_or_interactive_missing"},
    ),
    "v4.1 Server missing": (
        "v4.1-NVIDIA",
        lambda r: _remove_nv_server(r),
        {"structure.required_scenario_missing"},
    ),
    "unknown benchmark": (
        "v4.1-NVIDIA",
        lambda r: (r / NV_RES).rename(r / NV_RES.replace("llama2-70b-99", "llama2-70b-98")),
        {"structure.unknown_benchmark"},
    ),
    "v6.0 measurements.json missing": (
        "v6.0-Intel",
        lambda r: (r / f"{INTEL_RES}/Offline/measurements.json").unlink(),
        {"measurements.implementation_missing"},
    ),
    "v6.0 TEST06 missing": (
        "v6.0-Intel",
        lambda r: _rmtree(r / f"{INTEL_RES}/Server/TEST06"),
        {"compliance.test_missing"},
    ),
}


def _tamper_test06_counts(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'"token_count" : (\d+)', r'"token_count" : 1\1', text, count=1))


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path)


def _remove_scenarios(root: Path, scenarios: list[str]) -> None:
    for scenario in scenarios:
        _rmtree(root / AMD_RES / scenario)
        _rmtree(root / f"{AMD}/measurements/{AMD_SYS}/llama2-70b-99/{scenario}")
        _rmtree(root / f"{AMD}/compliance/{AMD_SYS}/llama2-70b-99/{scenario}")


def _remove_nv_server(root: Path) -> None:
    _rmtree(root / NV_RES / "Server")
    _rmtree(root / f"{NV}/measurements/H200-SXM-141GBx8_TRT/llama2-70b-99/Server")
    _rmtree(root / f"{NV}/compliance/H200-SXM-141GBx8_TRT/llama2-70b-99/Server")


_BASELINE: dict[str, set[str]] = {}


def _baseline(name: str, bundles_dir: Path, tmp_path: Path) -> set[str]:
    """Warnings the unmutated real bundle already has (the Intel bundle's TEST06 logs are
    empty, so TEST06 cannot be re-verified)."""
    if name not in _BASELINE:
        report = validate_path(copy_bundle(bundles_dir, name, tmp_path), Options(**PARTIAL))
        assert report.accepted, report.to_text()
        _BASELINE[name] = {f.code for f in report.findings if f.severity == "warning"}
    return _BASELINE[name]


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_broken_rule_gives_its_codes(
    case: str, bundle_copy, bundles_dir: Path, tmp_path: Path
) -> None:
    name, mutate, expected = CASES[case]
    baseline = _baseline(name, bundles_dir, tmp_path / "baseline")
    root = bundle_copy(name)
    mutate(root)
    report = validate_path(root, Options(**PARTIAL))
    codes = {f.code for f in report.findings if f.severity in ("error", "warning")} - baseline
    consequences = {
        "structure.required_scenario_missing",
        "structure.server_or_interactive_missing",
    }
    assert expected <= codes, report.to_text()
    assert codes - expected - consequences == set(), report.to_text()
    if any(f.severity == "error" for f in report.findings if f.code in expected):
        assert report.verdict == "rejected"


def test_physical_bound_warns_with_the_numbers(bundle_copy) -> None:
    root = bundle_copy("v4.1-NVIDIA")
    edit_system(root / f"{NV}/systems/H200-SXM-141GBx8_TRT.json", accelerators_per_node=1)
    report = validate_path(root, Options(**PARTIAL))
    hits = [f for f in report.findings if f.code == "truth.throughput_above_physical_bound"]
    assert {f.severity for f in hits} == {"warning"}
    assert any("31,303 tokens/s per accelerator" in f.message for f in hits)
    assert report.verdict == "accepted"  # a warning for the reviewer, not a rejection
