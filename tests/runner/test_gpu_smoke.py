"""``python -m bench.gpu_smoke`` runs here on the CPU with a tiny shape (the GPU run uses the same
code), and on a machine without a CUDA build of torch it says so instead of failing at load."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # LoadGen runs in a fresh process that imports torch: 9-34 s

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = [sys.executable, "-m", "bench.gpu_smoke"]  # from ROOT: this checkout's code


def test_smoke_runs_on_cpu_with_a_tiny_shape(tmp_path: Path) -> None:
    figures_file = tmp_path / "smoke.json"
    command = [*SCRIPT, "--device", "cpu", "--tiny", "--queries", "8",
               "--new-tokens", "8", "--repeats", "1", "--json", str(figures_file)]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "batch 1 decode:" in done.stdout and "Server   LoadGen:" in done.stdout
    figures = json.loads(figures_file.read_text())
    assert figures["model"] == "tiny-shape-2-layers-random"
    for key in ("batch1_tokens_per_s", "offline_tokens_per_s", "server_tokens_per_s"):
        assert math.isfinite(figures[key]) and figures[key] > 0, key
    assert 0 < figures["batch1_bandwidth_fraction"] < 1
    assert figures["bytes_per_token"] < figures["weight_bytes"]  # the embedding is not read


def test_cuda_without_a_cuda_torch_is_a_clear_message() -> None:
    import torch

    if torch.version.cuda is not None:  # a GPU machine: the message test does not apply
        return
    done = subprocess.run(SCRIPT, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "CPU-only build" in done.stderr and "requirements-gpu.txt" in done.stderr
    assert "Traceback" not in done.stderr
