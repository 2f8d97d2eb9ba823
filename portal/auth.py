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


def sidebar(principal: Principal) -> None:
    """Login state, the login/logout button and, with the demo provider, who to log in as."""
    with st.sidebar:
        if principal.role is Role.PUBLIC:
            if login_configured():
                st.button("Log in", on_click=st.login, key="portal-login", type="primary")
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
