"""Child processes for everything derived from a bundle: never in the web process.

Every child runs as ``python -m submissions.child_guard --parent-pid P [--memory-bytes M]
-- python -m MODULE ...``: it leads a process group of its own (so a time limit or
``Worker.stop()`` kills guard and command together, :func:`kill_child_group`), its address
space is capped with ``RLIMIT_AS`` (a bundle that needs more fails its step instead of
exhausting the server), and it ends by itself when the worker that started it is killed
outright. :class:`ChildLimits` carries one child's time and memory; each kind of child has its
own settings (validation, recount, spot check). The guard is the one mechanism that ends a
child whose worker is gone (:data:`~submissions.child_guard.EXIT_PARENT_GONE`): the children
themselves watch nothing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from submissions.settings import PROJECT_ROOT

ChildStarted = Callable[[int | None], None]
EXIT_OUT_OF_MEMORY = 4  # a child that hit its memory limit says so with this status


@dataclass(frozen=True)
class ChildLimits:
    """How long a child may run and how much address space it may take (None: no cap)."""

    timeout_s: float
    memory_bytes: int | None


@dataclass(frozen=True)
class ChildResult:
    returncode: int | None  # None: stopped after the time limit
    output: str

    @property
    def timed_out(self) -> bool:
        return self.returncode is None

    @property
    def out_of_memory(self) -> bool:
        return self.returncode == EXIT_OUT_OF_MEMORY or "MemoryError" in self.output[-2000:]

    def tail(self, chars: int = 600) -> str:
        text = self.output.strip()
        return text[-chars:] if text else "no output"


class StoppedError(Exception):
    """The worker was asked to stop while a child ran; the step is redone at the next start."""


def guarded(module: str, arguments: Sequence[str], limits: ChildLimits) -> list[str]:
    """The command line that runs ``python -m module arguments`` under the guard."""
    command = [sys.executable, "-m", "submissions.child_guard", "--parent-pid", str(os.getpid())]
    if limits.memory_bytes is not None:
        command += ["--memory-bytes", str(limits.memory_bytes)]
    return [*command, "--", sys.executable, "-m", module, *arguments]


def kill_child_group(pid: int) -> None:
    """Kill a child started by :func:`run_child` and everything in its process group."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def run_child(
    command: list[str], timeout_s: float, on_start: ChildStarted, stop_requested: Callable[[], bool]
) -> ChildResult:
    """Run a child process with a time limit, reporting its pid (status file, stop)."""
    process = subprocess.Popen(  # our own interpreter and modules, no shell
        command,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    on_start(process.pid)
    try:
        output, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        kill_child_group(process.pid)
        output, _ = process.communicate()
        return ChildResult(None, output or "")
    finally:
        on_start(None)
    if stop_requested():
        raise StoppedError("stopped with the worker")
    return ChildResult(process.returncode, output or "")
