"""The calibrated comparison: per-query flags, the verdict, and the calibration figures
reproduced from the published TEST06 logs in ../shared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scoring.calibration import (
    CALIBRATION_FILE,
    MIN_SAMPLES,
    calibrate,
    find_test06_logs,
    legitimate_pairs,
    load_calibration,
)
from scoring.comparison import (
    FLAG_CONTENT,
    FLAG_LENGTH,
    FLAG_STOP,
    QueryRules,
    compare_query,
    judge,
    output_shape,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
RULES = QueryRules()


@pytest.fixture(scope="module")
def shared_data() -> Path:
    if not (SHARED / "bundles").is_dir():
        pytest.fail(f"{SHARED} is missing: the tests read ../shared/data beside the checkout")
    return SHARED


def test_special_tokens_are_skipped_as_the_accuracy_script_skips_them() -> None:
    # NVIDIA's Server logs put EOS after the first token; AMD's end with EOS: same text.
    nvidia = [18585, 2, 29892, 306, 29915]
    amd = [18585, 29892, 306, 29915, 2]
    row = compare_query(7, nvidia, amd, RULES)
    assert row.exact_match and row.first_token_match and row.agrees
    assert (row.submitted_stop, row.regenerated_stop) == ("stop", "eos")
    assert output_shape([5] * 1023).stop == "limit"  # TensorRT-LLM leaves the last EOS out


def test_a_32_token_answer_against_1024_regenerated_is_flagged() -> None:
    regenerated = list(range(100, 1124))  # ran to the limit
    submitted = regenerated[:32]  # same start: the old prefix rule called this 100 % agreement
    row = compare_query(1, submitted, regenerated, RULES)
    assert not row.agrees
    assert FLAG_LENGTH in row.flags and FLAG_STOP in row.flags
    assert row.first_token_match and row.common_prefix_tokens == 32
    verdict = judge([row] * 8, load_calibration().thresholds_for(8), 0.1)
    assert verdict.verdict == "inconsistent"
    assert verdict.flagged[0]["qsl_idx"] == 1
    assert "lengths differ" in verdict.flagged[0]["why"]


def test_unrelated_answers_are_flagged_for_content() -> None:
    row = compare_query(3, [400, 401, 402, 403] * 20, [900, 901, 902, 903] * 20, RULES)
    assert row.flags == (FLAG_CONTENT,)
    assert row.similarity == 0.0


def test_identical_samples_are_consistent_and_thresholds_round_down() -> None:
    calibration = load_calibration()
    rows = [compare_query(q, [q + 3, 5, 6, 2], [q + 3, 5, 6, 2], RULES) for q in range(10)]
    result = judge(rows, calibration.thresholds_for(10), calibration.rouge_l_margin)
    assert result.verdict == "consistent" and result.reasons == []
    assert calibration.thresholds_for(10).sample_size == 8  # the largest grid size <= 10
    with pytest.raises(ValueError, match="at least 4"):
        calibration.thresholds_for(MIN_SAMPLES - 1)


def test_rouge_deficit_beyond_the_margin_is_a_reason() -> None:
    rows = [compare_query(q, [9, 8, 7], [9, 8, 7], RULES, rouge_l=(0.1, 0.5)) for q in range(8)]
    result = judge(rows, load_calibration().thresholds_for(8), 0.1)
    assert result.verdict == "inconsistent"
    assert "ROUGE-L points below" in result.reasons[0]


def test_the_issue_figures_for_the_amd_pair(shared_data: Path) -> None:
    """AMD's v5.1 Server and Interactive TEST06 runs: same 100 queries, 10 answered alike."""
    logs, _ = find_test06_logs(shared_data / "bundles")
    pairs = legitimate_pairs(logs)
    (a, b, queries) = next(p for p in pairs if "AMD" in p[0].path and "AMD" in p[1].path)
    assert {a.scenario, b.scenario} == {"Server", "Interactive"}
    assert len(queries) == 100
    assert sum(a.outputs[q] == b.outputs[q] for q in queries) == 10
    rows = [compare_query(q, b.outputs[q], a.outputs[q], RULES) for q in queries]
    # the calibrated rule accepts what the old rule called inconsistent
    assert judge(rows, load_calibration().thresholds_for(100), 0.1).verdict == "consistent"


@pytest.mark.slow  # calibrates on every TEST06 log: 13 s
def test_calibration_reproduces_the_committed_figures(shared_data: Path) -> None:
    """bench/calibration_bench.py --write made scoring/calibration.json from these logs."""
    fresh = calibrate(shared_data).to_json()
    committed = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    assert fresh == committed
    measured = committed["measured"]
    assert len(measured["legitimate_pairs"]) >= 40
    for row in measured["by_sample_size"]:
        assert row["false_alarm"] <= committed["target_false_alarm"]
        assert row["detection"]["truncated_32"] >= 0.99
        assert row["detection"]["shuffled"] >= 0.99
        if row["sample_size"] >= 8:
            assert row["detection"]["truncated_half"] >= 0.9
