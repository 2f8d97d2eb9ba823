"""Killing the worker in the middle of validating loses nothing: the next `work` resumes the
submission, records "resumed" in the audit log and ends with the report a clean run gives."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leaderboard.db import open_store
from leaderboard.settings import PROJECT_ROOT, LeaderboardSettings
from submissions.service import SubmissionService
from submissions.settings import SubmissionSettings
from submissions.worker import STATUS_FILE, Worker
from tests.submissions.conftest import ALICE, BOB, MAINTAINER, bundle_tree, zip_tree

REPLICAS = 20  # systems in the bundle: validation takes about a second, long enough to kill


@pytest.fixture(scope="module")
def big_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real v6.0 bundle with its system replicated under REPLICAS names."""
    folder = tmp_path_factory.mktemp("big")
    root = bundle_tree(folder / "tree", "NEW-0")
    submitter = root / "closed" / "Intel"
    for i in range(1, REPLICAS):
        shutil.copytree(submitter / "results" / "NEW-0", submitter / "results" / f"NEW-{i}")
        shutil.copy(submitter / "systems" / "NEW-0.json", submitter / "systems" / f"NEW-{i}.json")
    return zip_tree(root, folder / "big.zip")


def _environment(db: LeaderboardSettings, settings: SubmissionSettings) -> dict[str, str]:
    return {
        **os.environ,
        "INFERBOARD_DB_PATH": str(db.db_path),
        "INFERBOARD_SEED_PATH": str(db.seed_path),
        "INFERBOARD_STORAGE_DIR": str(settings.storage_dir),
        "INFERBOARD_MAINTAINERS": ",".join(settings.maintainers),
    }


def _wait_for_validating_child(status_file: Path, timeout_s: float = 60) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            status = json.loads(status_file.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            status = {}
        if status.get("state") == "validating" and status.get("child_pid"):
            return int(status["child_pid"])
        time.sleep(0.02)
    pytest.fail(f"the worker never reported a validator child in {status_file}")


def _is_gone(pid: int, timeout_s: float = 10) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow  # two worker processes and a replicated bundle: about 15 s on 2 cores
def test_sigkill_while_validating_then_work_again(
    db_settings: LeaderboardSettings, settings: SubmissionSettings, big_bundle: Path
) -> None:
    with open_store(db_settings) as store, big_bundle.open("rb") as stream:
        sid = SubmissionService(store, settings).receive(ALICE, stream, "big.zip").submission_id
    env = _environment(db_settings, settings)
    command = [sys.executable, "-m", "submissions", "work"]

    first = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL)
    child = _wait_for_validating_child(settings.storage_dir / STATUS_FILE)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert _is_gone(child), "the validator child outlived its killed parent"

    with open_store(db_settings) as store:
        service = SubmissionService(store, settings)
        interrupted = service.get(MAINTAINER, sid)
        assert interrupted.state.value == "validating"
        assert service.report(MAINTAINER, sid) is None

    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("advanced 1 submissions in ")

    with open_store(db_settings) as store:
        service = SubmissionService(store, settings)
        resumed = service.get(MAINTAINER, sid)
        assert resumed.state.value == "awaiting_review"
        assert (resumed.result_count, resumed.valid_result_count) == (2 * REPLICAS, 2 * REPLICAS)
        actions = [e.action for e in service.audit_log(MAINTAINER, sid)]
        assert actions.count("resumed") == 1
        assert actions.index("resumed") > actions.index("received")
        assert service.verify_audit_chain(MAINTAINER).problems == []
        report_after_kill = service.report(MAINTAINER, sid)

        # a clean run on the same bytes (another user: a new submission sharing the blob)
        with big_bundle.open("rb") as stream:
            clean = service.receive(BOB, stream, "big.zip").submission_id
        assert Worker(service, settings).run_until_idle() == 1
        assert service.report(MAINTAINER, clean) == report_after_kill
