"""Where each file of a bundle goes, for the round's layout (spec §1), and the small writers.

Classic layout (v4.0-v5.1)::

    <out>/<division>/<submitter>/systems/<sys>.json
        code/<benchmark>/<impl>/README.md
        measurements/<sys>/<benchmark>/<scenario>/{user.conf, README.md, <sys>.json[, mlperf.conf]}
        results/<sys>/<benchmark>/<scenario>/performance/run_1/mlperf_log_{summary,detail}.txt ...
        results/<sys>/<benchmark>/<scenario>/accuracy/{accuracy.txt, mlperf_log_*}
        compliance/<sys>/<benchmark>/<scenario>/TEST06/{verify_accuracy.txt, accuracy/...}
        model_mapping.json                       (open division: benchmark -> llama2-70b-99)

Merged layout (v6.0): ``measurements/`` and ``compliance/`` fold into
``results/<sys>/<benchmark>/<scenario>/`` (``measurements.json``, ``TEST06/``) and ``code/``
becomes ``src/``.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from reference_runner.rounds import RoundSettings

_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")

# LoadGen files a results directory keeps (spec §1); the trace is tolerated but not needed.
PERFORMANCE_FILES = ("mlperf_log_summary.txt", "mlperf_log_detail.txt", "mlperf_log_accuracy.json")
ACCURACY_LOG_FILES = ("mlperf_log_summary.txt", "mlperf_log_detail.txt")


def safe_name(text: str) -> str:
    """A directory name the checker accepts: no spaces, no leading dot (spec §4.1 item 2)."""
    name = _UNSAFE.sub("_", text).strip("_.") or "unnamed"
    return name


@dataclass(frozen=True)
class BundleLayout:
    """Paths of one system x benchmark inside a bundle, for one round's layout."""

    root: Path
    division: str
    submitter: str
    system: str
    benchmark: str
    round: RoundSettings

    @property
    def submitter_dir(self) -> Path:
        return self.root / self.division / self.submitter

    @property
    def system_json(self) -> Path:
        return self.submitter_dir / "systems" / f"{self.system}.json"

    @property
    def model_mapping(self) -> Path:
        return self.submitter_dir / "model_mapping.json"

    def code_dir(self, implementation: str) -> Path:
        top = "src" if self.round.merged_layout else "code"
        return self.submitter_dir / top / self.benchmark / implementation

    def results_dir(self, scenario: str) -> Path:
        return self.submitter_dir / "results" / self.system / self.benchmark / scenario

    def performance_dir(self, scenario: str) -> Path:
        return self.results_dir(scenario) / "performance" / "run_1"

    def accuracy_dir(self, scenario: str) -> Path:
        return self.results_dir(scenario) / "accuracy"

    def measurements_dir(self, scenario: str) -> Path:
        if self.round.merged_layout:
            return self.results_dir(scenario)
        return self.submitter_dir / "measurements" / self.system / self.benchmark / scenario

    def measurements_json(self, scenario: str) -> Path:
        name = "measurements.json" if self.round.merged_layout else f"{self.system}.json"
        return self.measurements_dir(scenario) / name

    def test06_dir(self, scenario: str) -> Path:
        if self.round.merged_layout:
            return self.results_dir(scenario) / "TEST06"
        return (
            self.submitter_dir / "compliance" / self.system / self.benchmark / scenario / "TEST06"
        )


def write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def copy_files(source: Path, target: Path, names: tuple[str, ...]) -> None:
    """Copy LoadGen outputs by name; a fresh run replaces an older one in place."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(source / name, target / name)


def merge_model_mapping(path: Path, benchmark: str, mapped: str) -> None:
    """Add ``benchmark -> mapped`` to model_mapping.json, keeping other entries (open division)."""
    mapping: dict[str, str] = {}
    if path.is_file():
        mapping = json.loads(path.read_text(encoding="utf-8"))
    mapping[benchmark] = mapped
    write_json(path, mapping)
