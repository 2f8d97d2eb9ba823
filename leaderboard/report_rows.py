"""The one way a validator report becomes leaderboard rows (acceptance of a submission and
``python -m leaderboard import TREE`` alike).

Every value the validator holds lands in its column, read from the typed report (never from
its CSV text): the result with its unit and direction (from the round's rules), both
validities, every accuracy metric of any round's format, tokens per sample, TTFT/TPOT p99,
power, the system description and the checker commit of the round's rules. The provenance says
where the row comes from and how far it was checked; a submission's rows live under their own
id prefix, so they can never be mistaken for, or collide with, published ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from leaderboard.ingest import system_uid
from leaderboard.provenance import Provenance
from leaderboard.seed import result_id
from validator.report import Report, ResultEntry

NS_PER_MS = 1e6


@dataclass(frozen=True)
class Origin:
    """Where a report's rows come from."""

    provenance: Provenance
    source: str  # the tree or archive, as the user named it (never a server path)
    submission_id: int | None = None
    accepted_by: str | None = None
    accepted_at: datetime | None = None
    reproduced: bool | None = None  # the spot reproduction agreed (None: not reproduced)

    @property
    def id_prefix(self) -> str:
        """Results and systems of a submission live under ``submission/<id>/``; a checked
        tree's rows use the published ids (the same result, checked again)."""
        return f"submission/{self.submission_id}/" if self.submission_id is not None else ""


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _int(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _row(report: Report, entry: ResultEntry, origin: Origin) -> dict[str, object]:
    s = entry.system_description
    location = entry.location
    metrics = entry.accuracy
    power = entry.power
    return {
        "result_id": origin.id_prefix + result_id(entry.round, location),
        "system_uid": origin.id_prefix
        + system_uid(entry.round, entry.division, entry.submitter, entry.system),
        "version": entry.round,
        "division": entry.division,
        "submitter": entry.submitter,
        "system_id": entry.system,
        "system_name": _text(s.get("system_name")),
        "availability": _text(s.get("status")),
        "system_type": _text(s.get("system_type")),
        "number_of_nodes": _int(s.get("number_of_nodes")),
        "host_processor_model_name": _text(s.get("host_processor_model_name")),
        "host_processors_per_node": _int(s.get("host_processors_per_node")),
        "host_processor_core_count": _text(s.get("host_processor_core_count")),
        "accelerator_model_name": _text(s.get("accelerator_model_name")) or "N/A",
        "accelerators_per_node": _int(s.get("accelerators_per_node")),
        "framework": _text(s.get("framework")),
        "operating_system": _text(s.get("operating_system")),
        "description": json.dumps(s, sort_keys=True),
        "benchmark": entry.benchmark,
        "benchmark_mlperf": entry.mlperf_benchmark,
        "scenario": entry.scenario,
        "scenario_dir": entry.scenario_dir,
        "metric_key": None,
        "units": entry.units,
        "higher_is_better": entry.higher_is_better,
        "result": entry.value,
        "result_validity": "VALID" if entry.official_valid else "INVALID",
        "official_valid": entry.official_valid,
        "inferboard_valid": entry.valid,
        "inferred": int(entry.inferred),
        "accuracy": entry.accuracy_summary or None,
        "accuracy_metrics": json.dumps(metrics, sort_keys=True) if metrics else None,
        "rouge1": metrics.get("ROUGE1"),
        "rouge2": metrics.get("ROUGE2"),
        "rougeL": metrics.get("ROUGEL"),
        "rougeLsum": metrics.get("ROUGELSUM"),
        "tokens_per_sample": metrics.get("TOKENS_PER_SAMPLE"),
        "ttft_p99_ms": entry.ttft_p99_ns / NS_PER_MS if entry.ttft_p99_ns is not None else None,
        "tpot_p99_ms": entry.tpot_p99_ns / NS_PER_MS if entry.tpot_p99_ns is not None else None,
        "power_units": power.units if power else None,
        "power": power.value if power else None,
        "weight_data_types": _text(entry.weight_data_types),
        "source_repo": None,
        "source_commit": None,
        "source_path": location,
        "data_origin": (
            f"submission {origin.submission_id}: {origin.source}"
            if origin.submission_id is not None
            else f"results tree: {origin.source}"
        ),
        "official_result": entry.value,
        "official_units": entry.summary_units,
        "official_power": power.value if power else None,
        "validation": None,
        "provenance": str(origin.provenance),
        "reproduced": origin.reproduced,
        "checker_commit": report.checker_commit,
        "submission_id": origin.submission_id,
        "accepted_by": origin.accepted_by,
        "accepted_at": origin.accepted_at,
    }


ROW_SCHEMA: dict[str, pl.DataType] = {
    "number_of_nodes": pl.Int64(),
    "host_processors_per_node": pl.Int64(),
    "accelerators_per_node": pl.Int64(),
    "result": pl.Float64(),
    "inferred": pl.Int64(),
    "rouge1": pl.Float64(),
    "rouge2": pl.Float64(),
    "rougeL": pl.Float64(),
    "rougeLsum": pl.Float64(),
    "tokens_per_sample": pl.Float64(),
    "ttft_p99_ms": pl.Float64(),
    "tpot_p99_ms": pl.Float64(),
    "power": pl.Float64(),
    "official_result": pl.Float64(),
    "official_power": pl.Float64(),
    "submission_id": pl.Int64(),
    "accepted_at": pl.Datetime("us"),
}


def rows_from_report(report: Report, origin: Origin) -> pl.DataFrame:
    """The Inferboard-valid results of ``report`` as rows (seed columns plus the report's own:
    provenance, both validities, direction, every metric, the checker commit)."""
    records = [_row(report, entry, origin) for entry in report.results if entry.valid]
    if not records:
        return pl.DataFrame()
    frame = pl.DataFrame(records, infer_schema_length=None, strict=False)
    return frame.with_columns(
        [pl.col(name).cast(dtype, strict=False) for name, dtype in ROW_SCHEMA.items()]
    )
