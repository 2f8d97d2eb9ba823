"""Fixtures for the validator tests: the real bundles in ../shared, copied before mutation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = ROOT.parent / "shared" / "data" / "bundles"
# round -> (division, submitter) of the four real llama2-70b-99 bundles (shared/data/README.md)
REAL = {
    "v4.1-NVIDIA": ("v4.1", "closed", "NVIDIA"),
    "v4.1-NeuralMagic": ("v4.1", "open", "NeuralMagic"),
    "v5.1-AMD": ("v5.1", "closed", "AMD"),
    "v6.0-Intel": ("v6.0", "closed", "Intel"),
}
PARTIAL = {"skip_code_check": True, "skip_calibration_check": True}  # bundles omit code/, docs


@pytest.fixture(scope="session")
def bundles_dir() -> Path:
    if not BUNDLES.is_dir():
        pytest.fail(
            f"the real bundles are missing: expected {BUNDLES} (CI and developers have ../shared "
            "beside the checkout; clone the steering repo's shared/ there)"
        )
    return BUNDLES


def copy_bundle(bundles_dir: Path, name: str, dest: Path) -> Path:
    """A writable copy of one real bundle as a submission root (``dest/<division>/<Sub>``)."""
    round_name, division, submitter = REAL[name]
    source = bundles_dir / round_name / division / submitter
    target = dest / division / submitter
    shutil.copytree(source, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return dest


@pytest.fixture
def bundle_copy(bundles_dir: Path, tmp_path: Path):
    def make(name: str) -> Path:
        return copy_bundle(bundles_dir, name, tmp_path / name)

    return make
