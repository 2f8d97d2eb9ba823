"""Which organisations a login may submit for, and the review flag of a bundle whose submitter
folder names another one (issue 11).

MLPerf names the submitting organisation by the submitter folder of the bundle
(``closed/<Submitter>/…``; the system descriptions' ``submitter`` field must equal it). A
maintainer maps each login to the organisations it may submit for; every submitter folder of
a bundle outside that list is *flagged*: shown to the reviewer and to the submitter, never
refused, and accepting a flagged bundle needs the maintainer's explicit confirmation.

Logins are the two namespaces of the maintainers list (:func:`submissions.roles.
principal_from_claims`), which never mix: ``issuer#subject`` matched exactly, or an e-mail,
matched in lower case and only when the login provider verified it.

Organisation names compare as MLPerf submitter folders do: exactly, case included (the
published rounds hold both ``ORACLE`` and ``Oracle``); a folder that differs from a mapped
organisation only in case is flagged with its own code, so the reviewer sees why. Names are
restricted to what a submitter folder is in practice: ASCII letters, digits and ``_ - . +``,
starting with a letter or digit, at most 64 characters (every submitter of v4.0 to v6.0 fits).

This module is pure (rules, parsing, the check); the table, the principal checks and the audit
entries are :mod:`submissions.organisation_registry`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict, field_validator

from submissions.audit_actions import AuditAction
from submissions.errors import SubmissionError
from submissions.models import as_utc
from validator.report import Report

MAX_ORGANISATION_CHARS = 64
MAX_EMAIL_CHARS = 254  # RFC 5321's path limit
MAX_SUBJECT_CHARS = 512  # an issuer URL and a provider subject (OIDC: at most 255 each)
MAX_REASON_CHARS = 2000
_ORGANISATION = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")
_NOT_IN_EMAIL = set(' <>()[],;:"\\')
SHOWN_CHARS = 80

# The flag codes (stable; documented in docs/submissions.md)
LOGIN_UNMAPPED = "submitter.login_unmapped"
OTHER_ORGANISATION = "submitter.other_organisation"
CASE_DIFFERS = "submitter.case_differs"


def shown(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` safe to put in a message: quoted, cut to ``limit`` characters, control and
    other unprintable characters written as escapes (``'In\\x00tel'``)."""
    cut = text[:limit]
    escaped = "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in cut
    )
    return f"'{escaped}'" + ("…" if len(text) > limit else "")


# =============================================================================== names
def organisation_name(text: str) -> str:
    """An organisation as a submitter folder name, surrounding spaces removed; anything that
    cannot be a submitter folder raises a :class:`SubmissionError` naming the fix."""
    name = (text or "").strip()
    if not name:
        raise SubmissionError(
            "organisations.name_required",
            "give the organisation: its submitter folder name, e.g. NVIDIA",
        )
    if len(name) > MAX_ORGANISATION_CHARS:
        raise SubmissionError(
            "organisations.name_invalid",
            f"the organisation {shown(name)} has {len(name)} characters; a submitter folder "
            f"name has at most {MAX_ORGANISATION_CHARS}",
            "give the submitter folder name exactly as in the bundle (closed/<name>/…)",
        )
    if not _ORGANISATION.fullmatch(name):
        raise SubmissionError(
            "organisations.name_invalid",
            f"the organisation {shown(name)} cannot be a submitter folder name: use ASCII "
            "letters, digits and _ - . + only, starting with a letter or digit",
            "give the submitter folder name exactly as in the bundle (closed/<name>/…)",
        )
    return name


def login_key(text: str) -> str:
    """A login as the organisations table keys it: ``issuer#subject`` exactly, or an e-mail
    in lower case. Anything else raises a :class:`SubmissionError` naming the fix."""
    login = (text or "").strip()
    if not login:
        raise SubmissionError(
            "organisations.login_required",
            "give the login: a verified e-mail, or issuer#subject as the login provider sends them",
        )
    if "#" in login:
        issuer, _, subject = login.partition("#")
        if (
            not issuer
            or not subject
            or len(login) > MAX_SUBJECT_CHARS
            or not login.isascii()
            or not login.isprintable()
            or " " in login
        ):
            raise SubmissionError(
                "organisations.login_invalid",
                f"the login {shown(login)} is not issuer#subject: both parts are needed, in "
                f"printable ASCII without spaces, at most {MAX_SUBJECT_CHARS} characters",
                "copy it from the owner column of a submission, or give the user's e-mail",
            )
        return login
    local, at, domain = login.partition("@")
    if (
        not at
        or not local
        or not domain
        or "@" in domain
        or len(login) > MAX_EMAIL_CHARS
        or not login.isprintable()
        or _NOT_IN_EMAIL & set(login)
    ):
        raise SubmissionError(
            "organisations.login_invalid",
            f"the login {shown(login)} is neither an e-mail (name@domain, at most "
            f'{MAX_EMAIL_CHARS} characters, no spaces or <>()[],;:"\\) nor issuer#subject',
            "give the user's e-mail as their login provider verifies it, or issuer#subject",
        )
    return login.lower()


