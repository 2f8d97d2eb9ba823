"""The real v6.0 Intel bundle from ../shared, completed so the validator can accept it.

The published extract omits the submitter's code folder and calibration.md (see
../shared/data/README.md); a one-line placeholder of each (spec §1) completes it. Renaming
its system makes it a system the seed does not hold, so importing it adds rows.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

BUNDLE = Path(__file__).resolve().parents[2].parent / "shared/data/bundles/v6.0/closed/Intel"
PUBLISHED_SYSTEM = "1-node-4x-BMG-B70"


def completed_intel_tree(dest: Path, system: str = PUBLISHED_SYSTEM) -> Path:
    """Write the completed bundle under ``dest/closed/Intel``; returns ``dest``."""
    if not BUNDLE.is_dir():
        pytest.fail(f"{BUNDLE} is missing: CI and developers have ../shared beside the checkout")
    submitter = dest / "closed" / "Intel"
    shutil.copytree(BUNDLE, submitter)
    for path in submitter.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (submitter / "src").mkdir()
    (submitter / "src" / "README.md").write_text("implementation\n")
    (submitter / "documentation").mkdir()
    (submitter / "documentation" / "calibration.md").write_text("calibration\n")
    if system != PUBLISHED_SYSTEM:
        (submitter / "results" / PUBLISHED_SYSTEM).rename(submitter / "results" / system)
        (submitter / "systems" / f"{PUBLISHED_SYSTEM}.json").rename(
            submitter / "systems" / f"{system}.json"
        )
    return dest
