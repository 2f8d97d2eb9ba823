"""Inferboard: the only router of the Streamlit portal (house style §3).

Pages live in ``app_pages/`` and are registered here with ``st.navigation``, built for the user's
role: everyone browses the results; logged-in users also submit and follow their submissions;
maintainers also review and read the audit log. Hiding a page is a convenience only: every
workflow call passes the principal and the service checks the role again.
"""

import streamlit as st

from portal import auth, compare_basket, layout
from submissions.roles import Role

st.set_page_config(page_title="Inferboard", page_icon=":bar_chart:", layout="wide")

principal = auth.current_principal()
pages = {
    "Results": [
        st.Page("app_pages/home.py", title="Inferboard", icon=":material/home:", default=True),
        st.Page(
            "app_pages/leaderboard.py",
            title="Leaderboard",
            icon=":material/leaderboard:",
            url_path="leaderboard",
        ),
        st.Page(
            "app_pages/frontier.py",
            title="Frontier",
            icon=":material/show_chart:",
            url_path="frontier",
        ),
        st.Page("app_pages/system.py", title="System", icon=":material/dns:", url_path="system"),
        st.Page(
            "app_pages/compare.py", title="Compare", icon=":material/compare:", url_path="compare"
        ),
        st.Page(
            "app_pages/changes.py", title="Change log", icon=":material/update:", url_path="changes"
        ),
    ]
}
if principal.can(Role.SUBMITTER):
    pages["Submissions"] = [
        st.Page("app_pages/submit.py", title="Submit", icon=":material/upload:", url_path="submit"),
        st.Page(
            "app_pages/my_submissions.py",
            title="My submissions",
            icon=":material/inventory_2:",
            url_path="submissions",
        ),
    ]
if principal.can(Role.MAINTAINER):
    pages["Review"] = [
        st.Page(
            "app_pages/review.py", title="Review queue", icon=":material/gavel:", url_path="review"
        ),
        st.Page(
            "app_pages/audit.py", title="Audit log", icon=":material/history:", url_path="audit"
        ),
    ]
navigation = st.navigation(pages)
layout.reserve_page_sidebar()  # the page's filters first, then the basket and the login box
compare_basket.sidebar_panel()
auth.sidebar(principal)
navigation.run()
