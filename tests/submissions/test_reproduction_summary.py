"""The typed view of reproduction.json: statuses are members, whatever the file holds."""

from __future__ import annotations

import pytest

from scoring.tiers import Agreement, ReproductionStatus
from submissions.acceptance import reproduced
from submissions.reproduction import summarize


def _report(verdict: object, tier1: object = "agrees") -> dict[str, object]:
    scenario = {"scenario": "Offline", "sources": {}, "tier1": {"status": tier1}}
    return {"spot_check": {"status": "x", "report": {"verdict": verdict, "scenarios": [scenario]}}}


@pytest.mark.parametrize(
    ("verdict", "agreed"),
    [("consistent", True), ("inconsistent", False), ("incomplete", None)],
)
def test_the_runners_verdict_becomes_the_member_acceptance_reads(
    verdict: str, agreed: bool | None
) -> None:
    summary = summarize(_report(verdict))
    assert summary is not None and summary.status is ReproductionStatus(verdict)
    assert summary.scenarios[0].tiers[0].status is Agreement.AGREES
    assert summary.scenarios[0].tiers[1].status is Agreement.NOT_REQUESTED
    assert reproduced(summary) is agreed


@pytest.mark.parametrize(
    "data",
    [
        _report("splendid"),  # a verdict the runner never writes
        _report("consistent", tier1="probably"),
        {"spot_check": {"status": "on holiday"}},
    ],
)
def test_a_status_outside_the_enum_is_a_malformed_report(data: dict[str, object]) -> None:
    summary = summarize(data)
    assert summary is not None and summary.status is ReproductionStatus.FAILED
    assert summary.message.startswith("the reproduction report is malformed")
    assert reproduced(summary) is None  # nothing established: never marked reproduced


def test_the_workflows_own_statuses() -> None:
    timed_out = summarize({"spot_check": {"status": "timed out", "message": "after 60 s"}})
    assert timed_out is not None and timed_out.status is ReproductionStatus.TIMED_OUT
    nothing = summarize({"log_checks": []})
    assert nothing is not None and nothing.status is ReproductionStatus.NOT_RUN
    assert summarize(None) is None
