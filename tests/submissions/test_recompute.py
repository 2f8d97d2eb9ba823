"""Log-level recomputation: tokens recounted from a full accuracy log and its sha256 compared
with what accuracy.txt claims (a copied accuracy.txt is caught)."""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

from submissions.recompute import recompute_logs


def _accuracy_folder(root: Path, scenario: str, tokens: list[int], claimed: float) -> Path:
    folder = root / "closed" / "X" / "results" / "sys" / "llama2-70b-99" / scenario / "accuracy"
    folder.mkdir(parents=True)
    entries = [
        {"seq_id": i, "qsl_idx": i, "data": struct.pack(f"<{n}i", *range(1, n + 1)).hex().upper()}
        for i, n in enumerate(tokens)
    ]
    log = folder / "mlperf_log_accuracy.json"
    log.write_text(json.dumps(entries))
    digest = hashlib.sha256(log.read_bytes()).hexdigest()
    summary = {"rouge1": 44.5, "rouge2": 22.1, "rougeL": 28.7, "tokens_per_sample": claimed}
    (folder / "accuracy.txt").write_text(f"\nResults\n\n{summary}\n\nhash={digest}\n")
    return folder


def test_an_honest_log_agrees_and_a_copied_claim_does_not(tmp_path: Path) -> None:
    _accuracy_folder(tmp_path, "Offline", [2, 3, 4], claimed=3.0)
    _accuracy_folder(tmp_path, "Server", [3, 3, 3], claimed=290.3)
    checks = {c["path"].split("/")[-2]: c for c in recompute_logs(tmp_path)}
    assert checks["Offline"]["status"] == "agrees"
    assert checks["Offline"]["recounted_tokens_per_sample"] == 3.0
    assert checks["Offline"]["log_sha256"] == checks["Offline"]["claimed_hash"]
    assert checks["Server"]["status"] == "disagrees"
    assert "holds 3.0 tokens per sample, accuracy.txt claims 290.3" in checks["Server"]["message"]


def test_a_log_that_does_not_match_its_hash_disagrees(tmp_path: Path) -> None:
    folder = _accuracy_folder(tmp_path, "Offline", [2, 2], claimed=2.0)
    log = folder / "mlperf_log_accuracy.json"
    log.write_text(log.read_text().replace("01000000", "09000000", 1))
    (check,) = recompute_logs(tmp_path)
    assert check["status"] == "disagrees"
    assert check["message"] == "the log's sha256 differs from hash= in accuracy.txt"


def test_missing_and_unreadable_logs_are_said_plainly(tmp_path: Path) -> None:
    folder = _accuracy_folder(tmp_path, "Offline", [2], claimed=2.0)
    (folder / "mlperf_log_accuracy.json").write_text("{not json")
    other = _accuracy_folder(tmp_path, "Server", [2], claimed=2.0)
    (other / "mlperf_log_accuracy.json").unlink()
    statuses = {c["path"].split("/")[-2]: c["status"] for c in recompute_logs(tmp_path)}
    assert statuses == {"Offline": "unreadable", "Server": "missing_log"}


def test_only_result_folders_accuracy_logs_are_read(tmp_path: Path) -> None:
    """Compliance runs and stray folders named accuracy/ are not recounted (issue 12)."""
    _accuracy_folder(tmp_path, "Offline", [2, 3, 4], claimed=3.0)
    stray = tmp_path / "closed" / "X" / "compliance" / "sys" / "llama2-70b-99" / "Offline"
    for extra in (stray / "TEST06" / "accuracy", tmp_path / "anything" / "accuracy"):
        extra.mkdir(parents=True)
        (extra / "accuracy.txt").write_text("{'tokens_per_sample': 1.0}\n")
        (extra / "mlperf_log_accuracy.json").write_text("[]")
    paths = [c["path"] for c in recompute_logs(tmp_path)]
    assert paths == ["closed/X/results/sys/llama2-70b-99/Offline/accuracy"]
