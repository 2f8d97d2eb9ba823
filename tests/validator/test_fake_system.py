"""The fake system of spec §7: a SUT answering 3 tokens per query through the real LoadGen,
with a copied accuracy.txt. The official checker accepts such a bundle (with 600 s runs); our
truth checks must reject it, and name why."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reference_runner import LoadgenOverrides, RunConfig, run_benchmark
from tests.validator.conftest import PARTIAL
from validator import Options, validate_path

REAL_ACCURACY = "v5.1/closed/AMD/results/8xMI300X_2xEPYC_9575F/llama2-70b-99/Offline/accuracy"
# what a full-size 600 s run satisfies and this 64-sample, sub-second test run cannot
SMALL_RUN_ONLY = {
    "perf.min_duration",
    "perf.min_query_count",
    "perf.offline_samples_per_query",
    "perf.performance_sample_count",
    "accuracy.dataset_not_covered",
    "truth.accuracy_log_coverage",
}
TRUTH = {
    "truth.perf_tokens_per_sample",
    "truth.accuracy_log_hash_mismatch",
    "truth.accuracy_log_tokens_per_sample",
}


def as_closed_llama2(bundle: Path) -> None:
    """Move the runner's open-division bundle into the closed division under the llama2-70b-99
    name, as a submitter passing off a fake system would."""
    submitter = bundle / "closed" / "Inferboard"
    submitter.parent.mkdir()
    (bundle / "open" / "Inferboard").rename(submitter)
    (bundle / "open").rmdir()
    (submitter / "model_mapping.json").unlink()
    for folder in list(submitter.glob("*/*/*")) + list(submitter.glob("code/*")):
        if folder.is_dir() and folder.name.startswith("inferboard-dummy-echo"):
            folder.rename(folder.with_name("llama2-70b-99"))
    for system in (submitter / "systems").glob("*.json"):
        system.write_text(system.read_text().replace('"open"', '"closed"'))


@pytest.mark.slow  # a runner bundle through the validator: 5 s
def test_three_token_system_with_copied_accuracy_is_rejected(
    bundles_dir: Path, tmp_path: Path
) -> None:
    bundle = run_benchmark(
        RunConfig(
            out=tmp_path / "fake",
            backend="dummy",
            scenarios=("Offline",),
            max_samples=64,
            dummy_tokens_per_sample=3,
            dummy_ms_per_step=40,
            overrides=LoadgenOverrides(min_duration_ms=100, min_query_count=64),
            no_truncate=True,
            progress=False,
        )
    )
    as_closed_llama2(bundle)
    accuracy_dirs = list(bundle.rglob("results/*/*/Offline/accuracy"))
    assert len(accuracy_dirs) == 1
    shutil.copy(bundles_dir / REAL_ACCURACY / "accuracy.txt", accuracy_dirs[0] / "accuracy.txt")

    report = validate_path(bundle, Options(**PARTIAL))

    errors = {f.code for f in report.findings if f.severity == "error"}
    assert errors >= TRUTH, report.to_text()
    # the untruncated log is what the portal keeps (64 samples of 3 tokens fit in 10 KiB, so it
    # may not show); Server was not run; an invalid Offline leaves the required one missing
    expected_form = {
        "accuracy.log_not_truncated",
        "structure.server_or_interactive_missing",
        "structure.required_scenario_missing",
    }
    assert errors - TRUTH - SMALL_RUN_ONLY <= expected_form, report.to_text()
    implied = next(f for f in report.findings if f.code == "truth.perf_tokens_per_sample")
    assert "3.0 tokens per sample" in implied.message and "301.1" in implied.message
    assert report.verdict == "rejected"


def test_runner_bundles_carry_the_seeds_of_the_round_they_claim(tmp_path: Path) -> None:
    """The runner takes its seeds from the validator's rules, so the round detected from a
    runner-made v6.0 bundle is v6.0 and no seed is reported wrong."""
    bundle = run_benchmark(
        RunConfig(
            out=tmp_path / "v6",
            backend="dummy",
            round="v6.0",
            scenarios=("Offline",),
            modes=("performance",),
            max_samples=16,
            overrides=LoadgenOverrides(min_duration_ms=50, min_query_count=16),
            progress=False,
        )
    )
    report = validate_path(bundle, Options(**PARTIAL))
    assert report.round == "v6.0"
    assert "perf.seed_mismatch" not in {f.code for f in report.findings}
