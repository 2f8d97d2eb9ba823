"""Command line: ``python -m leaderboard import PATH``, corrections after publication
(``withdraw``, ``invalidate``, ``reinstate``) and maintainer reports.

``import`` exits 3 when results conflict with stored ones (same id, another number): they are
listed and not written. The CLI opens the database read-write, so it cannot run while the
portal holds the file (DuckDB: one process owns it); it then says so instead of failing with a
lock traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from leaderboard import queries
from leaderboard.changelog import change_log
from leaderboard.corrections import record_status
from leaderboard.db import Store, open_store
from leaderboard.errors import LeaderboardError
from leaderboard.importers import import_path
from leaderboard.settings import LeaderboardSettings

STATUS_COMMANDS = {"withdraw": "withdrawn", "invalidate": "invalidated", "reinstate": "reinstated"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m leaderboard", description=__doc__)
    parser.add_argument("--db", type=Path, help="DuckDB file (default data/inferboard.duckdb)")
    commands = parser.add_subparsers(dest="command", required=True)
    imp = commands.add_parser(
        "import", help="import summary_results.json, a summary CSV or a results tree"
    )
    imp.add_argument("path", type=Path)
    imp.add_argument(
        "--valid-only",
        action="store_true",
        help="a results tree with errors: import its valid results (as MLCommons publishes "
        "a round) instead of nothing",
    )
    for command, status in STATUS_COMMANDS.items():
        change = commands.add_parser(
            command, help=f"mark results {status} (the public change log shows it)"
        )
        change.set_defaults(status=status)
        change.add_argument("result_ids", nargs="+", metavar="RESULT_ID")
        change.add_argument("--reason", required=True, help="public: the change log shows it")
        change.add_argument("--by", required=True, help="who records it (kept private)")
    commands.add_parser("changes", help="the public change log, newest first")
    commands.add_parser("unknown-accelerators", help="accelerator names the catalogue lacks")
    commands.add_parser("info", help="what the database holds and where it came from")
    return parser


def _publish(store: Store) -> None:
    """Readers see a change once a snapshot of it is published (docs/deployment.md)."""
    if store.publisher is None:
        return
    info = store.publish_snapshot()
    if info is not None:
        print(f"published {info.label} for the readers")
    else:
        print("no new snapshot published (nothing changed, or see the log)", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = LeaderboardSettings.from_mapping(os.environ)
    if args.db is not None:
        settings = settings.with_changes(db_path=args.db)
    try:
        with open_store(settings) as store:
            cursor = store.cursor()
            if args.command == "import":
                kind, outcome = import_path(cursor, args.path, valid_only=args.valid_only)
                print(f"imported {args.path} as {kind}: {outcome.summary()}")
                for conflict in outcome.conflicts:
                    print(
                        f"conflict: {conflict.result_id} is stored as {conflict.stored}; "
                        f"this import has {conflict.incoming} (kept the stored row)",
                        file=sys.stderr,
                    )
                _publish(store)
                if outcome.conflicts:
                    return 3
            elif args.command in STATUS_COMMANDS:
                count = record_status(cursor, args.result_ids, args.status, args.reason, args.by)
                print(f"{count} results {args.status}")
                _publish(store)
            elif args.command == "changes":
                print(change_log(cursor).drop("result_ids"))
            elif args.command == "unknown-accelerators":
                unknown = queries.unknown_accelerators(cursor)
                print(unknown if unknown.height else "every accelerator name is in the catalogue")
            else:
                print(queries.imports(cursor))
    except LeaderboardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
