"""The read API on a read-only copy of a seeded database (what a reader process serves)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from leaderboard.db import Store, open_store
from leaderboard.settings import PROJECT_ROOT, LeaderboardSettings
from public_api import build_app

SEED = PROJECT_ROOT / "data" / "mlperf_results_seed.parquet"


@pytest.fixture(scope="session")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished database file, as the portal leaves it (seeded, migrated)."""
    folder = tmp_path_factory.mktemp("api")
    with open_store(LeaderboardSettings(db_path=folder / "live.duckdb", seed_path=SEED)):
        pass
    copy = folder / "snapshot.duckdb"
    shutil.copy(folder / "live.duckdb", copy)
    return copy


@pytest.fixture(scope="session")
def reader(snapshot: Path) -> Iterator[Store]:
    with open_store(LeaderboardSettings(db_path=snapshot, read_only=True)) as store:
        yield store


@pytest.fixture(scope="session")
def client(reader: Store) -> Iterator[TestClient]:
    with TestClient(build_app(reader), raise_server_exceptions=False) as test_client:
        yield test_client


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
