"""``python -m validator PATH``.

Exit status: 0 when the verdict (Inferboard's by default, ``--verdict official`` for the
round's checker) is "accepted", 1 when it is "rejected", 2 when PATH cannot be read or an
option is wrong, 3 on an unexpected failure (one line on stderr naming the input and, when a
check raised, the folder it was checking; the traceback only with ``INFERBOARD_DEBUG=1``).
Output is text or strict JSON; ``--summary-csv`` writes the official checker's summary CSV
for the officially valid results.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from errors import InferboardError
from validator.api import validate_path
from validator.codes import CODES, Verdict
from validator.failure import CheckCrashedError
from validator.options import Options
from validator.report import Report
from validator.rules import available_rounds, load_round
from validator.summary_csv import write_summary_csv

EXIT_ACCEPTED, EXIT_REJECTED, EXIT_INPUT, EXIT_UNEXPECTED = 0, 1, 2, 3


def _program_name() -> str:
    """``inferboard-validate`` when run as the installed command, else ``python -m validator``."""
    name = Path(sys.argv[0]).name
    return "python -m validator" if name in ("__main__.py", "-c", "") else name


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_program_name(),
        description="Check an MLPerf Inference submission against the rules and the truth.",
    )
    parser.add_argument("path", type=Path, nargs="?", help="submission folder or .zip/.tar.gz/.tgz")
    parser.add_argument(
        "--round", help=f"round ({', '.join(available_rounds())}); default: from the seeds"
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument(
        "--summary-csv",
        type=Path,
        help="write the official checker's summary CSV (officially valid results) to this file",
    )
    parser.add_argument(
        "--verdict",
        choices=[v.value for v in (Verdict.INFERBOARD, Verdict.OFFICIAL)],
        default=Verdict.INFERBOARD.value,
        help="which verdict sets the exit status (default: inferboard = official + truth)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for result checks")
    parser.add_argument(
        "--skip-code-check", action="store_true", help="do not require code/ or src/"
    )
    parser.add_argument(
        "--skip-calibration-check", action="store_true", help="do not require calibration.md"
    )
    parser.add_argument(
        "--skip-compliance", action="store_true", help="do not check compliance tests"
    )
    parser.add_argument(
        "--skip-power-check", action="store_true", help="do not run the Power WG's PTD log checks"
    )
    parser.add_argument(
        "--submission-exceptions",
        action="store_true",
        help="excuse 'Loadgen built with uncommitted changes!'",
    )
    parser.add_argument(
        "--show-info", action="store_true", help="text output: also list info notes"
    )
    parser.add_argument(
        "--list-codes", action="store_true", help="print every finding code and exit"
    )
    return parser


def _options(args: argparse.Namespace) -> Options:
    return Options(
        round=args.round,
        jobs=max(1, min(args.jobs, 64)),
        skip_code_check=args.skip_code_check,
        skip_calibration_check=args.skip_calibration_check,
        skip_compliance=args.skip_compliance,
        skip_power_check=args.skip_power_check,
        submission_exceptions=args.submission_exceptions,
    )


def _write_csv(report: Report, target: Path, source: str) -> str | None:
    """Write the summary CSV; a one-line problem when it cannot be written."""
    if target.is_dir():
        return f"--summary-csv {target.name}: that is a folder; give a file name"
    if report.round is None:
        return "--summary-csv: no round could be determined, so there is no official summary"
    style = load_round(report.round).checker.csv_style
    try:
        write_summary_csv(report, target, style, location_prefix=source)
    except OSError as exc:
        return f"--summary-csv {target.name}: cannot write it ({exc.strerror or 'I/O error'})"
    return None


def _print(text: str) -> None:
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `python -m validator ... | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.list_codes:
        for code, info in CODES.items():
            _print(f"{code:45} {info.severity:8} {info.verdict:10} {info.title}")
        return EXIT_ACCEPTED
    if args.path is None:
        print("error: PATH is required (a submission folder or archive)", file=sys.stderr)
        return EXIT_INPUT
    try:
        report = validate_path(args.path, _options(args))
    except InferboardError as exc:
        print(f"error: {exc.one_line()}", file=sys.stderr)
        return EXIT_INPUT
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        if os.environ.get("INFERBOARD_DEBUG"):
            traceback.print_exc()
        print(
            f"error: unexpected failure while validating {args.path.name}: "
            f"{exc if isinstance(exc, CheckCrashedError) else type(exc).__name__} "
            "(please report it; INFERBOARD_DEBUG=1 shows details)",
            file=sys.stderr,
        )
        return EXIT_UNEXPECTED
    _print(report.to_json() if args.format == "json" else report.to_text(show_info=args.show_info))
    if args.summary_csv:
        problem = _write_csv(report, args.summary_csv, str(args.path).rstrip("/") or ".")
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return EXIT_INPUT
    official = Verdict(args.verdict) is Verdict.OFFICIAL
    accepted = report.officially_accepted if official else report.accepted
    return EXIT_ACCEPTED if accepted else EXIT_REJECTED
