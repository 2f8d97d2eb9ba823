"""One documentation test over every settings class (issue 12): each field has help text and
its ``INFERBOARD_*`` variable appears in the docs page of its layer."""

from __future__ import annotations

import pytest

from leaderboard.settings import PROJECT_ROOT, InferboardSettings, LeaderboardSettings
from portal.settings import PortalSettings
from submissions.settings import SubmissionSettings

DOCS = {
    LeaderboardSettings: "docs/leaderboard.md",
    SubmissionSettings: "docs/submissions.md",
    PortalSettings: "docs/portal.md",
}


def test_every_settings_class_is_covered() -> None:
    assert set(InferboardSettings.__subclasses__()) == set(DOCS)


@pytest.mark.parametrize("cls", list(DOCS), ids=lambda cls: cls.__name__)
def test_every_setting_is_documented_with_its_variable(cls: type[InferboardSettings]) -> None:
    doc = (PROJECT_ROOT / DOCS[cls]).read_text(encoding="utf-8")
    missing = [
        variable
        for name, variable in cls.variables().items()
        if f"| `{name}` | `{variable}` |" not in doc
    ]
    assert missing == [], f"{DOCS[cls]} has no settings-table row for {missing}"


@pytest.mark.parametrize("cls", list(DOCS), ids=lambda cls: cls.__name__)
def test_every_setting_has_help_text(cls: type[InferboardSettings]) -> None:
    short = [name for name, text in cls.help_texts().items() if len(text) < 20]
    assert short == []
