"""Audit log: every state change and decision, who, what, when and why (maintainers).

The log is append-only and hash-chained; "Verify the chain" recomputes every link.
"""

from __future__ import annotations

import streamlit as st

from portal import auth, runtime, views
from submissions.errors import SubmissionError

principal = auth.current_principal()
rt = runtime.writer()
st.title("Audit log")
auth.login_required(principal, "read the audit log")

only = views.query_id()
if only is not None:
    st.caption(f"Entries of submission {only} only; remove `?id=` from the address for all.")
try:
    entries = rt.service.audit_log(principal, only)
except SubmissionError as exc:
    views.show_error(exc)
    st.stop()

views.audit_table(entries)
if st.button("Verify the chain"):
    try:
        check = rt.service.verify_audit_chain(principal)
    except SubmissionError as exc:
        views.show_error(exc)
    else:
        if check.problems:
            st.error(f"{len(check.problems)} problems found in the audit log:")
            st.code("\n".join(check.problems), language=None)
        if check.warnings:
            st.warning("\n\n".join(views.literal(w) for w in check.warnings))
        if check.intact:
            st.success(f"The chain is intact ({check.entries} entries, keyed and linked).")
