"""Widgets of the organisations mapping: the submitter-folder check (review and status pages),
the maintainer's confirmations in the decision form, and the grants table.

Logins, organisation names, folder names and reasons are user text: they reach the page
through ``st.text``, ``st.dataframe`` and selectbox options, or through
:func:`portal.views.literal` before markdown (checkbox labels and alerts are markdown).
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from portal.views import literal
from submissions.organisations import OrganisationCheck, OrganisationGrant

ORGANISATIONS_PAGE = "app_pages/organisations.py"


def check_view(check: OrganisationCheck, *, reviewer: bool) -> None:
    """The submission's submitter folders against what its uploader may submit for; each
    flag with its message and code. The submitter gets what to do; the reviewer, the
    confirmation acceptance needs and a link to map the login."""
    st.subheader("Organisation")
    allowed = ", ".join(check.organisations) or "no organisation"
    st.text(f"{check.login} may submit for {allowed}.")
    if not check.checked:
        st.info(
            "The submitter folders are compared once the validator has listed the results.",
            icon=":material/hourglass_top:",
        )
        return
    if not check.flags:
        folders = ", ".join(check.folders)
        st.success(
            f"Every submitter folder ({literal(folders)}) is an organisation this login may "
            "submit for.",
            icon=":material/verified_user:",
        )
        return
    for flag in check.flags:
        st.warning(f"{literal(flag.message)}  \n`{flag.code}`", icon=":material/domain_disabled:")
    if reviewer:
        st.caption(
            "Accepting needs your confirmation, below, that this login may submit for each "
            "flagged organisation; if it holds in general, map the login instead."
        )
        st.page_link(
            ORGANISATIONS_PAGE,
            label="Map this login to organisations",
            icon=":material/corporate_fare:",
            query_params={"login": check.login},
        )
    else:
        st.caption(
            "A maintainer checks that you may submit for it before accepting. If the folder "
            "is wrong, rename it to your organisation's and submit a replacement; if it is "
            "right, ask the maintainers to map your login to it."
        )


def my_organisations(names: Sequence[str]) -> None:
    """On the submit page: what the uploader may submit for, before anything is flagged."""
    if names:
        st.caption(
            f"You may submit for {literal(', '.join(names))}: the bundle's submitter folder "
            "(closed/<name>/…) should be one of them, or review flags it."
        )
    else:
        st.caption(
            "Your login is not mapped to an organisation yet: review flags the bundle's "
            "submitter folder until a maintainer checks that you may submit for it."
        )


def confirmations(check: OrganisationCheck) -> list[str]:
    """One checkbox per flagged organisation, inside the decision form; the ticked ones."""
    ticked = []
    for number, flag in enumerate(check.flags):
        label = f"I checked that {literal(check.login)} may submit for {literal(flag.organisation)}"
        if st.checkbox(label, key=f"confirm-organisation-{check.submission_id}-{number}"):
            ticked.append(flag.organisation)
    return ticked


def grants_table(grants: Sequence[OrganisationGrant]) -> None:
    """Every grant: login, organisation, who granted it, when, why, from where."""
    if not grants:
        st.info("No login is mapped to an organisation yet.", icon=":material/info:")
        return
    st.dataframe(
        [
            {
                "login": g.login,
                "organisation": g.organisation,
                "granted by": g.granted_by,
                "granted at": g.granted_at.isoformat(timespec="seconds"),
                "source": g.source,
                "reason": g.reason,
            }
            for g in grants
        ],
        hide_index=True,
        width="stretch",
    )


def organisation_names(text: str) -> list[str]:
    """Names typed into one field, separated by commas (never part of a submitter folder
    name); the service checks each, so "Red Hat" is refused, not split in two."""
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def grant_label(grant: OrganisationGrant) -> str:
    """How a grant reads in the revoke form's selectbox (plain text, not markdown)."""
    return f"{grant.login} → {grant.organisation}"


def granted_message(added: Sequence[OrganisationGrant], *, seen: bool) -> str:
    """What the page says after a grant (markdown: the login is escaped)."""
    names = ", ".join(g.organisation for g in added)
    note = "" if seen else " Nobody with this login has submitted yet: check its spelling."
    return f"{literal(added[0].login)} may now submit for {names}.{note}"


def revoked_message(removed: OrganisationGrant) -> str:
    return f"{literal(removed.login)} may no longer submit for {removed.organisation}."
