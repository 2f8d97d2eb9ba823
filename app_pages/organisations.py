"""Organisations: which organisations each login may submit for (maintainers).

A bundle whose submitter folder names an organisation its uploader is not mapped to is
flagged in review. ``?login=`` (the review page's link) shows one login's grants and fills
the grant form. Every call passes the principal; the service refuses anyone else.
"""

from __future__ import annotations

import streamlit as st

from portal import auth, organisation_views, runtime, views
from submissions.errors import SubmissionError

principal = auth.current_principal()
rt = runtime.writer()
st.title("Organisations")
auth.login_required(principal, "map logins to organisations")
if flash := st.session_state.pop("portal-organisations", None):
    st.success(flash, icon=":material/corporate_fare:")

login = st.query_params.get("login", "").strip() or None
try:
    grants = rt.service.organisations.grants(principal, login)
except SubmissionError as exc:
    views.show_error(exc)
    st.stop()
if login is not None:
    st.caption("Grants of one login only; remove `?login=` from the address for all.")
st.caption(
    "A login is a verified e-mail or issuer#subject; an organisation is a submitter folder "
    "name (closed/<name>/…), compared exactly, case included. Every change needs a reason "
    "and is written to the audit log."
)
organisation_views.grants_table(grants)

with st.form("grant"):
    st.markdown("**Grant**")
    new_login = st.text_input("Login", value=login or "", max_chars=600, key="grant-login")
    names = st.text_input(
        "Organisations (comma-separated submitter folder names)", key="grant-organisations"
    )
    reason = st.text_input(
        "Reason (required; the audit log keeps it)", max_chars=2000, key="grant-reason"
    )
    if st.form_submit_button("Grant"):
        try:
            added = rt.service.organisations.grant(
                principal, new_login, organisation_views.organisation_names(names), reason
            )
            seen = rt.service.organisations.login_seen(principal, new_login)
        except SubmissionError as exc:
            views.show_error(exc)
        else:
            message = organisation_views.granted_message(added, seen=seen)
            st.session_state["portal-organisations"] = message
            st.rerun()

if grants:
    with st.form("revoke"):
        st.markdown("**Revoke**")
        chosen = st.selectbox("Grant", grants, format_func=organisation_views.grant_label)
        why = st.text_input(
            "Reason (required; the audit log keeps it)", max_chars=2000, key="revoke-reason"
        )
        if st.form_submit_button("Revoke"):
            try:
                removed = rt.service.organisations.revoke(
                    principal, chosen.login, chosen.organisation, why
                )
            except SubmissionError as exc:
                views.show_error(exc)
            else:
                message = organisation_views.revoked_message(removed)
                st.session_state["portal-organisations"] = message
                st.rerun()
