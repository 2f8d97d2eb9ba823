"""Our official verdict against the official checker's, on any results tree, and the time both
take.

    .venv/bin/python -m bench.official_agreement TREE OFFICIAL_CSV [--official-checker DIR]
        [--round vX.Y] [--jobs N] [--repeats N]

``OFFICIAL_CSV`` is the summary the round's official checker wrote for ``TREE`` (never one we
produced). The script runs ``python -m validator TREE --summary-csv`` ``--repeats`` times,
compares our CSV with the official one row by row (``validator.agreement``: every column,
``Scenario`` case-insensitive, ``Location`` normalised) and prints the agreement by cause: for
every row only one side writes, our official finding codes on that result.

With ``--official-checker DIR`` (``tools/submission`` of mlcommons/inference at the commit that
judged the round: a folder holding ``submission_checker.py`` or the v6.0 package
``submission_checker/``) it also runs the official checker, interleaved with ours, and prints
both medians of wall and CPU time (children's user + system), the ratio, our peak memory and
the load average before and after. The checker is run with the current Python, standard
library only, from a scratch folder beside nothing of ours.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from validator.agreement import compare_files
from validator.report import report_from_json
from validator.rules import load_round

ROOT = Path(__file__).resolve().parents[1]


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int, int]:
    """(wall s, CPU s of the child, exit status, peak RSS KiB of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode, after.ru_maxrss


def _official_command(
    checker: Path, tree: Path, version: str, csv_out: Path
) -> tuple[list[str], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if (checker / "submission_checker" / "main.py").is_file():
        env["PYTHONPATH"] = str(checker)
        command = [sys.executable, "-m", "submission_checker.main"]
    else:
        command = [sys.executable, str(checker / "submission_checker.py")]
    return [*command, "--input", str(tree), "--version", version, "--csv", str(csv_out)], env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("official_csv", type=Path)
    parser.add_argument("--official-checker", type=Path, help="tools/submission of the checker")
    parser.add_argument("--round", help="the round (default: detected from the seeds)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    tree = args.tree.resolve()
    print(f"load average before: {os.getloadavg()}")
    ours: list[tuple[float, float, int]] = []
    theirs: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="agreement-") as scratch:
        work = Path(scratch)
        csv_out, json_out = work / "ours.csv", work / "ours.json"
        for _ in range(args.repeats):
            command = [sys.executable, "-m", "validator", str(tree), "--format", "json",
                       "--summary-csv", str(csv_out), "--jobs", str(args.jobs)]  # fmt: skip
            if args.round:
                command += ["--round", args.round]
            with json_out.open("wb") as sink:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run(command, cwd=ROOT, stdout=sink, check=False)
                wall = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            ours.append((wall, cpu, after.ru_maxrss))
            if args.official_checker:
                report = report_from_json(json_out.read_bytes())
                version = args.round or report.round or "v5.1"
                command, checker_env = _official_command(
                    args.official_checker.resolve(), tree, version, work / "official.csv"
                )
                wall, cpu, _, _ = _run(command, work, checker_env)
                theirs.append((wall, cpu))
        report = report_from_json(json_out.read_bytes())
        style = load_round(report.round).checker.csv_style if report.round else "classic"
        agreement = compare_files(report, args.official_csv, style)
    print(f"load average after: {os.getloadavg()}")
    official_valid = sum(r.official_valid for r in report.results)
    print(
        f"\n{report.round}: {len(report.results)} results; "
        f"ours: {official_valid} officially valid, "
        f"{sum(r.valid for r in report.results)} valid for Inferboard"
    )
    print("\n".join(agreement.lines()))
    wall = statistics.median(w for w, _, _ in ours)
    cpu = statistics.median(c for _, c, _ in ours)
    peak = ours[0][2] / 1024  # the first run: later maxima include the checker's
    print(f"\nInferboard (--jobs {args.jobs}): wall {wall:.2f} s, CPU {cpu:.2f} s, "
          f"peak RSS {peak:.0f} MiB (median of {len(ours)})")  # fmt: skip
    if theirs:
        o_wall = statistics.median(w for w, _ in theirs)
        o_cpu = statistics.median(c for _, c in theirs)
        print(f"official checker: wall {o_wall:.2f} s, CPU {o_cpu:.2f} s (median of {len(theirs)})")
        print(f"ratio: {o_wall / wall:.1f}x less wall time, {o_cpu / cpu:.1f}x less CPU time")
    return 0 if agreement.exact else 1


if __name__ == "__main__":
    raise SystemExit(main())
