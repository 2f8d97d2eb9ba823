"""The report is data (house style §7): one typed object, from the validator to the portal, the
CLI, acceptance and the leaderboard. It round-trips through JSON
(``model_dump_json`` / ``model_validate_json``) and never holds NaN or Infinity, so its JSON is
strict. Renderers (:mod:`validator.render`, :mod:`validator.summary_csv`) only read it.

Validity is settled once, by :func:`settle`, from the findings attached to each result:

- ``official_valid``: the result has a value and no official error that voids it, i.e. the
  round's official checker writes its summary row;
- ``valid``: ``official_valid`` and no Inferboard (truth) error concerns it.

The report's ``official_verdict`` is "accepted" when the official checker would exit 0 (no
official error at all, voiding or not; a tree with no result in it included); ``verdict`` adds
our truth checks and needs a valid result.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, computed_field, model_validator

from validator.codes import Verdict
from validator.findings import Finding, Severity

REPORT_SCHEMA_VERSION = 2


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)


class Measured(_Model):
    """A number as the result reports it: finite, with its unit and direction."""

    value: float
    units: str
    higher_is_better: bool


class PowerResult(_Model):
    """The power row of a power result (spec §4.6): mean watts, or millijoules per query.
    ``value`` is None when the checker's number is not finite (an ``inf`` sample in spl.txt:
    the official row prints it, our truth check refuses it)."""

    value: float | None
    units: str
    official_text: str  # the Result column of the official power row


class OfficialRow(_Model):
    """What only the official summary CSV needs, exactly as the round's checker computes it."""

    result_text: str = ""  # the Result column (Python's str of the float)
    compliance: bool = True  # classic style: compliance checked and passed
    errors_before: int = 0  # classic style: the checker's running error count of the benchmark
    inferred_column: bool = False  # the inferred column as written (v6.0 quirks included)
    power_only: bool = False  # power row without the performance row (system_power_only)
    # classic style: the performance row writes weight_data_types with '"' replaced (v5.1)
    weight_data_types_quotes_replaced: bool = True


class ResultEntry(_Model):
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
    value: float | None = None  # finite; None when absent or not a finite number
    units: str = ""
    higher_is_better: bool = True
    summary_units: str = ""  # the label the official summary CSV prints
    official_row: OfficialRow = Field(default_factory=OfficialRow)
    inferred: bool = False
    accuracy: dict[str, float] = Field(default_factory=dict)
    accuracy_summary: str = ""  # the official CSV's Accuracy column
    ttft_p99_ns: float | None = None
    tpot_p99_ns: float | None = None
    power: PowerResult | None = None
    weight_data_types: JsonValue = None
    system_description: dict[str, JsonValue] = Field(default_factory=dict)
    official_valid: bool = False
    valid: bool = False
    findings: list[Finding] = Field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """The scope of this result (see :mod:`validator.findings`)."""
        return (self.division, self.submitter, self.system, self.benchmark, self.scenario_dir)

    @property
    def tokens_per_sample(self) -> float | None:
        return self.accuracy.get("TOKENS_PER_SAMPLE")

    @property
    def measured(self) -> Measured | None:
        if self.value is None:
            return None
        return Measured(value=self.value, units=self.units, higher_is_better=self.higher_is_better)

    def errors(self, verdict: Verdict) -> list[Finding]:
        return [f for f in self.findings if f.counts_against(verdict) and f.voids]


class Report(_Model):
    """Everything the validator found about one bundle."""

    schema_version: int = REPORT_SCHEMA_VERSION
    round: str | None
    checker_commit: str | None = None
    source: str = ""
    archive_refused: bool = False  # the archive itself could not be opened safely
    official_verdict: Outcome = Outcome.REJECTED
    verdict: Outcome = Outcome.REJECTED
    findings: list[Finding] = Field(default_factory=list)
    results: list[ResultEntry] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: Any) -> Any:
        """``counts`` is derived from the findings: written for readers, ignored on reading."""
        if isinstance(data, dict) and "counts" in data:
            data = {k: v for k, v in data.items() if k != "counts"}
        return data

    @property
    def accepted(self) -> bool:
        return self.verdict is Outcome.ACCEPTED

    @property
    def officially_accepted(self) -> bool:
        return self.official_verdict is Outcome.ACCEPTED

    # mypy does not accept a decorator above @property; pydantic's docs give this ignore
    @computed_field  # type: ignore[prop-decorator]
    @property
    def counts(self) -> dict[str, int]:
        """Findings by severity (serialised with the report for readers of its JSON)."""
        out = {str(s): 0 for s in Severity}
        for f in self.findings:
            out[str(f.severity)] += 1
        return out

    def difference(self) -> list[Finding]:
        """The Inferboard errors: what makes our verdict differ from the official one."""
        return [f for f in self.findings if f.is_error and f.verdict is Verdict.INFERBOARD]

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    def to_text(self, *, show_info: bool = False) -> str:
        from validator.render import report_text

        return report_text(self, show_info=show_info)


def settle(report: Report) -> Report:
    """Attach findings to the results they concern and decide every validity and verdict."""
    by_scope: dict[tuple[str, ...], list[Finding]] = {}
    for f in report.findings:
        by_scope.setdefault(f.scope, []).append(f)
    for entry in report.results:
        key = entry.key
        entry.findings = [f for n in range(len(key) + 1) for f in by_scope.get(key[:n], [])]
        has_value = entry.value is not None or bool(entry.official_row.result_text)
        entry.official_valid = has_value and not entry.errors(Verdict.OFFICIAL)
        entry.valid = entry.official_valid and entry.value is not None
        entry.valid = entry.valid and not entry.errors(Verdict.INFERBOARD)
    official_errors = [f for f in report.findings if f.counts_against(Verdict.OFFICIAL)]
    our_errors = [f for f in report.findings if f.counts_against(Verdict.INFERBOARD)]
    # the checker exits 0 on a tree in which it finds nothing to judge; without a round's
    # checker (no round, an archive refused) there is no official verdict to accept
    walked = bool(report.results) or report.checker_commit is not None
    report.official_verdict = (
        Outcome.ACCEPTED if walked and not official_errors else Outcome.REJECTED
    )
    report.verdict = (
        Outcome.ACCEPTED
        if report.officially_accepted and not our_errors and any(r.valid for r in report.results)
        else Outcome.REJECTED
    )
    return report


def report_from_json(text: str | bytes) -> Report:
    """The one way a consumer reads a stored report (raises pydantic's ValidationError)."""
    return Report.model_validate_json(text)


def json_safe(value: Any) -> JsonValue:
    """A parsed JSON value with non-finite floats replaced by their text (strict JSON)."""
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else repr(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, str | int):  # bool is an int
        return value
    return repr(value)  # never from a JSON parser; kept readable rather than refused
