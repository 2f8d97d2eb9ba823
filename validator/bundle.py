"""Where things are in a submission tree, for both layouts (spec §1).

Classic (v4.0–v5.1): ``results/``, ``measurements/`` and ``compliance/`` are sibling trees
under ``<division>/<submitter>/``, code in ``code/``. Merged (v6.0): measurements and the
``TEST0x`` folders live inside ``results/<sys>/<bench>/<scenario>/``, code in ``src/``.
Discovery only needs ``results/``, which both layouts share, so the round can be detected
from the logs before the layout is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from validator.rules import CommonRules


@dataclass(frozen=True)
class ScenarioDirs:
    """One result: ``<division>/<submitter>/results/<system>/<benchmark>/<scenario_dir>``."""

    root: Path
    division: str
    submitter: str
    system: str
    benchmark: str  # folder name as submitted
    scenario_dir: str  # folder name as submitted (``offline`` is allowed, spec §1)
    scenario: str  # canonical: Offline, Server, Interactive, SingleStream, MultiStream

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.division, self.submitter, self.system, self.benchmark, self.scenario_dir)

    @property
    def submitter_dir(self) -> Path:
        return self.root / self.division / self.submitter

    @property
    def results(self) -> Path:
        return self.submitter_dir / "results" / self.system / self.benchmark / self.scenario_dir

    def measurements(self, layout: str) -> Path:
        if layout == "merged":
            return self.results
        base = self.submitter_dir / "measurements"
        return base / self.system / self.benchmark / self.scenario_dir

    def compliance(self, layout: str) -> Path:
        if layout == "merged":
            return self.results
        base = self.submitter_dir / "compliance"
        return base / self.system / self.benchmark / self.scenario_dir

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def list_dirs(path: Path) -> list[str]:
    """Sub-folder names, sorted (the official checker's order is unsorted listdir)."""
    try:
        return sorted(p.name for p in path.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        return []


def list_files(path: Path) -> list[str]:
    try:
        return sorted(p.name for p in path.iterdir() if p.is_file() or p.is_symlink())
    except OSError:
        return []


def discover_results(root: Path, common: CommonRules) -> list[ScenarioDirs]:
    """Every ``results/<sys>/<bench>/<scenario>`` folder under known divisions."""
    found: list[ScenarioDirs] = []
    for division in list_dirs(root):
        if division not in common.divisions:
            continue
        for submitter in list_dirs(root / division):
            results = root / division / submitter / "results"
            for system in list_dirs(results):
                for benchmark in list_dirs(results / system):
                    for scenario_dir in list_dirs(results / system / benchmark):
                        scenario = common.scenario_dir_aliases.get(scenario_dir, scenario_dir)
                        found.append(
                            ScenarioDirs(
                                root, division, submitter, system, benchmark, scenario_dir, scenario
                            )
                        )
    return found