def reason_text(text: str) -> str:
    """A non-blank reason of at most :data:`MAX_REASON_CHARS`, without control characters
    other than line breaks and tabs (it goes to the audit log and onto pages)."""
    reason = (text or "").strip()
    if not reason:
        raise SubmissionError(
            "organisations.reason_required",
            "a reason is required: say how you checked that this login acts for the "
            "organisation (it goes to the audit log)",
        )
    if len(reason) > MAX_REASON_CHARS:
        raise SubmissionError(
            "organisations.reason_invalid",
            f"the reason has {len(reason)} characters; at most {MAX_REASON_CHARS}",
        )
    if any(not c.isprintable() and c not in "\n\t" for c in reason):
        raise SubmissionError(
            "organisations.reason_invalid",
            "the reason holds control characters; write it as plain text",
        )
    return reason


def owner_logins(subject: str, verified_email: str | None) -> tuple[str, ...]:
    """The keys a submission's owner matches: its subject, and its e-mail when verified."""
    return (subject, verified_email) if verified_email else (subject,)


# =============================================================================== audit entries
# The reason of a grant's or a revocation's audit entry starts with the pair, in this one
# format, so :func:`grant_problems` can hold the table against the log. A login has no space
# and an organisation no space or colon, so the match is unambiguous.
_ENTRY = re.compile(
    r"(?P<login>\S+) may (?P<revoked>no longer )?submit for (?P<organisation>[A-Za-z0-9_.+-]+): "
)
GRANTED, REVOKED = AuditAction.ORGANISATION_GRANTED, AuditAction.ORGANISATION_REVOKED


def granted_reason(login: str, organisation: str, why: str) -> str:
    return f"{login} may submit for {organisation}: {why}"


def revoked_reason(login: str, organisation: str, why: str) -> str:
    return f"{login} may no longer submit for {organisation}: {why}"


def grant_problems(logged: Iterable[Mapping[str, object]], held: set[tuple[str, str]]) -> list[str]:
    """The organisations table against the audit log: every grant it holds must be granted by
    the newest entry for its pair, and every pair the log grants must be there (so a grant
    inserted or deleted without an entry, to hide or raise a flag, is found)."""
    problems: list[str] = []
    granted: set[tuple[str, str]] = set()
    for row in logged:
        if row["action"] not in (GRANTED, REVOKED):
            continue
        found = _ENTRY.match(str(row["reason"] or ""))
        if found is None or bool(found["revoked"]) != (row["action"] == REVOKED):
            problems.append(f"entry {row['sequence']}: an organisation entry that cannot be read")
            continue
        pair = (found["login"], found["organisation"])
        (granted.discard if found["revoked"] else granted.add)(pair)
    for login, organisation in sorted(held - granted):
        problems.append(
            f"{login} may submit for {organisation} in the organisations table, but the audit "
            "log does not grant it (added without an entry)"
        )
    for login, organisation in sorted(granted - held):
        problems.append(
            f"the audit log grants {login} {organisation}, which the organisations table lacks "
            "(removed without an entry)"
        )
    return problems


