"""With a reference model configured, the reproduction step runs `python -m reference_runner
reproduce` as a child process and stores its report beside the log recount. The runner's
dummy backend stands in for a model (no torch needed), on a bundle the runner wrote itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from leaderboard.settings import PROJECT_ROOT
from submissions.service import SubmissionService, ledger_of
from submissions.states import State
from submissions.worker import Worker
from tests.submissions.conftest import ALICE, zip_tree


@pytest.fixture(scope="module")
def runner_bundle_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 40-sample Offline bundle from the reference runner's dummy backend, logs untruncated."""
    folder = tmp_path_factory.mktemp("runner")
    command = [
        sys.executable, "-m", "reference_runner", "run", "--out", str(folder / "tree"),
        "--backend", "dummy", "--max-samples", "40", "--scenario", "Offline",
        "--min-duration-ms", "100", "--min-query-count", "40", "--no-truncate", "--quiet",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return zip_tree(folder / "tree", folder / "runner.zip")


def _as_if_the_validator_accepted(service: SubmissionService, sid: int) -> None:
    """A 40-sample dummy run cannot meet the round's minimums, so the validator rejects it and
    nothing would be re-run (issue 12); the worker's own moves stand in for an acceptance."""
    ledger = ledger_of(service)
    ledger.advance(sid, State.RECEIVED, State.VALIDATING, progress="validating")
    ledger.advance(
        sid, State.VALIDATING, State.REPRODUCING, progress="reproducing", verdict="accepted"
    )


def test_spot_check_report_is_stored_for_review(
    service: SubmissionService, runner_bundle_zip: Path
) -> None:
    settings = service.settings.with_changes(
        reference_backend="dummy",
        reference_dataset="demo",
        spot_check_samples=3,
    )
    configured = SubmissionService(service._store, settings)
    with runner_bundle_zip.open("rb") as stream:
        sid = configured.receive(ALICE, stream, "runner.zip").submission_id
    _as_if_the_validator_accepted(configured, sid)
    assert Worker(configured, settings).run_until_idle() == 1
    assert configured.get(ALICE, sid).state.value == "awaiting_review"
    reproduction = configured.reproduction(ALICE, sid)
    spot = reproduction["spot_check"]
    assert (spot["status"], spot["exit_status"]) == ("done", 0)
    assert spot["report"]["kind"] == "inferboard.reproduction"
    assert spot["report"]["model"]["backend"] == "dummy"
    assert [c["status"] for c in reproduction["log_checks"]] == ["agrees"]
    assert (configured._ledger.storage.submission_dir(sid) / "spot_check.json").is_file()


def test_a_failing_spot_check_is_reported_not_hidden(service, make_bundle_zip) -> None:
    settings = service.settings.with_changes(reference_backend="dummy", reference_dataset="demo")
    configured = SubmissionService(service._store, settings)
    with make_bundle_zip("NEW-1-node-4x-BMG-B70").open("rb") as stream:
        sid = configured.receive(ALICE, stream, "intel.zip").submission_id
    Worker(configured, settings).run_until_idle()
    spot = configured.reproduction(ALICE, sid)["spot_check"]
    assert spot["status"] == "failed"
    assert "no untruncated accuracy log found" in spot["message"]
    assert configured.get(ALICE, sid).state.value == "awaiting_review"
