"""The official verdict on real rounds: the trimmed v5.1 and v6.0 samples in
``../shared/data/rounds`` with the official checker's own output on exactly those files.

The expected side is always the official file (``official_summary.csv``, ``MANIFEST.json``'s
official verdicts): nothing here is regenerated from our output.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from tests.validator.conftest import ROOT
from validator import Options, Report, validate_path
from validator.agreement import compare_files, normalise_location
from validator.rules import load_round

ROUNDS = ROOT.parent / "shared" / "data" / "rounds"


@cache
def _report(round_name: str) -> Report:
    tree = ROUNDS / round_name / "tree"
    if not tree.is_dir():
        pytest.fail(
            f"the round samples are missing: expected {tree} (../shared beside the checkout)"
        )
    return validate_path(tree, Options(jobs=1))


def _manifest(round_name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((ROUNDS / round_name / "MANIFEST.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("round_name", ["v5.1", "v6.0"])
def test_summary_csv_equals_the_official_one_row_for_row(round_name: str) -> None:
    report = _report(round_name)
    assert report.round == round_name
    style = load_round(round_name).checker.csv_style
    agreement = compare_files(report, ROUNDS / round_name / "official_summary.csv", style)
    assert agreement.exact, "\n".join(agreement.lines())
    official_rows = len((ROUNDS / round_name / "official_summary.csv").read_text().splitlines()) - 1
    assert len(agreement.same) == official_rows


@pytest.mark.parametrize("round_name", ["v5.1", "v6.0"])
def test_every_result_has_the_official_verdict(round_name: str) -> None:
    report = _report(round_name)
    official = {r["path"]: r["official"]["valid"] for r in _manifest(round_name)["results"]}
    ours = {normalise_location(r.location): r.official_valid for r in report.results}
    assert ours == official
    # the official checker exits 1 on both samples (some result fails), so must our verdict
    assert report.official_verdict == "rejected"


@pytest.mark.parametrize("round_name", ["v5.1", "v6.0"])
def test_truth_verdict_only_removes_results(round_name: str) -> None:
    """Ours is the official verdict plus truth checks: never valid where official is not."""
    report = _report(round_name)
    assert all(r.official_valid for r in report.results if r.valid)
    for r in report.results:
        if r.official_valid and not r.valid:
            assert any(f.verdict == "inferboard" and f.is_error for f in r.findings), r.location


def test_known_causes_are_reported_with_their_codes() -> None:
    """Results the manifest marks with a cause that both checkers accept carry our finding:
    a PerformanceOnly log in accuracy/ is an Inferboard error; the samples' empty accuracy
    logs are TEST06's, which TEST06 claims to have verified (a warning: the checker never
    reads that log)."""
    expected = {
        "perf_only_accuracy_detail": ("truth.accuracy_detail_from_performance_run", False),
        "empty_accuracy_log": ("truth.test06_unverifiable", True),
    }
    seen = set()
    for round_name in ("v5.1", "v6.0"):
        by_location = {normalise_location(r.location): r for r in _report(round_name).results}
        for item in _manifest(round_name)["results"]:
            for cause, (code, stays_valid) in expected.items():
                if cause in item["causes"]:
                    result = by_location[item["path"]]
                    assert code in {f.code for f in result.findings}, (item["path"], cause)
                    assert result.official_valid and result.valid is stays_valid, item["path"]
                    seen.add(cause)
    assert seen == set(expected)


def test_report_round_trips_through_json() -> None:
    report = _report("v6.0")
    again = Report.model_validate_json(report.model_dump_json())
    assert again == report
    assert "NaN" not in report.model_dump_json()


def test_reading_is_the_same_with_worker_processes(tmp_path: Path) -> None:
    one = _report("v5.1")
    two = validate_path(ROUNDS / "v5.1" / "tree", Options(jobs=2))
    assert [(r.location, r.official_valid, r.valid, r.value) for r in two.results] == [
        (r.location, r.official_valid, r.valid, r.value) for r in one.results
    ]
