"""``python -m submissions.validate_child``: extract and validate one stored bundle.

Run by the worker under :mod:`submissions.child_guard` (its own process group, a memory cap),
so CPU-heavy validation never runs in the web process and killing either process loses
nothing: the outputs are written whole (by rename) at the end, ``report.json`` last, and the
worker simply redoes the step when it finds no report. The guard ends this process when the
portal dies, so a killed portal never leaves an orphan writing into a folder the next attempt
is rebuilding. Running out of memory exits with
:data:`~submissions.children.EXIT_OUT_OF_MEMORY`.

Output in ``--out``: ``report.json``, the typed :class:`~validator.report.Report` as JSON
(``archive_refused`` when the archive itself was refused), with no server path in any message.
Everything downstream (the worker, the portal, the CLI, acceptance) reads it back as that model
(:func:`validator.report.report_from_json`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from errors import report_unexpected
from submissions.archive_budget import scrub_paths, whole_archive_problems
from submissions.children import EXIT_OUT_OF_MEMORY
from submissions.settings import PROJECT_ROOT
from submissions.storage import write_whole
from validator.archive import ArchiveLimits, bundle_root, extract_archive
from validator.engine import validate_tree
from validator.options import Options
from validator.report import Report, settle


def run(archive: Path, work: Path, out: Path, options: Options, limits: ArchiveLimits) -> int:
    """Extract ``archive`` (whose name carries the suffix) into ``work/tree`` and validate."""
    tree = work / "tree"
    tree.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    problems = whole_archive_problems(archive, limits.max_ratio) or extract_archive(
        archive, tree, limits
    )
    if problems:
        report = settle(Report(round=None, findings=problems, results=[], source=archive.name))
        report.archive_refused = True
    else:
        report = validate_tree(bundle_root(tree), options, source=archive.name)
    folders = [(tree, ""), (work, ""), (out, ""), (PROJECT_ROOT, "")]
    scrubbed = Report.model_validate(scrub_paths(report.model_dump(mode="json"), folders))
    write_whole(out / "report.json", scrubbed.model_dump_json(indent=2))
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
    parser.add_argument("--max-ratio", type=float, default=ArchiveLimits.max_ratio)
    args = parser.parse_args(argv)
    limits = ArchiveLimits(
        max_total_bytes=args.max_total_bytes, max_files=args.max_files, max_ratio=args.max_ratio
    )
    try:
        return run(args.archive, args.work, args.out, Options(jobs=max(1, args.jobs)), limits)
    except MemoryError:
        print("error: validation needed more memory than its limit", file=sys.stderr)
        return EXIT_OUT_OF_MEMORY
    except OSError as exc:  # a full disk or a vanished folder: the worker retries the step
        print(f"error: {exc.strerror or type(exc).__name__}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: the worker retries, then rejects with the last line
        return report_unexpected(exc)


if __name__ == "__main__":
    raise SystemExit(main())
