"""The accuracy pattern table: every round in the YAML file has the shape the code reads.

``scoring.accuracy_text`` takes the file's shape on trust (``yaml.load`` returns ``Any``); this
test is what stands behind that, so a malformed edit fails here, not in a visitor's upload.
"""

from __future__ import annotations

import re

import pytest

from scoring import accuracy_text

ROUNDS = sorted(accuracy_text._table_data()["rounds"])


def test_the_file_names_rounds_and_the_hash_pattern() -> None:
    data = accuracy_text._table_data()
    assert ROUNDS, "accuracy_patterns.yaml lists no round"
    assert isinstance(data["max_anchor_repeats"], int) and data["max_anchor_repeats"] > 0
    found = re.compile(data["hash"]).match("hash=abc123")
    assert found is not None and found.group(1) == "abc123"
    assert accuracy_text.latest_round() in ROUNDS


@pytest.mark.parametrize("round_name", ROUNDS)
def test_every_round_compiles_to_patterns_with_one_group_and_anchors(round_name: str) -> None:
    table = accuracy_text.pattern_table(round_name)
    assert table.metrics, f"{round_name} has no metric pattern"
    for name, pattern in table.metrics.items():
        assert pattern.regex.groups >= 1, f"{round_name} {name}: the regex captures nothing"
        assert pattern.anchors, f"{round_name} {name}: no anchor"
        assert all(isinstance(a, str) and a for a in pattern.anchors), f"{round_name} {name}"
