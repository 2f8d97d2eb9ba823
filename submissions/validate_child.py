"""``python -m submissions.validate_child``: extract and validate one stored bundle.

Run by the worker as a child process, so CPU-heavy validation never runs under the web
process's GIL and killing either process loses nothing: the outputs are written whole (by
rename) at the end, ``report.json`` last, and the worker simply redoes the step when it finds
no report. A watchdog thread ends this process when its parent dies, so a killed portal never
leaves an orphan writing into a folder the next attempt is rebuilding.

Outputs in ``--out``: ``summary.csv`` (the valid results in the official summary columns,
what acceptance imports) and ``report.json`` (``Report.to_dict()``, plus
``"archive_refused": true`` when the archive itself was refused).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

from validator.archive import ArchiveLimits, bundle_root, extract_archive
from validator.engine import validate_tree
from validator.options import Options
from validator.report import Report, settle
from validator.rules import load_round
from validator.summary_csv import write_summary_csv

EXIT_PARENT_GONE = 3


def _watch_parent(parent: int, interval_s: float = 0.2) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(EXIT_PARENT_GONE)
        time.sleep(interval_s)


def _write_whole(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def run(archive: Path, work: Path, out: Path, options: Options, limits: ArchiveLimits) -> int:
    """Extract ``archive`` (whose name carries the suffix) into ``work/tree`` and validate."""
    tree = work / "tree"
    tree.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    problems = extract_archive(archive, tree, limits)
    if problems:
        report = settle(Report(round=None, findings=problems, results=[], source=archive.name))
        data = {**report.model_dump(mode="json"), "archive_refused": True}
    else:
        report = validate_tree(bundle_root(tree), options, source=archive.name)
        summary = out / "summary.csv"
        style = load_round(report.round).checker.csv_style if report.round else "classic"
        write_summary_csv(report, summary.with_name("summary.csv.tmp"), style)
        summary.with_name("summary.csv.tmp").replace(summary)
        data = {**report.model_dump(mode="json"), "archive_refused": False}
    _write_whole(out / "report.json", json.dumps(data, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m submissions.validate_child")
    parser.add_argument("--archive", type=Path, required=True, help="stored bundle (a link "
                        "named with its archive suffix)")  # fmt: skip
    parser.add_argument("--work", type=Path, required=True, help="scratch folder to extract in")
    parser.add_argument("--out", type=Path, required=True, help="folder for report and summary")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--max-files", type=int, default=ArchiveLimits.max_files)
    parser.add_argument("--max-total-bytes", type=int, default=ArchiveLimits.max_total_bytes)
    parser.add_argument(
        "--parent-pid",
        type=int,
        help="the worker's pid: stop as soon as it is gone (it may die before this starts)",
    )
    args = parser.parse_args(argv)
    parent = args.parent_pid or os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    limits = ArchiveLimits(max_total_bytes=args.max_total_bytes, max_files=args.max_files)
    try:
        return run(args.archive, args.work, args.out, Options(jobs=max(1, args.jobs)), limits)
    except OSError as exc:  # a full disk or a vanished folder: the worker retries the step
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
