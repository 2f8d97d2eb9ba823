"""Rules as data: one YAML table per MLPerf round plus ``common.yaml`` (house style §4).

Every threshold, file list, compliance-test list and pattern of a round comes from the official
checker at the commit that judged the round (``checker.commit``, current when the round's
results were published; spec/official-checkers.md). The ``checker`` block also records *how*
that checker behaves where rounds differ (which folder-hygiene checks it runs, whether an unmet
early-stopping condition fails a result, how it writes its summary CSV ...), so one set of
checks reproduces every round's verdict. A new round is a new ``vX.Y.yaml``; docs/validator.md
says how to update a round when MLCommons patches its checker.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from errors import InferboardError

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
    # at least one of these must be valid (v5.1+: Server or Interactive)
    one_of: tuple[str, ...] = ()


class TokenLatencyLimit(_Frozen):
    ttft: int  # ns, p99 time to first token must be strictly below
    tpot: int  # ns, p99 time per output token must be strictly below


class BenchmarkRules(_Frozen):
    scenarios: dict[str, ScenarioTable] = Field(default_factory=dict)  # by system type
    performance_sample_count: int | None = None
    dataset_size: int | None = None
    accuracy_sample_count: int | None = None  # v6.0: when it differs from the dataset size
    min_query_count: dict[str, int] = Field(default_factory=dict)
    target_latency_ns: dict[str, int] = Field(default_factory=dict)
    accuracy_min: dict[str, float] = Field(default_factory=dict)  # in the checker's order
    accuracy_max: dict[str, float] = Field(default_factory=dict)
    accuracy_delta_percent: dict[str, float] = Field(default_factory=dict)  # TEST01
    accuracy_extra_files: dict[str, tuple[str, ...]] = Field(default_factory=dict)  # SDXL
    result_keys: dict[str, str] = Field(default_factory=dict)
    units: dict[str, str] = Field(default_factory=dict)  # summary units by folder scenario
    token_latency_limits_ns: dict[str, TokenLatencyLimit] = Field(default_factory=dict)
    equal_issue_required: tuple[str, ...] = ()  # divisions in which equal-issue mode is checked
    offline_min_samples_per_query: int | None = None
    compliance_tests: tuple[str, ...] = ()
    is_llm: bool = False
    active_parameters_billion: float | None = None  # ours: the physical bound (truth check)


class JsonDepthLimits(_Frozen):
    """The nesting depth at which the checker's ``json.load`` of each document raises
    ``RecursionError``: Python's recursion limit (1,000) less the checker's own frames where it
    reads that document (measured with Python 3.11 against each checker commit)."""

    system: int = Field(gt=0)  # systems/<system>.json
    measurements: int = Field(gt=0)  # the implementation JSON of a measurements folder
    model_mapping: int = Field(gt=0)  # an open submitter's model_mapping.json


class CheckerBehaviour(_Frozen):
    """The official checker of the round, and how it behaves where rounds differ."""

    repository: str = "mlcommons/inference"
    commit: str
    date: str
    published: str
    entry_point: str
    style: Literal["classic", "package"]
    csv_style: Literal["classic_v4", "classic", "package"]
    # folder hygiene of each submitter tree (names, links, sizes, empty folders, __pycache__)
    folder_hygiene: bool
    root_files_checked: bool  # files at the root other than .md/.pdf fail the whole run
    # v6.0 lists every submitter's results/ folder and stops without one; the classic
    # checkers skip a submitter that has none
    results_folder_required: bool = False
    systems_need_results: bool  # systems/ and measurements/ entries without results
    calibration_document: bool  # closed/network need calibration.md
    # "exact": run folders hold exactly the listed files; "extra_allowed": more are fine
    run_folder_files: Literal["exact", "extra_allowed"]
    # "valid_results": required scenarios need a valid result, a failure keeps sibling rows;
    # "folders": required scenario folders must exist, a failure voids every scenario
    required_scenarios: Literal["valid_results", "folders"]
    early_stopping_unmet_fails: bool
    performance_errors_fail: bool  # LoadGen errors in the performance log fail the result
    accuracy_dataset_check_fails: bool  # qsl_reported_total_count != dataset size
    llm_limits_by: Literal["folder", "logged"]  # which scenario's TTFT/TPOT limits apply
    inference_needs_edge: bool  # results inferred from another scenario: edge systems only
    open_accuracy_forgiven: Literal["with_metrics", "always"]
    num_errors_from_entries_only: bool  # the parser counts is_error entries, not num_errors
    # v5.1: an error in the accuracy run's detail log reaches a line that names a variable set
    # later (UnboundLocalError), so the checker stops; earlier rounds only fail the accuracy
    accuracy_log_errors_stop: bool = False
    # v5.x read ``j["weight_data_types"]`` of the measurements JSON before its field checks, so
    # a JSON without it (or not an object) stops them; v4.x only test ``k not in j``
    weight_data_types_read_first: bool = False
    zero_result_has_no_row: bool  # a result value of exactly 0 gets no summary row
    json_depth_limits: JsonDepthLimits  # below these a deeply nested JSON is read, not a stop
    measurements_in_results: bool  # v6.0: measurements.json and TEST0x in the result folder
    mlperf_conf_required: bool  # measurements need mlperf.conf (v4.x)
    equal_issue_from_conf: bool = False  # v4.1: read from the measurements' mlperf/user.conf
    llm_check_replaces_validity: bool = False  # v4.x: the LLM check overwrites result_validity
    # which summary rows join weight_data_types with '+' (so a value that is not a string
    # stops the checker there): v5.0 both rows, v5.1 the power row
    weight_data_types_concatenated: Literal["never", "power_row", "every_row"] = "never"
    # v5.1 writes the performance row's weight_data_types as str() with '"' replaced by "'";
    # v5.0 writes the string as it is (a '"' in it then splits the CSV field)
    weight_data_types_quotes_replaced: bool = False
    # v4.1: benchmarks that must run in equal-issue mode skip the minimum query count
    min_queries_exempt_equal_issue: bool = False
    # the scenarios whose TTFT/TPOT the LLM check compares (the others pass it)
    llm_checked_scenarios: tuple[str, ...] = ("Server", "Interactive")
    # the scenarios of the unit tables the summary rows are written with (a scenario folder
    # named otherwise, "OFFLINE" or "Foo", stops the checker when it writes the row; the
    # all-lower-case names are the same scenarios)
    summary_scenarios: tuple[str, ...] = (
        "SingleStream",
        "MultiStream",
        "Offline",
        "Server",
        "Interactive",
    )
    # v4.x, v5.0: the scenario folders the LLM check lets pass; every other folder name (an
    # "OFFLINE" folder too) is compared with the limits, which do not depend on the scenario
    llm_exempt_scenarios: tuple[str, ...] = ()
    test01_delta_by_first_letter: bool = False  # v5.0, v5.1: the tolerance lookup's bug
    accuracy_column: Literal["first_value", "all"] = "all"  # v4.0: the first metric's value
    # which name picks a benchmark's unit overrides: the benchmark it counts for, or (v4.1)
    # the folder name as submitted (an open folder with its own name gets the scenario's unit)
    units_by: Literal["mlperf_model", "folder"] = "mlperf_model"


class RoundRules(_Frozen):
    round: str
    checker: CheckerBehaviour
    seeds: Seeds
    test05_seeds: Seeds | None = None  # TEST05 (v4.x) runs with its own seeds
    interactive: Literal["none", "model", "scenario"]
    result_keys: dict[str, str]  # by the scenario LoadGen ran
    models: tuple[str, ...]  # the round's known benchmarks (closed and network)
    model_aliases: dict[str, str] = Field(default_factory=dict)
    llm_models: tuple[str, ...] = ()  # the checker's LLM list (token-latency check)
    benchmarks: dict[str, BenchmarkRules]

    @property
    def layout(self) -> Literal["classic", "merged"]:
        return "merged" if self.checker.measurements_in_results else "classic"

    def canonical_benchmark(self, name: str, mapping: dict[str, str] | None = None) -> str:
        """The checker's ``get_mlperf_model``: known name, alias, the submitter's
        model_mapping.json, then a few guesses by substring."""
        if name in self.models:
            return name
        if self.model_aliases.get(name):
            return self.model_aliases[name]
        if mapping and mapping.get(name):
            return mapping[name]
        guess = name
        if "mobilenet" in name or "efficientnet" in name or "resnet50" in name:
            guess = "resnet"
        elif "bert-99.9" in name:
            guess = "bert-99.9"
        elif "bert-99" in name:
            guess = "bert-99"
        elif self.checker.style == "package" and "llama3_1-405b" in name:
            guess = "llama3.1-405b"
        return self.model_aliases.get(guess, guess)

    def needs_model_mapping(self, name: str) -> bool:
        """Whether ``get_mlperf_model`` consults the submitter's model_mapping.json for this
        folder name (neither a benchmark of the round nor one of its aliases)."""
        return name not in self.models and not self.model_aliases.get(name)

    def benchmark(self, name: str) -> BenchmarkRules | None:
        return self.benchmarks.get(name)

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
    meaningful: tuple[str, ...]  # must be truthy (Python ``not v`` fails)
    must_be_text: tuple[str, ...]
    power: tuple[str, ...]
    network: tuple[str, ...]
    network_sut_name_substring: str


class WalkStep(_Frozen):
    """One step of the classic checker's walk through a scenario folder (``common.yaml``)."""

    step: str
    codes: tuple[str, ...] = ()  # finding codes decided at this step (a trailing "." = prefix)
    file_lists: tuple[str, ...] = ()  # folders (below the result) whose file-list check this is
    ends_walk: bool = False  # a failure here leaves the scenario: no later step runs
    skips: tuple[str, ...] = ()  # a failure here skips these later steps only
    needs_clean_result: bool = False  # runs only for a result that passed every step


