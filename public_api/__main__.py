"""``python -m public_api --db FILE | --snapshots DIR``: the read API alone, read-only.

``--db``: one database file (a copy), opened read-only. ``--snapshots``: the folder the
portal's writer publishes snapshots to; the newest is served and each newer one is picked up
within ``INFERBOARD_SNAPSHOT_POLL_S`` seconds, with ``as_of`` pins, as a reader process does.
DuckDB lets no other process open the file the portal holds, which is why the portal serves
the same API itself at ``/api``.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from leaderboard.db import open_store
from leaderboard.errors import LeaderboardError
from leaderboard.settings import LeaderboardSettings
from leaderboard.snapshot_shelf import SnapshotShelf

if TYPE_CHECKING:  # the app itself is imported once the arguments are known
    from public_api import CursorSource, ResultsSource


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m public_api", description=__doc__)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", type=Path, help="DuckDB file (opened read-only)")
    where.add_argument("--snapshots", type=Path, help="the writer's snapshot folder")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8600)
    args = parser.parse_args(argv)
    import uvicorn

    from public_api import build_app

    with ExitStack() as stack:
        try:
            if args.db is not None:
                source: ResultsSource | CursorSource = stack.enter_context(
                    open_store(LeaderboardSettings(db_path=args.db, read_only=True))
                )
            else:
                settings = LeaderboardSettings.from_mapping(os.environ)
                shelf = SnapshotShelf(
                    args.snapshots, poll_s=settings.snapshot_poll_s, threads=settings.db_threads
                )
                source = stack.enter_context(shelf.start())
        except LeaderboardError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        app = build_app(source)
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
