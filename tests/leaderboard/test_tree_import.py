"""`python -m leaderboard import FOLDER`: a results tree goes through the validator; only an
accepted tree's valid results enter, with provenance saying how they were verified."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leaderboard.db import open_store
from leaderboard.errors import LeaderboardError
from leaderboard.importers import import_path
from tests.support.bundles import PUBLISHED_SYSTEM, completed_intel_tree

SYSTEM = PUBLISHED_SYSTEM


def complete_tree(tmp_path: Path, system: str = SYSTEM) -> Path:
    return completed_intel_tree(tmp_path / "tree", system)


def test_tree_import_adds_validated_results_once(fresh_settings, tmp_path: Path) -> None:
    published = complete_tree(tmp_path / "a")
    new = complete_tree(tmp_path / "b", system="NEW-1-node-4x-BMG-B70")
    with open_store(fresh_settings) as store:
        cur = store.cursor()
        assert import_path(cur, published) == ("results_tree", 0)  # already in the seed
        assert import_path(cur, new) == ("results_tree", 2)
        assert import_path(cur, new) == ("results_tree", 0)
        rows = cur.sql(
            "SELECT scenario, value, verification FROM results "
            "WHERE result_id LIKE 'v6.0/closed/Intel/results/NEW-%' ORDER BY scenario"
        ).pl()
    assert rows["scenario"].to_list() == ["Offline", "Server"]
    assert rows["value"].to_list() == [2459.18, 1698.57]
    assert rows["verification"][0].startswith("validated by the Inferboard validator (v6.0")


def test_rejected_tree_imports_nothing(fresh_settings, tmp_path: Path) -> None:
    root = complete_tree(tmp_path, system="NEW-1-node-4x-BMG-B70")
    shutil.rmtree(root / "closed" / "Intel" / "src")
    with open_store(fresh_settings) as store, pytest.raises(LeaderboardError) as caught:
        import_path(store.cursor(), root)
    assert caught.value.code == "import.tree_rejected"
    assert "structure.code_missing" in caught.value.message
