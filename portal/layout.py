"""Where a page's sidebar controls go: above what ``app.py`` adds to every page.

``app.py`` reserves the page's slot before it draws the compare basket and the login box, so
a page's filters come first in the sidebar (issue 14: the demo-login box pushed the metric
choice below the fold). The slot lives in a context variable of the script thread, set anew
by every run of ``app.py``; a page run without the router falls back to the plain sidebar.
"""

from __future__ import annotations

from contextvars import ContextVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

_PAGE_SIDEBAR: ContextVar[DeltaGenerator | None] = ContextVar("page_sidebar", default=None)


def reserve_page_sidebar() -> None:
    """``app.py``: a sidebar slot for the page's own controls, before anything else."""
    _PAGE_SIDEBAR.set(st.sidebar.container())


def page_sidebar() -> DeltaGenerator:
    """The slot ``app.py`` reserved for this run's page (the sidebar itself without one)."""
    return _PAGE_SIDEBAR.get() or st.sidebar
