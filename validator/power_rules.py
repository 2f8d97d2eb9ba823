"""The Power WG checker's rules as typed data, read once from ``rules/power.yaml``.

Each MLPerf round runs its own copy of the MLCommons Power WG ``power_checker.py`` on a
result's ``performance/`` folder. The copies differ in a few values (accepted PTDaemon
versions, expected source checksums, where the initial Amps range may be restored, the shape
of the PTD configuration); everything else they share. Both live in the YAML table, so a new
round is a data change (house style §4).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

RULES_FILE = Path(__file__).resolve().parent / "rules" / "power.yaml"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Limits(_Frozen):
    """Our bounds on what is read (the official script has none): beyond them, a problem."""

    json_bytes: int
    text_bytes: int
    hashed_bytes: int
    line_chars: int
    tree_entries: int
    tree_depth: int


class SessionRules(_Frozen):
    required_fields: tuple[str, ...]
    result_files: tuple[str, ...]  # relative to performance/, the files whose hashes count
    unhashed_result_files: tuple[str, ...]  # result files the session cannot hash (itself)
    ranging_dir: str
    testing_dir: str
    client_version_pattern: str
    server_version_pattern: str
    unchecked_reply_command: str  # its replies are clock readings, different on each side


class PhaseRules(_Frozen):
    tolerance_ms: int
    dst_shift_s: int  # the checker also accepts LoadGen times one hour late (DST workaround)
    duration_warning_ratio: float  # testing this much shorter than ranging: warning, rest skipped
    min_power_delta_percent: float  # testing average power may not be lower by this much
    watts_field: int
    power_factor_field: int
    time_field: int
    sample_prefix: str
    begin_key: str
    end_key: str
    detail_timestamp_pattern: str


class PtdRules(_Frozen):
    meter_models: dict[str, int]
    identify_command: str
    version_marker: str
    replies: tuple[tuple[str, str], ...]  # (command prefix, the one reply it may get)
    stop_command: str
    late_stop_from: int  # from this Stop on, the reply is late_stop_reply
    late_stop_reply: str
    ranges_message_index: int  # the message whose reply holds the initial ranges
    amps_range_field: int
    volts_range_field: int
    amps_command: str
    volts_command: str
    volts_range_command_position: int
    auto_range: str
    multichannel_device_type: int
    multichannel_channels: int
    channels_option: str


class PtdLogRules(_Frozen):
    timestamp_pattern: str
    timestamp_format: str
    ranging_mark_suffix: str
    go_with_mark: str
    completed: str
    uncertainty_activated_pattern: str
    warning_marker: str
    error_marker: str
    accepted_errors: tuple[str, ...]  # an ERROR line with exactly this text is only a warning
    ranging_errors: tuple[str, ...]  # ERROR lines expected while ranging (prefixes)
    load_margin: float  # seconds kept clear at both ends of the LoadGen run
    uncertainty_error_pattern: str


class MetricRules(_Frozen):
    watts_scenarios: tuple[str, ...]  # average watts
    samples_per_query: dict[str, int]  # millijoules per query, and the samples in one query
    # a result of this scenario measured as the other one counts every sample of a query
    multiplied_when_logged_as: dict[str, str]
    scenario_case_insensitive: bool
    log_markers: tuple[str, ...]  # prefixes of the detail log's entry lines (the first line
    first_line_marker_required: bool  # decides which, and must be one, where this is true)
    query_count_key: str


class RoundPowerRules(_Frozen):
    ptd_versions: tuple[str, ...]
    source_sets: tuple[str, ...]
    # every listed "SR,A" command (by position) must exist; one must restore the initial range
    amps_range_command_positions: tuple[int, ...]
    ptd_config_shape: Literal["single", "list"]
    metric: MetricRules


class PowerTable(_Frozen):
    limits: Limits
    session: SessionRules
    phases: PhaseRules
    ptd: PtdRules
    ptd_log: PtdLogRules
    source_sets: dict[str, dict[str, str]]
    rounds: dict[str, RoundPowerRules]


class PowerRules:
    """One round's view of the table, with its patterns compiled."""

    def __init__(self, table: PowerTable, round_name: str) -> None:
        self.round_name = round_name
        self.round = table.rounds[round_name]
        self.limits = table.limits
        self.session = table.session
        self.phases = table.phases
        self.ptd = table.ptd
        self.ptd_log = table.ptd_log
        self.expected_sources = tuple(table.source_sets[name] for name in self.round.source_sets)
        self.detail_timestamp = re.compile(table.phases.detail_timestamp_pattern)
        self.log_timestamp = re.compile(table.ptd_log.timestamp_pattern)
        self.uncertainty_activated = re.compile(table.ptd_log.uncertainty_activated_pattern)
        self.uncertainty_error = re.compile(table.ptd_log.uncertainty_error_pattern)
        self.client_version = re.compile(table.session.client_version_pattern)
        self.server_version = re.compile(table.session.server_version_pattern)


@cache
def load_table() -> PowerTable:
    with RULES_FILE.open(encoding="utf-8") as handle:
        return PowerTable.model_validate(yaml.safe_load(handle))


@cache
def power_rules(round_name: str) -> PowerRules:
    """The rules of one round; ``KeyError`` names the known rounds."""
    table = load_table()
    if round_name not in table.rounds:
        raise KeyError(f"no power rules for round {round_name!r}; known: {', '.join(table.rounds)}")
    return PowerRules(table, round_name)
