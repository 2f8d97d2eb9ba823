"""docs/submissions.md keeps up with the code: every setting, CLI command and audit action."""

from __future__ import annotations

import re

from leaderboard.settings import PROJECT_ROOT
from submissions.audit_actions import AuditAction
from submissions.cli import build_parser
from submissions.states import State

DOC = PROJECT_ROOT / "docs" / "submissions.md"


def _doc() -> str:
    assert DOC.is_file(), f"{DOC} is missing"
    return DOC.read_text(encoding="utf-8")


def test_every_cli_command_and_state_is_documented() -> None:
    doc = _doc()
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    commands = set(subparsers.choices)
    assert commands == {
        "submit",
        "attach-log",
        "work",
        "list",
        "show",
        "accept",
        "reject",
        "audit",
        "organisations",
        "settings",
    }
    assert [c for c in commands if f"python -m submissions {c}" not in doc] == []
    assert [s for s in State if f"| {s.value} |" not in doc and s.value not in doc] == []


def test_every_audit_action_is_documented() -> None:
    """Every action the code can write (the enum: a string the code writes any other way
    would not type-check) is named in the audit log section, and that section names no
    other."""
    section = _doc().split("## Audit log", 1)[1].split("\n## ", 1)[0]
    listed = re.search(r"action \((.*?)\)", section, re.DOTALL)
    assert listed, "docs/submissions.md's audit log section lists no actions"
    documented = set(re.findall(r"`([a-z_]+)`", listed.group(1)))
    assert documented == {a.value for a in AuditAction}


def test_every_organisation_code_is_documented() -> None:
    """The flags and the errors of the organisations mapping (stable codes, issue 11)."""
    doc = _doc()
    source = "\n".join(
        (PROJECT_ROOT / "submissions" / name).read_text(encoding="utf-8")
        for name in ("organisations.py", "organisation_registry.py")
    )
    codes = set(re.findall(r'"((?:organisations|submitter|review)\.[a-z_]+)"', source))
    assert {"submitter.login_unmapped", "organisations.not_granted"} <= codes
    assert "review.organisation_unconfirmed" in codes
    assert [c for c in sorted(codes) if f"`{c}`" not in doc] == []
