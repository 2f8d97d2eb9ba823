"""The reproduction step through the portal's worker: `python -m reference_runner reproduce`
runs as a limited child process with the tiers the settings allow, on bundles the runner made
itself (a tiny local Llama for the full three tiers; the dummy backend for the quick cases),
with whole accuracy logs uploaded beside the submission."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from leaderboard.settings import PROJECT_ROOT, SettingsError
from submissions import pipeline
from submissions.cli import _print_reproduction
from submissions.errors import SubmissionError
from submissions.reproduction import summarize
from submissions.service import SubmissionService, ledger_of
from submissions.settings import SubmissionSettings
from submissions.states import State
from submissions.worker import Worker
from tests.submissions.conftest import ALICE, MAINTAINER, Reconfigure, zip_tree


def _runner_bundle(folder: Path, *extra: str) -> Path:
    """A 16-sample Offline bundle (the demo set, not repeated); published log truncated, the
    whole one kept beside the bundle in <tree>.untruncated."""
    command = [
        sys.executable, "-m", "reference_runner", "run", "--out", str(folder / "tree"),
        "--max-samples", "16", "--scenario", "Offline", "--min-duration-ms", "100",
        "--min-query-count", "16", "--quiet", *extra,
    ]  # fmt: skip
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return folder / "tree"


def _as_if_the_validator_accepted(service: SubmissionService, sid: int) -> None:
    """A 16-sample runner bundle cannot meet the round's minimums, so the validator rejects it
    and nothing would be reproduced (issue 12); the worker's own moves stand in for an
    acceptance (the reproduction step unpacks the stored archive again itself)."""
    ledger = ledger_of(service)
    ledger.advance(sid, State.RECEIVED, State.VALIDATING, progress="validating")
    ledger.advance(
        sid, State.VALIDATING, State.REPRODUCING, progress="reproducing", verdict="accepted"
    )


def _submit(service: SubmissionService, tree: Path, tmp_path: Path) -> int:
    with zip_tree(tree, tmp_path / "bundle.zip").open("rb") as stream:
        sid = service.receive(ALICE, stream, "bundle.zip").submission_id
    _as_if_the_validator_accepted(service, sid)
    return sid


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer random Llama + BPE tokenizer saved locally (tests/runner/tiny_model.py)."""
    from tests.runner.tiny_model import build_tiny_llama

    return build_tiny_llama(tmp_path_factory.mktemp("tiny-model") / "tiny-llama")


@pytest.fixture(scope="module")
def dummy_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _runner_bundle(tmp_path_factory.mktemp("dummy"), "--backend", "dummy")


@pytest.fixture(scope="module")
def tiny_tree(tmp_path_factory: pytest.TempPathFactory, tiny_llama: Path) -> Path:
    return _runner_bundle(
        tmp_path_factory.mktemp("tiny"), "--backend", "hf", "--model", str(tiny_llama),
        "--max-new-tokens", "8", "--batch-size", "4",
    )  # fmt: skip


def _whole_log(tree: Path) -> Path:
    return next(tree.with_name("tree.untruncated").rglob("mlperf_log_accuracy.json"))


def _dummy_service(reconfigured: Reconfigure) -> SubmissionService:
    configured = reconfigured(
        reference_backend="dummy", reference_dataset="demo", spot_check_samples=4
    )
    assert configured.settings.reproduction_tiers == (1, 2, 3)
    return configured


@pytest.mark.slow
def test_three_tiers_on_a_tiny_model_bundle_through_the_worker(
    service: SubmissionService,
    reconfigured: Reconfigure,
    tiny_tree: Path,
    tiny_llama: Path,
    tmp_path: Path,
) -> None:
    configured = reconfigured(
        reference_backend="hf",
        reference_model=str(tiny_llama),
        reference_dataset="demo",
        reference_max_new_tokens=8,
        reference_batch_size=3,
        spot_check_samples=6,
    )
    assert configured.settings.reproduction_tiers == (1, 2, 3)
    with zip_tree(tiny_tree, tmp_path / "tiny.zip").open("rb") as stream:
        sid = configured.receive(ALICE, stream, "tiny.zip").submission_id
    with _whole_log(tiny_tree).open("rb") as stream:  # uploaded before the worker runs
        configured.attach_accuracy_log(ALICE, sid, "Offline", stream, "mlperf_log_accuracy.json")
    _as_if_the_validator_accepted(configured, sid)
    Worker(configured, configured.settings).run_until_idle()
    assert configured.get(ALICE, sid).state.value == "awaiting_review"
    reproduction = configured.reproduction(ALICE, sid)
    summary = summarize(reproduction)
    assert summary is not None and summary.status == "consistent", summary
    (offline,) = summary.scenarios
    assert [t.status for t in offline.tiers] == ["agrees", "agrees", "agrees"]
    assert offline.whole_log is not None and offline.whole_log.startswith("given")
    assert len(offline.queries) == 6 and all(q.agrees for q in offline.queries)
    assert summary.seed is not None and summary.seed_source == "drawn"
    assert str(tiny_llama.parent) not in str(reproduction)  # no server path reaches a page
    assert str(configured.settings.storage_dir) not in str(reproduction)


