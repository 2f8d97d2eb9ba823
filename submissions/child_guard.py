"""Run a command that must not outlive the worker that started it.

``python -m submissions.child_guard --parent-pid P [--memory-bytes M] -- COMMAND ...`` runs
COMMAND as its child, with its address space capped at M bytes (``RLIMIT_AS``, inherited by
everything COMMAND starts), and kills it (and itself) as soon as process P is gone. The worker
starts every child in a new process group (:func:`submissions.children.run_child`), so stopping
the worker or a time limit kills guard and command together; this guard covers the case nobody
can handle from outside: the portal killed with SIGKILL while a child runs (issue 5, "killing
the server ... loses nothing"; the work itself resumes at the next start). It is the only
watcher of a dead parent: every child of the workflow runs under it, so none watches its own.
Only the standard library, so the guard starts fast and stays small.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys

EXIT_PARENT_GONE = 3  # the guard's status when it killed its command because P is gone


def _parent_alive(parent: int) -> bool:
    return os.getppid() == parent


def run(command: list[str], parent: int, interval_s: float = 0.2) -> int:
    """Run ``command`` until it ends or ``parent`` is gone; returns the exit status."""
    child = subprocess.Popen(command)  # same process group: one killpg reaches both
    while True:
        try:
            return child.wait(timeout=interval_s)
        except subprocess.TimeoutExpired:
            if not _parent_alive(parent):
                child.kill()
                child.wait()
                return EXIT_PARENT_GONE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m submissions.child_guard")
    parser.add_argument("--parent-pid", type=int, required=True, help="the worker's pid")
    parser.add_argument(
        "--memory-bytes", type=int, help="address-space limit of the command (RLIMIT_AS)"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command after --")
    if args.memory_bytes is not None:
        if args.memory_bytes <= 0:
            parser.error("--memory-bytes must be positive")
        # set before the command starts: it inherits the cap (this guard is small)
        resource.setrlimit(resource.RLIMIT_AS, (args.memory_bytes, args.memory_bytes))
        # OpenBLAS reserves a large buffer per thread at import: one thread under a cap
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # a polite stop (SIGTERM) reaches the command too
    signal.signal(signal.SIGTERM, lambda *_: os.killpg(os.getpgid(0), signal.SIGKILL))
    return run(command, args.parent_pid)


if __name__ == "__main__":
    sys.exit(main())
