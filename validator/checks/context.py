"""What each level's checks see: the folders, the round's rules and the files already parsed.

Contexts are built by :mod:`validator.parse` before any check runs and are never changed by a
check, so checks cannot depend on each other's order. A file that could not be parsed is held
as its :class:`~validator.parsing.ParseError`, so each check decides what that means for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scoring.accuracy_text import AccuracyText
from validator.bundle import ScenarioDirs, TreeEntry
from validator.codes import Verdict
from validator.equal_issue_conf import EqualIssueConf
from validator.findings import Finding, Scope, finding
from validator.options import Options
from validator.parsing import ParseError
from validator.parsing.loadgen_log import DetailLog
from validator.parsing.utf8 import NotUtf8
from validator.rules import BenchmarkRules, CommonRules, RoundRules

if TYPE_CHECKING:
    from validator.power_logs import PowerProblem

JsonObject = dict[str, Any]


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


@dataclass(frozen=True)
class TreeContext:
    root: Path
    common: CommonRules
    options: Options
    rules: RoundRules | None  # None when no round could be determined
    root_files: tuple[str, ...]
    root_dirs: tuple[str, ...]
    division_files: dict[str, tuple[str, ...]]
    # every <division>/<submitter> folder, and what its ``results`` entry is: "folder",
    # "other" (a file, or a link to one) or "" (none)
    submitters: tuple[tuple[str, str, str], ...] = ()
    result_count: int = 0  # results/<system>/<benchmark>/<scenario> folders found


@dataclass(frozen=True)
class SubmitterContext:
    root: Path
    division: str
    submitter: str
    common: CommonRules
    rules: RoundRules
    options: Options
    walk: tuple[TreeEntry, ...]  # every entry under <division>/<submitter>, links not followed
    results_systems: tuple[str, ...]
    measurement_systems: tuple[str, ...]
    system_files: tuple[str, ...]
    has_results_folder: bool

    @property
    def scope(self) -> Scope:
        return (self.division, self.submitter)

    @property
    def base(self) -> Path:
        return self.root / self.division / self.submitter


@dataclass(frozen=True)
class SystemContext:
    root: Path
    division: str
    submitter: str
    system: str
    common: CommonRules
    rules: RoundRules
    options: Options
    description: JsonObject | ParseError | None  # None: the file is missing

    @property
    def scope(self) -> Scope:
        return (self.division, self.submitter, self.system)

    @property
    def path(self) -> str:
        return f"{self.division}/{self.submitter}/systems/{self.system}.json"


@dataclass(frozen=True)
class ComplianceTest:
    """One TEST0x folder, read once: its verify files' lines and its run folders' listings."""

    name: str
    folder: Path
    exists: bool
    verify_lines: dict[str, tuple[str, ...] | ParseError] = field(default_factory=dict)
    accuracy_files: tuple[str, ...] | None = None  # None: no accuracy/ folder
    performance_files: tuple[str, ...] | None = None  # None: no performance/run_1 folder
    performance_log: DetailLog | ParseError | None = None
    accuracy_texts: dict[str, AccuracyText | ParseError] = field(default_factory=dict)
    verify_not_utf8: dict[str, NotUtf8] = field(default_factory=dict)  # verify file -> where


@dataclass(frozen=True)
class PowerRun:
    """``performance/power`` and ``ranging`` of a power result (spec §4.6)."""

    power_files: tuple[str, ...]
    ranging_files: tuple[str, ...] | None
    # (name, size) of the files of the measurements folder and the 3 above it, in the
    # checker's order (os.listdir of each folder, innermost first)
    measurement_files: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class ResultContext:
    """One ``results/<system>/<benchmark>/<scenario>`` folder and everything parsed for it."""

    dirs: ScenarioDirs
    rules: RoundRules
    common: CommonRules
    options: Options
    system: JsonObject | None  # None: missing or unreadable (its own findings say so)
    mlperf_benchmark: str
    bench: BenchmarkRules | None
    perf_files: tuple[str, ...] | None  # None: no performance/run_1 folder
    perf_log: DetailLog | ParseError | None
    summary: dict[str, str] | ParseError | None
    accuracy_files: tuple[str, ...] | None  # None: no accuracy/ folder
    accuracy_log: DetailLog | ParseError | None
    accuracy_text: AccuracyText | ParseError | None
    accuracy_log_size: int | None
    measurement_files: tuple[str, ...] | None  # None: no measurements folder
    implementation_name: str | None
    implementation: Any  # the JSON value (any type), its ParseError, or None when absent
    code_ok: bool
    compliance_exists: bool
    compliance: dict[str, ComplianceTest]
    power: PowerRun | None  # None: not a power result
    extra_accuracy_folders: dict[str, tuple[str, ...] | None]
    accuracy_text_not_utf8: NotUtf8 | None = None  # where accuracy.txt stops being UTF-8
    equal_issue_conf: EqualIssueConf | None = None  # v4.1: read from mlperf.conf/user.conf

    @property
    def scope(self) -> Scope:
        return self.dirs.key

    @property
    def is_closed_or_network(self) -> bool:
        return self.dirs.division in self.common.closed_rule_divisions

    @property
    def perf_dir(self) -> Path:
        return self.dirs.results / "performance" / "run_1"

    @property
    def accuracy_dir(self) -> Path:
        return self.dirs.results / "accuracy"

    @property
    def log(self) -> DetailLog | None:
        """The performance log, when it parsed and holds entries (an empty one is reported
        once, by the run-folder check, not by every rule that reads a key)."""
        log = self.perf_log
        return log if isinstance(log, DetailLog) and not log.is_empty else None

    @property
    def logged_scenario(self) -> str | None:
        log = self.log
        value = log.get("effective_scenario") if log else None
        return value if isinstance(value, str) else None

    @cached_property
    def power_metric(self) -> tuple[float | None, PowerProblem | None]:
        """The checker's power metric of the testing run, or why there is none (computed
        once: the power checks and the report's power row share it)."""
        from validator.power_logs import power_metric
        from validator.result_value import reported_value

        return power_metric(
            self.perf_dir,
            self.dirs.scenario,
            self.logged_scenario or "",
            reported_value(self).raw,
            round_name=self.rules.round,
            root=self.dirs.root,
        )

    def rel(self, path: Path) -> str:
        return _rel(self.dirs.root, path)

    def found(self, code: str, path: Path, message: str, **kwargs: Any) -> Finding:
        """A finding about ``path``, scoped to this result unless ``scope`` says otherwise."""
        kwargs.setdefault("scope", self.scope)
        return finding(code, self.rel(path), message, **kwargs)

    def truth(self, code: str, path: Path, message: str, **kwargs: Any) -> Finding:
        """A finding that counts against the Inferboard verdict only."""
        return self.found(code, path, message, verdict=Verdict.INFERBOARD, **kwargs)


@dataclass(frozen=True)
class ResultOutcome:
    """What the benchmark-level checks need of one result after its own checks ran."""

    dirs: ScenarioDirs
    official_errors: tuple[Finding, ...]
    reached_performance: bool  # classic checker: measurements and accuracy files got it there


@dataclass(frozen=True)
class BenchmarkContext:
    root: Path
    division: str
    submitter: str
    system: str
    benchmark: str
    mlperf_benchmark: str
    common: CommonRules
    rules: RoundRules
    options: Options
    system_type: str | None
    scenario_dirs: tuple[str, ...]
    outcomes: tuple[ResultOutcome, ...]
    system_ok: bool
    model_mapping: Any = None  # the open submitter's model_mapping.json as parsed, if any

    @property
    def scope(self) -> Scope:
        return (self.division, self.submitter, self.system, self.benchmark)

    @property
    def path(self) -> str:
        return f"{self.division}/{self.submitter}/results/{self.system}/{self.benchmark}"
