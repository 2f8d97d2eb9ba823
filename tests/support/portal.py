"""Start the real portal (`python -m portal`, which runs `app.py` in Streamlit with the local
demo OIDC provider) and Debian's Chromium, for the browser tests and the benchmarks that time a
page as a person sees it (environment notes, "Streamlit")."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the test extra's Playwright; imported when a browser is started
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# never `playwright install`: it downloads a browser, which this network refuses
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = (
    "install it with `apt-get install -y chromium chromium-driver` (never `playwright install`)"
)


class PortalError(RuntimeError):
    """The portal or the browser could not be started; the message says why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]  # typeshed: Any (the address shape depends on family)
        return port


@contextmanager
def running_portal(env: dict[str, str], timeout_s: float = 60) -> Iterator[str]:
    """`python -m portal` on a free loopback port; yields its base URL, stops it after.

    The demo login provider gets a free port too, the generated secrets and (unless ``env``
    names them) the uploads go to a temporary folder, and a developer's own
    `.streamlit/secrets.toml` is not read, so every run starts from the demo login."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # output goes to a file: an unread pipe fills up and blocks the server, even its shutdown
    with tempfile.TemporaryFile() as log, tempfile.TemporaryDirectory() as scratch:
        defaults = {
            "INFERBOARD_DEMO_PROVIDER_PORT": str(free_port()),
            "INFERBOARD_RUNTIME_DIR": str(Path(scratch) / "portal"),
            "INFERBOARD_SECRETS_PATH": str(Path(scratch) / "no-secrets.toml"),
            "INFERBOARD_STORAGE_DIR": str(Path(scratch) / "submissions"),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "portal",
             "--server.headless", "true", "--server.address", "127.0.0.1",
             "--server.port", str(port), "--browser.gatherUsageStats", "false"],
            cwd=ROOT,
            env={**os.environ, **defaults, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + timeout_s
            while not is_healthy(base):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read().decode(errors="replace")
                    raise PortalError(f"streamlit did not start:\n{output[-2000:]}")
                time.sleep(0.3)
            yield base
        finally:
            stop_process(process)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Stop a server politely, then by force after 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)


def is_healthy(base: str) -> bool:
    """Whether the Streamlit server at ``base`` answers its health check."""
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as reply:
            status: int = reply.status  # typeshed: urlopen returns Any
            return status == 200
    except OSError:
        return False


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Debian Chromium driven by Playwright."""
    if not CHROMIUM.is_file() or shutil.which("chromium") is None:
        raise PortalError(f"{CHROMIUM} is missing: {INSTALL_HINT}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def zip_bundle(
    subtree: str = "v5.1/closed/AMD", *, complete: bool = False, rename_system: str | None = None
) -> bytes:
    """A zip of a real published bundle from the shared data, rooted at its division folder
    (``closed/AMD/...``) as the portal expects; raises PortalError if the data is missing.

    The shared bundles carry the published data files only, without the submitter's code
    folder and calibration.md, so the validator rejects them as they are; ``complete`` adds a
    one-line placeholder of each (spec §1) so that a v4.x/v5.x closed bundle can be accepted.
    ``rename_system`` renames the (single) system id in every path, so the bundle is a new
    system rather than a copy of a published result the leaderboard already holds."""
    import io
    import zipfile

    from tests.support.bundles import BUNDLES, submitter_tree

    if not (BUNDLES / subtree).is_dir():
        raise PortalError(f"{BUNDLES / subtree} is missing: the shared bundles are needed")
    buffer = io.BytesIO()
    with (
        tempfile.TemporaryDirectory() as scratch,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        tree = submitter_tree(
            subtree, Path(scratch), complete=complete, rename_system=rename_system
        )
        for path in sorted(tree.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(tree).as_posix())
    return buffer.getvalue()


def hostile_zip() -> bytes:
    """A zip whose member climbs out of the extraction folder (``../``)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("closed/Evil/systems/x.json", "{}")
        archive.writestr("../../escaped.txt", "outside")
    return buffer.getvalue()