# =============================================================================== the seed
def parse_seed(value: object) -> dict[str, tuple[str, ...]]:
    """The ``submitter_organisations`` setting as ``{login: organisations}``.

    Accepted forms: a string ``LOGIN=ORG[,ORG…][; LOGIN=ORG…]`` (environment), a list of
    ``LOGIN=ORG[,ORG…]`` strings (a TOML array in the secrets file), or a mapping of login
    to a name or a list of names. A bad entry raises ``ValueError`` naming it (the settings
    loader turns it into ``settings.invalid`` with the variable's name)."""
    if value is None:
        return {}
    if isinstance(value, str):
        value = [part for part in value.split(";") if part.strip()]
    pairs: list[tuple[str, object]] = []
    if isinstance(value, Mapping):
        pairs = [(str(login), orgs) for login, orgs in value.items()]
    elif isinstance(value, Sequence):
        for entry in value:
            if not isinstance(entry, str) or "=" not in entry:
                raise ValueError(f"entry {shown(str(entry))} is not LOGIN=ORG[,ORG...]")
            login, _, listed = entry.partition("=")
            pairs.append((login, listed))
    else:
        raise ValueError("expected LOGIN=ORG[,ORG...] entries separated by ';'")
    seed: dict[str, list[str]] = {}
    for login, orgs in pairs:
        names = orgs.split(",") if isinstance(orgs, str) else orgs
        if not isinstance(names, Sequence) or not all(isinstance(n, str) for n in names):
            raise ValueError(f"the organisations of {shown(login)} are not names")
        try:
            key = login_key(login)
            chosen = [organisation_name(n) for n in names if n.strip()]
        except SubmissionError as exc:
            raise ValueError(exc.message) from None
        if not chosen:
            raise ValueError(f"{shown(login)} is given no organisation")
        known = seed.setdefault(key, [])
        known.extend(n for n in chosen if n not in known)
    return {login: tuple(orgs) for login, orgs in seed.items()}


# =============================================================================== models
class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class OrganisationGrant(_Frozen):
    """One login may submit for one organisation: who said so, when and why."""

    login: str
    organisation: str
    granted_by: str
    granted_at: datetime
    reason: str
    source: str  # "settings" (seeded from submitter_organisations) or "maintainer"

    _utc = field_validator("granted_at")(as_utc)


class SubmitterFlag(_Frozen):
    """A submitter folder of the bundle that the uploader's login is not mapped to."""

    code: str
    organisation: str  # the folder name, as in the bundle
    folders: tuple[str, ...]  # division/submitter, every division it appears under
    message: str


class OrganisationCheck(_Frozen):
    """The submitter folders of one submission against its owner's organisations."""

    submission_id: int
    login: str  # the key the owner is known by: verified e-mail, else subject
    organisations: tuple[str, ...]  # what that login may submit for
    folders: tuple[str, ...]  # division/submitter folders of the validator's results
    flags: tuple[SubmitterFlag, ...]
    checked: bool  # False: no report or no result yet, so no folder to compare

    @property
    def flagged(self) -> tuple[str, ...]:
        """The organisations a maintainer must confirm before accepting."""
        return tuple(flag.organisation for flag in self.flags)


def check_folders(
    submission_id: int, report: Report | None, login: str, organisations: Sequence[str]
) -> OrganisationCheck:
    """Flag each submitter folder of the report's results not among ``organisations``."""
    results = report.results if report is not None else []
    folders = sorted({(r.division, r.submitter) for r in results})
    by_name: dict[str, list[str]] = {}
    for division, submitter in folders:
        by_name.setdefault(submitter, []).append(f"{division}/{submitter}")
    flags = [
        _flag(name, tuple(paths), login, organisations)
        for name, paths in sorted(by_name.items())
        if name not in organisations
    ]
    return OrganisationCheck(
        submission_id=submission_id,
        login=login,
        organisations=tuple(organisations),
        folders=tuple(f"{d}/{s}" for d, s in folders),
        flags=tuple(flags),
        checked=bool(folders),
    )


def _flag(name: str, paths: tuple[str, ...], login: str, mapped: Sequence[str]) -> SubmitterFlag:
    where = ", ".join(shown(p) for p in paths)
    folder = f"The submitter folder {where} names the organisation {shown(name)}"
    if not mapped:
        return SubmitterFlag(
            code=LOGIN_UNMAPPED,
            organisation=name,
            folders=paths,
            message=f"{folder}, but {shown(login)} is mapped to no organisation: a maintainer "
            f"must check that this login may submit for {shown(name)}.",
        )
    allowed = ", ".join(mapped)
    same = [m for m in mapped if m.casefold() == name.casefold()]
    if same:
        return SubmitterFlag(
            code=CASE_DIFFERS,
            organisation=name,
            folders=paths,
            message=f"{folder}, which differs only in case from {', '.join(same)}: "
            f"{shown(login)} may submit for {allowed}. Folder names compare exactly; rename "
            "the folder, or a maintainer maps this spelling too.",
        )
    return SubmitterFlag(
        code=OTHER_ORGANISATION,
        organisation=name,
        folders=paths,
        message=f"{folder}, another organisation than {shown(login)} may submit for ({allowed}).",
    )


def unconfirmed(check: OrganisationCheck, confirmed: Iterable[str]) -> list[str]:
    """The flagged organisations the maintainer has not confirmed (exact names)."""
    given = {name.strip() for name in confirmed}
    return [name for name in check.flagged if name not in given]
