"""Findings: what a check reports. Collected, never thrown (house style §5, §6).

A finding carries a stable dotted ``code`` (registered in :mod:`validator.codes`), a severity,
the **verdict it counts against** and the file it concerns (relative to the bundle root), a
message saying what is wrong and a hint saying how to fix it.

Two verdicts, never mixed:

- ``official``: what the round's official MLPerf checker reports (at the commit that judged the
  round, recorded in the round's rules file). These findings alone decide ``official_valid``.
- ``inferboard``: our truth and hygiene checks, which the official checker does not make. An
  error here makes a result invalid for Inferboard while the official verdict stays as it is.

``scope`` says which results a finding concerns: ``()`` is the whole bundle,
``(division, submitter)`` one submitter, and so on down to
``(division, submitter, system, benchmark, scenario_dir)``. ``voids`` says whether an error
removes those results (the official checker writes no summary row for them) or only fails the
bundle's verdict (the checker logs an error, exits 1, and still writes the rows; for example a
missing calibration document in v5.1). ``caused_by`` names the findings (by ``ref``) that
made this one happen, so a front end can show knock-on errors under their cause.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import TypedDict

from pydantic import BaseModel, ConfigDict

from validator.codes import CODES, Verdict


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


Scope = tuple[str, ...]

# The end of every official finding that stops the round's checker (scope ``()``); the scenario
# walk strips it from a finding the checker never reaches, so it must be this text exactly.
STOPS = " (the official checker stops with an exception here, so it judges no result)"


class Finding(BaseModel):
    """One thing a check found; frozen, hashable, and JSON round-trips."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    severity: Severity
    verdict: Verdict
    path: str
    message: str
    hint: str
    scope: Scope = ()
    voids: bool = True
    caused_by: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        """A short stable reference to this finding (for ``caused_by``)."""
        text = "\x1f".join((self.code, self.path, self.message, "/".join(self.scope)))
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def counts_against(self, verdict: Verdict) -> bool:
        """An error of this verdict (official errors count against ours too)."""
        return self.is_error and (verdict is Verdict.INFERBOARD or self.verdict is verdict)

    def concerns(self, key: Scope) -> bool:
        """True when this finding's scope covers the result ``key``."""
        return key[: len(self.scope)] == self.scope


class FindingOptions(TypedDict, total=False):
    """The registry's defaults a check overrides for a group of findings, passed along as one
    value (for example what makes folder hygiene an Inferboard warning)."""

    severity: Severity | None
    verdict: Verdict | None
    voids: bool


def finding(
    code: str,
    path: str,
    message: str,
    *,
    scope: Scope = (),
    hint: str | None = None,
    severity: Severity | None = None,
    verdict: Verdict | None = None,
    voids: bool = True,
    caused_by: tuple[str, ...] = (),
) -> Finding:
    """Build a finding for a registered code; the registry supplies severity, verdict and the
    default hint. A check overrides the verdict where the round's checker does not run the rule
    (for example folder hygiene in v6.0) and ``voids`` where the checker keeps the rows."""
    info = CODES[code]
    return Finding(
        code=code,
        severity=severity or Severity(info.severity),
        verdict=verdict or info.verdict,
        path=path,
        message=message,
        hint=hint if hint is not None else info.hint,
        scope=scope,
        voids=voids,
        caused_by=caused_by,
    )


def with_changes(f: Finding, **changes: object) -> Finding:
    """A copy of ``f`` with some fields changed (findings are frozen)."""
    return f.model_copy(update=changes)


__all__ = ["Finding", "Scope", "Severity", "Verdict", "finding", "with_changes"]