@pytest.mark.slow  # two reproduction children: 3 s
def test_a_whole_log_uploaded_during_review_is_reproduced_again(
    service: SubmissionService, reconfigured: Reconfigure, dummy_tree: Path, tmp_path: Path
) -> None:
    configured = _dummy_service(reconfigured)
    sid = _submit(configured, dummy_tree, tmp_path)
    worker = Worker(configured, configured.settings)
    worker.run_until_idle()
    before = summarize(configured.reproduction(ALICE, sid))
    assert before is not None and before.status == "incomplete"
    assert any("--accuracy-log Offline=PATH" in gap for gap in before.gaps)
    assert before.scenarios[0].test06_answers == 100  # tier 3 still ran on TEST06's answers
    assert before.scenarios[0].tiers[2].status == "agrees"

    # the recount child read the bundle's hash= values: a log must now match them
    with pytest.raises(SubmissionError, match="no accuracy run for scenario 'Server'"):
        configured.attach_accuracy_log(ALICE, sid, "Server", io.BytesIO(b"[]"), "log.json")
    with pytest.raises(SubmissionError, match="upload the untruncated") as refused:
        configured.attach_accuracy_log(ALICE, sid, "offline", io.BytesIO(b"[]"), "log.json")
    assert refused.value.code == "logs.hash_mismatch"
    storage = ledger_of(configured).storage
    assert not (storage.root / "logs").exists()  # nothing stored for a refused log
    assert configured.get(ALICE, sid).state.value == "awaiting_review"
    with _whole_log(dummy_tree).open("rb") as stream:
        stored = configured.attach_accuracy_log(ALICE, sid, "offline", stream, "full.json")
    assert storage.accuracy_log_path(stored["sha256"]).is_file()
    assert configured.get(ALICE, sid).state.value == "reproducing"  # back to work
    (entry,) = [e for e in configured.audit_log(ALICE, sid) if e.action == "log_attached"]
    assert (entry.actor_label, entry.from_state, entry.to_state) == (
        ALICE.label, State.AWAITING_REVIEW, State.REPRODUCING,
    )  # fmt: skip
    assert "Offline: full.json" in (entry.reason or "")
    assert configured.verify_audit_chain(MAINTAINER).intact

    worker.run_until_idle()
    after = summarize(configured.reproduction(ALICE, sid))
    assert after is not None and after.status == "consistent", after
    assert [t.status for t in after.scenarios[0].tiers] == ["agrees"] * 3
    printed = io.StringIO()
    sys.stdout, saved = printed, sys.stdout
    try:
        _print_reproduction(after)
    finally:
        sys.stdout = saved
    assert "verdict: consistent" in printed.getvalue()
    assert "tier 3 regeneration of sampled queries" in printed.getvalue()

    configured.reject(MAINTAINER, sid, "checked")
    with pytest.raises(SubmissionError) as decided:
        configured.attach_accuracy_log(ALICE, sid, "Offline", io.BytesIO(b"[]"), "late.json")
    assert decided.value.code == "logs.decided"


@pytest.mark.slow  # reproduction children through the worker: 6 s
def test_a_log_uploaded_before_the_recount_is_checked_by_name_and_used_or_said_unused(
    service: SubmissionService, reconfigured: Reconfigure, dummy_tree: Path, tmp_path: Path
) -> None:
    configured = _dummy_service(reconfigured)
    with zip_tree(dummy_tree, tmp_path / "dummy.zip").open("rb") as stream:
        sid = configured.receive(ALICE, stream, "dummy.zip").submission_id
    with pytest.raises(SubmissionError) as unknown:
        configured.attach_accuracy_log(ALICE, sid, "SingleStream", io.BytesIO(b"[]"), "x.json")
    assert unknown.value.code == "logs.unknown_scenario"
    with _whole_log(dummy_tree).open("rb") as stream:
        offline = configured.attach_accuracy_log(ALICE, sid, "OFFLINE", stream, "whole.json")
    # the bundle has no Server run; before the recount only the name can be checked
    configured.attach_accuracy_log(ALICE, sid, "server", io.BytesIO(b"[]"), "server.json")
    assert configured.get(ALICE, sid).state.value == "received"  # recorded, not moved
    _as_if_the_validator_accepted(configured, sid)
    Worker(configured, configured.settings).run_until_idle()
    summary = summarize(configured.reproduction(ALICE, sid))
    assert summary is not None and summary.status == "consistent", summary
    assert summary.scenarios[0].whole_log == f"given: {offline['sha256']}"
    assert any("Server accuracy log (server.json) was not used" in gap for gap in summary.gaps)


