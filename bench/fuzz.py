"""Fuzz the validator with seeded mutants of the real bundles and count the outcomes.

    .venv/bin/python -m bench.fuzz N [--seed S] [--timeout 60]

Each case copies one of the four real bundles in ../shared/data/bundles, applies one to three
mutations (byte flips, truncation, wrong JSON types, huge or non-finite numbers, deep nesting,
invalid UTF-8, long lines, links, FIFOs, empty logs, fake accuracy lines), sometimes packs it as
a zip or tar.gz, and runs ``python -m validator --format json`` on it in a forked child with a
time limit. Prints the count by outcome (ok / crash / hang / bad_json), the slowest cases, and
every failing case's seed: add it to REGRESSIONS in tests/validator/test_fuzz.py, where the
seed alone regenerates it.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.support.fuzzing import cases, run_case

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    bundles = ROOT.parent / "shared" / "data" / "bundles"
    print(f"seed {args.seed}, {args.count} cases, load average {os.getloadavg()}")
    outcomes = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fuzz-") as scratch:
        for case in cases(args.seed, args.count):
            outcome = run_case(case, bundles, Path(scratch), args.timeout)
            outcomes.append(outcome)
            if outcome.kind != "ok":
                what = "; ".join(outcome.mutations)
                print(f"{outcome.kind}: Case({case.seed}, {case.bundle!r}, {case.as_archive!r}) "
                      f"exit {outcome.status}: {what}\n  {outcome.detail[-400:]}")  # fmt: skip
    counts = Counter(o.kind for o in outcomes)
    print(f"\n{len(outcomes)} cases in {time.perf_counter() - start:.0f} s: {dict(counts)}")
    print(f"exit statuses: {dict(Counter(o.status for o in outcomes))}")
    slowest = sorted(outcomes, key=lambda o: o.seconds, reverse=True)[:5]
    for o in slowest:
        print(f"  slowest {o.seconds:.2f} s: {o.case.name}: {'; '.join(o.mutations)}")
    print(f"load average {os.getloadavg()}")
    return 0 if counts.get("ok", 0) == len(outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
