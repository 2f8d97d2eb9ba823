"""Leaderboard settings: one frozen object, built once at the edge and passed down (§11)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class LeaderboardSettings:
    """Where the database and the seed live, and how the database is opened."""

    db_path: Path = field(
        default=PROJECT_ROOT / "data" / "inferboard.duckdb",
        metadata={
            "help": "DuckDB file the portal owns (gitignored); created and seeded on first start."
        },
    )
    seed_path: Path = field(
        default=PROJECT_ROOT / "data" / "mlperf_results_seed.parquet",
        metadata={"help": "Compact seed table built by data/build_seed.py from the shared CSV."},
    )
    read_only: bool = field(
        default=False,
        metadata={
            "help": "Open the file read-only (for extra web processes serving a finished file; "
            "no seeding or migration then)."
        },
    )

    @classmethod
    def from_mapping(cls, values: Mapping[str, str]) -> LeaderboardSettings:
        """Build from ``INFERBOARD_DB_PATH``-style keys; the caller reads the environment."""
        kwargs: dict[str, object] = {}
        for spec in fields(cls):
            raw = values.get(f"INFERBOARD_{spec.name.upper()}")
            if raw is None:
                continue
            if spec.type in ("bool", bool):
                kwargs[spec.name] = raw.strip().lower() in {"1", "true", "yes", "on"}
            else:
                kwargs[spec.name] = Path(raw)
        return cls(**kwargs)  # type: ignore[arg-type]
