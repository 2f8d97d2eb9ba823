"""The real bundles from ../shared, completed so the validator can accept them.

The published extracts omit each submitter's code folder and calibration.md (see
../shared/data/README.md); a one-line placeholder of each (spec §1) completes them. Renaming
a system (in results/, systems/, measurements/ and compliance/) makes it a system the seed does
not hold, so importing or accepting it adds rows.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

BUNDLES = Path(__file__).resolve().parents[2].parent / "shared/data/bundles"
BUNDLE = BUNDLES / "v6.0/closed/Intel"
PUBLISHED_SYSTEM = "1-node-4x-BMG-B70"
# the code folder each round's checker asks for (v6.0's package checker: src/)
_CODE_FOLDER = {"v4.1": "code", "v5.1": "code", "v6.0": "src"}


def _writable(submitter: Path) -> None:
    """The shared bundles are read-only; a copy must be changeable and removable."""
    for path in submitter.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _complete_submitter(submitter: Path, code_folder: str) -> None:
    _writable(submitter)
    code = submitter / code_folder
    if code_folder == "src":
        code.mkdir()
        (code / "README.md").write_text("implementation\n")
    else:
        benchmarks = {p.name for p in submitter.glob("results/*/*") if p.is_dir()}
        for benchmark in benchmarks:
            (code / benchmark).mkdir(parents=True)
            (code / benchmark / "README.md").write_text("implementation\n")
    (submitter / "documentation").mkdir(exist_ok=True)
    (submitter / "documentation" / "calibration.md").write_text("calibration\n")


def _rename_system(submitter: Path, old: str, new: str) -> None:
    for folder in ("results", "measurements", "compliance"):
        if (submitter / folder / old).is_dir():
            (submitter / folder / old).rename(submitter / folder / new)
    (submitter / "systems" / f"{old}.json").rename(submitter / "systems" / f"{new}.json")
    # the measurements' implementation JSON is named after the system (spec §1)
    for path in (submitter / "measurements" / new).rglob(f"{old}*.json"):
        path.rename(path.with_name(new + path.name.removeprefix(old)))


def submitter_tree(
    subtree: str, dest: Path, *, complete: bool = False, rename_system: str | None = None
) -> Path:
    """Copy one submitter of the shared bundles (``"v5.1/closed/AMD"``) to
    ``dest/closed/AMD``: completed when ``complete``; its system renamed when it has exactly
    one and ``rename_system`` is given. Returns ``dest``. The caller checks the source exists
    (:data:`BUNDLES` / subtree)."""
    round_name, _, inner = subtree.partition("/")
    submitter = dest / inner
    shutil.copytree(BUNDLES / round_name / inner, submitter)
    submitter.chmod(0o755)
    _writable(submitter)
    if complete:
        _complete_submitter(submitter, _CODE_FOLDER[round_name])
    systems = [p.stem for p in (submitter / "systems").glob("*.json")]
    if rename_system is not None and len(systems) == 1:
        _rename_system(submitter, systems[0], rename_system)
    return dest


def completed_round_tree(
    round_name: str, dest: Path, renames: dict[str, str] | None = None
) -> Path:
    """Write the completed bundle of ``round_name`` (every division and submitter of it in
    ../shared/data/bundles) under ``dest``, systems renamed by ``renames``; returns ``dest``."""
    source = BUNDLES / round_name
    if not source.is_dir():
        pytest.fail(f"{source} is missing: CI and developers have ../shared beside the checkout")
    shutil.copytree(source, dest, dirs_exist_ok=True)
    for submitter in sorted(p for p in dest.glob("*/*") if p.is_dir()):
        _complete_submitter(submitter, _CODE_FOLDER[round_name])
        for system in sorted(p.stem for p in (submitter / "systems").glob("*.json")):
            if renames and system in renames:
                _rename_system(submitter, system, renames[system])
    return dest


def writable_copy(source: Path, dest: Path) -> Path:
    """A changeable copy of a folder of ../shared at ``dest`` (made with its parents)."""
    if not source.is_dir():
        pytest.fail(f"{source} is missing: CI and developers have ../shared beside the checkout")
    shutil.copytree(source, dest)
    dest.chmod(0o755)
    _writable(dest)
    return dest


def completed_bundle_tree(bundle: str, dest: Path) -> Path:
    """One real bundle (``"v5.1/closed/AMD"``) completed under ``dest``; returns ``dest``."""
    source = BUNDLES / bundle
    if not source.is_dir():
        pytest.fail(f"{source} is missing: CI and developers have ../shared beside the checkout")
    round_name, division, submitter = bundle.split("/")
    shutil.copytree(source, dest / division / submitter)
    _complete_submitter(dest / division / submitter, _CODE_FOLDER[round_name])
    return dest


def completed_intel_tree(dest: Path, system: str = PUBLISHED_SYSTEM) -> Path:
    """The v6.0 Intel bundle completed under ``dest/closed/Intel``; returns ``dest``."""
    renames = {PUBLISHED_SYSTEM: system} if system != PUBLISHED_SYSTEM else None
    return completed_round_tree("v6.0", dest, renames)
