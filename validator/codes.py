"""Every finding code, its severity, verdict, title and default fix hint: the one registry.

Codes never change meaning. A new check adds its code here and declares it in its
``@check(codes=...)`` (a test fails if a check emits an undeclared or unregistered code, or if
a code is missing from docs/validator.md). ``verdict`` says which verdict a finding of this
code counts against by default: ``official`` when the round's MLPerf checker enforces the rule
(spec §4), ``inferboard`` for our truth and hygiene checks. A check may report an official
code under the Inferboard verdict in a round whose checker does not run that rule.

Hints speak to a person fixing a bundle in the browser; command-line options are named in
docs/validator.md, never in a hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    OFFICIAL = "official"  # what the round's official checker would say
    INFERBOARD = "inferboard"  # ours: official plus the truth checks


@dataclass(frozen=True)
class CodeInfo:
    severity: str
    title: str
    hint: str
    verdict: Verdict = Verdict.OFFICIAL

    @property
    def official(self) -> bool:
        return self.verdict is Verdict.OFFICIAL


def _c(severity: str, title: str, hint: str, official: bool = True) -> CodeInfo:
    return CodeInfo(severity, title, hint, Verdict.OFFICIAL if official else Verdict.INFERBOARD)


E, W, I = "error", "warning", "info"  # noqa: E741

CODES: dict[str, CodeInfo] = {
    # --- input and archives --------------------------------------------------------------
    "input.unreadable": _c(
        E, "The input cannot be read", "Pass a directory or a .zip/.tar.gz/.tgz file.", False
    ),
    "archive.corrupt": _c(
        E,
        "The archive is damaged or truncated",
        "Re-create the archive and upload it again.",
        False,
    ),
    "archive.unsupported": _c(
        E,
        "Not a supported archive",
        "Upload a .zip, .tar.gz or .tgz archive of the submission tree.",
        False,
    ),
    "archive.path_traversal": _c(
        E,
        "An archive member escapes the extraction folder",
        "Remove '..' components from member names.",
        False,
    ),
    "archive.absolute_path": _c(
        E,
        "An archive member has an absolute path",
        "Archive paths relative to the submission root.",
        False,
    ),
    "archive.link": _c(
        E,
        "An archive member is a symbolic or hard link",
        "Replace links with the files themselves.",
        False,
    ),
    "archive.special_file": _c(
        E,
        "An archive member is a device, FIFO or other special file",
        "Only regular files and folders may be archived.",
        False,
    ),
    "archive.bad_name": _c(
        E,
        "An archive member name is not valid UTF-8 or has control characters",
        "Rename the file using plain UTF-8 characters.",
        False,
    ),
    "archive.too_large": _c(
        E,
        "The archive unpacks to more than the size limit",
        "Remove files that are not part of the submission.",
        False,
    ),
    "archive.too_many_files": _c(
        E,
        "The archive holds more files than the limit",
        "Submit only the results of this submission.",
        False,
    ),
    "archive.compression_ratio": _c(
        E,
        "A member's compression ratio is implausible (zip bomb)",
        "Archive the real files without padding.",
        False,
    ),
    # --- round ----------------------------------------------------------------------------
    "round.unknown": _c(
        E,
        "The round cannot be determined",
        "Run LoadGen with the seeds of a published round (its mlperf.conf sets them).",
    ),
    "round.mixed": _c(
        W,
        "Logs carry the seeds of another round",
        "All runs of a bundle must use the same round's LoadGen seeds.",
    ),
    # --- structure (spec §4.1) --------------------------------------------------------------
    "structure.no_results": _c(
        E,
        "No results found",
        "The root must hold closed/, open/ or network/ with <submitter>/results/.",
    ),
    "structure.root_extra_file": _c(
        E, "A file at the root other than .md/.pdf", "Move it into a submitter folder or remove it."
    ),
    "structure.division_unknown": _c(
        E, "Unknown division folder", "Division folders are closed, open and network."
    ),
    "structure.division_has_files": _c(
        E, "Files directly inside a division folder", "Move them into a submitter folder."
    ),
    "structure.broken_symlink": _c(
        E, "Broken symbolic link", "Replace the link with the file it should point to."
    ),
    "structure.file_too_large": _c(
        E, "File larger than 50 MB", "Truncate accuracy logs and leave out large artefacts."
    ),
    "structure.hidden_name": _c(E, "File or folder name starts with '.'", "Rename or remove it."),
    "structure.space_in_name": _c(
        E, "File or folder name contains a space", "Rename it without spaces."
    ),
    "structure.pycache": _c(E, "__pycache__ folder", "Remove it."),
    "structure.empty_dir": _c(E, "Empty folder", "Remove it or add the files it should hold."),
    "structure.measurements_without_results": _c(
        E, "measurements/<system> without results/<system>", "Remove it or add the results."
    ),
    "structure.system_without_results": _c(
        E, "systems/<system>.json without results/<system>", "Remove it or add the results."
    ),
    "structure.calibration_missing": _c(
        E,
        "calibration.md is missing",
        "Add <submitter>/documentation/calibration.md describing how the model was calibrated or quantised.",
    ),
    "structure.system_description_missing": _c(
        E, "systems/<system>.json is missing", "Add the system description JSON."
    ),
    "structure.unknown_benchmark": _c(
        E,
        "Benchmark not part of this round",
        "Use a benchmark name of the round (or map it in model_mapping.json in the open division).",
    ),
    "structure.scenario_not_allowed": _c(
        E, "Scenario neither required nor optional", "Remove the scenario folder or rename it."
    ),
    "structure.required_scenario_missing": _c(
        E, "A required scenario has no valid result", "Add a valid result for the scenario."
    ),
    "structure.server_or_interactive_missing": _c(
        E,
        "Neither Server nor Interactive has a valid result",
        "From v5.1 llama2 needs Offline plus Server or Interactive.",
    ),
    "structure.code_missing": _c(
        E,
        "The code folder for the benchmark is missing",
        "Add the implementation under code/<benchmark>/ (src/ from v6.0).",
    ),
    "structure.measurements_missing": _c(
        E,
        "The measurements folder of the result is missing",
        "Add measurements/<system>/<benchmark>/<scenario>/.",
    ),
    "structure.performance_missing": _c(
        E, "performance/run_1 is missing", "Add the performance run's LoadGen logs."
    ),
    "structure.accuracy_missing": _c(
        E, "accuracy/accuracy.txt is missing", "Run the accuracy script and add its output."
    ),
    "structure.file_list_mismatch": _c(
        E,
        "Missing or unexpected files",
        "The official file lists are exact: add the missing files, remove the others.",
    ),
    "structure.model_mapping_invalid": _c(
        E,
        "model_mapping.json cannot be read",
        "Write a JSON object mapping your benchmark names to MLPerf ones.",
    ),
    # --- system description (spec §2) ------------------------------------------------------
    "system.json_invalid": _c(E, "System description is not a JSON object", "Fix the JSON syntax."),
    "system.field_missing": _c(
        E,
        "Required system-description field missing",
        "Add the field (an empty string is allowed only for optional ones).",
    ),
    "system.field_empty": _c(
        E,
        "System-description field has no meaningful value",
        'Fill in the field; CPU-only systems write "0" accelerators as a string.',
    ),
    "system.field_not_text": _c(
        E,
        "Field must be text",
        "The official checker concatenates this field as a string; write it as a JSON string.",
    ),
    "system.status_invalid": _c(
        E, "Invalid availability status", "status is one of available, preview, rdi."
    ),
    "system.system_type_invalid": _c(
        E, "Invalid system_type", "system_type is datacenter, edge or datacenter,edge."
    ),
    "system.division_mismatch": _c(
        E, "division differs from the folder", "Set division to the folder name."
    ),
    "system.submitter_mismatch": _c(
        E, "submitter differs from the folder", "Set submitter to the folder name."
    ),
    "system.unknown_field": _c(
        W, "Unknown system-description field", "Check the spelling of the field name."
    ),
    "system.network_field_missing": _c(
        E,
        "Network-division field missing",
        "The network division needs is_network=true and the network fields.",
    ),
    "system.network_flag": _c(
        E,
        "is_network does not fit the division",
        'closed requires is_network false or absent; network requires "true".',
    ),
    # --- measurements -----------------------------------------------------------------------
    "measurements.file_missing": _c(
        E,
        "Required measurements file missing",
        "Add user.conf and README.md (and mlperf.conf in v4.x).",
    ),
    "measurements.file_empty": _c(E, "Measurements file is empty", "Write the real contents."),
    "measurements.implementation_missing": _c(
        E,
        "Implementation JSON missing",
        "Add <system>_<implementation>_<scenario>.json (measurements.json from v6.0).",
    ),
    "measurements.implementation_invalid": _c(
        E, "Implementation JSON cannot be read", "Fix the JSON syntax."
    ),
    "measurements.implementation_field_missing": _c(
        E, "Implementation field missing", "Add the field."
    ),
    "measurements.implementation_field_empty": _c(
        E, "Implementation field is empty", "Fill in the field."
    ),
    # --- performance (spec §4.2) -------------------------------------------------------------
    "perf.log_unreadable": _c(
        E,
        "mlperf_log_detail.txt cannot be parsed",
        "Submit the detail log exactly as LoadGen wrote it.",
    ),
    "perf.key_missing": _c(
        E,
        "A key the checker needs is missing from the detail log",
        "Submit the detail log exactly as LoadGen wrote it.",
    ),
    "perf.result_invalid": _c(
        E, "LoadGen did not rule the run VALID", "Re-run until LoadGen prints 'Result is : VALID'."
    ),
    "perf.loadgen_errors": _c(
        E,
        "The detail log records LoadGen errors",
        "Fix the SUT (for example call FirstTokenComplete, return more than one token) and re-run.",
    ),
    "perf.token_latencies_disabled": _c(
        E,
        "use_token_latencies is not enabled",
        "LLM benchmarks must run with use_token_latencies=1.",
    ),
    "perf.ttft_p99_exceeded": _c(
        E,
        "p99 time to first token is not below the limit",
        "Lower the target QPS until p99 TTFT is below the limit.",
    ),
    "perf.tpot_p99_exceeded": _c(
        E,
        "p99 time per output token is not below the limit",
        "Lower the target QPS until p99 TPOT is below the limit.",
    ),
    "perf.equal_issue_disabled": _c(
        E,
        "Equal-issue mode (sample_concatenate_permutation) not used",
        "Run with the round's mlperf.conf.",
    ),
    "perf.performance_sample_count": _c(
        E,
        "performance_sample_count below the minimum",
        "Use the round's performance_sample_count_override.",
    ),
    "perf.seed_mismatch": _c(
        E,
        "LoadGen RNG seed differs from the round's",
        "Run with the round's LoadGen / mlperf.conf.",
    ),
    "perf.min_duration": _c(
        E, "Test duration below 600 s", "Run for at least min_duration = 600000 ms."
    ),
    "perf.min_query_count": _c(
        E, "Minimum query count not met", "Use the round's min_query_count."
    ),
    "perf.offline_samples_per_query": _c(
        E,
        "Offline samples per query below the minimum",
        "Offline must issue at least the whole dataset.",
    ),
    "perf.target_latency_exceeded": _c(
        E, "Early-stopping target latency above the limit", "Use the round's target_latency."
    ),
    "perf.early_stopping_unmet": _c(
        W,
        "Early stopping condition not met (logged only, as the official checker does)",
        "Run more queries.",
    ),
    "perf.interactive_not_server": _c(
        E,
        "An Interactive folder must hold a Server run",
        "Run LoadGen in Server mode with the interactive latency limits.",
    ),
    "perf.scenario_mismatch": _c(
        E,
        "The log's scenario cannot be used for the folder's scenario",
        "Put each run in its scenario's folder.",
    ),
    "perf.network_sut_name": _c(
        E,
        "Network SUT name lacks 'Network SUT'",
        "Network-division runs must name the SUT '... Network SUT ...'.",
    ),
    "perf.scenario_inferred": _c(
        I, "Result inferred from another scenario's run", "No action needed."
    ),
    # --- accuracy (spec §4.3) -----------------------------------------------------------------
    "accuracy.metric_missing": _c(
        E,
        "accuracy.txt lacks a required metric",
        "Submit the unmodified output of the accuracy script.",
    ),
    "accuracy.below_target": _c(
        E,
        "Accuracy below the target",
        "Improve accuracy; closed division results must meet every target.",
    ),
    "accuracy.above_limit": _c(
        E,
        "Metric above its upper limit",
        "Outputs are too long: tokens_per_sample must be within 90-110% of the reference.",
    ),
    "accuracy.open_below_target": _c(
        I,
        "Accuracy below the closed-division target (accepted in open)",
        "No action needed in the open division.",
    ),
    "accuracy.hash_missing": _c(
        E, "accuracy.txt has no hash= line", "Run truncate_accuracy_log.py, which appends it."
    ),
    "accuracy.log_missing": _c(E, "mlperf_log_accuracy.json missing", "Add the accuracy log."),
    "accuracy.log_not_truncated": _c(
        E,
        "The accuracy log is not truncated (> 10 KiB)",
        "Published bundles carry the truncated log; the portal keeps the full one separately.",
    ),
    "accuracy.loadgen_errors": _c(
        E, "The accuracy run's detail log records errors", "Fix the SUT and re-run accuracy."
    ),
    "accuracy.dataset_not_covered": _c(
        W,
        "Accuracy run did not cover the whole dataset (logged only)",
        "Run accuracy mode on the whole dataset.",
    ),
    # --- compliance (spec §4.4) ---------------------------------------------------------------
    "compliance.dir_missing": _c(
        E,
        "Compliance folder missing",
        "Add compliance/<system>/<benchmark>/<scenario>/ (inside results/ from v6.0).",
    ),
    "compliance.test_missing": _c(
        E, "A required compliance test is missing", "Run the audit test and add its output."
    ),
    "compliance.test_failed": _c(
        E, "A compliance test did not pass", "Fix the SUT and re-run the audit test."
    ),
    "compliance.file_list_mismatch": _c(
        E,
        "Missing or unexpected compliance files",
        "Keep exactly the files the audit script writes.",
    ),
    # --- truth checks (ours; the official checker does not make them) --------------------------
    "truth.summary_detail_mismatch": _c(
        E,
        "The summary log disagrees with the detail log",
        "Submit both logs unmodified from the same run.",
        False,
    ),
    "truth.perf_tokens_per_sample": _c(
        E,
        "Tokens per sample implied by the performance run disagree with accuracy.txt",
        "The performance and accuracy runs must come from the same system.",
        False,
    ),
    "truth.accuracy_log_truncated": _c(
        I,
        "Only the truncated accuracy log is present: ROUGE, hash and token counts cannot be re-verified",
        "Upload the untruncated mlperf_log_accuracy.json to have them verified.",
        False,
    ),
    "truth.accuracy_log_unreadable": _c(
        E,
        "The untruncated accuracy log cannot be read",
        "Submit the log exactly as LoadGen wrote it.",
        False,
    ),
    "truth.accuracy_log_hash_mismatch": _c(
        E,
        "sha256 of the accuracy log differs from hash= in accuracy.txt",
        "accuracy.txt must come from this very log.",
        False,
    ),
    "truth.accuracy_log_coverage": _c(
        E,
        "The accuracy log does not cover every sample exactly once",
        "Run accuracy mode over the whole dataset.",
        False,
    ),
    "truth.accuracy_log_tokens_per_sample": _c(
        E,
        "tokens_per_sample recomputed from the log differs from accuracy.txt",
        "accuracy.txt must be computed from this log.",
        False,
    ),
    "truth.accuracy_log_verified": _c(
        I,
        "The untruncated accuracy log was verified (hash, coverage, tokens per sample)",
        "No action needed.",
        False,
    ),
    "truth.test06_unverifiable": _c(
        W,
        "TEST06 accuracy log could not be re-verified",
        "Submit TEST06's accuracy log as LoadGen wrote it.",
        False,
    ),
    "truth.test06_first_token": _c(
        E,
        "TEST06 first-token check fails on its own log",
        "Report the real first token through FirstTokenComplete.",
        False,
    ),
    "truth.test06_eos": _c(
        E,
        "TEST06 EOS check fails on its own log",
        "Stop generating after the first EOS token.",
        False,
    ),
    "truth.test06_length": _c(
        E,
        "TEST06 length check fails on its own log",
        "Report the true token count with each response.",
        False,
    ),
    "truth.throughput_above_physical_bound": _c(
        W,
        "Throughput per accelerator above the hardware's peak compute bound",
        "Check the accelerator count and the result; a reviewer will look closely.",
        False,
    ),
    "truth.accelerator_unknown": _c(
        I,
        "Accelerator not in the hardware catalogue: physical bound not checked",
        "Maintainers can add it to hardware/accelerators.yaml.",
        False,
    ),
    # --- added with the exact official emulation (issues 9 and 10) ---------------------------
    "accuracy.text_unreadable": _c(
        E, "accuracy.txt cannot be read", "Submit accuracy.txt as the accuracy script printed it."
    ),
    "accuracy.value_not_a_number": _c(
        E,
        "A metric in accuracy.txt is not a number",
        "Submit the unmodified printout of the accuracy script.",
    ),
    "accuracy.line_refused": _c(
        W,
        "An accuracy.txt line repeats a metric name too often to be searched",
        "Submit the unmodified printout of the accuracy script.",
    ),
    "accuracy.log_unreadable": _c(
        E,
        "The accuracy run's detail log cannot be read",
        "Submit accuracy/mlperf_log_detail.txt exactly as LoadGen wrote it.",
    ),
    "accuracy.extra_files_missing": _c(
        E,
        "Sample outputs the round requires are missing (SDXL images)",
        "Add accuracy/images/ with the images the round lists for review.",
    ),
    "perf.result_value_unavailable": _c(
        E,
        "The result cannot be read from the performance log",
        "Submit mlperf_log_detail.txt exactly as LoadGen wrote it.",
    ),
    "perf.result_zero": _c(
        E, "The result is 0", "A run that measured nothing is not a result; run it again."
    ),
    "measurements.power_file_missing": _c(
        E,
        "A power measurement description file is missing",
        "Add analyzer_table.* and power_settings.* to the measurements folders.",
    ),
    "structure.scenario_name_unknown": _c(
        E,
        "The scenario folder's name is not one the official checker can report",
        "Name the folder SingleStream, MultiStream, Offline, Server or Interactive (or the same "
        "in lower case).",
    ),
    "system.field_not_integer": _c(
        E,
        "Field must be a whole number the official checker can read with int()",
        'Write number_of_nodes and accelerators_per_node as whole numbers, for example 1 or "8".',
    ),
    "measurements.conf_unreadable": _c(
        E,
        "mlperf.conf or user.conf has a line the official checker cannot parse",
        "Keep the configuration files as LoadGen reads them: one 'model.scenario.setting = "
        "value' per line, comments starting with '#'.",
    ),
    "measurements.weight_data_types_not_text": _c(
        E,
        "weight_data_types is not a string, and the official checker joins it into its summary "
        "row as one",
        'Write weight_data_types as one JSON string, for example "fp8".',
    ),
    "compliance.file_missing": _c(
        E,
        "A compliance test's verify file or log is missing",
        "Add the files the audit test's verification script writes.",
    ),
    "compliance.performance_failed": _c(
        E,
        "A compliance test's performance run fails the round's rules",
        "Re-run the audit test with the round's settings and submit its output unchanged.",
    ),
    "compliance.log_unreadable": _c(
        E,
        "A compliance test's detail log cannot be read",
        "Submit the audit run's mlperf_log_detail.txt as LoadGen wrote it.",
    ),
    "compliance.text_unreadable": _c(
        E,
        "A compliance test's verify file is not UTF-8 text",
        "Submit the verify files exactly as the audit scripts wrote them.",
    ),
    "power.file_list_mismatch": _c(
        E,
        "Missing or unexpected power files",
        "Keep exactly the files of the power run: spl.txt in run_1 and ranging, the PTD logs in power/.",
    ),
    "power.logs_failed": _c(
        E,
        "The Power WG's checks of the power logs fail",
        "Submit the PTD client and server logs of the measured run unchanged.",
    ),
    "power.metric_unavailable": _c(
        E,
        "The power metric cannot be computed",
        "spl.txt must hold samples between power_begin and power_end of the run.",
    ),
    "truth.accuracy_detail_from_performance_run": _c(
        E,
        "The accuracy folder holds a performance run's log",
        "Put the accuracy run's mlperf_log_detail.txt in accuracy/.",
        False,
    ),
    "truth.accuracy_log_empty": _c(
        E,
        "The accuracy log holds no sample, yet accuracy.txt states scores",
        "Submit the accuracy run's log (truncated for publication) beside its accuracy.txt.",
        False,
    ),
    "truth.value_not_finite": _c(
        E,
        "A measured value is NaN or infinite",
        "Submit the logs exactly as LoadGen wrote them.",
        False,
    ),
    "truth.value_not_positive": _c(
        E,
        "A measured value is zero or negative",
        "Submit the logs exactly as LoadGen wrote them.",
        False,
    ),
    "truth.power_not_finite": _c(
        E,
        "The power metric is not a finite number",
        "Submit spl.txt exactly as the PTDaemon wrote it: every sample a finite number of watts.",
        False,
    ),
    "truth.count_not_integer": _c(
        E,
        "A count in the detail log is not a whole number",
        "Submit the logs exactly as LoadGen wrote them.",
        False,
    ),
}
