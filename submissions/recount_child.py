"""``python -m submissions.recount_child``: recount the accuracy logs of one bundle.

Run by the reproduction step under :mod:`submissions.child_guard` with its own time limit
(``recount_timeout_s``) and a memory cap (``validation_memory_mib``): a 120 MB log costs about
1.15 GB to recount, and a large upload could need tens of GB, which must fail this child, not
the portal. When the work folder's extracted tree is gone (cleaned by hand, or a restart after
a crash), the already vetted archive is unpacked again here, under the same limits.

Writes ``--out`` whole (by rename): the JSON list of :func:`submissions.recompute.recompute_logs`;
with ``--hashes-out``, also each scenario's ``hash=`` values (:func:`submissions.whole_logs.
scenario_hashes`), which whole-log uploads are matched against.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from errors import report_unexpected
from submissions.archive_budget import scrub_paths
from submissions.children import EXIT_OUT_OF_MEMORY
from submissions.recompute import recompute_logs
from submissions.storage import write_whole
from submissions.whole_logs import scenario_hashes
from validator.archive import ArchiveLimits, bundle_root, extract_archive

EXIT_UNPACK_FAILED = 5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m submissions.recount_child")
    parser.add_argument("--tree", type=Path, required=True, help="the extracted bundle")
    parser.add_argument("--archive", type=Path, required=True, help="the stored bundle")
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--hashes-out", type=Path, help="JSON file for each scenario's hash=")
    parser.add_argument("--max-files", type=int, default=ArchiveLimits.max_files)
    parser.add_argument("--max-total-bytes", type=int, default=ArchiveLimits.max_total_bytes)
    parser.add_argument("--max-ratio", type=float, default=ArchiveLimits.max_ratio)
    args = parser.parse_args(argv)
    tree: Path = args.tree
    try:
        if not tree.is_dir():
            tree.mkdir(parents=True)
            limits = ArchiveLimits(
                max_total_bytes=args.max_total_bytes,
                max_files=args.max_files,
                max_ratio=args.max_ratio,
            )
            if extract_archive(args.archive, tree, limits):
                print("error: the stored archive could not be unpacked again", file=sys.stderr)
                return EXIT_UNPACK_FAILED
        root = bundle_root(tree)
        checks = recompute_logs(root)
        hashes = scenario_hashes(root) if args.hashes_out else None
    except MemoryError:
        print("error: the recount needed more memory than its limit", file=sys.stderr)
        return EXIT_OUT_OF_MEMORY
    except OSError as exc:
        print(f"error: {exc.strerror or type(exc).__name__}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: the worker retries, then says so in one line
        return report_unexpected(exc)
    if hashes is not None:
        write_whole(args.hashes_out, json.dumps(hashes, indent=2))
    write_whole(args.out, json.dumps(scrub_paths(checks, [(tree, "")]), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
