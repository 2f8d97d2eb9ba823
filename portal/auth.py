"""Who is using this session: ``st.user`` claims turned into a Principal, and the sidebar's
login/logout controls.

Streamlit has no roles (environment notes), so the role comes from
:func:`submissions.roles.principal_from_claims` and the maintainers list in the settings. Pages
pass the principal to every service call, and the service checks it again: hiding a page is
never the only guard.
"""

from __future__ import annotations

import streamlit as st

from portal import runtime
from submissions.roles import ANONYMOUS, Principal, Role, principal_from_claims

__all__ = ["ANONYMOUS", "current_principal", "login_required", "sidebar", "writer_link"]


def current_principal() -> Principal:
    """The acting user of this script run (anonymous when not logged in)."""
    claims = st.user.to_dict()
    if not claims.get("is_logged_in"):
        return ANONYMOUS
    return principal_from_claims(claims, runtime.current().maintainers)


def login_configured() -> bool:
    """Whether ``st.login()`` can work: an ``[auth]`` section reached Streamlit's secrets."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


# Streamlit's login always comes back to "/": the page asked for is kept in the browser
# (localStorage, for ten minutes) while logged out, and the first logged-in view of "/" goes
# back to it. Only same-site paths are followed.
_REMEMBER = """<script>
try { const l = window.parent.location;
  localStorage.setItem("inferboard-return", JSON.stringify({path: l.pathname + l.search,
    at: Date.now()})); } catch (e) {}
</script>"""
_RETURN = """<script>
try { const r = JSON.parse(localStorage.getItem("inferboard-return") || "null");
  localStorage.removeItem("inferboard-return");
  if (r && typeof r.path === "string" && r.path.startsWith("/") && !r.path.startsWith("//")
      && r.path !== "/" && Date.now() - r.at < 600000) {
    // the iframe's sandbox may not navigate the page; the page itself does (the path is a
    // JSON string literal: nothing in it runs)
    window.parent.setTimeout("window.location.replace(" + JSON.stringify(r.path) + ")", 0);
  }
} catch (e) {}
</script>"""


def remember_page_for_login() -> None:
    """While logged out: remember this page (with its query) to return to after login."""
    if login_configured():
        st.iframe(_REMEMBER, height=1)


def return_after_login() -> None:
    """On the landing page right after login: go back to the page that was asked for."""
    st.iframe(_RETURN, height=1)


def login_required(principal: Principal, what: str) -> None:
    """A logged-out visitor of a page that needs a login (a deep link such as
    ``/submissions?id=7``) is offered to log in and come back here; the run stops."""
    if principal.role is not Role.PUBLIC:
        return
    st.info(f"Log in to {what}; you will come back to this page.", icon=":material/login:")
    if login_configured():
        st.button("Log in", on_click=st.login, key="portal-login-here", type="primary")
    else:
        st.caption("Login is not configured on this server (docs/portal.md).")
    st.stop()


def sidebar(principal: Principal) -> None:
    """Login state, the login/logout button and, with the demo provider, who to log in as."""
    with st.sidebar:
        if principal.role is Role.PUBLIC:
            if login_configured():
                st.button("Log in", on_click=st.login, key="portal-login", type="primary")
                remember_page_for_login()
            else:
                st.caption(
                    "Login is not configured: start the portal with `python -m portal`, or "
                    "add an [auth] section to .streamlit/secrets.toml (docs/portal.md)."
                )
        else:
            st.caption("Logged in as")
            st.text(principal.label)  # provider-supplied text: shown literally
            st.caption(f"Role: {principal.role.value}")
            st.button("Log out", on_click=st.logout, key="portal-logout")
        demo = runtime.current().demo
        if demo is not None:
            users = "\n".join(f"{user.email} — {user.role}" for user in demo.users)
            st.info(
                "Demo login: a local test provider is running, not a real identity provider. "
                "Log in with one click as:",
                icon=":material/science:",
            )
            st.text(users)


def writer_link(writer_url: str | None) -> None:
    """A reader's sidebar: logging in, submitting and reviewing happen on the writer."""
    with st.sidebar:
        if writer_url:
            st.link_button("Log in to submit or review", writer_url, type="secondary")
        else:
            st.caption("Logging in, submitting and reviewing happen on the portal's writer.")
