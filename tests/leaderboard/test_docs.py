"""docs/leaderboard.md keeps up with the code: every setting, command and status code."""

from __future__ import annotations

import re

from leaderboard.__main__ import _parser
from leaderboard.settings import PROJECT_ROOT, LeaderboardSettings

DOC = PROJECT_ROOT / "docs" / "leaderboard.md"


def test_every_setting_command_and_status_code_is_documented() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for name, help_text in LeaderboardSettings.help_texts().items():
        assert f"| `{name}` | `INFERBOARD_{name.upper()}` |" in doc, name
        assert len(help_text) > 20, name
    commands = next(a for a in _parser()._actions if a.dest == "command").choices
    for command in ("withdraw", "invalidate", "reinstate", "changes"):
        assert command in commands
        assert f"python -m leaderboard {command}" in doc, command
    source = (PROJECT_ROOT / "leaderboard" / "corrections.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'"(status\.[a-z_]+)"', source))
    assert codes and sorted(c for c in codes if f"`{c}`" not in doc) == []
