"""The reproduction step's result as typed models, for the review page and ``submissions show``.

The reference runner's child writes its report as JSON (``kind: inferboard.reproduction``,
version 2); :func:`summarize` validates what a reviewer needs from it (verdict, reasons, what
could not run, per-tier status, the per-query table) so no consumer reads the raw dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from scoring.tiers import TIERS, Agreement, ReproductionStatus


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class QueryRow(_Frozen):
    """One regenerated query: submitted against regenerated (tier 3)."""

    qsl_idx: int
    submitted_tokens: int
    regenerated_tokens: int
    submitted_stop: str
    regenerated_stop: str
    first_token_match: bool
    exact_match: bool
    similarity: float
    log2_length_ratio: float
    flags: list[str] = []
    agrees: bool
    rouge_l_submitted: float | None = None
    rouge_l_regenerated: float | None = None


class TierStatus(_Frozen):
    number: int
    name: str
    status: Agreement
    message: str = ""


class ScenarioResult(_Frozen):
    scenario: str
    whole_log: str | None  # where the whole log came from, or None
    test06_answers: int
    salvaged_answers: int
    tiers: list[TierStatus]
    queries: list[QueryRow]


class Reproduction(_Frozen):
    status: ReproductionStatus
    message: str = ""
    reasons: list[str] = []
    gaps: list[str] = []
    seed: int | None = None
    seed_source: str | None = None
    scenarios: list[ScenarioResult] = []


def summarize(data: Mapping[str, Any] | None) -> Reproduction | None:
    """The typed view of ``reproduction.json``'s spot check; None before the step ran."""
    if not isinstance(data, Mapping):
        return None
    spot = data.get("spot_check")
    if not isinstance(spot, Mapping):
        return Reproduction(
            status=ReproductionStatus.NOT_RUN, message="no reproduction was recorded"
        )
    ignored = [str(line) for line in data.get("whole_logs_ignored") or []]
    report = spot.get("report")
    try:
        if not isinstance(report, Mapping):
            return Reproduction(
                status=spot.get("status", ReproductionStatus.FAILED),
                message=str(spot.get("message", "")),
                gaps=ignored,
            )
        return Reproduction(
            status=report.get("verdict", spot.get("status", ReproductionStatus.FAILED)),
            reasons=list(report.get("reasons", [])),
            gaps=[*report.get("gaps", []), *ignored],
            seed=report.get("sampling", {}).get("seed"),
            seed_source=report.get("sampling", {}).get("seed_source"),
            scenarios=[_scenario(s) for s in report.get("scenarios", [])],
        )
    except (ValidationError, TypeError, AttributeError) as exc:
        return Reproduction(
            status=ReproductionStatus.FAILED,
            message=f"the reproduction report is malformed: {exc}",
        )


def _scenario(data: Mapping[str, Any]) -> ScenarioResult:
    sources = data.get("sources", {})
    whole = sources.get("whole_log")
    tiers = []
    for tier in TIERS:
        result = data.get(f"tier{tier.number}")
        if not isinstance(result, Mapping):
            tiers.append(
                TierStatus(number=tier.number, name=tier.name, status=Agreement.NOT_REQUESTED)
            )
            continue
        message = str(result.get("message", ""))
        if tier.number == 2 and result.get("differences"):
            message = "differs: " + ", ".join(sorted(result["differences"]))
        if tier.number == 3 and isinstance(result.get("judgement"), Mapping):
            message = "; ".join(result["judgement"].get("reasons", [])) or (
                f"{len(result.get('queries', []))} queries within the calibrated thresholds"
            )
        tiers.append(
            TierStatus(number=tier.number, name=tier.name, status=result["status"], message=message)
        )
    queries = (
        data.get("tier3", {}).get("queries", []) if isinstance(data.get("tier3"), Mapping) else []
    )
    return ScenarioResult(
        scenario=str(data["scenario"]),
        whole_log=None if not whole else f"{whole['origin']}: {whole['file']}",
        test06_answers=int(sources.get("test06_answers", 0)),
        salvaged_answers=int(sources.get("salvaged_answers", 0)),
        tiers=tiers,
        queries=[QueryRow.model_validate(q) for q in queries],
    )
