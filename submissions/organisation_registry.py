"""The organisations table: who may submit for which organisation, edited by maintainers.

Reached through ``SubmissionService.organisations``. Every method takes the acting principal
and checks it here (maintainers list, grant and revoke; a submission's owner or a maintainer
read its check), and every change is written to the keyed audit log in the same transaction,
with who made it and why (actions ``organisation_granted``, ``organisation_revoked``; a
maintainer accepting a flagged bundle writes ``organisation_confirmed``).

The ``submitter_organisations`` setting seeds the table: at start, each pair never seeded
before is granted (actor "settings"), so a deployment configures it once and a maintainer's
revocation sticks across restarts. The rules and the check itself are
:mod:`submissions.organisations`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import duckdb

from submissions import organisations as rules
from submissions import sql
from submissions.audit_actions import AuditAction
from submissions.errors import SubmissionError
from submissions.ledger import Ledger, Row
from submissions.organisations import OrganisationCheck, OrganisationGrant
from submissions.roles import Principal, Role, require

SETTINGS_ACTOR = Principal(
    subject="inferboard:settings",
    email=None,
    name="settings (INFERBOARD_SUBMITTER_ORGANISATIONS)",
    role=Role.MAINTAINER,
)


class OrganisationRegistry:
    """Grants, revocations and the submitter-folder check, each with its principal check."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._seed(ledger.settings.submitter_organisations)

    # =========================================================================== maintainers
    def grants(self, principal: Principal, login: str | None = None) -> list[OrganisationGrant]:
        """Every grant (or one login's), by login then organisation."""
        require(principal, Role.MAINTAINER, "see who may submit for which organisation")
        with self._ledger._reading() as con:
            if login is None:
                rows = con.sql(sql.GRANTS_ALL).pl()
            else:
                rows = con.sql(sql.GRANTS_OF, params={"logins": [rules.login_key(login)]}).pl()
        return [OrganisationGrant.model_validate(row) for row in rows.to_dicts()]

    def login_seen(self, principal: Principal, login: str) -> bool:
        """Whether anyone with this login has uploaded (a grant to a login never seen may be a
        typo; it is allowed, so a maintainer can map a vendor before its first upload)."""
        require(principal, Role.MAINTAINER, "look up logins")
        with self._ledger._reading() as con:
            found = con.execute(sql.LOGIN_SEEN, {"login": rules.login_key(login)}).fetchall()
        return bool(found[0][0])

    def grant(
        self, principal: Principal, login: str, organisations: Iterable[str], reason: str
    ) -> list[OrganisationGrant]:
        """Let ``login`` submit for each organisation; all or nothing (one already granted:
        nothing changes and the error names it)."""
        require(principal, Role.MAINTAINER, "map logins to organisations")
        key = rules.login_key(login)
        names = list(dict.fromkeys(rules.organisation_name(name) for name in organisations))
        if not names:
            raise SubmissionError(
                "organisations.name_required",
                "give at least one organisation: its submitter folder name, e.g. NVIDIA",
            )
        why = rules.reason_text(reason)
        with self._ledger._writing() as con:
            held = {g.organisation: g for g in self._grants_of(con, (key,))}
            again = [held[name] for name in names if name in held]
            if again:
                first = again[0]
                raise SubmissionError(
                    "organisations.already_granted",
                    f"{rules.shown(key)} may already submit for {first.organisation} (granted "
                    f"by {first.granted_by} on {first.granted_at:%Y-%m-%d}); nothing was changed",
                    "grant only the organisations it does not have yet",
                )
            return [self._insert(con, principal, key, name, why, "maintainer") for name in names]

    def revoke(
        self, principal: Principal, login: str, organisation: str, reason: str
    ) -> OrganisationGrant:
        """Take one organisation from a login; returns the grant that was removed."""
        require(principal, Role.MAINTAINER, "map logins to organisations")
        key = rules.login_key(login)
        name = rules.organisation_name(organisation)
        why = rules.reason_text(reason)
        with self._ledger._writing() as con:
            held = {g.organisation: g for g in self._grants_of(con, (key,))}
            if name not in held:
                allowed = ", ".join(sorted(held)) or "no organisation"
                raise SubmissionError(
                    "organisations.not_granted",
                    f"{rules.shown(key)} may not submit for {rules.shown(name)}, so there is "
                    f"nothing to revoke (it may submit for {allowed}); nothing was changed",
                    "check the spelling: logins are e-mails or issuer#subject, organisations "
                    "compare exactly, case included",
                )
            con.execute(sql.DELETE_GRANT, {"login": key, "organisation": name})
            self._ledger.audit(
                con,
                actor=principal,
                submission_id=None,
                action=AuditAction.ORGANISATION_REVOKED,
                reason=rules.revoked_reason(key, name, why),
            )
        return held[name]

    # =========================================================================== the check
    def check(self, principal: Principal, submission_id: int) -> OrganisationCheck:
        """The submission's submitter folders against its owner's organisations (its owner or
        a maintainer; anyone else: not found)."""
        with self._ledger._reading() as con:
            row = self._ledger._visible(con, principal, submission_id)
            return self._check(con, row)

    def mine(self, principal: Principal) -> list[str]:
        """The organisations the acting user may submit for."""
        require(principal, Role.SUBMITTER, "see your organisations")
        keys = rules.owner_logins(principal.subject, principal.verified_email)
        with self._ledger._reading() as con:
            return sorted({g.organisation for g in self._grants_of(con, keys)})

    def confirm_for_acceptance(
        self,
        con: duckdb.DuckDBPyConnection,
        principal: Principal,
        row: Row,
        confirmed: Iterable[str],
        reason: str,
    ) -> None:
        """In the acceptance's transaction: refuse unless every flagged organisation is
        confirmed, then write one ``organisation_confirmed`` entry per flag."""
        check = self._check(con, row)
        missing = rules.unconfirmed(check, confirmed)
        if missing:
            names = ", ".join(rules.shown(name) for name in missing)
            raise SubmissionError(
                "review.organisation_unconfirmed",
                f"submission {check.submission_id} is flagged: its submitter folders name "
                f"{names}, which {rules.shown(check.login)} is not mapped to; confirm that "
                "you checked this login may submit for them, or reject it",
                "tick the confirmation on the review page, or pass --confirm-organisation "
                "NAME for each; map the login under Organisations if it holds in general",
            )
        for flag in check.flags:
            self._ledger.audit(
                con,
                actor=principal,
                submission_id=check.submission_id,
                action=AuditAction.ORGANISATION_CONFIRMED,
                reason=f"checked that {check.login} may submit for {flag.organisation} "
                f"({', '.join(flag.folders)}; {flag.code}): {reason}",
            )

    @staticmethod
    def record_upload(
        con: duckdb.DuckDBPyConnection, principal: Principal, submission_id: int
    ) -> None:
        """In the upload's transaction: the e-mail the provider verified, for the check."""
        con.execute(
            sql.INSERT_SUBMISSION_LOGIN,
            {"submission_id": submission_id, "email": principal.verified_email},
        )

    # =========================================================================== internals
    def _check(self, con: duckdb.DuckDBPyConnection, row: Row) -> OrganisationCheck:
        submission_id = int(row["submission_id"])
        owner = con.execute(sql.SUBMISSION_OWNER, {"submission_id": submission_id}).fetchall()
        subject, _, email = owner[0]
        keys = rules.owner_logins(subject, email)
        allowed = sorted({g.organisation for g in self._grants_of(con, keys)})
        report = self._ledger.report(submission_id)
        return rules.check_folders(submission_id, report, email or subject, allowed)

    @staticmethod
    def _grants_of(
        con: duckdb.DuckDBPyConnection, logins: Sequence[str]
    ) -> list[OrganisationGrant]:
        rows = con.sql(sql.GRANTS_OF, params={"logins": list(logins)}).pl()
        return [OrganisationGrant.model_validate(row) for row in rows.to_dicts()]

    def _insert(
        self,
        con: duckdb.DuckDBPyConnection,
        actor: Principal,
        login: str,
        organisation: str,
        reason: str,
        source: str,
    ) -> OrganisationGrant:
        now = self._ledger.now()  # naive UTC, as the tables store time
        grant = OrganisationGrant(
            login=login,
            organisation=organisation,
            granted_by=actor.label,
            granted_at=now,
            reason=reason,
            source=source,
        )
        con.execute(sql.INSERT_GRANT, {**grant.model_dump(), "granted_at": now})
        self._ledger.audit(
            con,
            at=now,
            actor=actor,
            submission_id=None,
            action=AuditAction.ORGANISATION_GRANTED,
            reason=rules.granted_reason(login, organisation, reason),
        )
        return grant

    def _seed(self, seed: dict[str, tuple[str, ...]]) -> None:
        """Grant each configured pair never seeded before, once, as the settings."""
        if not seed:
            return
        with self._ledger._reading() as con:
            seeded = {tuple(pair) for pair in con.execute(sql.SEEDED_PAIRS).fetchall()}
        new = [(login, org) for login, orgs in seed.items() for org in orgs]
        new = [pair for pair in new if pair not in seeded]
        if not new:
            return
        with self._ledger._writing() as con:
            seeded = {tuple(pair) for pair in con.execute(sql.SEEDED_PAIRS).fetchall()}
            for login, organisation in new:
                if (login, organisation) in seeded:
                    continue
                pair = {"login": login, "organisation": organisation}
                con.execute(sql.INSERT_SEEDED, {**pair, "seeded_at": self._ledger.now()})
                held = {g.organisation for g in self._grants_of(con, (login,))}
                if organisation not in held:
                    reason = "configured in INFERBOARD_SUBMITTER_ORGANISATIONS"
                    self._insert(con, SETTINGS_ACTOR, login, organisation, reason, "settings")