class Test06Rules(_Frozen):
    lines: dict[str, tuple[str, ...]]  # check name -> lines of which one must be present
    eos_token_id: int


class CommonRules(_Frozen):
    divisions: tuple[str, ...]
    closed_rule_divisions: tuple[str, ...]  # closed and network: the round's benchmarks only
    ignored_root_dirs: tuple[str, ...]
    availabilities: tuple[str, ...]
    system_types: dict[str, str]
    scenario_dir_aliases: dict[str, str]
    units_by_scenario: dict[str, str]
    lower_is_better_scenarios: tuple[str, ...]
    power_units_by_scenario: dict[str, str]
    token_units: str
    token_result_keys: tuple[str, ...]
    min_duration_ms: int
    file_size_limit_bytes: int
    max_truncated_accuracy_log_bytes: int
    ignorable_files: tuple[str, ...]
    performance_files: FileList
    power_run_files: tuple[str, ...]
    power_folder_files: tuple[str, ...]
    power_measurement_patterns: tuple[str, ...]
    accuracy_files: FileList
    measurement_files: FileList
    test01_accuracy_files: tuple[str, ...]
    test01_failed_extra_files: tuple[str, ...]
    compliance_performance_files: FileList
    root_file_suffixes: tuple[str, ...]
    system_description: SystemDescriptionRules
    implementation_fields: tuple[str, ...]
    test06: Test06Rules
    early_stopping_scenarios: tuple[str, ...]
    classic_scenario_walk: tuple[WalkStep, ...]


