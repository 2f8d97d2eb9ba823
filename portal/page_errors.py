"""The one error handler around every page run (issue 12, house style §12).

``app.py`` runs the whole script run through :func:`run_guarded`: an
:class:`~errors.InferboardError` shows its message, hint and code; anything else is logged
with its traceback on the server (with an incident id) and the visitor sees a fixed message,
the code ``internal.unexpected`` and that id, never a traceback or a server path.
Streamlit's own ``client.showErrorDetails = "none"`` (``.streamlit/config.toml``) covers
what runs outside this handler (a fragment's rerun).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

import streamlit as st

from errors import UNEXPECTED_CODE, UNEXPECTED_MESSAGE, InferboardError
from portal.views import show_error

log = logging.getLogger("inferboard.pages")


def run_guarded(run: Callable[[], object]) -> None:
    """Run ``run`` (the router and the page); errors become messages, never tracebacks.

    Streamlit's control flow (``st.stop``, ``st.rerun``, ``st.switch_page``) raises
    ``BaseException`` subclasses, which pass through untouched."""
    try:
        run()
    except InferboardError as exc:
        log.info("page error %s: %s", exc.code, exc.message, exc_info=True)
        show_error(exc)
    except Exception:
        incident = secrets.token_hex(4)
        log.exception("unexpected error while running a page (incident %s)", incident)
        st.error(
            f"{UNEXPECTED_MESSAGE}  \n`{UNEXPECTED_CODE}` · incident {incident}",
            icon=":material/error:",
        )
