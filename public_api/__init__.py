"""The public read API: results, systems, the change log and the whole dataset, as JSON, CSV
and Parquet, with the leaderboard's URL filters and footnote (docs/api.md).

A Starlette application over :mod:`leaderboard` queries that only reads: it takes a results
source (a reader's published snapshots, the writer's live database; both answer ``as_of``)
or anything with a ``cursor()`` method (a Store on one file) and never writes. Every portal
process mounts it at ``/api`` (``asgi.py``); alone it serves a read-only copy
(``python -m public_api --db FILE``) or the published snapshots (``--snapshots DIR``).
It never imports streamlit.
"""

from leaderboard.snapshot_shelf import ResultsSource
from public_api.app import CursorSource, api_app, build_app

__all__ = ["CursorSource", "ResultsSource", "api_app", "build_app"]
