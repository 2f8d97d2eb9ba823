"""``python -m public_api --db FILE``: the read API alone, on a database file opened read-only.

For a copy or a published snapshot of the portal's file: DuckDB lets no other process open
the file the portal holds, which is why the portal serves the same API itself at ``/api``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leaderboard.db import open_store
from leaderboard.errors import LeaderboardError
from leaderboard.settings import LeaderboardSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m public_api", description=__doc__)
    parser.add_argument("--db", type=Path, required=True, help="DuckDB file (opened read-only)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8600)
    args = parser.parse_args(argv)
    try:
        store = open_store(LeaderboardSettings(db_path=args.db, read_only=True))
    except LeaderboardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    import uvicorn

    from public_api import build_app

    with store:
        uvicorn.run(build_app(store), host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
