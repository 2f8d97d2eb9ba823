"""Who is acting and what they may do. Streamlit has no roles (environment notes,
"Streamlit"): the UI edge turns ``st.user``'s OIDC claims into a :class:`Principal` with
:func:`principal_from_claims`, and every workflow call checks the principal it is given."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from submissions.errors import PermissionDeniedError


class Role(enum.StrEnum):
    """Ordered from least to most trusted; each role can do what the ones before it can."""

    PUBLIC = "public"  # anyone: browse the leaderboard
    SUBMITTER = "submitter"  # logged in: submit, see and withdraw their own submissions
    MAINTAINER = "maintainer"  # on the allow-list: review every submission, read the audit log


_RANK = {Role.PUBLIC: 0, Role.SUBMITTER: 1, Role.MAINTAINER: 2}


@dataclass(frozen=True)
class Principal:
    """The acting user. ``subject`` is the provider's stable id (``iss`` + ``sub``); e-mail and
    name are shown to people but never used to decide ownership."""

    subject: str
    email: str | None
    name: str | None
    role: Role
    email_verified: bool = False  # the provider said so, with a boolean true

    @property
    def label(self) -> str:
        """How audit entries and pages name this user."""
        return self.email or self.name or self.subject

    @property
    def verified_email(self) -> str | None:
        """The e-mail in lower case when the provider verified it, else None: the only
        e-mail that may identify this user to an allow-list (maintainers, organisations)."""
        return self.email.lower() if self.email and self.email_verified else None

    def can(self, role: Role) -> bool:
        return _RANK[self.role] >= _RANK[role]


ANONYMOUS = Principal(subject="", email=None, name=None, role=Role.PUBLIC)
SYSTEM = Principal(
    subject="inferboard:worker", email=None, name="Inferboard worker", role=Role.MAINTAINER
)


def principal_from_claims(claims: Mapping[str, object], maintainers: Iterable[str]) -> Principal:
    """Map OIDC claims to a principal; everyone logged in is at least a submitter.

    Maintainers are listed in two namespaces that never mix (issue 12):

    - an entry with ``#`` is a subject at one issuer, ``issuer#sub``, matched exactly (a
      subject is only unique within its issuer);
    - any other entry is an e-mail, matched case-insensitively, and only when the provider
      says it is verified with a boolean ``true`` (the string ``"false"``, ``"true"`` or a
      missing claim verify nothing).

    So a user whose bare ``sub`` equals a maintainer's e-mail is not a maintainer.
    """
    if not claims.get("is_logged_in", True) or not claims.get("sub"):
        return ANONYMOUS
    issuer = str(claims.get("iss") or "")
    sub = str(claims["sub"])
    subject = f"{issuer}#{sub}" if issuer else sub
    email = str(claims["email"]).strip() if claims.get("email") else None
    name = str(claims["name"]).strip() if claims.get("name") else None
    entries = [entry.strip() for entry in maintainers if entry.strip()]
    subjects = {entry for entry in entries if "#" in entry}
    emails = {entry.lower() for entry in entries if "#" not in entry}
    email_verified = claims.get("email_verified") is True
    is_maintainer = (bool(issuer) and subject in subjects) or (
        email_verified and email is not None and email.lower() in emails
    )
    return Principal(
        subject=subject,
        email=email,
        name=name,
        role=Role.MAINTAINER if is_maintainer else Role.SUBMITTER,
        email_verified=email_verified and email is not None,
    )


def require(principal: Principal, role: Role, action: str) -> None:
    """Raise :class:`PermissionDeniedError` unless the principal holds ``role``."""
    if principal.can(role):
        return
    if principal.role is Role.PUBLIC:
        raise PermissionDeniedError("auth.login_required", f"log in to {action}")
    raise PermissionDeniedError(
        "auth.maintainers_only", f"only maintainers can {action}; ask one to do it for you"
    )
