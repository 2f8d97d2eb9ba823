"""``python -m submissions organisations list|grant|revoke``: who may submit for which
organisation, from the command line (the portal's Organisations page does the same).

``grant`` and ``revoke`` need ``--as EMAIL`` of a listed maintainer and ``--reason``, so the
audit log names a person and says why; ``list`` acts as the local operator.
"""

from __future__ import annotations

import argparse
from shlex import quote
from typing import Any

from submissions.organisations import OrganisationCheck, OrganisationGrant, shown
from submissions.roles import Principal

_ROLE_NOTE = "--as EMAIL of a listed maintainer (the audit log names them)"


def add_parser(sub: Any) -> None:
    """The ``organisations`` command and its three actions, on the CLI's subparsers."""
    parser = sub.add_parser("organisations", help="which organisations each login may submit for")
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="every grant, or one login's")
    listing.add_argument("--login", help="only this login (e-mail or issuer#subject)")
    grant = actions.add_parser("grant", help="let a login submit for organisations")
    grant.add_argument("login", help="a verified e-mail, or issuer#subject")
    grant.add_argument("organisations", nargs="+", metavar="ORG", help="submitter folder names")
    revoke = actions.add_parser("revoke", help="take one organisation from a login")
    revoke.add_argument("login")
    revoke.add_argument("organisation", metavar="ORG")
    for action in (grant, revoke):
        action.add_argument("--reason", required=True, help="why (goes to the audit log)")
        action.add_argument("--as", dest="actor", required=True, metavar="EMAIL", help=_ROLE_NOTE)


def run(args: argparse.Namespace, service: Any, actor: Principal) -> int:
    """Carry out one ``organisations`` action; errors propagate to the CLI's one handler."""
    registry = service.organisations
    if args.action == "list":
        grants = registry.grants(actor, args.login)
        if not grants:
            who = "any login" if args.login is None else shown(args.login.strip())
            print(f"(no organisation is mapped to {who})")
        for grant in grants:
            print(_grant_line(grant))
    elif args.action == "grant":
        added = registry.grant(actor, args.login, args.organisations, args.reason)
        names = ", ".join(g.organisation for g in added)
        print(f"{added[0].login} may now submit for {names}")
        if not registry.login_seen(actor, args.login):
            print(
                "note: nobody with this login has submitted yet; check the spelling (an "
                "e-mail as the login provider verifies it, or issuer#subject)"
            )
    else:
        removed = registry.revoke(actor, args.login, args.organisation, args.reason)
        print(
            f"{removed.login} may no longer submit for {removed.organisation} (granted by "
            f"{removed.granted_by} on {removed.granted_at:%Y-%m-%d})"
        )
    return 0


def _grant_line(grant: OrganisationGrant) -> str:
    reason = " ".join(grant.reason.split())  # one line per grant
    when = f"{grant.granted_at:%Y-%m-%d %H:%M}"
    return (
        f"{grant.login:40} {grant.organisation:24} {when}  {grant.source:10} "
        f"{grant.granted_by}: {reason}"
    )


def print_check(check: OrganisationCheck) -> None:
    """The submitter-folder check, as ``python -m submissions show`` prints it."""
    allowed = ", ".join(check.organisations) or "no organisation"
    print(f"\nOrganisations: {check.login} may submit for {allowed}")
    if not check.checked:
        print("  not checked: the validator's report has no result (no submitter folder) yet")
    elif not check.flags:
        print(f"  every submitter folder is one of them: {', '.join(check.folders)}")
    for flag in check.flags:
        where = ", ".join(shown(folder) for folder in flag.folders)
        print(f"  FLAG    {flag.code}  {where}\n          {flag.message}")
    if check.flags:
        names = " ".join(f"--confirm-organisation {quote(f.organisation)}" for f in check.flags)
        print(f"  accepting needs: {names}")
