"""Submit: upload a bundle and get the receipt at once (issue 5, "Submitting").

``/submit?replaces=N`` sends a corrected bundle as the replacement of submission N.
"""

from __future__ import annotations

import streamlit as st

from portal import auth, organisation_views, runtime, views
from submissions.errors import SubmissionError

principal = auth.current_principal()
rt = runtime.writer()
st.title("Submit a bundle")
auth.login_required(principal, "submit a bundle")

replaces = views.query_id("replaces")
if replaces is not None:
    st.info(
        f"This upload replaces submission {replaces}; both keep a link to the other.",
        icon=":material/swap_horiz:",
    )
limit_mib = rt.submission_settings.max_upload_bytes / 2**20
st.caption(
    f"A .zip, .tar.gz or .tgz of the MLPerf tree (division folders at the top), up to "
    f"{limit_mib:g} MiB. It is hashed and stored unchanged; checks run in the background."
)
organisation_views.my_organisations(rt.service.organisations.mine(principal))
with st.form("upload", clear_on_submit=True):
    bundle = st.file_uploader("Bundle", type=["zip", "gz", "tgz"])
    sent = st.form_submit_button("Submit", type="primary")

if sent:
    if bundle is None:
        st.warning("Choose a bundle file first.")
    else:
        try:
            st.session_state["portal-receipt"] = rt.service.receive(
                principal, bundle, bundle.name, replaces=replaces
            )
        except SubmissionError as exc:
            views.show_error(exc)
            st.stop()
        rt.worker.wake()

receipt = st.session_state.get("portal-receipt")
if receipt is not None:
    views.receipt(receipt)
