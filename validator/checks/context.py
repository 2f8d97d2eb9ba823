"""What a result-level check sees: the result's folders, its round's rules and parsed files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from validator.bundle import ScenarioDirs
from validator.findings import Finding, Scope, finding
from validator.options import Options
from validator.parsing.documents import AccuracyText
from validator.parsing.loadgen_log import DetailLog
from validator.rules import BenchmarkRules, CommonRules, RoundRules


@dataclass
class ResultContext:
    dirs: ScenarioDirs
    rules: RoundRules
    common: CommonRules
    options: Options
    system: dict[str, Any]
    mlperf_benchmark: str  # the benchmark it counts for (after model_mapping.json / aliases)
    bench: BenchmarkRules | None
    perf_log: DetailLog | None = None
    accuracy_log: DetailLog | None = None
    accuracy_text: AccuracyText | None = None
    weight_data_types: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def scope(self) -> Scope:
        return self.dirs.key

    @property
    def is_closed_or_network(self) -> bool:
        return self.dirs.division in ("closed", "network")

    @property
    def perf_dir(self) -> Path:
        return self.dirs.results / "performance" / "run_1"

    @property
    def accuracy_dir(self) -> Path:
        return self.dirs.results / "accuracy"

    @property
    def log_scenario(self) -> str:
        """The scenario LoadGen ran: an Interactive folder holds a Server run (spec §1)."""
        return "Server" if self.dirs.scenario == "Interactive" else self.dirs.scenario

    def rel(self, path: Path) -> str:
        return self.dirs.relative(path)

    def found(self, code: str, path: Path, message: str, **kwargs: Any) -> Finding:
        return finding(code, self.rel(path), message, scope=self.scope, **kwargs)
