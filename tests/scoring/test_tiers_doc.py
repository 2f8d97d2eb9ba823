"""The tiers table in docs/reference_runner.md is scoring/tiers.py's (the review page shows it
from the same data)."""

from __future__ import annotations

from pathlib import Path

from scoring.tiers import TIERS

DOC = Path(__file__).resolve().parents[2] / "docs" / "reference_runner.md"


def test_every_tier_row_is_in_the_docs() -> None:
    text = DOC.read_text(encoding="utf-8")
    for tier in TIERS:
        row = (
            f"| {tier.number} | {tier.name} | {tier.proves} | {tier.needs} | {tier.hardware} "
            f"| {tier.duration} |"
        )
        assert row in text, f"tier {tier.number} differs between scoring/tiers.py and the docs"
