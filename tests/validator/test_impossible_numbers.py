"""Numbers that cannot be true never pass as valid, whatever the official checker says: one test
per kind, each asserting the exact finding code (issue 10), on the real AMD v5.1 bundle."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.validator.conftest import PARTIAL
from tests.validator.test_mutations import AMD_OFFLINE_ACC, AMD_RES, edit, set_detail
from validator import Options, validate_path
from validator.report import ResultEntry, report_from_json

OFFLINE_PERF = f"{AMD_RES}/Offline/performance/run_1/mlperf_log_detail.txt"
SERVER_PERF = f"{AMD_RES}/Server/performance/run_1/mlperf_log_detail.txt"


def _set_raw(path: Path, key: str, raw: str) -> None:
    """Write ``raw`` as the JSON text of ``key``'s value (NaN and Infinity included)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if f'"key": "{key}"' in line:
            entry = json.loads(line[len(":::MLLOG ") :])
            old = f'"value": {json.dumps(entry["value"])}'
            lines[i] = line.replace(old, f'"value": {raw}', 1)
            break
    else:
        raise AssertionError(f"{key} not in {path}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _result(root: Path, scenario: str) -> tuple[ResultEntry, set[str], str]:
    report = validate_path(root, Options(**PARTIAL))
    entry = next(r for r in report.results if r.scenario_dir == scenario)
    return entry, {f.code for f in entry.findings if f.is_error}, report.model_dump_json()


@pytest.mark.parametrize(
    ("raw", "code", "officially_valid"),
    [
        ("NaN", "truth.value_not_finite", True),
        ("Infinity", "truth.value_not_finite", True),
        ("1e999", "truth.value_not_finite", True),
        ("-5.0", "truth.value_not_positive", True),
        ("0", "truth.value_not_positive", False),  # the classic checker writes no row for 0
    ],
)
def test_offline_throughput_must_be_finite_and_positive(
    raw: str, code: str, officially_valid: bool, bundle_copy
) -> None:
    root = bundle_copy("v5.1-AMD")
    _set_raw(root / OFFLINE_PERF, "result_tokens_per_second", raw)
    entry, codes, dumped = _result(root, "Offline")
    assert code in codes
    assert entry.official_valid is officially_valid
    assert not entry.valid
    if code == "truth.value_not_finite":
        assert entry.value is None and entry.official_row.result_text in ("nan", "inf")
    assert "NaN" not in dumped and "Infinity" not in dumped  # strict JSON
    if raw == "0":
        assert "perf.result_zero" in codes


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("NaN", "truth.value_not_finite"),
        ("-1", "truth.value_not_positive"),
        ("0", "truth.value_not_positive"),
    ],
)
def test_ttft_must_be_finite_and_positive(raw: str, code: str, bundle_copy) -> None:
    root = bundle_copy("v5.1-AMD")
    _set_raw(root / SERVER_PERF, "result_first_token_99.00_percentile_latency_ns", raw)
    entry, codes, _ = _result(root, "Server")
    assert code in codes and not entry.valid


def test_summary_and_detail_do_not_agree_on_infinity(bundle_copy) -> None:
    root = bundle_copy("v5.1-AMD")
    _set_raw(root / OFFLINE_PERF, "result_tokens_per_second", "Infinity")
    summary = root / OFFLINE_PERF.replace("detail", "summary")
    text = summary.read_text(encoding="utf-8")
    lines = [
        line if not line.startswith("Tokens per second") else "Tokens per second: inf"
        for line in text.splitlines()
    ]
    summary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, codes, _ = _result(root, "Offline")
    assert "truth.summary_detail_mismatch" in codes


