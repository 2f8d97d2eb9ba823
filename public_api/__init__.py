"""The public read API: results, systems, the change log and the whole dataset, as JSON, CSV
and Parquet, with the leaderboard's URL filters and footnote (docs/api.md).

A Starlette application over :mod:`leaderboard` queries that only reads: it takes anything
with a ``cursor()`` method (the portal's :class:`leaderboard.db.Store`, or a read-only
snapshot file) and never writes. The portal mounts it at ``/api`` in its own process
(``asgi.py``): DuckDB lets no other process open the file the portal holds, so a separate
process can only serve a copy or a published snapshot (``python -m public_api --db FILE``).
It never imports streamlit.
"""

from public_api.app import CursorSource, api_app, build_app

__all__ = ["CursorSource", "api_app", "build_app"]
