"""``python -m validator``: exit codes, JSON shape, summary CSV, unreadable input."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from tests.validator.conftest import ROOT, copy_bundle

SKIPS = ["--skip-code-check", "--skip-calibration-check"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "validator", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_json_report_and_summary_csv(bundles_dir: Path, tmp_path: Path) -> None:
    root = copy_bundle(bundles_dir, "v6.0-Intel", tmp_path / "tree")
    out = tmp_path / "summary.csv"
    done = run(str(root), *SKIPS, "--format", "json", "--summary-csv", str(out), "--jobs", "2")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["verdict"] == "accepted" and report["round"] == "v6.0"
    assert {r["scenario"]: r["value"] for r in report["results"]} == {
        "Offline": 2459.18,
        "Server": 1698.57,
    }
    assert set(report["findings"][0]) == {
        "code", "severity", "verdict", "path", "message", "hint", "scope", "voids", "caused_by"
    }  # fmt: skip
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["Scenario"], r["Result"], r["Units"]) for r in rows] == [
        ("Offline", "2459.18", "Tokens/s"),
        ("Server", "1698.57", "Tokens/s"),
    ]


def test_errors_exit_1_with_a_readable_report(bundles_dir: Path, tmp_path: Path) -> None:
    root = copy_bundle(bundles_dir, "v6.0-Intel", tmp_path / "tree")
    done = run(str(root))  # code and calibration missing in the published extract
    assert done.returncode == 1
    assert "structure.code_missing" in done.stdout and "fix:" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_unreadable_input_exits_2_with_one_line(tmp_path: Path) -> None:
    done = run(str(tmp_path / "missing"))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "does not exist" in done.stderr
    assert done.stderr.strip().endswith("[input.unreadable]")  # the documented code


def test_unknown_round_is_a_clear_error(bundles_dir: Path, tmp_path: Path) -> None:
    root = copy_bundle(bundles_dir, "v6.0-Intel", tmp_path / "tree")
    done = run(str(root), "--round", "v9.9")
    assert done.returncode == 2
    assert "unknown MLPerf round 'v9.9'" in done.stderr and "v6.0" in done.stderr


def test_explicit_round_that_does_not_fit_the_seeds(bundles_dir: Path, tmp_path: Path) -> None:
    root = copy_bundle(bundles_dir, "v6.0-Intel", tmp_path / "tree")
    done = run(str(root), *SKIPS, "--round", "v5.1", "--format", "json")
    assert done.returncode == 1
    codes = {f["code"] for f in json.loads(done.stdout)["findings"]}
    assert "perf.seed_mismatch" in codes
