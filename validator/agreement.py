"""How far our official verdict agrees with the official checker's own output.

The official side is always the checker's CSV as it wrote it (never regenerated from our
output). Rows are matched by result location (normalised: the v6.0 checker writes
``<input>/<division>/…/performance/run_1``, the classic one ``<division>/…/<scenario>``) and
by ``Units`` (a power result has a performance row and a power row). ``Scenario`` is compared
case-insensitively, every other column exactly.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from validator.codes import Verdict
from validator.report import Report
from validator.rules import load_common
from validator.summary_csv import summary_lines

RowKey = tuple[str, str]  # (normalised location, units)
_RUN_SUFFIX = "/performance/run_1"


def normalise_location(location: str) -> str:
    """``closed/<submitter>/results/<system>/<benchmark>/<scenario>`` from either style."""
    text = location.replace("\\", "/").strip()
    if text.endswith(_RUN_SUFFIX):
        text = text[: -len(_RUN_SUFFIX)]
    for name in load_common().divisions:
        division = name + "/"
        at = text.find(division)
        if at == 0 or (at > 0 and text[at - 1] == "/"):
            return text[at:]
    return text


def read_rows(text: str) -> dict[RowKey, dict[str, str]]:
    rows: dict[RowKey, dict[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        rows[(normalise_location(row.get("Location") or ""), row.get("Units") or "")] = row
    return rows


@dataclass
class Agreement:
    """Row-by-row comparison of two summary CSVs, plus the result-level verdicts."""

    same: list[RowKey] = field(default_factory=list)
    differing: dict[RowKey, dict[str, tuple[str, str]]] = field(default_factory=dict)
    official_only: list[RowKey] = field(default_factory=list)
    ours_only: list[RowKey] = field(default_factory=list)
    causes: Counter[str] = field(default_factory=Counter)

    @property
    def exact(self) -> bool:
        return not (self.differing or self.official_only or self.ours_only)

    def lines(self) -> list[str]:
        out = [
            f"rows equal in every column: {len(self.same)}",
            f"rows in both, some column differs: {len(self.differing)}",
            f"official rows we do not write: {len(self.official_only)}",
            f"rows we write that the official checker does not: {len(self.ours_only)}",
        ]
        if self.causes:
            out.append("causes (our official finding codes on the disagreeing results):")
            out += [f"  {n:5}  {cause}" for cause, n in self.causes.most_common()]
        for key, diffs in list(self.differing.items())[:20]:
            for column, (ours, theirs) in diffs.items():
                out.append(f"  {key[0]} [{key[1]}] {column}: ours {ours!r}, official {theirs!r}")
        for key in self.official_only[:20]:
            out.append(f"  official only: {key[0]} [{key[1]}]")
        for key in self.ours_only[:20]:
            out.append(f"  ours only: {key[0]} [{key[1]}]")
        return out


def _same_cell(column: str, ours: str, theirs: str) -> bool:
    if column == "Scenario":
        return ours.lower() == theirs.lower()
    if column == "Location":
        return normalise_location(ours) == normalise_location(theirs)
    return ours == theirs


def compare(report: Report, official_csv: str, style: str) -> Agreement:
    """Compare the CSV we write for ``report`` with the checker's CSV text."""
    ours = read_rows("".join(summary_lines(report, style)))
    theirs = read_rows(official_csv)
    result = Agreement()
    by_location = {normalise_location(r.location): r for r in report.results}
    for key in sorted(theirs.keys() | ours.keys()):
        if key not in ours:
            result.official_only.append(key)
        elif key not in theirs:
            result.ours_only.append(key)
        else:
            diffs = {
                column: (ours[key].get(column, ""), value)
                for column, value in theirs[key].items()
                if not _same_cell(column, ours[key].get(column) or "", value or "")
            }
            if diffs:
                result.differing[key] = diffs
            else:
                result.same.append(key)
            continue
        entry = by_location.get(key[0])
        codes = {f.code for f in entry.errors(Verdict.OFFICIAL)} if entry else {"(no such result)"}
        result.causes.update(codes or {"(no official error found)"})
    return result


def compare_files(report: Report, official_csv: Path, style: str) -> Agreement:
    return compare(report, official_csv.read_text(encoding="utf-8"), style)
