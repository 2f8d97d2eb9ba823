"""Session fixtures for the runner tests: bundles built once by the real runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.runner.helpers import build_dummy_bundle


@pytest.fixture(scope="session")
def dummy_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Offline + Server, performance + accuracy + TEST06, 200 samples, dummy answers [x, x, 2]."""
    return build_dummy_bundle(tmp_path_factory.mktemp("dummy") / "bundle")
