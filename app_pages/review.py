"""Review: the maintainers' queue, one submission's report and reproduction, the decision.

The page is only in the navigation for maintainers, but that is not the guard: every call
passes the principal and the service refuses anyone else (``auth.maintainers_only``).
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from portal import auth, organisation_views, runtime, views
from submissions.errors import SubmissionError
from submissions.states import State

principal = auth.current_principal()
rt = runtime.writer()
st.title("Review queue")
auth.login_required(principal, "review submissions")
if flash := st.session_state.pop("portal-decision", None):
    st.success(flash, icon=":material/gavel:")

try:
    queue = rt.service.queue(principal)
except SubmissionError as exc:
    views.show_error(exc)
    st.stop()

if queue:
    views.submissions_table(queue, page="review")
else:
    st.info("Nothing is waiting: every submission has been decided.")

chosen = views.query_id()
if chosen is None:
    ready = [s.submission_id for s in queue if s.state is State.AWAITING_REVIEW]
    chosen = st.selectbox("Review submission", ready, index=None, placeholder="choose an id")
if chosen is not None:
    try:
        submission = rt.service.get(principal, chosen)
    except SubmissionError as exc:
        views.show_error(exc)
        st.stop()
    st.header(f"Submission {chosen}")
    views.submission_facts(submission)
    views.report_view(rt.service.report(principal, chosen), chosen)
    organisation = rt.service.organisations.check(principal, chosen)
    organisation_views.check_view(organisation, reviewer=True)
    views.reproduction_view(rt.service.reproduction(principal, chosen), submission)
    if submission.state is State.AWAITING_REVIEW:
        views.overlap_warning(rt.service.leaderboard_overlap(principal, chosen), submission)
        with st.form("decision"):
            reason = st.text_area("Reason (required; the submitter and the audit log see it)")
            confirmed = organisation_views.confirmations(organisation)
            accept, reject = st.columns(2)
            accepted = accept.form_submit_button("Accept", type="primary")
            rejected = reject.form_submit_button("Reject")
        if accepted or rejected:
            accept_confirmed = partial(rt.service.accept, confirm_organisations=confirmed)
            decide = accept_confirmed if accepted else rt.service.reject
            try:
                decided = decide(principal, chosen, reason)
            except SubmissionError as exc:
                views.show_error(exc)
            else:
                st.session_state["portal-decision"] = (
                    f"Submission {chosen} is now {decided.state.label}."
                )
                st.rerun()
    else:
        st.info(f"This submission is {submission.state.label}; no decision can be made now.")

with st.expander("Recently decided"):
    try:
        views.submissions_table(rt.service.decided(principal), page="review")
    except SubmissionError as exc:
        views.show_error(exc)
