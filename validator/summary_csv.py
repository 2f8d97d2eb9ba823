"""The official summary CSV, written as the round's checker writes it (spec §4 "CSV").

Only officially valid results get rows, power results two (the performance row and the power
row), so ``--summary-csv`` can be diffed line by line against the checker's own file. Two
styles exist, chosen by the round's rules (``checker.csv_style``):

- ``classic`` (v4.0–v5.1, ``submission_checker.py``): a ``str.format`` line per row, some
  fields wrapped in quotes by hand and none escaped; ``Location`` is the result folder
  relative to the tree; ``Scenario`` the canonical name; ``Availability`` lower-cased.
  ``classic_v4`` is the same without the ``weight_data_types`` column.
- ``package`` (v6.0, ``submission_checker/results.py``): every field in quotes (again not
  escaped), a ``total_accelerators`` column, ``Location`` the performance run folder joined to
  the input path as given, ``Scenario`` the folder name, ``Availability`` as written.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from validator.report import Report, ResultEntry

_BASE = [
    "Organization", "Availability", "Division", "SystemType", "SystemName", "Platform",
    "Model", "MlperfModel", "Scenario", "Result", "Accuracy", "number_of_nodes",
    "host_processor_model_name", "host_processors_per_node", "host_processor_core_count",
    "accelerator_model_name", "accelerators_per_node", "Location", "framework",
    "operating_system", "notes", "compliance", "errors", "version", "inferred", "has_power",
    "Units", "weight_data_types",
]  # fmt: skip
COLUMNS = {
    "classic": _BASE,
    "classic_v4": _BASE[:-1],
    "package": [*_BASE[:17], "total_accelerators", *_BASE[17:]],
}


def _text(value: object) -> str:
    """How ``str.format`` / an f-string prints a JSON value (Python's ``str``)."""
    return str(value)


def _notes(system: Mapping[str, object]) -> str:
    """``hw_notes`` (default ""), and when ``sw_notes`` is truthy ``(hw_notes + ". " if
    hw_notes else "") + sw_notes``, printed with ``str`` (v6.0 writes a null hw_notes as
    ``None``; the classic checkers stop on it, so they write no such row)."""
    hw = system.get("hw_notes", "")
    sw = system.get("sw_notes")
    if sw:
        return (_text(hw) + ". " if hw else "") + _text(sw)
    return _text(hw)


def python_int(value: object) -> int | None:
    """Python's ``int(value)`` of a JSON value (a float is truncated, a text may carry spaces),
    or None where it raises (the v6.0 exporter's ``total_accelerators``)."""
    if not isinstance(value, str | int | float):
        return None
    try:
        return int(value)
    except (ValueError, OverflowError):
        return None


def package_notes(system: Mapping[str, object]) -> str | None:
    """The v6.0 exporter's ``notes``: ``hw_notes`` as it is unless ``sw_notes`` is truthy,
    then ``hw_notes + ". " + sw_notes`` (``hw_notes`` only when truthy); None where that
    concatenation raises (a value that is not a string)."""
    hw = system.get("hw_notes", "")
    sw = system.get("sw_notes")
    if not sw:
        return _text(hw)
    if not isinstance(sw, str) or (hw and not isinstance(hw, str)):
        return None
    return (f"{hw}. " if hw else "") + sw


def _classic(entry: ResultEntry, power: bool, with_weights: bool) -> str:
    s = entry.system_description
    q = '"{}"'.format  # the checker's hand-made quoting, without escaping
    values = [
        entry.submitter,
        _text(s.get("status", "")).lower(),
        entry.division,
        q(_text(s.get("system_type"))),
        q(_text(s.get("system_name"))),
        entry.system,
        entry.benchmark,
        entry.mlperf_benchmark,
        entry.scenario,
        entry.power.official_text if power and entry.power else entry.official_row.result_text,
        entry.accuracy_summary,
        _text(s.get("number_of_nodes")),
        q(_text(s.get("host_processor_model_name"))),
        _text(s.get("host_processors_per_node")),
        _text(s.get("host_processor_core_count")),
        q(_text(s.get("accelerator_model_name"))),
        q(_text(s.get("accelerators_per_node"))),
        entry.location,
        q(_text(s.get("framework", ""))),
        q(_text(s.get("operating_system", ""))),
        q(_notes(s)),
        "1" if entry.official_row.compliance else "0",
        _text(entry.official_row.errors_before),
        entry.round,
        "1" if entry.inferred else "0",
        _text(entry.power is not None),
        entry.power.units if power and entry.power else entry.summary_units,
    ]
    if with_weights:
        weights = _text(entry.weight_data_types)
        if not power and entry.official_row.weight_data_types_quotes_replaced:
            weights = weights.replace('"', "'")  # v5.1's performance row; v5.0 writes it raw
        values.append(q(weights))
    return ",".join(values) + "\n"


def _package(entry: ResultEntry, power: bool, location_prefix: str) -> str:
    s = entry.system_description
    nodes = python_int(s.get("number_of_nodes"))
    per_node = python_int(s.get("accelerators_per_node"))
    # the checker stops where int() fails; such a result is reported, not written
    total: object = "" if nodes is None or per_node is None else nodes * per_node
    # the checker joins its --input argument as given (os.path.join keeps "./" and "tree/")
    location = os.path.join(location_prefix, entry.location, "performance", "run_1")  # noqa: PTH118
    values = [
        entry.submitter,
        s.get("status", ""),
        entry.division,
        s.get("system_type", ""),
        s.get("system_name", ""),
        entry.system,
        entry.benchmark,
        entry.mlperf_benchmark,
        entry.scenario_dir,
        entry.power.official_text if power and entry.power else entry.official_row.result_text,
        entry.accuracy_summary,
        s.get("number_of_nodes", ""),
        s.get("host_processor_model_name", ""),
        s.get("host_processors_per_node", ""),
        s.get("host_processor_core_count", ""),
        s.get("accelerator_model_name", ""),
        s.get("accelerators_per_node", ""),
        total,
        location,
        s.get("framework", ""),
        s.get("operating_system", ""),
        package_notes(s),
        entry.division,
        0,
        entry.round,
        1 if entry.official_row.inferred_column else 0,
        entry.power is not None,
        entry.power.units if power and entry.power else entry.summary_units,
        entry.weight_data_types,
    ]
    return ",".join(f'"{_text(v)}"' for v in values) + "\n"


def summary_lines(report: Report, style: str, location_prefix: str = "") -> list[str]:
    """The CSV's header and rows, each line as the checker writes it (ending in a newline)."""
    lines = [",".join(COLUMNS[style]) + "\n"]
    for entry in sorted(report.results, key=lambda r: r.key):
        if not entry.official_valid:
            continue
        rows = [False, True] if entry.power is not None else [False]
        if entry.power is not None and entry.official_row.power_only:
            rows = [True]
        for power in rows:
            if style == "package":
                lines.append(_package(entry, power, location_prefix))
            else:
                lines.append(_classic(entry, power, with_weights=style == "classic"))
    return lines


def write_summary_csv(report: Report, path: Path, style: str, location_prefix: str = "") -> None:
    path.write_text("".join(summary_lines(report, style, location_prefix)), encoding="utf-8")


def summary_rows(report: Report, style: str) -> list[dict[str, str]]:
    """The CSV's rows as dicts (column -> text), read back as a CSV reader would."""
    import csv
    import io

    return list(csv.DictReader(io.StringIO("".join(summary_lines(report, style)))))