@pytest.mark.slow  # two reproduction children: 3 s
def test_a_log_arriving_while_the_child_runs_gets_a_second_run(
    service: SubmissionService,
    reconfigured: Reconfigure,
    dummy_tree: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configured = _dummy_service(reconfigured)
    sid = _submit(configured, dummy_tree, tmp_path)
    real = pipeline._spot_check
    calls: list[list[str]] = []

    def upload_meanwhile(ctx: pipeline.StepContext, tree: Path, logs: list[str]) -> Any:
        calls.append(logs)
        result = real(ctx, tree, logs)
        if len(calls) == 1:  # the submitter uploads while the first child runs
            with _whole_log(dummy_tree).open("rb") as stream:
                configured.attach_accuracy_log(ALICE, sid, "Offline", stream, "whole.json")
        return result

    monkeypatch.setattr(pipeline, "_spot_check", upload_meanwhile)
    Worker(configured, configured.settings).run_until_idle()
    assert [len(logs) for logs in calls] == [0, 2]  # then with --accuracy-log Offline=...
    summary = summarize(configured.reproduction(ALICE, sid))
    assert summary is not None and summary.status == "consistent", summary
    assert configured.get(ALICE, sid).state.value == "awaiting_review"


@pytest.mark.slow  # a reproduction child: 3 s
def test_without_a_model_tier_1_still_runs_and_says_what_is_missing(
    service: SubmissionService, make_bundle_zip
) -> None:
    with make_bundle_zip("NEW-1-node-4x-BMG-B70").open("rb") as stream:
        sid = service.receive(ALICE, stream, "intel.zip").submission_id
    Worker(service, service.settings).run_until_idle()
    summary = summarize(service.reproduction(ALICE, sid))
    assert summary is not None and summary.status == "incomplete"
    assert all(s.tiers[0].status == "not run" for s in summary.scenarios)
    assert all(s.tiers[2].status == "not requested" for s in summary.scenarios)
    assert service.get(ALICE, sid).state.value == "awaiting_review"


@pytest.mark.slow  # waits out the child's time limit
def test_a_reproduction_past_its_time_limit_goes_to_review_saying_so(
    service: SubmissionService, reconfigured: Reconfigure, dummy_tree: Path, tmp_path: Path
) -> None:
    configured = reconfigured(
        reference_backend="dummy",
        reference_dataset="demo",
        # its own limit (validation and recount keep theirs): shorter than the child takes to
        # start Python and import the runner, however quiet the machine
        spot_check_timeout_s=0.05,
    )
    sid = _submit(configured, dummy_tree, tmp_path)
    Worker(configured, configured.settings).run_until_idle()
    summary = summarize(configured.reproduction(ALICE, sid))
    assert summary is not None and summary.status == "timed out"
    assert "spot_check_timeout_s" in summary.message
    assert configured.get(ALICE, sid).state.value == "awaiting_review"


def test_reproduction_settings_are_checked() -> None:
    for key, value, expected in [
        ("INFERBOARD_SPOT_CHECK_SAMPLES", "2", "greater than or equal to 4"),
        ("INFERBOARD_REFERENCE_DEVICE", "tpu", "'cpu' or 'cuda'"),
        ("INFERBOARD_REFERENCE_DTYPE", "int4", "'fp32', 'bf16' or 'fp16'"),
        ("INFERBOARD_REFERENCE_BATCH_SIZE", "0", "greater than 0"),
        ("INFERBOARD_REFERENCE_DATASET_SHA256", "abc", "should match pattern"),
        ("INFERBOARD_MAX_ACCURACY_LOG_BYTES", "-1", "greater than 0"),
    ]:
        with pytest.raises(SettingsError) as caught:
            SubmissionSettings.from_mapping({key: value})
        assert key in caught.value.message and expected in caught.value.message
    settings = SubmissionSettings.from_mapping(
        {"INFERBOARD_SPOT_CHECK_TIMEOUT_S": "7200", "INFERBOARD_REFERENCE_DTYPE": "bf16"}
    )
    assert (settings.spot_check_timeout_s, settings.reference_dtype) == (7200, "bf16")
    assert settings.validation_timeout_s == 900  # its own timeout, not the spot check's


def test_the_reproduction_child_is_capped_unless_it_loads_a_model() -> None:
    bare = SubmissionSettings(validation_memory_mib=2048, spot_check_memory_mib=0)
    assert bare.reproduction_tiers == (1,)
    assert bare.reproduction_memory_mib == 2048  # logs only: the validation cap
    dummy = bare.with_changes(reference_backend="dummy", reference_dataset="demo")
    assert dummy.reproduction_memory_mib == 2048  # no model loaded
    model = dummy.with_changes(reference_backend="hf", reference_model="m")
    assert model.reproduction_tiers == (1, 2, 3)
    assert model.reproduction_memory_mib == 0  # a model: its own setting (GPU runtimes)
