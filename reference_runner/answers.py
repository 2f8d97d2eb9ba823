"""Where a bundle's answers can be read whole, per scenario.

Published bundles carry a truncated accuracy log (spec §6), and an untruncated one inside a
closed bundle is itself a checker error, so the whole log travels *beside* the bundle:

1. ``--accuracy-log SCENARIO=PATH`` (the portal passes the log a submitter uploaded);
2. the bundle's own log, when it is whole (open division, ``--no-truncate`` runs);
3. ``<bundle>.untruncated/<same path>``, where the reference runner keeps it.

Without one, what published bundles still hold whole is used for regeneration only: the
TEST06 log of the scenario (100 answers of a performance run, never truncated) and the
complete entries at the head and tail of the truncated log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from scoring.accuracy_log import (
    AccuracyEntry,
    AccuracyLogError,
    first_entry_per_sample,
    read_accuracy_log,
    read_accuracy_log_with_digest,
)
from scoring.llama2 import parse_accuracy_txt
from scoring.recount import salvage_entries
from validator.parsing.loadgen_log import read_values

_DECLARED = re.compile(r"dataset: (.{1,200}?), (\d{1,9}) samples, sha256 ([0-9a-f]{64})")
_SALVAGE_MAX_BYTES = 1 << 16


@dataclass(frozen=True)
class WholeLog:
    origin: str  # "given" (--accuracy-log / upload), "bundle", "beside the bundle"
    label: str  # for reports: a path inside the bundle, or the given file's name
    entries: list[AccuracyEntry]
    sha256: str


@dataclass(frozen=True)
class ScenarioAnswers:
    """Everything known about one accuracy folder before any tier runs."""

    scenario: str
    accuracy_dir: str  # relative to the bundle
    claimed: dict[str, float | int | str]
    expected_samples: int | None
    whole: WholeLog | None
    test06: list[AccuracyEntry] = field(default_factory=list)
    salvaged: list[AccuracyEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def regeneration_pool(self) -> list[AccuracyEntry]:
        """Whole answers to sample from: the whole log's, else TEST06's and the salvaged."""
        entries = self.whole.entries if self.whole else [*self.test06, *self.salvaged]
        kept, _ = first_entry_per_sample(entries)
        return sorted(kept, key=lambda e: e.qsl_idx)


def accuracy_dirs(bundle: Path, scenario: str | None) -> list[Path]:
    dirs = sorted(p for p in bundle.glob("*/*/results/*/*/*/accuracy") if p.is_dir())
    if scenario is not None:
        dirs = [d for d in dirs if d.parent.name.lower() == scenario.lower()]
    return dirs


def declared_datasets(bundle: Path) -> dict[str, int]:
    """sha256 -> sample count of the datasets the bundle's READMEs declare (the reference
    runner writes "dataset: NAME, N samples, sha256 HEX" into each measurements README)."""
    declared: dict[str, int] = {}
    for readme in sorted(bundle.glob("*/*/*/**/README.md"))[:200]:
        if readme.stat().st_size > 1 << 20:
            continue
        for match in _DECLARED.finditer(readme.read_text(encoding="utf-8", errors="replace")):
            declared[match.group(3)] = max(declared.get(match.group(3), 0), int(match.group(2)))
    return declared


def collect(bundle: Path, accuracy_dir: Path, given: Path | None) -> ScenarioAnswers:
    """The answers of one accuracy folder (module docstring for the order)."""
    relative = accuracy_dir.relative_to(bundle)
    txt = accuracy_dir / "accuracy.txt"
    claimed = parse_accuracy_txt(txt.read_text("utf-8", errors="replace")) if txt.is_file() else {}
    notes: list[str] = []
    whole = _whole_log(bundle, relative, given, notes)
    test06 = _test06_entries(bundle, accuracy_dir, notes)
    salvaged = [] if whole else _salvaged(accuracy_dir / "mlperf_log_accuracy.json")
    return ScenarioAnswers(
        scenario=accuracy_dir.parent.name,
        accuracy_dir=relative.as_posix(),
        claimed=claimed,
        expected_samples=_expected_samples(accuracy_dir / "mlperf_log_detail.txt"),
        whole=whole,
        test06=test06,
        salvaged=salvaged,
        notes=notes,
    )


def _whole_log(
    bundle: Path, relative: Path, given: Path | None, notes: list[str]
) -> WholeLog | None:
    log = relative / "mlperf_log_accuracy.json"
    beside = bundle.with_name(bundle.name + ".untruncated") / log
    candidates = [
        ("bundle", bundle / log, log.as_posix()),
        ("beside the bundle", beside, log.as_posix()),
    ]
    if given is not None:
        candidates.insert(0, ("given", given, given.name))
    for origin, path, label in candidates:
        if not path.is_file():
            if origin == "given":
                notes.append(f"the given accuracy log {label} does not exist")
            continue
        try:
            entries, digest = read_accuracy_log_with_digest(path)
        except AccuracyLogError as err:
            if origin == "given" or err.code != "accuracy_log.truncated":
                notes.append(f"{label}: {err.message.split(': ', 1)[-1]}")
            continue
        if entries:
            return WholeLog(origin=origin, label=label, entries=entries, sha256=digest)
    return None


def _test06_entries(bundle: Path, accuracy_dir: Path, notes: list[str]) -> list[AccuracyEntry]:
    """The TEST06 log of the same system, benchmark and scenario (v4.x-v5.x under
    compliance/, v6.0 beside the results)."""
    scenario_dir = accuracy_dir.parent
    parts = scenario_dir.relative_to(bundle).parts  # division/submitter/results/sys/bench/sc
    classic = bundle.joinpath(*parts[:2], "compliance", *parts[3:], "TEST06")
    for folder in (scenario_dir / "TEST06", classic):
        path = folder / "accuracy" / "mlperf_log_accuracy.json"
        if path.is_file():
            try:
                return read_accuracy_log(path)
            except AccuracyLogError as err:
                notes.append(f"TEST06 log unusable: {err.message.split(': ', 1)[-1]}")
                return []
    return []


def _salvaged(path: Path) -> list[AccuracyEntry]:
    if not path.is_file() or path.stat().st_size > _SALVAGE_MAX_BYTES:
        return []
    return salvage_entries(path.read_text(encoding="utf-8", errors="replace"))


def _expected_samples(detail_log: Path) -> int | None:
    """qsl_reported_total_count of the accuracy run: the dataset size it ran on (read by the
    validator's parser; None when the log or the value is missing or not a count)."""
    (count,) = read_values(detail_log, ("qsl_reported_total_count",))
    return count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else None
