"""Every finding code is registered and documented; no check emits an unregistered code."""

from __future__ import annotations

import re

from tests.validator.conftest import ROOT
from validator.codes import CODES

FAMILIES = "input|archive|round|structure|system|measurements|perf|accuracy|compliance|truth"
# a dotted code in quotes, but not a file name such as "accuracy.txt"
CODE_LITERAL = re.compile(r'"((?:' + FAMILIES + r')\.(?!txt"|json"|md")[a-z0-9_]+)"')


def test_every_code_used_in_the_validator_is_registered() -> None:
    used = set()
    for path in (ROOT / "validator").rglob("*.py"):
        if path.name != "codes.py":
            used |= set(CODE_LITERAL.findall(path.read_text(encoding="utf-8")))
    assert used, "no codes found: the pattern is broken"
    assert used - set(CODES) == set()


def test_every_code_is_documented() -> None:
    doc = (ROOT / "docs" / "validator.md").read_text(encoding="utf-8")
    missing = [code for code in CODES if f"`{code}`" not in doc]
    assert missing == []


def test_severities_are_known() -> None:
    assert {info.severity for info in CODES.values()} <= {"error", "warning", "info"}
