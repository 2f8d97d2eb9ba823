"""Inferboard: the only router of the Streamlit portal (house style §3).

Pages live in ``app_pages/`` and are registered here with ``st.navigation``, built for the user's
role: everyone browses the results; logged-in users also submit and follow their submissions;
maintainers also review and read the audit log. Pages a role does not use are registered
hidden, so a deep link (``/submissions?id=7``) offers a logged-out visitor to log in instead of
"page not found"; hiding is a convenience only: every workflow call passes the principal and
the service checks the role again. The whole run goes through one error handler
(:func:`portal.page_errors.run_guarded`): visitors see a message and a code, the server log
keeps the traceback.
"""

import streamlit as st

from portal import auth
from portal.page_errors import run_guarded
from submissions.roles import Role

st.set_page_config(page_title="Inferboard", page_icon=":bar_chart:", layout="wide")


def _visible(allowed: bool) -> str:
    return "visible" if allowed else "hidden"


def route() -> None:
    principal = auth.current_principal()
    submits = _visible(principal.can(Role.SUBMITTER))
    reviews = _visible(principal.can(Role.MAINTAINER))
    home = st.Page("app_pages/home.py", title="Inferboard", icon=":material/home:", default=True)
    pages = {
        "Results": [
            home,
            st.Page(
                "app_pages/leaderboard.py",
                title="Leaderboard",
                icon=":material/leaderboard:",
                url_path="leaderboard",
            ),
            st.Page(
                "app_pages/system.py", title="System", icon=":material/dns:", url_path="system"
            ),
            st.Page(
                "app_pages/compare.py",
                title="Compare",
                icon=":material/compare:",
                url_path="compare",
            ),
        ],
        "Submissions": [
            st.Page(
                "app_pages/submit.py",
                title="Submit",
                icon=":material/upload:",
                url_path="submit",
                visibility=submits,
            ),
            st.Page(
                "app_pages/my_submissions.py",
                title="My submissions",
                icon=":material/inventory_2:",
                url_path="submissions",
                visibility=submits,
            ),
        ],
        "Review": [
            st.Page(
                "app_pages/review.py",
                title="Review queue",
                icon=":material/gavel:",
                url_path="review",
                visibility=reviews,
            ),
            st.Page(
                "app_pages/audit.py",
                title="Audit log",
                icon=":material/history:",
                url_path="audit",
                visibility=reviews,
            ),
        ],
    }
    navigation = st.navigation(pages)
    auth.sidebar(principal)
    if principal.role is not Role.PUBLIC and navigation.url_path == home.url_path:
        auth.return_after_login()
    navigation.run()


run_guarded(route)
