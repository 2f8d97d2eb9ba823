"""My submissions, and one submission's status page (permalink ``/submissions?id=N``).

Owners and maintainers see a submission; for anyone else the service answers "not found",
exactly as for an id that does not exist.
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from portal import auth, organisation_views, runtime, views
from submissions.errors import SubmissionError
from submissions.roles import Principal, Role
from submissions.states import State

principal = auth.current_principal()
rt = runtime.writer()
submission_id = views.query_id()


def status(principal: Principal, submission_id: int) -> None:
    """Facts and progress; re-run on a timer by the fragment below while work is pending."""
    submission = rt.service.get(principal, submission_id)
    views.submission_facts(submission)
    if not submission.state.is_work:
        st.rerun(scope="app")  # work finished: redraw the whole page with the report


if not principal.can(Role.SUBMITTER):
    st.title("Submissions")
    auth.login_required(principal, "see your submissions")

if submission_id is None:
    st.title("My submissions")
    try:
        mine = rt.service.mine(principal)
    except SubmissionError as exc:
        views.show_error(exc)
        st.stop()
    if not mine:
        st.info("You have not submitted anything yet: see the Submit page.")
    else:
        views.submissions_table(mine)
    st.stop()

st.title(f"Submission {submission_id}")
try:
    submission = rt.service.get(principal, submission_id)
except SubmissionError as exc:
    views.show_error(exc)
    st.stop()

if submission.state.is_work:
    st.fragment(run_every=timedelta(seconds=rt.settings.status_refresh_s))(status)(
        principal, submission_id
    )
else:
    views.submission_facts(submission)

views.report_view(rt.service.report(principal, submission_id), submission_id)
organisation_views.check_view(
    rt.service.organisations.check(principal, submission_id), reviewer=False
)
views.reproduction_view(rt.service.reproduction(principal, submission_id), submission)

with st.expander("History"):
    try:
        views.audit_table(rt.service.audit_log(principal, submission_id))
    except SubmissionError as exc:
        views.show_error(exc)

if submission.state.is_rejection and submission.replaced_by is None:
    st.warning(
        f"This submission was {submission.state.label}. Fix what the report lists and send the "
        "corrected bundle as its replacement (the same file again is accepted too, for example "
        "after a fix on our side).",
        icon=":material/restart_alt:",
    )
    st.page_link(
        "app_pages/submit.py",
        label="Submit a replacement",
        icon=":material/upload:",
        query_params={"replaces": str(submission.submission_id)},
    )
elif submission.state is not State.ACCEPTED and submission.replaced_by is None:
    st.markdown(
        f"Corrected the bundle? [Submit a replacement]"
        f"(submit?replaces={submission.submission_id}) of this submission."
    )
if not submission.state.is_final:
    stored = st.session_state.pop("portal-whole-log", None)
    if stored:
        st.success(stored, icon=":material/check:")
    with st.form("whole-log", clear_on_submit=True):
        st.markdown(
            "**Whole accuracy logs.** The bundle keeps its truncated logs; upload the "
            "untruncated `mlperf_log_accuracy.json` of a scenario here so it can be recounted "
            "and its accuracy recomputed (it must match `hash=` in that scenario's accuracy.txt)."
        )
        scenario = st.selectbox("Scenario", ["Offline", "Server", "Interactive"])
        log = st.file_uploader("Untruncated mlperf_log_accuracy.json", type=["json"])
        if st.form_submit_button("Upload the whole log"):
            if log is None:
                st.warning("Choose the log file first.", icon=":material/warning:")
            else:
                try:
                    kept = rt.service.attach_accuracy_log(
                        principal, submission_id, scenario, log, log.name
                    )
                except SubmissionError as exc:
                    views.show_error(exc)
                else:
                    rt.worker.wake()  # a submission in review is reproduced again
                    st.session_state["portal-whole-log"] = (
                        f"{scenario} accuracy log stored (sha256 {kept['sha256']}); the "
                        "reproduction uses it."
                    )
                    st.rerun()
    with st.form("withdraw"):
        st.caption("Withdrawing is final: the submission will not be reviewed.")
        reason = st.text_input("Reason for withdrawing (required)", max_chars=500)
        confirmed = st.checkbox(f"Yes, withdraw submission {submission_id}")
        if st.form_submit_button("Withdraw this submission"):
            if not confirmed:
                st.warning("Tick the confirmation to withdraw.", icon=":material/warning:")
            else:
                try:
                    rt.service.withdraw(principal, submission_id, reason)
                except SubmissionError as exc:
                    views.show_error(exc)
                else:
                    st.rerun()
