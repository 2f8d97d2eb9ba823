"""Inferboard: the only router of the Streamlit portal (house style §3).

Pages live in ``app_pages/`` and are registered here with ``st.navigation``, built for the user's
role: everyone browses the results; logged-in users also submit and follow their submissions;
maintainers also review and read the audit log. Pages a role does not use are registered
hidden, so a deep link (``/submissions?id=7``) offers a logged-out visitor to log in instead of
"page not found"; hiding is a convenience only: every workflow call passes the principal and
the service checks the role again. The whole run goes through one error handler
(:func:`portal.page_errors.run_guarded`): visitors see a message and a code, the server log
keeps the traceback.

A reader process (``python -m portal --reader``) registers only the results pages: it serves
the newest published snapshot and has no workflow; its sidebar links to the writer for
logging in. Every page names the snapshot (version, time) it shows (``portal.snapshot_view``).
"""

from typing import Literal

import streamlit as st

from portal import auth, compare_basket, layout, runtime, snapshot_view
from portal.page_errors import run_guarded
from submissions.roles import Role

st.set_page_config(page_title="Inferboard", page_icon=":bar_chart:", layout="wide")


Visibility = Literal["visible", "hidden"]  # st.Page's two visibilities


def _visible(allowed: bool) -> Visibility:
    return "visible" if allowed else "hidden"


def _page(
    path: str, title: str, icon: str, url: str, visibility: Visibility = "visible"
) -> st.Page:
    return st.Page(path, title=title, icon=icon, url_path=url, visibility=visibility)


def route() -> None:
    reader = runtime.current().is_reader
    principal = auth.ANONYMOUS if reader else auth.current_principal()
    submits = _visible(principal.can(Role.SUBMITTER))
    reviews = _visible(principal.can(Role.MAINTAINER))
    home = st.Page("app_pages/home.py", title="Inferboard", icon=":material/home:", default=True)
    pages: dict[str, list[st.Page]] = {
        "Results": [
            home,
            _page(
                "app_pages/leaderboard.py", "Leaderboard", ":material/leaderboard:", "leaderboard"
            ),
            _page("app_pages/frontier.py", "Frontier", ":material/show_chart:", "frontier"),
            _page("app_pages/system.py", "System", ":material/dns:", "system"),
            _page("app_pages/compare.py", "Compare", ":material/compare:", "compare"),
            _page("app_pages/changes.py", "Change log", ":material/update:", "changes"),
        ],
        "Submissions": [
            _page("app_pages/submit.py", "Submit", ":material/upload:", "submit", submits),
            _page(
                "app_pages/my_submissions.py",
                "My submissions",
                ":material/inventory_2:",
                "submissions",
                submits,
            ),
        ],
        "Review": [
            _page("app_pages/review.py", "Review queue", ":material/gavel:", "review", reviews),
            _page("app_pages/audit.py", "Audit log", ":material/history:", "audit", reviews),
            _page(
                "app_pages/organisations.py",
                "Organisations",
                ":material/corporate_fare:",
                "organisations",
                reviews,
            ),
        ],
    }
    if reader:  # no workflow here: only the results, and a link to the writer
        pages = {"Results": pages["Results"]}
    navigation = st.navigation(pages)
    layout.reserve_page_sidebar()  # the page's filters first, then the basket and the login box
    compare_basket.sidebar_panel()
    with snapshot_view.reading_for_run() as reading:  # one snapshot for the whole run
        if reader:
            auth.writer_link(runtime.current().settings.writer_url)
        else:
            auth.sidebar(principal)
        snapshot_view.sidebar_line(reading)
        if principal.role is not Role.PUBLIC and navigation.url_path == home.url_path:
            auth.return_after_login()
        navigation.run()


run_guarded(route)
