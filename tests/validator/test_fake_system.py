"""The fake system of spec §7: a SUT answering 3 tokens per query through the real LoadGen,
with a copied accuracy.txt. The official checker accepts such a bundle (with 600 s runs); our
truth checks must reject it, and name why."""

from __future__ import annotations

import shutil
from pathlib import Path

from reference_runner import LoadgenOverrides, RunConfig, run_benchmark
from tests.validator.conftest import PARTIAL
from validator import Options, validate_path

REAL_ACCURACY = "v5.1/closed/AMD/results/8xMI300X_2xEPYC_9575F/llama2-70b-99/Offline/accuracy"
# what a 600 s run would satisfy and these seconds-long test runs cannot
DURATION_ONLY = {"perf.min_duration", "perf.min_query_count", "perf.offline_samples_per_query"}
TRUTH = {
    "truth.perf_tokens_per_sample",
    "truth.accuracy_log_hash_mismatch",
    "truth.accuracy_log_tokens_per_sample",
}


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
            overrides=LoadgenOverrides(min_duration_ms=100, min_query_count=64),
            no_truncate=True,
            progress=False,
        )
    )
    accuracy_dirs = list(bundle.rglob("results/*/*/Offline/accuracy"))
    assert len(accuracy_dirs) == 1
    shutil.copy(bundles_dir / REAL_ACCURACY / "accuracy.txt", accuracy_dirs[0] / "accuracy.txt")

    report = validate_path(bundle, Options(**PARTIAL))

    errors = {f.code for f in report.findings if f.severity == "error"}
    assert errors >= TRUTH, report.to_text()
    form_errors = errors - TRUTH - DURATION_ONLY
    form_errors -= {"accuracy.log_not_truncated", "truth.accuracy_log_coverage"}
    assert form_errors <= {"structure.required_scenario_missing"}, report.to_text()
    implied = next(f for f in report.findings if f.code == "truth.perf_tokens_per_sample")
    assert "3.0 tokens per sample" in implied.message and "301.1" in implied.message
    assert report.verdict == "rejected"
