"""The four real bundles come out as the official checker rules them: every result valid,
with the same values, scenarios and accuracy text as its summary CSV (testdata/official_*,
produced by running each round's official checker; see docs/validator.md)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.validator.conftest import PARTIAL, REAL, copy_bundle
from validator import Options, validate_path
from validator.rules import load_round
from validator.summary_csv import summary_rows as _rows


def summary_rows(report):
    return _rows(report, load_round(report.round).checker.csv_style)


TESTDATA = Path(__file__).parent / "testdata"


def official_rows(name: str) -> list[dict[str, str]]:
    with (TESTDATA / f"official_{name.replace('-', '_')}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_bundle_is_accepted_with_the_official_values(
    name: str, bundles_dir: Path, tmp_path: Path
) -> None:
    root = copy_bundle(bundles_dir, name, tmp_path)
    report = validate_path(root, Options(**PARTIAL))
    assert report.verdict == "accepted", report.to_text()
    assert report.round == REAL[name][0]
    assert all(r.valid for r in report.results)
    ours = {(r["Platform"], r["Scenario"]): r for r in summary_rows(report)}
    official = {(r["Platform"], r["Scenario"]): r for r in official_rows(name)}
    assert ours.keys() == official.keys()
    for key, row in official.items():
        assert float(ours[key]["Result"]) == pytest.approx(float(row["Result"]), rel=1e-9)
        for column in ("Organization", "Division", "Model", "MlperfModel", "Accuracy", "Units"):
            assert ours[key][column] == row[column], (key, column)


def test_open_bundle_inconsistency_is_reported_as_a_warning(
    bundles_dir: Path, tmp_path: Path
) -> None:
    """NeuralMagic's offline accuracy.txt claims 586.9 tokens/sample; its performance run
    produced 293.7. Open division does not enforce accuracy, so this is a warning."""
    root = copy_bundle(bundles_dir, "v4.1-NeuralMagic", tmp_path)
    report = validate_path(root, Options(**PARTIAL))
    hits = [f for f in report.findings if f.code == "truth.perf_tokens_per_sample"]
    assert len(hits) == 1
    assert hits[0].severity == "warning"
    assert "293.7" in hits[0].message and "586.9" in hits[0].message
    assert hits[0].path.endswith("offline/performance/run_1/mlperf_log_detail.txt")


def test_published_bundles_are_marked_as_not_fully_verifiable(
    bundles_dir: Path, tmp_path: Path
) -> None:
    root = copy_bundle(bundles_dir, "v5.1-AMD", tmp_path)
    report = validate_path(root, Options(**PARTIAL))
    truncated = [f for f in report.findings if f.code == "truth.accuracy_log_truncated"]
    assert len(truncated) == 3 and all(f.severity == "info" for f in truncated)


def test_partial_bundle_without_skip_options_is_rejected_for_code_and_calibration(
    bundles_dir: Path, tmp_path: Path
) -> None:
    root = copy_bundle(bundles_dir, "v5.1-AMD", tmp_path)
    report = validate_path(root, Options())
    codes = {f.code for f in report.findings if f.severity == "error"}
    # the two missing pieces, and their consequence: no scenario has a valid result
    assert codes == {
        "structure.code_missing",
        "structure.calibration_missing",
        "structure.required_scenario_missing",
        "structure.server_or_interactive_missing",
    }
    assert report.verdict == "rejected"
