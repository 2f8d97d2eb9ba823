"""Children of the worker never outlive it: the guard ends a spot check whose worker was
killed, and a stop or a time limit kills a child together with what it started."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from submissions.children import run_child
from submissions.settings import PROJECT_ROOT

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def _wait_gone(pid: int, timeout_s: float = 10) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow  # waits for the guard to notice: 2 s
def test_the_guard_kills_its_command_when_the_worker_is_gone(tmp_path: Path) -> None:
    pid_file = tmp_path / "command.pid"
    command = [sys.executable, "-c",
               f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); "
               "time.sleep(60)"]  # fmt: skip
    # a stand-in worker: starts the guard, then dies at once without cleaning up
    worker = subprocess.Popen(
        [sys.executable, "-c",
         "import subprocess, sys, time; "
         "subprocess.Popen([sys.executable, '-m', 'submissions.child_guard', "
         f"'--parent-pid', str(__import__('os').getpid()), '--', *{command!r}]); "
         "time.sleep(2)"],
        cwd=PROJECT_ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while not pid_file.is_file() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pid_file.is_file(), "the guarded command never started"
    command_pid = int(pid_file.read_text())
    assert _alive(command_pid)
    worker.wait(timeout=20)  # the worker exits; nobody stops the command from outside
    assert _wait_gone(command_pid), "the command outlived the worker"


def test_a_guarded_command_that_ends_passes_its_exit_status() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "submissions.child_guard", "--parent-pid", str(os.getpid()),
         "--", sys.executable, "-c", "raise SystemExit(7)"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 7, done.stderr


@pytest.mark.slow  # waits out a time limit: 3 s
def test_a_time_limit_kills_the_child_and_what_it_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    parent = [sys.executable, "-c",
              "import subprocess, sys, time; "
              f"p = subprocess.Popen({SLEEPER!r}); open({str(pid_file)!r}, 'w').write(str(p.pid)); "
              "time.sleep(60)"]  # fmt: skip
    started: list[int | None] = []
    result = run_child(parent, 3, started.append, lambda: False)
    assert result.returncode is None  # stopped by the time limit
    assert started[0] is not None and started[-1] is None
    assert _wait_gone(int(pid_file.read_text())), "the child's own child survived the limit"
