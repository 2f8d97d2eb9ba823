"""Killing the portal server in the middle of validating loses nothing (issue 5, "Bad input
and load"): the next start of `python -m portal` resumes the submission by itself, before
anyone opens a page, and it ends awaiting review with "resumed" in the audit log.

The worker-level version of this test (tests/submissions/test_restart.py) kills
`python -m submissions work`; this one kills the real web process that owns the DuckDB file.
"""

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
from submissions.roles import Principal, Role
from submissions.service import SubmissionService
from submissions.settings import SubmissionSettings
from submissions.worker import STATUS_FILE
from tests.submissions.conftest import bundle_tree, zip_tree
from tests.support.portal import free_port, is_healthy, stop_process

MAINTAINER = Principal("https://idp#maint", "maint@example.org", "Maya", Role.MAINTAINER)
VENDOR = Principal("https://idp#vendor", "vendor@example.org", "Vic", Role.SUBMITTER)
REPLICAS = 20  # systems in the bundle, so that validation lasts long enough to be killed


def _big_bundle(folder: Path) -> Path:
    """The real v6.0 Intel bundle, completed, with its system copied under REPLICAS names."""
    root = bundle_tree(folder / "tree", "RESTART-0")
    submitter = root / "closed" / "Intel"
    for i in range(1, REPLICAS):
        shutil.copytree(submitter / "results" / "RESTART-0", submitter / "results" / f"RESTART-{i}")
        shutil.copy(
            submitter / "systems" / "RESTART-0.json", submitter / "systems" / f"RESTART-{i}.json"
        )
    return zip_tree(root, folder / "big.zip")


def _start(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "portal", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port),
             "--browser.gatherUsageStats", "false"],
            cwd=PROJECT_ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return process, f"http://127.0.0.1:{port}"


def _wait_for_status(
    storage: Path, pid: int, wanted: str | None, timeout_s: float = 90
) -> dict[str, object]:
    """The status the worker of process ``pid`` writes (``None``: idle, its queue drained)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            status = json.loads((storage / STATUS_FILE).read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            status = {}
        ours = status.get("pid") == pid and status.get("state") == wanted
        if ours and (wanted != "validating" or status.get("child_pid")):
            return status
        time.sleep(0.02)
    pytest.fail(f"the portal's worker never reported {wanted!r} in {storage / STATUS_FILE}")


@pytest.mark.slow  # two portal start-ups and a replicated bundle: about 20 s on 2 cores
def test_sigkill_of_the_portal_while_validating_resumes_on_the_next_start(
    tmp_path: Path,
) -> None:
    db = LeaderboardSettings(
        db_path=tmp_path / "inferboard.duckdb",
        seed_path=PROJECT_ROOT / "data" / "mlperf_results_seed.parquet",
    )
    storage = tmp_path / "storage"
    settings = SubmissionSettings(storage_dir=storage, maintainers=(MAINTAINER.email or "",))
    bundle = _big_bundle(tmp_path)
    with open_store(db) as store, bundle.open("rb") as stream:
        sid = SubmissionService(store, settings).receive(VENDOR, stream, "big.zip").submission_id

    env = {
        **os.environ,
        "INFERBOARD_DB_PATH": str(db.db_path),
        "INFERBOARD_SEED_PATH": str(db.seed_path),
        "INFERBOARD_STORAGE_DIR": str(storage),
        "INFERBOARD_MAINTAINERS": MAINTAINER.email or "",
        "INFERBOARD_DEMO_PROVIDER_PORT": str(free_port()),
        "INFERBOARD_RUNTIME_DIR": str(tmp_path / "portal"),
        "INFERBOARD_SECRETS_PATH": str(tmp_path / "no-secrets.toml"),
    }
    log = tmp_path / "portal.log"
    first, _ = _start(env, log)
    try:
        # nobody opens a page: the launcher's worker picks the submission up by itself
        child = int(str(_wait_for_status(storage, first.pid, "validating")["child_pid"]))
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    deadline = time.monotonic() + 15
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        stat = Path(f"/proc/{child}/stat").read_text(errors="replace")
        if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
            break
        time.sleep(0.05)

    with open_store(db) as store:  # the killed process's lock is gone with it
        service = SubmissionService(store, settings)
        assert service.get(MAINTAINER, sid).state.value == "validating"
        assert service.report(MAINTAINER, sid) is None

    second, base = _start(env, log)
    try:
        deadline = time.monotonic() + 60
        while not is_healthy(base):
            assert second.poll() is None, log.read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "the restarted portal never answered"
            time.sleep(0.3)
        _wait_for_status(storage, second.pid, None)
    finally:
        stop_process(second)

    with open_store(db) as store:
        service = SubmissionService(store, settings)
        done = service.get(MAINTAINER, sid)
        assert done.state.value == "awaiting_review", done.progress
        assert (done.result_count, done.valid_result_count) == (2 * REPLICAS, 2 * REPLICAS)
        actions = [entry.action for entry in service.audit_log(MAINTAINER, sid)]
        assert actions.count("resumed") == 1, actions
        assert service.verify_audit_chain(MAINTAINER).problems == []
