"""Leaderboard settings: one frozen object, built once at the edge and passed down (§11)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from leaderboard.errors import LeaderboardError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PREFIX = "INFERBOARD_"
_TRUE = frozenset({"1", "true", "yes", "on"})


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
    db_threads: int = field(
        default=1,
        metadata={
            "help": "DuckDB worker threads per query. A web process answers many small reads "
            "at once, and DuckDB's parallelism costs more than it gives there: a 1M-row "
            "leaderboard read took 5 ms with 1 thread and 18 ms with 2 on a busy 2-core "
            "machine. Raise it for a process that runs few large queries."
        },
    )

    @classmethod
    def from_mapping(cls, values: Mapping[str, str]) -> LeaderboardSettings:
        """Build from ``INFERBOARD_DB_PATH``-style keys; the caller reads the environment."""
        return cls(**fields_from_mapping(cls, values))


def fields_from_mapping(
    cls: type,
    values: Mapping[str, str],
    *,
    error: Callable[[str, str], Exception] = LeaderboardError,
) -> dict[str, Any]:
    """Constructor arguments for the settings dataclass ``cls`` from ``INFERBOARD_<FIELD>`` keys.

    One converter for every layer's settings (leaderboard, submissions, portal), so a value
    means the same wherever it is read. Fields whose key is absent keep their default. Types:
    ``bool`` (1/true/yes/on, anything else is false), ``int``, ``float``, ``str``, ``Path``,
    ``tuple[str, ...]`` (comma-separated, blanks dropped), and ``X | None`` (empty: None).
    A value that does not parse raises ``error(code, message)`` naming the key and the fix, so
    each layer raises its own error type.
    """
    kwargs: dict[str, Any] = {}
    for spec in fields(cls):
        key = f"{PREFIX}{spec.name.upper()}"
        raw = values.get(key)
        if raw is None:
            continue
        type_name = spec.type if isinstance(spec.type, str) else spec.type.__name__
        try:
            kwargs[spec.name] = _convert(type_name, str(raw).strip())
        except ValueError as exc:
            raise error(
                "settings.invalid", f"{key}={raw!r} is not a valid {type_name}; fix or unset it"
            ) from exc
        except TypeError as exc:
            raise error("settings.invalid", f"{key}: unsupported setting type {type_name}") from exc
    return kwargs


def _convert(type_name: str, text: str) -> object:
    """``text`` as a value of the annotated type (a string under ``from __future__``)."""
    base = type_name.removesuffix(" | None")
    if base != type_name and not text:
        return None
    if base == "bool":
        return text.lower() in _TRUE
    if base == "int":
        return int(text)
    if base == "float":
        return float(text)
    if base == "str":
        return text
    if base == "Path":
        return Path(text)
    if base.startswith("tuple"):
        return tuple(part.strip() for part in text.split(",") if part.strip())
    raise TypeError(type_name)
