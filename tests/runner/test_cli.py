"""The command line: clear messages instead of tracebacks, and a bundle from the dummy backend."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reference_runner", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
    )


def test_missing_dataset_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = _run("run", "--out", str(tmp_path / "b"), "--dataset", str(tmp_path / "none.pkl"))
    assert result.returncode == 2
    assert "Dataset not found" in result.stderr and "Traceback" not in result.stderr


def test_missing_model_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = _run(
        "run", "--backend", "hf", "--out", str(tmp_path / "b"), "--model", str(tmp_path / "nope")
    )
    assert result.returncode == 2
    assert "model directory" in result.stderr and "Traceback" not in result.stderr


def test_interactive_needs_a_round_that_has_it(tmp_path: Path) -> None:
    result = _run(
        "run", "--out", str(tmp_path / "b"), "--scenario", "Interactive", "--round", "v5.0"
    )
    assert result.returncode == 2
    assert "no Interactive scenario" in result.stderr


@pytest.mark.slow  # a LoadGen run in a child: 3 s
def test_cli_writes_an_interactive_bundle_with_tight_limits(
    tmp_path: Path, nltk_data: Path
) -> None:
    out = tmp_path / "b"
    result = _run(
        "run", "--out", str(out), "--scenario", "Interactive", "--max-samples", "40",
        "--min-duration-ms", "50", "--min-query-count", "40", "--server-target-qps", "1000",
        "--dummy-tokens-per-sample", "5", "--nltk-data", str(nltk_data), "--quiet",
        "--modes", "performance,accuracy",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    detail = next(out.rglob("Interactive/performance/run_1/mlperf_log_detail.txt")).read_text()
    assert '"requested_server_ttft_latency", "value": 450000000' in detail
    user_conf = next(out.rglob("Interactive/user.conf")).read_text()
    assert "llama2-70b-interactive.Server.target_qps = 1000.0" in user_conf
