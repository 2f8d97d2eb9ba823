"""The read API's cursors in the portal process: the process's one Store (portal.runtime)."""

from __future__ import annotations

import duckdb

from portal import runtime


class PortalCursors:
    """A cursor source for :func:`public_api.api_app` that follows the installed runtime
    (looked up per request, so the API starts before the runtime does and tests may swap it)."""

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return runtime.current().store.cursor()
