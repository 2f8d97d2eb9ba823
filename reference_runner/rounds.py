"""Per-round LoadGen settings the runner needs: seeds, latency limits and bundle layout.

The validator's rules tables (``validator.rules``) are the single source of truth once they
exist; until then, and for any round they do not cover, the values below are used. They are
the published values (spec §4.2 item 6 for seeds, §4.2 item 3 for TTFT/TPOT limits, §1 for the
layout switch at v6.0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reference_runner.errors import RunnerError


@dataclass(frozen=True)
class Seeds:
    """The three LoadGen RNG seeds a round's checker insists on."""

    qsl: int
    sample_index: int
    schedule: int


@dataclass(frozen=True)
class LatencyLimits:
    """p99 limits in nanoseconds for one scenario directory."""

    ttft_ns: int
    tpot_ns: int


@dataclass(frozen=True)
class RoundSettings:
    """What a run for one MLPerf round must use and how its bundle is laid out."""

    name: str
    seeds: Seeds
    merged_layout: bool  # v6.0+: measurements and compliance inside results/, code/ -> src/
    needs_mlperf_conf: bool  # v4.0/v4.1 measurements require mlperf.conf
    has_interactive_dir: bool  # v5.1+: an Interactive scenario directory exists
    limits: dict[str, LatencyLimits]
    token_dtype: str  # the default dtype run_verification.py reads (spec §4.4)


_SERVER = LatencyLimits(ttft_ns=2_000_000_000, tpot_ns=200_000_000)
_INTERACTIVE = LatencyLimits(ttft_ns=450_000_000, tpot_ns=40_000_000)

# Seeds: spec §4.2 item 6. Layout: spec §1. Interactive: spec §1 (v5.1+ directory).
_LOCAL_ROUNDS: dict[str, RoundSettings] = {
    "v4.0": RoundSettings(
        "v4.0",
        Seeds(13281865557512327830, 198141574272810017, 7575108116881280410),
        False,
        True,
        False,
        {"Server": _SERVER},
        "int64",
    ),
    "v4.1": RoundSettings(
        "v4.1",
        Seeds(3066443479025735752, 10688027786191513374, 14962580496156340209),
        False,
        True,
        False,
        {"Server": _SERVER},
        "int32",
    ),
    "v5.0": RoundSettings(
        "v5.0",
        Seeds(6023615788873153749, 15036839855038426416, 9933818062894767841),
        False,
        False,
        False,
        {"Server": _SERVER},
        "int32",
    ),
    "v5.1": RoundSettings(
        "v5.1",
        Seeds(1780908523862526354, 14771362308971278857, 18209322760996052031),
        False,
        False,
        True,
        {"Server": _SERVER, "Interactive": _INTERACTIVE},
        "int32",
    ),
    "v6.0": RoundSettings(
        "v6.0",
        Seeds(2085463073848966840, 2747215439041700203, 16159082839903944936),
        True,
        False,
        True,
        {"Server": _SERVER, "Interactive": _INTERACTIVE},
        "int32",
    ),
}

KNOWN_ROUNDS = tuple(_LOCAL_ROUNDS)


def _seeds_from_validator(name: str) -> Seeds | None:
    """Seeds from ``validator.rules`` when that module knows the round, else None."""
    try:
        from validator import rules  # the validator never imports the runner, so no cycle
    except ImportError:
        return None
    load = getattr(rules, "load_round", None)
    if load is None:
        return None
    try:
        table: Any = load(name)
    except Exception:  # an unknown round there is not an error here: the local table decides
        return None
    seeds = getattr(table, "seeds", None)
    as_tuple = getattr(seeds, "as_tuple", None)
    if as_tuple is None:
        return None
    qsl, sample_index, schedule = as_tuple()
    return Seeds(int(qsl), int(sample_index), int(schedule))


def load_round(name: str) -> RoundSettings:
    """The settings for ``name`` (e.g. "v5.1"); seeds preferably from the validator's rules."""
    local = _LOCAL_ROUNDS.get(name)
    if local is None:
        raise RunnerError(
            f"Unknown round {name!r}. Choose one of: {', '.join(KNOWN_ROUNDS)}.",
            code="runner.unknown_round",
        )
    seeds = _seeds_from_validator(name)
    if seeds is None or seeds == local.seeds:
        return local
    return RoundSettings(
        local.name,
        seeds,
        local.merged_layout,
        local.needs_mlperf_conf,
        local.has_interactive_dir,
        local.limits,
        local.token_dtype,
    )
