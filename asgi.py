"""The portal's ASGI server: the Streamlit pages (``app.py``) and the public read API at ``/api``.

``python -m portal`` runs ``streamlit run asgi.py``; Streamlit 1.67 serves an ``st.App`` on
Starlette and adds these routes before its own. The API runs in the portal's process because
that process owns the DuckDB file (no other process may open it while the portal runs); it
reads through the same Store as the pages, one cursor per request, and never writes.
"""

import streamlit as st
from starlette.routing import Mount

from portal.api_mount import PortalCursors
from public_api import api_app

app = st.App("app.py", routes=[Mount("/api", app=api_app(PortalCursors()))])
