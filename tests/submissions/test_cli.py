"""`python -m submissions`: the maintainer's path when the portal is not running."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from leaderboard.db import open_store
from leaderboard.settings import PROJECT_ROOT, LeaderboardSettings
from submissions.cli import main
from submissions.settings import SubmissionSettings
from tests.submissions.conftest import MAINTAINER_EMAIL


@pytest.fixture
def environ(db_settings: LeaderboardSettings, settings: SubmissionSettings) -> dict[str, str]:
    return {
        "INFERBOARD_DB_PATH": str(db_settings.db_path),
        "INFERBOARD_SEED_PATH": str(db_settings.seed_path),
        "INFERBOARD_STORAGE_DIR": str(settings.storage_dir),
        "INFERBOARD_MAINTAINERS": MAINTAINER_EMAIL,
    }


@pytest.mark.slow  # the CLI's work command runs the validator child: 5 s
def test_submit_work_review_and_audit(
    environ: dict[str, str], make_bundle_zip: Callable[[str], Path], capsys, tmp_path: Path
) -> None:
    bundle = make_bundle_zip("NEW-1-node-4x-BMG-B70")

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv), environ)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    code, out, _ = run("submit", str(bundle), "--as", "vendor@example.org")
    assert code == 0 and out.startswith("submission 1: sha256 ")
    code, out, _ = run("submit", str(bundle), "--as", "vendor@example.org")
    assert "(already received: same bytes as before)" in out
    assert re.fullmatch(r"advanced 1 submissions in [0-9.]+ s; 1 undecided\n", run("work")[1])
    code, out, _ = run("list")
    assert "#1" in out and "awaiting review" in out and "vendor@example.org" in out
    wrong = tmp_path / "mlperf_log_accuracy.json"
    wrong.write_text("[]", encoding="utf-8")
    code, _, err = run("attach-log", "1", f"Offline={wrong}", "--as", "vendor@example.org")
    assert code == 2 and "[logs.hash_mismatch]" in err and "Traceback" not in err
    code, _, err = run("attach-log", "1", "Offline", "--as", "vendor@example.org")
    assert code == 2 and "[cli.missing_file]" in err
    code, _, err = run("attach-log", "1", f"Offline={wrong}", "--as", "other@example.org")
    assert code == 2 and "no submission 1" in err
    code, _, err = run("accept", "1", "--reason", "ok", "--as", "vendor@example.org")
    assert code == 2 and "[auth.maintainers_only]" in err
    code, _, err = run("accept", "1", "--reason", "checked", "--as", MAINTAINER_EMAIL)
    assert code == 2 and "[review.organisation_unconfirmed]" in err  # not mapped to Intel
    code, out, _ = run(
        "accept", "1", "--reason", "checked", "--as", MAINTAINER_EMAIL,
        "--confirm-organisation", "Intel",
    )  # fmt: skip
    assert (code, out) == (
        0,
        "submission 1: accepted; accepted: 2 results added to the leaderboard\n",
    )
    code, out, _ = run("show", "1", "--json")
    shown = json.loads(out)
    assert shown["submission"]["decided_by"] == MAINTAINER_EMAIL
    assert shown["report"]["verdict"] == "accepted"
    # no model configured: tier 1 ran and says which whole logs are missing
    assert shown["reproduction"]["spot_check"]["status"] == "incomplete"
    code, out, _ = run("show", "1")
    assert "verdict: incomplete" in out and "tier 1 log recount" in out
    code, out, _ = run("audit")
    known = {"received", "state_changed", "organisation_confirmed", "accepted"}
    assert [next(w for w in line.split() if w in known) for line in out.splitlines()] == [
        "received", "state_changed", "state_changed", "state_changed",
        "organisation_confirmed", "accepted",
    ]  # fmt: skip
    assert run("audit", "--verify")[:2] == (0, "audit chain intact (6 entries)\n")
    code, _, err = run("show", "7")
    assert code == 2 and "no submission 7" in err and "Traceback" not in err


def test_bad_settings_and_missing_files_get_messages(environ: dict[str, str], capsys) -> None:
    assert main(["submit", "/nonexistent.zip", "--as", "a@b.org"], environ) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = {**environ, "INFERBOARD_RATE_LIMIT_COUNT": "many"}
    assert main(["list"], bad) == 2
    err = capsys.readouterr().err
    assert "INFERBOARD_RATE_LIMIT_COUNT='many': input should be a valid integer" in err
    assert "[settings.invalid]" in err


def test_a_database_held_by_another_process_is_named(
    environ: dict[str, str], db_settings: LeaderboardSettings
) -> None:
    with open_store(db_settings):  # this process owns the file, like a running portal
        done = subprocess.run(
            [sys.executable, "-m", "submissions", "list"],
            cwd=PROJECT_ROOT,
            env={**environ, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert "is open in another process" in done.stderr
    assert "[db.locked]" in done.stderr
    assert "Traceback" not in done.stderr


def test_settings_command_lists_every_setting(environ: dict[str, str], capsys) -> None:
    assert main(["settings"], environ) == 0
    out = capsys.readouterr().out
    for name in SubmissionSettings.help_texts():
        assert f"INFERBOARD_{name.upper()} = " in out


@pytest.mark.slow  # a shell pipeline of CLI processes: 12 s
def test_a_closed_pipe_ends_quietly(environ: dict[str, str], service_with_history) -> None:
    """`python -m submissions list | head -1`: no BrokenPipeError traceback."""
    done = subprocess.run(
        f"{sys.executable} -m submissions list --limit 200 | head -c 1",
        shell=True,
        cwd=PROJECT_ROOT,
        env={**environ, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout == "U"  # "Undecided (oldest first):"
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr


@pytest.fixture
def service_with_history(db_settings: LeaderboardSettings, settings: SubmissionSettings) -> None:
    """Enough rows that `list` writes more than a pipe buffer holds."""
    import io

    from submissions.service import SubmissionService
    from tests.submissions.conftest import ALICE

    with open_store(db_settings) as store:
        service = SubmissionService(store, settings.with_changes(rate_limit_count=500))
        for n in range(300):
            service.receive(
                ALICE, io.BytesIO(b"x" * (n + 1)), f"bundle-{n:03}-" + "y" * 180 + ".zip"
            )
