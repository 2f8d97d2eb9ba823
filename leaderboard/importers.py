"""What ``python -m leaderboard import PATH`` reads: official summaries and results trees.

Official summaries (published by MLCommons, imported as published) are parsed here into
seed-shaped rows; a results tree goes through the validator and its typed report becomes rows
(:mod:`leaderboard.report_rows`); ``ingest.insert_rows`` stores either.

Two formats share one column set (spec §4 "CSV"): the submission checker's ``--csv`` summary
and MLCommons' ``summary_results.json`` (the same records as a JSON list). Results are named
by ``Location``, exactly as the seed names them, so importing a round that is already in the
seed adds nothing, and importing a file twice is skipped by its content hash.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import duckdb
import polars as pl

from leaderboard.errors import LeaderboardError
from leaderboard.ingest import ImportOutcome, insert_rows
from leaderboard.provenance import Provenance
from leaderboard.report_rows import Origin, rows_from_report
from leaderboard.seed import result_id
from validator import Options, validate_path

SUMMARY_COLUMNS = (
    "Organization",
    "Availability",
    "Division",
    "SystemType",
    "SystemName",
    "Platform",
    "Model",
    "MlperfModel",
    "Scenario",
    "Result",
    "Accuracy",
    "Location",
    "Units",
    "version",
)
_POWER_UNITS = re.compile(r"watts|joules", re.IGNORECASE)
_ACCURACY_ITEM = re.compile(r"([A-Za-z_0-9]+)\s*:\s*([0-9.]+)")
_LOCATION = re.compile(
    r"^(?:\./)?(?P<division>[^/]+)/(?P<submitter>[^/]+)/results/(?P<system>[^/]+)/"
)


def _accuracy_value(text: str | None, key: str) -> float | None:
    """One metric from the checker's 'ROUGE1: 44.4  ROUGE2: 22.0 ...' accuracy string."""
    for name, value in _ACCURACY_ITEM.findall(text or ""):
        if name.lower() == key.lower():
            return float(value)
    return None


def _read_records(path: Path) -> tuple[list[dict[str, object]], str]:
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise LeaderboardError(
                "import.json_invalid", f"{path} is not valid JSON ({exc}); re-download it"
            ) from exc
        if isinstance(data, dict):
            data = data.get("results", data.get("data"))
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise LeaderboardError(
                "import.json_shape",
                f"{path}: expected a list of result records like MLCommons' summary_results.json",
            )
        return data, "summary_json"
    try:
        frame = pl.read_csv(path, infer_schema_length=0)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        raise LeaderboardError(
            "import.csv_invalid", f"{path} is not a readable CSV ({exc})"
        ) from exc
    return frame.to_dicts(), "summary_csv"


def _int_or_none(value: object) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(float(text)) if re.fullmatch(r"[0-9]+(\.0+)?", text) else None


def summary_rows(path: Path) -> tuple[pl.DataFrame, str]:
    """Parse a summary file into seed-shaped rows (power rows folded into their result)."""
    records, kind = _read_records(path)
    return records_to_rows(records, kind, path), kind


