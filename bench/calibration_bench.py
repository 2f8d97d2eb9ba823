"""Calibration of the reproduction comparison, from the published TEST06 logs in ../shared.

Measures (``scoring.calibration``): per-query agreement of legitimate pairs (two llama2-70b
systems of one round answering the same 100 TEST06 queries), the thresholds for each sample
size at the target false-alarm rate, the false-alarm rate then measured on fresh samples, and
the detection rate of each known-bad kind. Baseline in the same run: the previous rule
(a query agrees when its common prefix is >= 50 % of the submitted answer or the similarity is
>= 0.8; the sample passes when >= 90 % of queries agree), on the same pairs, with token-id
LCS F1 standing in for the decoded-text ROUGE-L it used (no Llama-2 tokenizer here).

    .venv/bin/python -m bench.calibration_bench            # print the figures
    .venv/bin/python -m bench.calibration_bench --write    # also rewrite scoring/calibration.json

Calibrating takes a few seconds; the figure is the median of --repeats runs, with the load
average before and after (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from scoring.calibration import (
    CALIBRATION_FILE,
    bad_submissions,
    calibrate,
    find_test06_logs,
    legitimate_pairs,
)
from scoring.rouge_kernels import lcs_fmeasure

ROOT = Path(__file__).resolve().parents[1]

SHARED = ROOT.parent / "shared" / "data"


def old_rule_passes(submitted: tuple[int, ...], regenerated: tuple[int, ...]) -> bool:
    """The previous per-query rule, on raw token ids as it compared them."""
    prefix = 0
    for a, b in zip(submitted, regenerated, strict=False):
        if a != b:
            break
        prefix += 1
    similarity = lcs_fmeasure(list(submitted), list(regenerated)) if submitted else 0.0
    return prefix / max(len(submitted), 1) >= 0.5 or similarity >= 0.8


def baseline(corpus: Path) -> dict[str, object]:
    logs, _ = find_test06_logs(corpus)
    pairs = legitimate_pairs(logs)
    other = [o for log in logs if log.benchmark.startswith("mixtral") for o in log.outputs.values()]
    legit_fraction: list[float] = []
    bad_fraction: dict[str, list[float]] = {}
    amd: dict[str, object] | None = None
    for a, b, queries in pairs:
        passes = [old_rule_passes(b.outputs[q], a.outputs[q]) for q in queries]
        legit_fraction.append(float(np.mean(passes)))
        if "8xMI300X" in a.path and "8xMI300X" in b.path:
            amd = {
                "pair": f"{a.path} | {b.path}",
                "queries": len(queries),
                "exact": sum(a.outputs[q] == b.outputs[q] for q in queries),
                "prefix_50": sum(
                    _prefix(b.outputs[q], a.outputs[q]) >= 0.5 * len(b.outputs[q]) for q in queries
                ),
                "old_rule_pass": sum(passes),
            }
        for kind, outputs in bad_submissions(b.outputs, queries, other).items():
            ok = [old_rule_passes(outputs[q], a.outputs[q]) for q in queries]
            bad_fraction.setdefault(kind, []).append(float(np.mean(ok)))
    return {
        "pairs": len(pairs),
        "legit_pairs_failing_whole": round(float(np.mean([f < 0.9 for f in legit_fraction])), 4),
        "legit_median_pass_fraction": round(float(np.median(legit_fraction)), 4),
        "bad_pairs_passing_whole": {
            kind: round(float(np.mean([f >= 0.9 for f in v])), 4)
            for kind, v in bad_fraction.items()
        },
        "amd_server_interactive": amd,
    }


def _prefix(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=SHARED, help="folder with TEST06 logs")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="rewrite scoring/calibration.json")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(
            f"error: {args.corpus} not found (../shared/data beside the checkout)", file=sys.stderr
        )
        return 2
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    times, result = [], None
    for _ in range(args.repeats):
        started = time.perf_counter()
        result = calibrate(args.corpus)
        times.append(time.perf_counter() - started)
    assert result is not None
    started = time.perf_counter()
    old = baseline(args.corpus)
    old_time = time.perf_counter() - started
    measured = result.measured
    print(f"calibration: median {statistics.median(times):.2f} s over {args.repeats} runs "
          f"(baseline rule evaluation {old_time:.2f} s)")  # fmt: skip
    pairs = measured["legitimate_pairs"]
    print(f"legitimate pairs: {len(pairs)}, {measured['legitimate_queries']} queries")
    print(f"per query: {measured['per_query']}")
    print(f"target false-alarm rate: {result.target_false_alarm:.1%}\n")
    header = f"{'K':>4} {'false alarm':>12} " + " ".join(f"{k:>15}" for k in
             measured["by_sample_size"][0]["detection"])  # fmt: skip
    print(header)
    for row in measured["by_sample_size"]:
        cells = " ".join(f"{v:>15.1%}" for v in row["detection"].values())
        print(f"{row['sample_size']:>4} {row['false_alarm']:>12.2%} {cells}")
    print("\nthresholds per sample size:")
    for t in result.thresholds:
        print(f"  {t}")
    print("\nbaseline (previous rule, whole 100-query pairs):")
    print(json.dumps(old, indent=2))
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if args.write:
        CALIBRATION_FILE.write_text(json.dumps(result.to_json(), indent=2) + "\n", "utf-8")
        print(f"wrote {CALIBRATION_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