class UnknownRoundError(InferboardError):
    """A round name with no rules table."""

    def __init__(self, message: str) -> None:
        super().__init__("round.unknown", message, f"Use one of {', '.join(available_rounds())}.")

    def __reduce__(self) -> tuple[type[InferboardError], tuple[object, ...]]:
        return (type(self), (self.message,))


def _read_yaml(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed: 10x faster
    with path.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=loader)
    if not isinstance(data, dict):
        raise TypeError(f"{path.name}: a rules file holds a mapping at the top level")
    return data


def available_rounds() -> tuple[str, ...]:
    """Rounds with a rules table, oldest first."""
    names = [p.stem for p in RULES_DIR.glob("v*.yaml")]
    return tuple(sorted(names, key=lambda n: tuple(int(x) for x in n[1:].split("."))))


@cache
def load_round(name: str) -> RoundRules:
    """The rules table of one round (``v4.0`` … ``v6.0``)."""
    if name not in available_rounds():
        known = ", ".join(available_rounds())
        raise UnknownRoundError(f"unknown MLPerf round {name!r}; known rounds: {known}")
    return RoundRules.model_validate(_read_yaml(RULES_DIR / f"{name}.yaml"))


@cache
def load_common() -> CommonRules:
    return CommonRules.model_validate(_read_yaml(RULES_DIR / "common.yaml"))


def round_for_seeds(seeds: tuple[int, int, int]) -> str | None:
    """The round whose LoadGen RNG seeds are exactly these (spec §4.2 item 6), if any."""
    for name in available_rounds():
        if load_round(name).seeds.as_tuple() == seeds:
            return name
    return None


def higher_is_better(scenario: str) -> bool:
    """Whether a larger result is better for a result reported for ``scenario`` (a latency is
    better lower, a throughput higher; common.yaml ``lower_is_better_scenarios``)."""
    return scenario not in load_common().lower_is_better_scenarios
