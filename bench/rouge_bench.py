"""ROUGE speed: the fast scorer against plain ``rouge_score``, side by side in one run.

Both run the whole official pipeline (strip, NLTK sentence split, ROUGE-1/2/L/Lsum, mean ×100,
rounded), on pseudo-English pairs of about 300 words from :mod:`scoring.synthetic` (the real
OpenOrca data cannot be downloaded here). The baseline is slow (~40 ms a pair), so it runs
once on a subset and its time is extrapolated linearly to N pairs (the pairs are drawn
independently, so the per-pair cost of a random subset is representative); the output says
so. The fast scorer runs on all N pairs, ``--repeats`` times, and its median is reported.

    .venv/bin/python -m bench.rouge_bench                 # 2,000 pairs, baseline on 200
    .venv/bin/python -m bench.rouge_bench --pairs 24576   # a full llama2 accuracy log
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from scoring.punkt_data import load_sentence_splitter, write_punkt_data
from scoring.rouge import ROUGE_TYPES, RougeResult, score_fast, score_reference
from scoring.synthetic import pairs

ROOT = Path(__file__).resolve().parents[1]


def timed(
    function: Callable[..., RougeResult], *args: object, **kwargs: object
) -> tuple[float, float, RougeResult]:
    """Wall seconds, this process's CPU seconds (robust to other load), result."""
    start, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, time.process_time() - cpu, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=2000, help="pairs for the fast scorer")
    parser.add_argument("--slow-pairs", type=int, default=200, help="pairs for the baseline")
    parser.add_argument("--repeats", type=int, default=3, help="runs of the fast scorer (>=3)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="fast workers")
    parser.add_argument("--words", type=int, default=300, help="words per text")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--punkt-dir", type=Path, default=ROOT / "data" / "nltk_data")
    args = parser.parse_args()
    if args.repeats < 3 or not 0 < args.slow_pairs <= args.pairs:
        parser.error("need --repeats >= 3 and 0 < --slow-pairs <= --pairs")

    with tempfile.TemporaryDirectory() as scratch:
        punkt_dir = args.punkt_dir
        if not (punkt_dir / "tokenizers" / "punkt_tab" / "english").is_dir():
            punkt_dir = Path(scratch)
            write_punkt_data(punkt_dir)
        split = load_sentence_splitter(punkt_dir)
        predictions, references = pairs(args.pairs, seed=args.seed, n_words=args.words)
        words = np.mean([len(text.split()) for text in references])
        print(f"pairs: {args.pairs} pseudo-English, {words:.0f} words per reference on average")
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"machine: {os.cpu_count()} cores, load average {load}; fast jobs={args.jobs}")

        subset = args.slow_pairs
        slow_s, slow_cpu, slow = timed(
            score_reference, predictions[:subset], references[:subset], split
        )
        fast_subset = score_fast(predictions[:subset], references[:subset], split)
        per_pair_diff = float(np.max(np.abs(slow.per_pair - fast_subset.per_pair)))
        metric_diff = max(
            abs(a - b)
            for a, b in zip(slow.metrics().values(), fast_subset.metrics().values(), strict=True)
        )

        runs: dict[int, list[float]] = {}
        serial_cpu: list[float] = []
        fast = None
        for jobs in sorted({1, args.jobs}):
            runs[jobs] = []
            for _ in range(args.repeats):
                seconds, cpu, fast = timed(score_fast, predictions, references, split, jobs=jobs)
                runs[jobs].append(seconds)
                if jobs == 1:
                    serial_cpu.append(cpu)

    slow_extrapolated = slow_s / subset * args.pairs
    print(
        f"\nrouge_score (baseline, 1 process): {subset} pairs once in {slow_s:.2f} s = "
        f"{subset / slow_s:.1f} pairs/s; extrapolated to {args.pairs} pairs: "
        f"{slow_extrapolated:.1f} s (CPU {slow_cpu / subset * 1e3:.1f} ms a pair)"
    )
    for jobs, walls in runs.items():
        median = statistics.median(walls)
        print(
            f"fast, jobs={jobs}: median {median:.2f} s of {len(walls)} runs "
            f"({', '.join(f'{s:.2f}' for s in walls)}) = {args.pairs / median:.1f} pairs/s; "
            f"speed-up x{slow_extrapolated / median:.1f}"
        )
    cpu_ratio = (slow_cpu / subset) / (statistics.median(serial_cpu) / args.pairs)
    print(
        f"CPU time per pair, baseline / fast jobs=1 (insensitive to other load): x{cpu_ratio:.1f}"
    )
    print(f"\nlargest |difference| on the {subset} common pairs:")
    print(f"  per-pair F-measure: {per_pair_diff:.3g}   reported metric (4 dp): {metric_diff:.3g}")
    assert fast is not None
    print("fast result on all pairs: " + ", ".join(f"{k}={v}" for k, v in fast.metrics().items()))
    print(f"metrics: {', '.join(ROUGE_TYPES)}")
    return 0 if per_pair_diff == 0.0 else 1


if __name__ == "__main__":
    sys.exit(main())
