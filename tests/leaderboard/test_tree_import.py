"""`python -m leaderboard import FOLDER`: a results tree goes through the validator; only an
accepted tree's valid results enter, with provenance saying how they were verified."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leaderboard.db import open_store
from leaderboard.errors import LeaderboardError
from leaderboard.importers import import_path
from leaderboard.ingest import ImportOutcome
from tests.support.bundles import PUBLISHED_SYSTEM, completed_intel_tree
from validator.rules import load_round

SYSTEM = PUBLISHED_SYSTEM


def complete_tree(tmp_path: Path, system: str = SYSTEM) -> Path:
    return completed_intel_tree(tmp_path / "tree", system)


def test_tree_import_adds_validated_results_once(fresh_settings, tmp_path: Path) -> None:
    published = complete_tree(tmp_path / "a")
    new = complete_tree(tmp_path / "b", system="NEW-1-node-4x-BMG-B70")
    with open_store(fresh_settings) as store:
        cur = store.cursor()
        kind, outcome = import_path(cur, published)
        # already in the seed with the same numbers: confirmed, not duplicated
        assert (kind, outcome.added, outcome.confirmed, outcome.conflicts) == (
            "results_tree",
            0,
            2,
            (),
        )
        assert import_path(cur, new)[1] == ImportOutcome(added=2)
        assert import_path(cur, new)[1].repeated
        rows = cur.sql(
            "SELECT scenario, value, verification, provenance, official_valid, "
            "inferboard_valid, checker_commit, higher_is_better FROM results "
            "WHERE result_id LIKE 'v6.0/closed/Intel/results/NEW-%' ORDER BY scenario"
        ).pl()
        confirmed = cur.sql(
            "SELECT provenance, verification, official_valid FROM results "
            f"WHERE result_id LIKE 'v6.0/closed/Intel/results/{SYSTEM}/%' "
            "AND provenance = 'checked'"
        ).pl()
    assert rows["scenario"].to_list() == ["Offline", "Server"]
    assert rows["value"].to_list() == [2459.18, 1698.57]
    assert rows["verification"][0].startswith("validated by the Inferboard validator (v6.0")
    assert rows["provenance"].to_list() == ["checked", "checked"]
    assert rows["official_valid"].all() and rows["inferboard_valid"].all()
    assert rows["checker_commit"].to_list() == [load_round("v6.0").checker.commit] * 2
    assert rows["higher_is_better"].all()
    assert confirmed.height == 2 and confirmed["official_valid"].all()
    assert all(v.startswith("published MLPerf result") for v in confirmed["verification"])
    assert all("validated by the Inferboard validator" in v for v in confirmed["verification"])


def test_rejected_tree_imports_nothing(fresh_settings, tmp_path: Path) -> None:
    root = complete_tree(tmp_path, system="NEW-1-node-4x-BMG-B70")
    shutil.rmtree(root / "closed" / "Intel" / "src")
    with open_store(fresh_settings) as store, pytest.raises(LeaderboardError) as caught:
        import_path(store.cursor(), root)
    assert caught.value.code == "import.tree_rejected"
    assert "structure.code_missing" in caught.value.message
    assert "--valid-only" in caught.value.message