def test_a_fake_line_of_good_scores_above_the_real_one_does_not_pass(bundle_copy) -> None:
    """The checker tests every line: the real, failing line still fails the result."""
    root = bundle_copy("v5.1-AMD")
    edit(root / AMD_OFFLINE_ACC, "'rouge1': 44.4465", "'rouge1': 40.1")
    text = (root / AMD_OFFLINE_ACC).read_text(encoding="utf-8")
    fake = "{'rouge1': 50.0, 'rouge2': 30.0, 'rougeL': 35.0, 'tokens_per_sample': 300.0}\n"
    (root / AMD_OFFLINE_ACC).write_text(fake + text, encoding="utf-8")
    entry, codes, _ = _result(root, "Offline")
    assert "accuracy.below_target" in codes and not entry.official_valid


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("effective_performance_sample_count", None, "perf.performance_sample_count"),
        ("effective_performance_sample_count", 1e-9, "perf.performance_sample_count"),
        ("effective_performance_sample_count", 1.0, "perf.performance_sample_count"),
        ("effective_performance_sample_count", 24576.5, "truth.count_not_integer"),
        ("effective_samples_per_query", "1", "perf.offline_samples_per_query"),
        ("effective_samples_per_query", "24576", "truth.count_not_integer"),
    ],
)
def test_counts_of_the_wrong_type_are_errors(
    key: str, value: object, code: str, bundle_copy
) -> None:
    root = bundle_copy("v5.1-AMD")
    set_detail(root / OFFLINE_PERF, key, value)
    entry, codes, _ = _result(root, "Offline")
    assert code in codes and not entry.valid


def test_an_accuracy_detail_log_of_a_performance_run_is_a_truth_error(bundle_copy) -> None:
    root = bundle_copy("v5.1-AMD")
    detail = root / AMD_OFFLINE_ACC.replace("accuracy.txt", "mlperf_log_detail.txt")
    edit(detail, '"AccuracyOnly"', '"PerformanceOnly"', count=2)
    entry, codes, _ = _result(root, "Offline")
    assert "truth.accuracy_detail_from_performance_run" in codes
    assert entry.official_valid and not entry.valid  # both checkers accept it


def test_an_empty_accuracy_log_beside_claimed_scores_is_a_truth_error(bundle_copy) -> None:
    root = bundle_copy("v5.1-AMD")
    log = root / AMD_OFFLINE_ACC.replace("accuracy.txt", "mlperf_log_accuracy.json")
    log.write_text("[\n]", encoding="utf-8")
    entry, codes, _ = _result(root, "Offline")
    assert "truth.accuracy_log_empty" in codes
    assert entry.official_valid and not entry.valid


def test_a_power_sample_that_is_not_finite_is_a_truth_error(tmp_path: Path) -> None:
    """The checker averages spl.txt as it stands and prints 'inf' in its power row; ours
    keeps that official text, stores no number, and refuses the result."""
    from tests.validator.power_mutations import GATE, TREE, rehash
    from validator.summary_csv import summary_rows

    shutil.copytree(TREE / "open" / "GATEOverflow", tmp_path / "open" / "GATEOverflow")
    for path in tmp_path.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    performance = tmp_path / GATE / "offline" / "performance"
    spl = performance / "run_1" / "spl.txt"
    lines = spl.read_text(encoding="utf-8").splitlines()
    fields = lines[len(lines) // 2].split(",")
    fields[3] = "inf"  # Watts
    lines[len(lines) // 2] = ",".join(fields)
    spl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rehash(performance, "run_1/spl.txt")  # the PTD session still vouches for the file
    report = validate_path(tmp_path, Options(jobs=1))
    entry = next(r for r in report.results if r.location == f"{GATE}/offline")
    assert entry.power is not None
    assert (entry.power.value, entry.power.official_text) == (None, "inf")
    assert entry.official_valid and not entry.valid
    assert [f.code for f in entry.findings if f.is_error] == ["truth.power_not_finite"]
    assert report.officially_accepted and not report.accepted
    rows = [row for row in summary_rows(report, "classic") if row["Location"].startswith(GATE)]
    assert "inf" in [row["Result"] for row in rows]  # the official power row, as printed
    assert report_from_json(report.model_dump_json()) == report  # strict JSON round trip
