"""Fixtures for the workflow tests: a small database and storage folder per test, users of
each role, and zips of the real v6.0 Intel bundle (../shared) built by the tests themselves."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from leaderboard.db import Store, open_store
from leaderboard.settings import PROJECT_ROOT, LeaderboardSettings
from submissions.roles import Principal, Role
from submissions.service import SubmissionService, ledger_of, utc_now
from submissions.settings import SubmissionSettings
from submissions.storage import Storage
from tests.support.bundles import completed_intel_tree

SEED = PROJECT_ROOT / "data" / "mlperf_results_seed.parquet"
MAINTAINER_EMAIL = "maintainer@example.org"

ALICE = Principal("https://idp#alice", "alice@example.org", "Alice", Role.SUBMITTER)
BOB = Principal("https://idp#bob", "bob@example.org", "Bob", Role.SUBMITTER)
MAINTAINER = Principal("https://idp#maint", MAINTAINER_EMAIL, "Maya", Role.MAINTAINER)


@pytest.fixture(scope="session")
def small_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 rows of the real seed: opening a database takes milliseconds instead of a second."""
    assert SEED.is_file(), f"{SEED} is missing: run `.venv/bin/python data/build_seed.py`"
    path = tmp_path_factory.mktemp("seed") / "seed.parquet"
    pl.read_parquet(SEED).head(20).write_parquet(path)
    return path


@pytest.fixture
def db_settings(tmp_path: Path, small_seed: Path) -> LeaderboardSettings:
    return LeaderboardSettings(db_path=tmp_path / "inferboard.duckdb", seed_path=small_seed)


@pytest.fixture
def settings(tmp_path: Path) -> SubmissionSettings:
    return SubmissionSettings(storage_dir=tmp_path / "storage", maintainers=(MAINTAINER_EMAIL,))


@pytest.fixture
def store(db_settings: LeaderboardSettings) -> Iterator[Store]:
    with open_store(db_settings) as opened:
        yield opened


@pytest.fixture
def service(store: Store, settings: SubmissionSettings) -> SubmissionService:
    return SubmissionService(store, settings)


Reconfigure = Callable[..., SubmissionService]


@pytest.fixture
def reconfigured(store: Store, settings: SubmissionSettings) -> Reconfigure:
    """Another service over the same database and storage with some settings changed (what
    a restart with another configuration gives): ``reconfigured(clock=..., **changes)``."""

    def make(clock: Callable[[], datetime] = utc_now, **changes: Any) -> SubmissionService:
        return SubmissionService(store, settings.with_changes(**changes), clock=clock)

    return make


@pytest.fixture
def storage(service: SubmissionService) -> Storage:
    """The service's storage folder (blobs, reports, work folders), for tests to inspect."""
    return ledger_of(service).storage


def bundle_tree(dest: Path, system: str) -> Path:
    """The published v6.0 Intel extract, completed (src/, calibration.md) and renamed to a
    system the seed does not hold, as a submission root ``dest/closed/Intel``."""
    return completed_intel_tree(dest, system)


def zip_tree(root: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(root).as_posix())
    return archive


@pytest.fixture(scope="session")
def make_bundle_zip(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """A zip of the completed bundle with the given system name (built once per name)."""
    built: dict[str, Path] = {}

    def make(system: str = "NEW-1-node-4x-BMG-B70") -> Path:
        if system not in built:
            folder = tmp_path_factory.mktemp("bundle")
            built[system] = zip_tree(bundle_tree(folder / "tree", system), folder / "bundle.zip")
        return built[system]

    return make
