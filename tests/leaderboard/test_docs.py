"""docs/leaderboard.md keeps up with the code: every setting, command and status code."""

from __future__ import annotations

import re
from dataclasses import fields

from leaderboard.__main__ import _parser
from leaderboard.settings import PROJECT_ROOT, LeaderboardSettings

DOC = PROJECT_ROOT / "docs" / "leaderboard.md"


def test_every_setting_command_and_status_code_is_documented() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for spec in fields(LeaderboardSettings):
        assert f"| `{spec.name}` | `INFERBOARD_{spec.name.upper()}` |" in doc, spec.name
        assert len(spec.metadata.get("help", "")) > 20, spec.name
    commands = next(a for a in _parser()._actions if a.dest == "command").choices
    for command in ("withdraw", "invalidate", "reinstate", "changes"):
        assert command in commands
        assert f"python -m leaderboard {command}" in doc, command
    source = (PROJECT_ROOT / "leaderboard" / "corrections.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'"(status\.[a-z_]+)"', source))
    assert codes and sorted(c for c in codes if f"`{c}`" not in doc) == []
