"""A short Server run through the real LoadGen 6 (the runner's dummy backend, every output the
same length): the validator's tokens-per-sample truth check and its early-stopping message
read LoadGen's Server keys as LoadGen writes them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reference_runner import LoadgenOverrides, RunConfig, run_benchmark
from tests.validator.conftest import PARTIAL
from validator import Options, validate_path

pytestmark = pytest.mark.slow  # its fixture runs LoadGen on a Server scenario: 8 s

TOKENS = 20


@pytest.fixture(scope="module")
def server_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_benchmark(
        RunConfig(
            out=tmp_path_factory.mktemp("server") / "bundle",
            backend="dummy",
            round="v6.0",
            scenarios=("Server",),
            max_samples=16,
            dummy_tokens_per_sample=TOKENS,
            overrides=LoadgenOverrides(
                min_duration_ms=100, min_query_count=16, server_target_qps=20
            ),
            progress=False,
        )
    )


def test_equal_outputs_give_no_tokens_per_sample_warning(server_bundle: Path) -> None:
    """LoadGen's completed samples/s is (N-1)/T; uncorrected, 16 queries of 20 tokens would
    look like 21.3 tokens per sample against the claimed 20 and warn."""
    (claim,) = server_bundle.rglob("Server/accuracy/accuracy.txt")
    assert f"'tokens_per_sample': {TOKENS}.0" in claim.read_text()
    report = validate_path(server_bundle, Options(**PARTIAL))
    assert "truth.perf_tokens_per_sample" not in {f.code for f in report.findings}


def test_a_wrong_claim_on_a_server_run_is_still_found(server_bundle: Path, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(server_bundle, tmp_path / "copy"))
    (claim,) = copy.rglob("Server/accuracy/accuracy.txt")
    claim.write_text(claim.read_text().replace(f"{TOKENS}.0", f"{2 * TOKENS}.0"))
    report = validate_path(copy, Options(**PARTIAL))
    (hit,) = [f for f in report.findings if f.code == "truth.perf_tokens_per_sample"]
    assert f"produced {TOKENS}.0 tokens per sample" in hit.message
    assert "(N-1)/T with N = 16" in hit.message


def test_unmet_early_stopping_says_why_from_the_ttft_and_tpot_results(
    server_bundle: Path,
) -> None:
    """LoadGen 6 with token latencies logs early_stopping_ttft_result and _tpot_result, not
    early_stopping_result."""
    report = validate_path(server_bundle, Options(**PARTIAL))
    (unmet,) = [f for f in report.findings if f.code == "perf.early_stopping_unmet"]
    assert "LoadGen gave no reason" not in unmet.message
    assert "TPOT: * Run unsuccessful." in unmet.message
    assert "Would need to run at least" in unmet.message
