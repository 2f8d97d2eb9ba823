"""``python -m validator PATH`` — exit 0 without errors, 1 with errors, 2 if PATH is unreadable."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from validator.api import InputError, validate_path
from validator.codes import CODES
from validator.options import Options
from validator.report import write_summary_csv
from validator.rules import UnknownRoundError, available_rounds


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m validator",
        description="Check an MLPerf Inference submission against the rules and the truth.",
    )
    parser.add_argument("path", type=Path, nargs="?", help="submission folder or .zip/.tar.gz/.tgz")
    parser.add_argument(
        "--round", help=f"round ({', '.join(available_rounds())}); default: from the seeds"
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument(
        "--summary-csv", type=Path, help="write valid results as the official summary CSV"
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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.list_codes:
        for code, info in CODES.items():
            origin = "official" if info.official else "truth"
            print(f"{code:45} {info.severity:8} {origin:9} {info.title}")
        return 0
    if args.path is None:
        print("error: PATH is required (a submission folder or archive)", file=sys.stderr)
        return 2
    options = Options(
        round=args.round,
        jobs=max(1, args.jobs),
        skip_code_check=args.skip_code_check,
        skip_calibration_check=args.skip_calibration_check,
        skip_compliance=args.skip_compliance,
        submission_exceptions=args.submission_exceptions,
    )
    try:
        report = validate_path(args.path, options)
    except (InputError, UnknownRoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.to_json() if args.format == "json" else report.to_text(show_info=args.show_info))
    if args.summary_csv:
        write_summary_csv(report, args.summary_csv)
    return 0 if report.accepted else 1
