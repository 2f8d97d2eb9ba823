"""Findings: what a check reports. Collected, never thrown (house style §5, §6).

A finding carries a stable dotted ``code`` (documented in :mod:`validator.codes`), a severity
taken from the code's registry entry, the file it concerns (relative to the bundle root), a
message saying what is wrong and a hint saying how to fix it. ``scope`` says which results it
voids: ``()`` is the whole bundle, ``(division, submitter)`` one submitter, and so on down to
``(division, submitter, system, benchmark, scenario)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from validator.codes import CODES


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


Scope = tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    path: str
    message: str
    hint: str
    scope: Scope = field(default=(), compare=False)

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }


def finding(
    code: str,
    path: str,
    message: str,
    *,
    scope: Scope = (),
    hint: str | None = None,
    severity: Severity | None = None,
) -> Finding:
    """Build a finding for a registered code; the registry supplies severity and default hint."""
    info = CODES[code]
    return Finding(
        code=code,
        severity=severity or Severity(info.severity),
        path=path,
        message=message,
        hint=hint if hint is not None else info.hint,
        scope=scope,
    )


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)
