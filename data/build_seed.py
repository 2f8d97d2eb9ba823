"""Build data/mlperf_results_seed.parquet from the shared CSV of published MLPerf results.

Usage: .venv/bin/python data/build_seed.py [CSV] [OUT]
Defaults: ../shared/data/mlperf_inference_results.csv -> data/mlperf_results_seed.parquet.
Rebuilding from the same CSV gives the same rows (sorted by result id, typed, zstd Parquet).
"""

from __future__ import annotations

import sys
from pathlib import Path

from leaderboard.errors import LeaderboardError
from leaderboard.seed import build_seed

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_CSV = ROOT.parent / "shared" / "data" / "mlperf_inference_results.csv"
DEFAULT_OUT = ROOT / "data" / "mlperf_results_seed.parquet"


def main(argv: list[str]) -> int:
    csv_path = Path(argv[0]) if argv else DEFAULT_CSV
    out_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    try:
        frame = build_seed(csv_path, out_path)
    except LeaderboardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    size_kb = out_path.stat().st_size / 1024
    print(f"wrote {out_path} ({frame.height} rows, {size_kb:.0f} KiB) from {csv_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
