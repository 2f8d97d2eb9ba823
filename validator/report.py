"""The report is data (house style §7): one object, rendered as JSON and text for the CLI and
as widgets by the portal, so every front end agrees by construction."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from validator.findings import Finding, Severity


@dataclass
class ResultEntry:
    """One division/submitter/system/benchmark/scenario result."""

    division: str
    submitter: str
    system: str
    benchmark: str  # folder name
    mlperf_benchmark: str  # what it counts for
    scenario: str  # canonical
    scenario_dir: str  # folder name as submitted
    location: str  # results/<sys>/<bench>/<scenario_dir>, relative to the bundle
    round: str
    value: float | None = None
    units: str = ""
    summary_units: str = ""  # the label the official summary CSV prints
    inferred: bool = False
    accuracy: dict[str, float] = field(default_factory=dict)
    accuracy_summary: str = ""
    ttft_p99_ns: float | None = None
    tpot_p99_ns: float | None = None
    weight_data_types: str | None = None
    system_description: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """The scope of this result (see :mod:`validator.findings`)."""
        return (self.division, self.submitter, self.system, self.benchmark, self.scenario_dir)

    @property
    def valid(self) -> bool:
        return self.value is not None and not any(
            f.severity is Severity.ERROR for f in self.findings
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "division": self.division,
            "submitter": self.submitter,
            "system": self.system,
            "benchmark": self.benchmark,
            "mlperf_benchmark": self.mlperf_benchmark,
            "scenario": self.scenario,
            "location": self.location,
            "value": self.value,
            "units": self.units,
            "valid": self.valid,
            "inferred": self.inferred,
            "accuracy": self.accuracy,
            "ttft_p99_ns": self.ttft_p99_ns,
            "tpot_p99_ns": self.tpot_p99_ns,
            "weight_data_types": self.weight_data_types,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass
class Report:
    round: str | None
    findings: list[Finding]
    results: list[ResultEntry]
    source: str = ""

    @property
    def accepted(self) -> bool:
        return bool(self.results) and not any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def verdict(self) -> str:
        return "accepted" if self.accepted else "rejected"

    def counts(self) -> dict[str, int]:
        out = {str(s): 0 for s in Severity}
        for f in self.findings:
            out[str(f.severity)] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "round": self.round,
            "source": self.source,
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
            "results": [r.to_dict() for r in self.results],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def to_text(self, *, show_info: bool = False) -> str:
        lines = [f"Inferboard validator: {self.source or 'bundle'} (round {self.round or '?'})"]
        for r in self.results:
            mark = "VALID  " if r.valid else "INVALID"
            value = f"{r.value:g} {r.units}" if r.value is not None else "no value"
            lines.append(f"  {mark} {r.location}: {value}")
        shown = [f for f in self.findings if show_info or f.severity is not Severity.INFO]
        if shown:
            lines.append("")
            lines.append("Findings:")
        for f in shown:
            lines.append(f"  {str(f.severity).upper():7} {f.code}  {f.path}")
            lines.append(f"          {f.message}")
            lines.append(f"          fix: {f.hint}")
        c = self.counts()
        lines.append("")
        lines.append(
            f"Verdict: {self.verdict.upper()} ({sum(r.valid for r in self.results)} of "
            f"{len(self.results)} results valid; {c['error']} errors, {c['warning']} warnings, "
            f"{c['info']} notes)"
        )
        return "\n".join(lines)


SUMMARY_COLUMNS = [
    "Organization", "Availability", "Division", "SystemType", "SystemName", "Platform",
    "Model", "MlperfModel", "Scenario", "Result", "Accuracy", "number_of_nodes",
    "host_processor_model_name", "host_processors_per_node", "host_processor_core_count",
    "accelerator_model_name", "accelerators_per_node", "Location", "framework",
    "operating_system", "notes", "compliance", "errors", "version", "inferred", "has_power",
    "Units", "weight_data_types",
]  # fmt: skip


def summary_rows(report: Report) -> list[dict[str, str]]:
    """Valid results in the official checker's summary CSV columns (spec §4 "CSV")."""
    rows = []
    for r in report.results:
        if not r.valid:
            continue
        s = r.system_description
        notes = str(s.get("hw_notes", "") or "")
        if s.get("sw_notes"):
            notes = (notes + ". " if notes else "") + str(s["sw_notes"])
        rows.append(
            {
                "Organization": r.submitter,
                "Availability": str(s.get("status", "")).lower(),
                "Division": r.division,
                "SystemType": str(s.get("system_type", "")),
                "SystemName": str(s.get("system_name", "")),
                "Platform": r.system,
                "Model": r.benchmark,
                "MlperfModel": r.mlperf_benchmark,
                "Scenario": r.scenario,
                "Result": f"{r.value:g}" if r.value is not None else "",
                "Accuracy": r.accuracy_summary,
                "number_of_nodes": str(s.get("number_of_nodes", "")),
                "host_processor_model_name": str(s.get("host_processor_model_name", "")),
                "host_processors_per_node": str(s.get("host_processors_per_node", "")),
                "host_processor_core_count": str(s.get("host_processor_core_count", "")),
                "accelerator_model_name": str(s.get("accelerator_model_name", "")),
                "accelerators_per_node": str(s.get("accelerators_per_node", "")),
                "Location": r.location,
                "framework": str(s.get("framework", "")),
                "operating_system": str(s.get("operating_system", "")),
                "notes": notes,
                "compliance": "1" if r.division == "open" or _compliance_checked(r) else "0",
                "errors": "0",
                "version": r.round,
                "inferred": "1" if r.inferred else "0",
                "has_power": "False",
                "Units": r.summary_units,
                "weight_data_types": r.weight_data_types or "",
            }
        )
    return rows


def _compliance_checked(result: ResultEntry) -> bool:
    return not any(f.code.startswith("compliance.") for f in result.findings)


def write_summary_csv(report: Report, path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SUMMARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(summary_rows(report))
    path.write_text(buffer.getvalue(), encoding="utf-8")
