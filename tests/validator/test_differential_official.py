"""The official verdict on mutated real bundles, against the official checkers' own output.

Each case of ``tests/support/differential.py`` is a class of disagreement the differential run
against the extracted checkers found (A1-A7, B1-B8, C1-C5, D1-D3; C4 has its own cases in
``test_power_logs.py``); ``testdata/differential_official.json`` holds what the round's checker
did on exactly that tree (``testdata/record_differential.py``).
Nothing on the expected side comes from our output. A checker that stopped with an exception
gave the verdict "rejected": ours must be too, with an official finding that says where it
stops. Otherwise the exit status gives the verdict and the summary CSV must be the checker's,
header and every row and column (the ``errors`` column as the checker printed it for the
``os.listdir`` order this machine gives the case's folders).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.support.differential import CASES, scenario_order
from validator import Options, validate_path
from validator.agreement import compare, normalise_location
from validator.codes import Verdict
from validator.rules import load_round
from validator.summary_csv import summary_lines

GOLDEN = Path(__file__).parent / "testdata" / "differential_official.json"
RECORDED: dict[str, dict] = json.loads(GOLDEN.read_text(encoding="utf-8"))["cases"]  # type: ignore[type-arg]


def test_every_case_has_its_official_record() -> None:
    assert set(RECORDED) == set(CASES)
    assert {case.klass for case in CASES.values()} == {
        "A1", "A2", "A3", "A4", "A5", "A6", "A7",
        "B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8",
        "C1", "C2", "C3", "C4b", "C5", "D1", "D2", "D3", "R1",
    }  # fmt: skip


def _with_errors(text: str, by_order: dict[str, dict[str, str]] | None, order: str) -> str:
    """The official CSV with the errors column the checker printed for this listdir order."""
    if not by_order:
        return text
    assert order in by_order, f"no official record for the scenario order {order!r}"
    errors = by_order[order]
    header, *rows = list(csv.reader(io.StringIO(text)))  # a row may hold extra fields (D3)
    column = {name: header.index(name) for name in ("Location", "Units", "errors")}
    for row in rows:
        key = f"{normalise_location(row[column['Location']])}|{row[column['Units']]}"
        row[column["errors"]] = errors[key]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue()


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_official_verdict_and_rows_are_the_checkers(
    case_id: str, bundles_dir: Path, tmp_path: Path
) -> None:
    case, official = CASES[case_id], RECORDED[case_id]
    root = case.build(tmp_path / "tree")
    report = validate_path(root, Options(round=case.round))
    if official["crash"]:
        assert report.official_verdict == "rejected", report.to_text()
        stops = [
            f
            for f in report.findings
            if f.counts_against(Verdict.OFFICIAL) and "stops with an exception" in f.message
        ]
        assert stops, f"the checker stopped ({official['crash']}); we name no such place"
        return
    expected_verdict = "accepted" if official["exit_status"] == 0 else "rejected"
    assert report.official_verdict == expected_verdict, report.to_text()
    style = load_round(case.round).checker.csv_style
    expected = _with_errors(
        official["csv"], official.get("errors_by_order"), scenario_order(root, case.ordered)
    )
    ours = summary_lines(report, style)
    assert ours[0] == expected.split("\n", 1)[0] + "\n"
    agreement = compare(report, expected, style)
    assert agreement.exact, "\n".join(agreement.lines())
    assert len(ours) - 1 == len(list(csv.DictReader(io.StringIO(expected))))


def test_a_stop_the_walk_never_reaches_is_reported_for_its_result_only(
    bundles_dir: Path, tmp_path: Path
) -> None:
    """The accuracy log's error in a scenario without measurements: the v5.1 checker leaves the
    scenario first, so the error is Inferboard's, about that result, caused by the gap (the
    same with worker processes)."""
    case = CASES["A6 v5.1 no measurements"]
    root = case.build(tmp_path / "tree")
    reports = [validate_path(root, Options(round=case.round, jobs=jobs)) for jobs in (1, 2)]
    assert reports[0].findings == reports[1].findings
    found = {f.code: f for f in reports[0].findings}
    gap, error = found["structure.measurements_missing"], found["accuracy.loadgen_errors"]
    assert error.verdict == "inferboard" and error.is_error
    assert error.scope == gap.scope and error.scope[-1] == "Offline"
    assert error.caused_by == (gap.ref,)
    assert "stops with an exception" not in error.message