def records_to_rows(records: list[dict[str, object]], kind: str, path: Path) -> pl.DataFrame:
    """Summary records (spec §4 "CSV" columns) -> seed-shaped rows."""
    if not records:
        raise LeaderboardError("import.empty", f"{path} holds no results")
    missing = [c for c in SUMMARY_COLUMNS if c not in records[0]]
    if missing:
        raise LeaderboardError(
            "import.columns",
            f"{path} lacks the columns {missing}; expected the submission checker's summary "
            "(spec §4 'CSV') or MLCommons' summary_results.json",
        )
    power: dict[str, tuple[float, str]] = {}
    rows: list[dict[str, object]] = []
    for number, record in enumerate(records, start=1):
        location = str(record.get("Location") or "")
        match = _LOCATION.match(location)
        if match is None:
            raise LeaderboardError(
                "import.location",
                f"{path}: record {number} has Location {location!r}; expected "
                "'<division>/<submitter>/results/<system>/<benchmark>/<scenario>'",
            )
        version = str(record["version"]).strip()
        version = version if version.startswith("v") else f"v{version}"
        rid = result_id(version, location)
        units = str(record.get("Units") or "")
        try:
            value = float(str(record["Result"]))
        except ValueError as exc:
            raise LeaderboardError(
                "import.result", f"{path}: record {number} has Result {record['Result']!r}"
            ) from exc
        if _POWER_UNITS.search(units):
            power[rid] = (value, "Watts" if "watt" in units.lower() else "millijoules")
            continue
        accuracy = str(record.get("Accuracy") or "") or None
        rows.append(
            {
                "result_id": rid,
                "version": version,
                "division": match["division"],
                "submitter": match["submitter"],
                "system_id": match["system"],
                "system_name": record.get("SystemName"),
                "availability": record.get("Availability"),
                "system_type": record.get("SystemType"),
                "number_of_nodes": _int_or_none(record.get("number_of_nodes")),
                "host_processor_model_name": record.get("host_processor_model_name"),
                "host_processors_per_node": _int_or_none(record.get("host_processors_per_node")),
                "host_processor_core_count": str(record.get("host_processor_core_count") or ""),
                "accelerator_model_name": str(record.get("accelerator_model_name") or "N/A"),
                "accelerators_per_node": _int_or_none(record.get("accelerators_per_node")),
                "framework": record.get("framework"),
                "operating_system": record.get("operating_system"),
                "benchmark": record["Model"],
                "benchmark_mlperf": record["MlperfModel"],
                "scenario": record["Scenario"],
                "metric_key": None,
                "units": units,
                "result": value,
                "result_validity": None,
                "inferred": _int_or_none(record.get("inferred")),
                "accuracy": accuracy,
                "rouge1": _accuracy_value(accuracy, "ROUGE1"),
                "rouge2": _accuracy_value(accuracy, "ROUGE2"),
                "rougeL": _accuracy_value(accuracy, "ROUGEL"),
                "tokens_per_sample": _accuracy_value(accuracy, "TOKENS_PER_SAMPLE"),
                "ttft_p99_ms": None,
                "tpot_p99_ms": None,
                "weight_data_types": record.get("weight_data_types"),
                "source_repo": None,
                "source_commit": None,
                "source_path": result_id("", location).lstrip("/"),
                "data_origin": f"{kind}: {path.name}",
                "official_result": value,
                "official_units": units,
                "validation": None,
            }
        )
    frame = pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("result_id")
        .replace_strict({k: v[0] for k, v in power.items()}, default=None, return_dtype=pl.Float64)
        .alias("power"),
        pl.col("result_id")
        .replace_strict({k: v[1] for k, v in power.items()}, default=None, return_dtype=pl.String)
        .alias("power_units"),
        pl.lit(None, dtype=pl.Float64).alias("official_power"),
    )
    return frame


def import_path(
    con: duckdb.DuckDBPyConnection, path: Path, *, valid_only: bool = False
) -> tuple[str, ImportOutcome]:
    """Import one summary file or results tree; returns (kind, what happened to each result).
    ``valid_only``: a tree with errors imports its valid results (see :func:`import_tree`)."""
    if not path.exists():
        raise LeaderboardError("import.missing", f"{path} does not exist")
    if path.is_dir():
        return "results_tree", import_tree(con, path, valid_only=valid_only)
    if path.suffix.lower() not in (".json", ".csv"):
        raise LeaderboardError(
            "import.format",
            f"{path}: import takes summary_results.json, the checker's summary .csv, or a "
            "results folder",
        )
    rows, kind = summary_rows(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    outcome = insert_rows(
        con,
        rows,
        import_id=f"{kind}:{digest}",
        kind=kind,
        source=str(path),
        verification="official MLCommons summary (imported as published, not re-validated)",
    )
    return kind, outcome


def import_tree(
    con: duckdb.DuckDBPyConnection, path: Path, *, valid_only: bool = False
) -> ImportOutcome:
    """Validate a results tree and import its Inferboard-valid results, every value the
    validator holds in its column (:func:`leaderboard.report_rows.rows_from_report`).

    A tree with errors imports nothing, unless ``valid_only`` (a whole published round, whose
    invalid results MLCommons does not publish either): then its valid results enter and the
    others are left out. Results already published are confirmed, never duplicated.
    """
    report = validate_path(path, Options())
    errors = [f for f in report.findings if f.severity == "error"]
    if not report.accepted and not (valid_only and any(e.valid for e in report.results)):
        first = f"{errors[0].code} in {errors[0].path}" if errors else "no results"
        raise LeaderboardError(
            "import.tree_rejected",
            f"{path} does not pass the validator ({len(errors)} errors, first: {first}); "
            f"run `python -m validator {path}` for the full report"
            + ("" if valid_only else ", or import only its valid results with --valid-only"),
        )
    rows = rows_from_report(report, Origin(Provenance.CHECKED, source=path.name))
    digest = hashlib.sha256(report.model_dump_json(exclude={"source"}).encode()).hexdigest()
    return insert_rows(
        con,
        rows,
        import_id=f"results_tree:{digest}",
        kind="results_tree",
        source=str(path),
        verification=(
            f"validated by the Inferboard validator ({report.round} rules at checker "
            f"{(report.checker_commit or '')[:8]}, and truth checks)"
        ),
    )
