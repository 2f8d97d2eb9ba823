"""Rules as data: one YAML table per MLPerf round plus ``common.yaml`` (house style §4).

A new round is a new ``vX.Y.yaml`` beside the others; no check needs to change unless the
round brings a new *kind* of rule. The tables are parsed once into frozen pydantic models.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

RULES_DIR = Path(__file__).resolve().parent


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Seeds(_Frozen):
    qsl_rng_seed: int
    sample_index_rng_seed: int
    schedule_rng_seed: int

    def as_tuple(self) -> tuple[int, int, int]:
        return (self.qsl_rng_seed, self.sample_index_rng_seed, self.schedule_rng_seed)


class ScenarioTable(_Frozen):
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    # at least one of these must be present (v5.1+: Server or Interactive)
    one_of: tuple[str, ...] = ()


class TokenLatencyLimit(_Frozen):
    ttft: int  # ns, p99 time to first token must be strictly below
    tpot: int  # ns, p99 time per output token must be strictly below


class BenchmarkRules(_Frozen):
    scenarios: dict[str, ScenarioTable] = Field(default_factory=dict)  # by system type
    performance_sample_count: int | None = None
    dataset_size: int | None = None
    min_query_count: dict[str, int] = Field(default_factory=dict)
    target_latency_ns: dict[str, int] = Field(default_factory=dict)
    accuracy_min: dict[str, float] = Field(default_factory=dict)
    accuracy_max: dict[str, float] = Field(default_factory=dict)
    result_keys: dict[str, str] = Field(default_factory=dict)
    token_latency_limits_ns: dict[str, TokenLatencyLimit] = Field(default_factory=dict)
    equal_issue_required: tuple[str, ...] = ()  # divisions in which equal-issue mode is checked
    compliance_tests: tuple[str, ...] = ()
    is_llm: bool = False
    active_parameters_billion: float | None = None


class RoundRules(_Frozen):
    round: str
    layout: Literal["classic", "merged"]
    seeds: Seeds
    interactive: Literal["none", "model", "scenario"]
    requires_calibration_doc: bool
    requires_mlperf_conf_in_measurements: bool
    requires_results_for_every_system: bool
    # v4.x summary CSV: units by scenario even for token results, only the first accuracy
    # metric, no weight_data_types column (what the v4.1 checker writes; spec §4 "CSV").
    legacy_summary_format: bool
    result_keys: dict[str, str]
    model_aliases: dict[str, str] = Field(default_factory=dict)
    benchmarks: dict[str, BenchmarkRules]

    def benchmark(self, name: str) -> BenchmarkRules | None:
        return self.benchmarks.get(self.model_aliases.get(name, name))

    def canonical_benchmark(self, name: str) -> str:
        return self.model_aliases.get(name, name)

    def result_key(self, benchmark: str, effective_scenario: str) -> str | None:
        rules = self.benchmark(benchmark)
        if rules is not None and effective_scenario in rules.result_keys:
            return rules.result_keys[effective_scenario]
        return self.result_keys.get(effective_scenario)


class FileList(_Frozen):
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


class SystemDescriptionRules(_Frozen):
    required: tuple[str, ...]
    may_be_empty: tuple[str, ...]
    must_be_text: tuple[str, ...]
    power: tuple[str, ...]
    network: tuple[str, ...]
    network_sut_name_substring: str


class Test06Rules(_Frozen):
    lines: dict[str, str]
    eos_token_id: int


class CommonRules(_Frozen):
    divisions: tuple[str, ...]
    availabilities: tuple[str, ...]
    system_types: dict[str, str]
    scenario_dir_aliases: dict[str, str]
    units_by_scenario: dict[str, str]
    token_units: str
    token_result_keys: tuple[str, ...]
    min_duration_ms: int
    file_size_limit_bytes: int
    max_truncated_accuracy_log_bytes: int
    ignorable_files: tuple[str, ...]
    performance_files: FileList
    accuracy_files: FileList
    measurement_files: FileList
    root_file_suffixes: tuple[str, ...]
    offline_min_samples_per_query: dict[str, int]
    system_description: SystemDescriptionRules
    implementation_fields: tuple[str, ...]
    test06: Test06Rules
    accuracy_patterns: dict[str, str]
    hash_pattern: str


class UnknownRoundError(ValueError):
    """A round name with no rules table."""


def _read_yaml(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def available_rounds() -> tuple[str, ...]:
    """Rounds with a rules table, oldest first."""
    names = [p.stem for p in RULES_DIR.glob("v*.yaml")]
    return tuple(sorted(names, key=lambda n: tuple(int(x) for x in n[1:].split("."))))


@cache
def load_round(name: str) -> RoundRules:
    """The rules table of one round (``v4.0`` … ``v6.0``)."""
    path = RULES_DIR / f"{name}.yaml"
    if name not in available_rounds():
        known = ", ".join(available_rounds())
        raise UnknownRoundError(f"unknown MLPerf round {name!r}; known rounds: {known}")
    return RoundRules.model_validate(_read_yaml(path))


@cache
def load_common() -> CommonRules:
    return CommonRules.model_validate(_read_yaml(RULES_DIR / "common.yaml"))


def round_for_seeds(seeds: tuple[int, int, int]) -> str | None:
    """The round whose LoadGen RNG seeds are exactly these (spec §4.2 item 6), if any."""
    for name in available_rounds():
        if load_round(name).seeds.as_tuple() == seeds:
            return name
    return None
