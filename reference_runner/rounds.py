"""Per-round settings the runner needs: seeds and bundle layout, read from the validator's rules
tables (``validator.rules``), the single source of truth for every round (spec §4.2 item 6, §1).

Only the TEST06 token dtype is the runner's own choice: the default of the round's
``run_verification.py`` (int64 in v4.0, int32 from v4.1, spec §4.4).
"""

from __future__ import annotations

from dataclasses import dataclass

from reference_runner.errors import RunnerError
from scoring.accuracy_log import TokenDtype
from validator.rules import available_rounds
from validator.rules import load_round as load_rules

KNOWN_ROUNDS = available_rounds()
_TEST06_DTYPE: dict[str, TokenDtype] = {"v4.0": "int64"}


@dataclass(frozen=True)
class Seeds:
    """The three LoadGen RNG seeds a round's checker insists on."""

    qsl: int
    sample_index: int
    schedule: int


@dataclass(frozen=True)
class RoundSettings:
    """What a run for one MLPerf round must use and how its bundle is laid out."""

    name: str
    seeds: Seeds
    merged_layout: bool  # v6.0+: measurements and compliance inside results/, code/ -> src/
    needs_mlperf_conf: bool  # v4.0/v4.1 measurements require mlperf.conf
    has_interactive_dir: bool  # v5.1+: an Interactive scenario directory exists
    token_dtype: TokenDtype  # the default dtype run_verification.py reads (spec §4.4)


def load_round(name: str) -> RoundSettings:
    """The settings for ``name`` (e.g. "v5.1")."""
    if name not in KNOWN_ROUNDS:
        raise RunnerError(
            f"Unknown round {name!r}. Choose one of: {', '.join(KNOWN_ROUNDS)}.",
            code="runner.unknown_round",
        )
    rules = load_rules(name)
    return RoundSettings(
        name=name,
        seeds=Seeds(*rules.seeds.as_tuple()),
        merged_layout=rules.layout == "merged",
        needs_mlperf_conf=rules.checker.mlperf_conf_required,
        has_interactive_dir=rules.interactive == "scenario",
        token_dtype=_TEST06_DTYPE.get(name, "int32"),
    )
