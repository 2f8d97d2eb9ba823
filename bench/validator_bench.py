"""Validator speed on a large tree, side by side with the official MLPerf checker.

Builds a tree by replicating a real bundle into N systems (hard links), validates it with our
validator (median of --repeat runs, --jobs workers) and, when --official-checker points at an
extracted ``tools/submission`` of mlcommons/inference (fetched separately, never committed),
runs it on the same tree and prints the ratio and whether every result gets the same verdict.

    .venv/bin/python -m bench.validator_bench --copies 500 \
        --official-checker /tmp/official/checker-v5.1/tools/submission
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from validator import Options, validate_path
from validator.rules import load_round
from validator.summary_csv import write_summary_csv

ROOT = Path(__file__).resolve().parents[1]

BUNDLE = ROOT.parent / "shared" / "data" / "bundles" / "v5.1" / "closed" / "AMD"


def replicate(source: Path, copies: int, out: Path) -> Path:
    """``out/closed/AMD`` with systems <sys>_1..N besides the original, hard-linked."""
    target = out / "closed" / source.name
    shutil.copytree(source, target, copy_function=os.link)
    (target / "code" / "llama2-70b-99").mkdir(parents=True)
    (target / "code" / "llama2-70b-99" / "README.md").write_text("placeholder for the bench\n")
    system = next((target / "systems").glob("*.json")).stem
    for i in range(1, copies + 1):
        name = f"{system}_{i}"
        os.link(target / "systems" / f"{system}.json", target / "systems" / f"{name}.json")
        for tree in ("results", "compliance"):
            shutil.copytree(target / tree / system, target / tree / name, copy_function=os.link)
        shutil.copytree(
            target / "measurements" / system, target / "measurements" / name, copy_function=os.link
        )
        for impl in (target / "measurements" / name).rglob(f"{system}*.json"):
            impl.rename(impl.with_name(impl.name.replace(system, name, 1)))
    return out


def time_ours(tree: Path, jobs: int, repeat: int, csv_out: Path) -> tuple[list[float], int]:
    times, count = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        report = validate_path(tree, Options(jobs=jobs, skip_calibration_check=True))
        times.append(time.perf_counter() - start)
        count = sum(r.valid for r in report.results)
    write_summary_csv(report, csv_out, load_round(report.round).checker.csv_style)
    return times, count


def time_official(tree: Path, checker: Path, csv_out: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(checker / "submission_checker.py"), "--input", str(tree),
         "--version", "v5.1", "--csv", str(csv_out), "--skip-calibration-check"],
        check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - start


def verdicts(path: Path) -> dict[tuple[str, str], str]:
    with path.open(encoding="utf-8") as f:
        return {(r["Platform"], r["Scenario"]): r["Result"] for r in csv.DictReader(f)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--official-checker", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        tree = replicate(BUNDLE, args.copies, work / "tree")
        ours_csv = work / "ours.csv"
        for jobs in sorted({1, args.jobs}):
            times, valid = time_ours(tree, jobs, args.repeat, ours_csv)
            median = statistics.median(times)
            print(
                f"inferboard jobs={jobs}: {valid} results, median {median:.2f} s "
                f"({valid / median:,.0f} results/s) over {args.repeat} runs"
            )
        if args.official_checker:
            official_csv = work / "official.csv"
            official = statistics.median(
                time_official(tree, args.official_checker, official_csv) for _ in range(args.repeat)
            )
            theirs = verdicts(official_csv)
            print(
                f"official checker: {len(theirs)} results, median {official:.2f} s "
                f"({len(theirs) / official:,.0f} results/s) over {args.repeat} runs"
            )
            print(f"speed-up (official ÷ inferboard median): {official / median:.1f}x")
            same = verdicts(ours_csv) == theirs
            print(f"same valid results and values as the official checker: {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
