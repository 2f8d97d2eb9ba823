"""Shared fixtures: one seeded database per test session (seeding takes well under a second)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from leaderboard.db import Store, open_store
from leaderboard.settings import PROJECT_ROOT, LeaderboardSettings

SEED = PROJECT_ROOT / "data" / "mlperf_results_seed.parquet"
SHARED_CSV = PROJECT_ROOT.parent / "shared" / "data" / "mlperf_inference_results.csv"


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> LeaderboardSettings:
    assert SEED.is_file(), f"{SEED} is missing: run `.venv/bin/python data/build_seed.py`"
    return LeaderboardSettings(
        db_path=tmp_path_factory.mktemp("db") / "test.duckdb", seed_path=SEED
    )


@pytest.fixture(scope="session")
def store(settings: LeaderboardSettings) -> Iterator[Store]:
    with open_store(settings) as opened:
        yield opened


@pytest.fixture
def cur(store: Store) -> duckdb.DuckDBPyConnection:
    return store.cursor()


@pytest.fixture
def fresh_settings(tmp_path: Path) -> LeaderboardSettings:
    return LeaderboardSettings(db_path=tmp_path / "fresh.duckdb", seed_path=SEED)
