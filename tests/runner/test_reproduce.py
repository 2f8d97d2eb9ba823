"""Spot reproduction: a runner-made bundle reproduces; tampered outputs or accuracy do not."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from reference_runner.errors import RunnerError
from reference_runner.reproduce import ReproduceConfig, reproduce

ACC_REL = Path("open/Inferboard/results/inferboard-dummy-cpu/inferboard-dummy-echo-3")


def _copy(bundle: Path, tmp_path: Path) -> Path:
    target = tmp_path / "bundle"
    shutil.copytree(bundle, target)
    shutil.copytree(bundle.with_name(bundle.name + ".untruncated"), tmp_path / "bundle.untruncated")
    return target


def _config(bundle: Path, nltk_data: Path, **changes: object) -> ReproduceConfig:
    options: dict[str, object] = {
        "bundle": bundle,
        "dataset": "demo",
        "backend": "dummy",
        "dummy_tokens_per_sample": 3,
        "samples": 6,
        "seed": 1,
        "nltk_data": nltk_data,
    }
    options.update(changes)
    return ReproduceConfig(**options)  # type: ignore[arg-type]


def test_runner_bundle_reproduces_as_consistent(dummy_bundle: Path, nltk_data: Path) -> None:
    report = reproduce(_config(dummy_bundle, nltk_data))
    assert report["verdict"] == "consistent", report["reasons"]
    assert [s["scenario"] for s in report["scenarios"]] == ["Offline", "Server"]
    for scenario in report["scenarios"]:
        assert scenario["hash_matches"] is True
        assert scenario["accuracy"]["matches"] is True
        assert len(scenario["samples"]) == 6
        assert all(s["exact_match"] and s["passed"] for s in scenario["samples"])
    assert report["model"]["id"] == "inferboard-dummy-echo-3"
    assert all(len(h) == 64 for h in report["inputs"]["accuracy_logs"].values())
    assert report["tolerances"]["min_pass_fraction"] == 0.9
    json.dumps(report)  # the report is JSON-ready


def test_tampered_outputs_are_inconsistent(
    dummy_bundle: Path, nltk_data: Path, tmp_path: Path
) -> None:
    bundle = _copy(dummy_bundle, tmp_path)
    acc_dir = ACC_REL / "Offline" / "accuracy"
    log = tmp_path / "bundle.untruncated" / acc_dir / "mlperf_log_accuracy.json"
    entries = json.loads(log.read_text())
    for entry in entries:  # answer [y, y, EOS] with y = x + 1 instead of [x, x, EOS]
        x = int.from_bytes(bytes.fromhex(entry["data"][:8]), "little")
        y = (x + 1).to_bytes(4, "little").hex().upper()
        entry["data"] = y + y + entry["data"][16:]
    log.write_text(json.dumps(entries))
    # A careful forger also updates the hash, so only the regeneration can catch it.
    txt = bundle / acc_dir / "accuracy.txt"
    digest = hashlib.sha256(log.read_bytes()).hexdigest()
    txt.write_text(re.sub(r"hash=\w+", f"hash={digest}", txt.read_text()))
    report = reproduce(_config(bundle, nltk_data, scenario="Offline"))
    assert report["verdict"] == "inconsistent"
    offline = report["scenarios"][0]
    assert offline["hash_matches"] is True
    assert offline["pass_fraction"] == 0.0
    assert any("sampled queries agree" in r for r in report["reasons"])


def test_tampered_accuracy_is_inconsistent(
    dummy_bundle: Path, nltk_data: Path, tmp_path: Path
) -> None:
    bundle = _copy(dummy_bundle, tmp_path)
    txt = bundle / ACC_REL / "Server" / "accuracy" / "accuracy.txt"
    txt.write_text(re.sub(r"'rouge1': [\d.]+", "'rouge1': 44.4465", txt.read_text()))
    report = reproduce(_config(bundle, nltk_data, scenario="Server"))
    assert report["verdict"] == "inconsistent"
    differences = report["scenarios"][0]["accuracy"]["differences"]
    assert set(differences) == {"rouge1"}
    assert report["scenarios"][0]["pass_fraction"] == 1.0


def test_truncated_log_without_its_original_says_how_to_fix(
    dummy_bundle: Path, nltk_data: Path, tmp_path: Path
) -> None:
    bundle = tmp_path / "only-published"
    shutil.copytree(dummy_bundle, bundle)
    with pytest.raises(RunnerError, match="--accuracy-log"):
        reproduce(_config(bundle, nltk_data, scenario="Offline"))
