"""Start the whole arrangement on loopback, wait on it, stop it cleanly.

Order: the writer first (it opens the database and publishes the first snapshot before it
serves), then the readers (they serve that snapshot), then nginx in front. Each runs in its own
process group with its output in ``<runtime_dir>/<name>.log``. Stopping goes the other way:
nginx, the readers, the writer last; SIGTERM, then SIGKILL after a timeout. The cluster stops
as a whole when any member exits on its own.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final

from cluster.nginx import WRITER_PATH, Layout, nginx_binary, render

ROOT: Final = Path(__file__).resolve().parents[1]
STREAMLIT_FLAGS: Final = (
    "--server.headless",
    "true",
    "--browser.gatherUsageStats",
    "false",
    "--server.address",
    "127.0.0.1",
)


class ClusterError(Exception):
    """A member did not start; the message says which and where its log is."""


@dataclass
class Member:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    health: str
    _handle: IO[bytes] | None = field(default=None, repr=False)


@dataclass
class Cluster:
    """The running members, in start order."""

    layout: Layout
    members: list[Member] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.layout.port}"

    def pids(self) -> dict[str, int]:
        return {m.name: m.process.pid for m in self.members}

    def exited(self) -> Member | None:
        return next((m for m in self.members if m.process.poll() is not None), None)

    def stop(self, timeout_s: float = 20.0) -> None:
        """nginx, then the readers, then the writer: SIGTERM, SIGKILL after ``timeout_s``."""
        for member in reversed(self.members):
            _signal(member.process, signal.SIGTERM)
            try:
                member.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                _signal(member.process, signal.SIGKILL)
                member.process.wait(timeout=10)
            if member._handle is not None:
                member._handle.close()
        self.members.clear()


def _signal(process: subprocess.Popen[bytes], sig: int) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)  # its own group: the member and its children


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _start(
    cluster: Cluster,
    name: str,
    argv: Sequence[str],
    env: Mapping[str, str],
    health: str,
    timeout_s: float,
) -> Member:
    log = cluster.layout.runtime_dir / f"{name}.log"
    handle = log.open("ab")
    process = subprocess.Popen(
        list(argv),
        cwd=ROOT,
        env=dict(env),
        stdout=handle,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    member = Member(name, process, log, health, handle)
    cluster.members.append(member)
    deadline = time.monotonic() + timeout_s
    while not _healthy(health):
        if process.poll() is not None:
            raise ClusterError(f"{name} exited with status {process.returncode}; see {log}")
        if time.monotonic() > deadline:
            raise ClusterError(f"{name} did not answer {health} in {timeout_s:.0f} s; see {log}")
        time.sleep(0.2)
    return member


def start(
    layout: Layout,
    *,
    environ: Mapping[str, str] | None = None,
    python: str = sys.executable,
    timeout_s: float = 120.0,
    writer: bool = True,
) -> Cluster:
    """Start writer, readers and nginx; on any failure stop what started and raise.
    ``writer=False``: the caller holds the database itself (a bench's in-process writer)."""
    binary = nginx_binary()
    if binary is None:
        from cluster.nginx import INSTALL_HINT

        raise ClusterError(INSTALL_HINT)
    run = layout.runtime_dir
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run / "tmp" / kind).mkdir(parents=True, exist_ok=True)
    base_env = dict(os.environ if environ is None else environ)
    public = f"http://127.0.0.1:{layout.port}"
    cluster = Cluster(layout)
    try:
        writer_env = {**base_env, "INFERBOARD_PUBLIC_URL": f"{public}/{WRITER_PATH}"}
        writer_env.pop("INFERBOARD_ROLE", None)
        if writer:
            _start(
                cluster,
                "writer",
                [python, "-m", "portal", *STREAMLIT_FLAGS, "--server.port",
                 str(layout.writer_port), "--server.baseUrlPath", WRITER_PATH],
                writer_env,
                f"http://127.0.0.1:{layout.writer_port}/{WRITER_PATH}/_stcore/health",
                timeout_s,
            )  # fmt: skip
        reader_env = {**base_env, "INFERBOARD_WRITER_URL": f"/{WRITER_PATH}/"}
        for index, port in enumerate(layout.reader_ports, start=1):
            _start(
                cluster,
                f"reader-{index}",
                [python, "-m", "portal", "--reader", *STREAMLIT_FLAGS, "--server.port", str(port)],
                reader_env,
                f"http://127.0.0.1:{port}/_stcore/health",
                timeout_s,
            )
        user = _nginx_user(run)
        (run / "nginx.conf").write_text(render(layout, user=user), encoding="utf-8")
        _start(
            cluster,
            "nginx",
            [
                str(binary),
                "-p",
                str(run),
                "-e",
                str(run / "nginx-error.log"),
                "-c",
                str(run / "nginx.conf"),
            ],
            base_env,
            f"{public}/_stcore/health",
            timeout_s,
        )
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _nginx_user(run: Path) -> str | None:
    """Started as root, nginx's workers drop to ``nobody``: give them the temp folders."""
    if os.geteuid() != 0:
        return None
    import pwd

    nobody = pwd.getpwnam("nobody")
    for folder in (run / "tmp", *sorted((run / "tmp").iterdir())):
        os.chown(folder, nobody.pw_uid, nobody.pw_gid)
    return "nobody nogroup"
