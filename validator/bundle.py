"""Where things are in a submission tree, for both layouts (spec §1).

Classic (v4.0–v5.1): ``results/``, ``measurements/`` and ``compliance/`` are sibling trees
under ``<division>/<submitter>/``, code in ``code/``. Merged (v6.0): measurements and the
``TEST0x`` folders live inside ``results/<sys>/<bench>/<scenario>/``, code in ``src/``.
Discovery only needs ``results/``, which both layouts share, so the round can be detected
from the logs before the layout is chosen.

Listings never follow a link out of a folder and never fail: an unreadable folder lists as
empty (the checks then report what is missing).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from validator.listing import Entry, Listing
from validator.rules import CommonRules

MAX_WALK_ENTRIES = 500_000  # a real submitter tree holds a few thousand


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

    @cached_property
    def submitter_dir(self) -> Path:
        return self.root / self.division / self.submitter

    @cached_property
    def results(self) -> Path:
        return self.submitter_dir / "results" / self.system / self.benchmark / self.scenario_dir

    @property
    def location(self) -> str:
        return "/".join(
            (
                self.division,
                self.submitter,
                "results",
                self.system,
                self.benchmark,
                self.scenario_dir,
            )
        )

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


@dataclass(frozen=True)
class TreeEntry:
    """One entry of a submitter tree as ``os.walk`` classifies it (links are not followed)."""

    rel: str  # relative to the bundle root
    is_dir: bool
    is_link: bool
    size: int  # of what a link points to; 0 for folders and broken links
    link_target_exists: bool  # the official checker's test: exists(readlink(f)) from the root
    is_empty_dir: bool = False
    # os.path.getsize(f) raises: a link the checker's root-relative test takes for sound but
    # whose target, read from the link's own folder, does not exist (or loops)
    size_unreadable: bool = False


def walk(root: Path, top: str, listing: Listing) -> tuple[TreeEntry, ...]:
    """Every folder (``top`` included) and file under ``root/top``, as ``os.walk`` would list
    them without following links to folders. (Paths are strings here: a whole round has
    ~28,000 folders, and building a Path per entry cost more than listing them.)"""
    out: list[TreeEntry] = []
    base = os.fspath(root)
    pending = [(top, os.path.islink(os.path.join(base, top)))]  # noqa: PTH114, PTH118
    while pending and len(out) < MAX_WALK_ENTRIES:
        rel_dir, linked = pending.pop()
        entries = listing.entries(f"{base}/{rel_dir}")
        out.append(TreeEntry(rel_dir, True, linked, 0, True, not entries))
        for entry in entries.values():
            rel = f"{rel_dir}/{entry.name}"
            if entry.is_dir:
                if not entry.is_link:  # os.walk lists a linked folder but does not enter it
                    pending.append((rel, False))
                continue
            out.append(_file_entry(root, rel, entry))
    return tuple(out)


def _file_entry(root: Path, rel: str, entry: Entry) -> TreeEntry:
    exists = True
    unreadable = False
    if entry.is_link:
        try:
            target = (root / rel).readlink()
            # the checker runs in the tree root: a relative target is read from there
            exists = (target if target.is_absolute() else root / target).exists()
        except (OSError, ValueError):
            exists = False
        if exists:
            try:
                (root / rel).stat()  # os.path.getsize: the link read from its own folder
            except (OSError, ValueError):
                unreadable = True
    size = entry.size if exists else 0
    return TreeEntry(rel, False, entry.is_link, size, exists, size_unreadable=unreadable)


def discover_results(root: Path, common: CommonRules, listing: Listing) -> list[ScenarioDirs]:
    """Every ``results/<sys>/<bench>/<scenario>`` folder under known divisions."""
    found: list[ScenarioDirs] = []
    for division in listing.dirs(root):
        if division not in common.divisions:
            continue
        for submitter in listing.dirs(root / division):
            results = root / division / submitter / "results"
            for system in listing.dirs(results):
                for benchmark in listing.dirs(results / system):
                    for scenario_dir in listing.dirs(results / system / benchmark):
                        scenario = common.scenario_dir_aliases.get(scenario_dir, scenario_dir)
                        found.append(
                            ScenarioDirs(
                                root, division, submitter, system, benchmark, scenario_dir, scenario
                            )
                        )
    return found
