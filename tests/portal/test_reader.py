"""A reader process (``python -m portal --reader``) against snapshots a writer publishes.

The writer is a Store in this test process (what the portal's writer holds); the reader is a
real server process. Pages are opened as sessions over Streamlit's WebSocket
(tests/support/streamlit_client.py), the API over HTTP. Checked: nothing in a reader can
write (every public page and API route leaves every file as it was, and the reader holds the
snapshot open read-only), a change the writer publishes reaches the reader within seconds
without dropping a session, and ``as_of`` pins a snapshot until it is pruned.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from leaderboard.corrections import record_status
from leaderboard.db import Store, open_store
from leaderboard.settings import PROJECT_ROOT, LeaderboardSettings
from portal import launcher
from public_api.app import ENDPOINTS
from tests.support.portal import ROOT, free_port, is_healthy, stop_process
from tests.support.streamlit_client import StreamlitSession

SEED = PROJECT_ROOT / "data" / "mlperf_results_seed.parquet"
AMD = "v5.1/closed/AMD/8xMI300X_2xEPYC_9575F"
NVIDIA = "v4.1/closed/NVIDIA/H200-SXM-141GBx8_TRT"
PUBLIC_PAGES = {
    "": "",
    "leaderboard": "rounds=v5.1",
    "frontier": "",
    "system": f"system={AMD}",
    "compare": f"systems={AMD},{NVIDIA}",
    "changes": "",
}
WORKFLOW_PAGES = ("submit", "submissions", "review", "audit")


def _get(url: str) -> tuple[int, Message, bytes]:
    """Status, headers (case-insensitive) and body of a GET."""
    request = urllib.request.Request(url)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _state(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its sha256 and mtime."""
    return {
        str(path.relative_to(root)): f"{hashlib.sha256(path.read_bytes()).hexdigest()} "
        f"{path.stat().st_mtime_ns}"
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _open_for_writing(pid: int, path: Path) -> list[str]:
    """The reader's open descriptors of ``path`` that allow writing (from /proc)."""
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if fd.readlink() != path:
                continue
            flags = int(
                (Path(f"/proc/{pid}/fdinfo") / fd.name).read_text().split("flags:")[1].split()[0],
                8,
            )
        except (OSError, IndexError, ValueError):
            continue
        if flags & os.O_ACCMODE != os.O_RDONLY:
            found.append(f"fd {fd.name} flags {flags:o}")
    return found


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cluster")


@pytest.fixture(scope="module")
def writer(root: Path) -> Iterator[Store]:
    settings = LeaderboardSettings(
        db_path=root / "live.duckdb", seed_path=SEED, snapshots_kept=2, snapshot_grace_s=0
    )
    with open_store(settings) as store:
        yield store


@pytest.fixture(scope="module")
def reader(root: Path, writer: Store) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "INFERBOARD_SNAPSHOT_DIR": str(writer.settings.snapshots_path),
        "INFERBOARD_SNAPSHOT_POLL_S": "0.2",
        "INFERBOARD_DB_PATH": str(root / "never-opened.duckdb"),
        "INFERBOARD_RUNTIME_DIR": str(root / "never-runtime"),
        "INFERBOARD_STORAGE_DIR": str(root / "never-storage"),
        "INFERBOARD_SECRETS_PATH": str(root / "no-secrets.toml"),
    }
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "portal", "--reader", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 90
            while not is_healthy(base):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"the reader did not start:\n{log.read().decode()[-3000:]}")
                time.sleep(0.3)
            yield base, process
        finally:
            stop_process(process)
            log.seek(0)
            output = log.read().decode(errors="replace")
            assert "Traceback" not in output, output[-3000:]


def _api_urls(base: str) -> list[str]:
    urls = [f"{base}/api/v1", f"{base}/api/v1/results.json?as_of=1"]
    for endpoint in ENDPOINTS.values():
        urls += [f"{base}/api{endpoint.path.format(format=fmt)}" for fmt in endpoint.formats]
    return urls


@pytest.mark.slow  # a reader process serving pages: 8 s
def test_nothing_in_a_reader_writes(root: Path, writer: Store, reader) -> None:
    base, process = reader
    snapshot = writer.settings.snapshots_path / "snapshot-00000001.duckdb"
    before = _state(root)
    with StreamlitSession(base) as session:
        for page, query in PUBLIC_PAGES.items():
            run = session.open(page, query)
            assert not run.page_not_found, page
            assert run.errors() == [], (page, run.errors())
            assert any("Results as of snapshot 1 of" in t for t in run.texts()), page
        session.open("leaderboard")
        for label, value in (("Round", ["v5.0", "v5.1"]), ("Scenario", "Server"),
                             ("Metric", "as reported")):  # fmt: skip
            run = session.change(label, value)
            assert run.errors() == [], (label, run.errors())
        assert "llama2-70b-99 · Server · 58 results" in run.texts()
        assert "Pin snapshot 1 in the link" in run.texts()
        for page in WORKFLOW_PAGES:  # not even registered: the default page answers
            run = session.open(page)
            assert run.page_not_found, page
    for url in _api_urls(base):
        status, headers, body = _get(url)
        assert status == 200, (url, body[:300])
        assert headers.get("Inferboard-Snapshot", "").startswith("1; published="), url
    assert _state(root) == before, "a file changed while the reader served"
    assert not (root / "never-opened.duckdb").exists()
    assert not (root / "never-runtime").exists() and not (root / "never-storage").exists()
    assert _open_for_writing(process.pid, snapshot) == []
    assert any(fd.readlink() == snapshot for fd in Path(f"/proc/{process.pid}/fd").iterdir())


def _wait_for_snapshot(base: str, version: int, timeout_s: float = 20) -> float:
    started = time.monotonic()
    while True:
        _, headers, _ = _get(f"{base}/api/v1")
        if headers.get("Inferboard-Snapshot", "").startswith(f"{version};"):
            return time.monotonic() - started
        assert time.monotonic() - started < timeout_s, f"snapshot {version} not served"
        time.sleep(0.1)


def _total(base: str, query: str = "") -> int:
    status, _, body = _get(f"{base}/api/v1/results.json?limit=1{query}")
    assert status == 200, body[:300]
    return int(json.loads(body)["total"])


@pytest.mark.slow  # a reader process serving pages: 6 s
def test_a_published_change_reaches_a_running_reader_without_dropping_sessions(
    writer: Store, reader
) -> None:
    base, _ = reader
    assert _total(base) == 152
    with StreamlitSession(base) as session:
        run = session.open("leaderboard")
        assert "llama2-70b-99 · Offline · 152 results" in run.texts()
        top = (
            writer.cursor()
            .execute(
                "SELECT result_id FROM results WHERE benchmark_mlperf = 'llama2-70b-99' "
                "AND scenario = 'Offline' ORDER BY result_id LIMIT 1"
            )
            .fetchall()[0][0]
        )
        record_status(writer.cursor(), [top], "withdrawn", "the submitter asked", "Mia")
        published = time.monotonic()
        assert writer.publish_snapshot().version == 2  # type: ignore[union-attr]
        waited = _wait_for_snapshot(base, 2)
        assert time.monotonic() - published < 20
        assert _total(base) == 151
        assert session.connected, "the switch dropped the session"
        run = session.change("Round", [])  # the same session's next rerun
        assert "llama2-70b-99 · Offline · 151 results" in run.texts(), waited
        assert any("Results as of snapshot 2 of" in t for t in run.texts())


@pytest.mark.slow  # a reader process serving pages
def test_as_of_pins_a_snapshot_until_it_is_pruned(writer: Store, reader) -> None:
    base, _ = reader
    assert _total(base, "&as_of=1") == 152  # the numbers as they were
    with StreamlitSession(base) as session:
        run = session.open("leaderboard", "as_of=1")
        assert "llama2-70b-99 · Offline · 152 results" in run.texts()
        assert any("snapshot 1 of" in t and "pinned by the link" in t for t in run.texts())
        run = session.change("Scenario", "Server")  # the pin survives the page's own URL
        assert "as_of=1" in session.query
        assert any("pinned by the link" in t for t in run.texts())
    # snapshots_kept=2, grace 0: snapshot 1 is gone once snapshot 3 is out. The module's other
    # test may have published snapshot 2 in this process or (under xdist) in another one.
    first_results = writer.cursor().execute(
        "SELECT result_id FROM results ORDER BY result_id LIMIT 2"
    )
    versions = []
    for rid in [row[0] for row in first_results.fetchall()]:
        record_status(writer.cursor(), [rid], "invalidated", "failed the audit", "Mia")
        published = writer.publish_snapshot()
        assert published is not None  # a change was made: a new snapshot is due
        versions.append(published.version)
        if published.version == 3:
            break
    assert versions in ([2, 3], [3])
    _wait_for_snapshot(base, 3)
    status, _, body = _get(f"{base}/api/v1/results.json?as_of=1")
    assert status == 410
    assert json.loads(body)["error"]["code"] == "snapshot.pruned"
    assert _get(f"{base}/api/v1/results.json?as_of=9")[0] == 404
    with StreamlitSession(base) as session:
        run = session.open("leaderboard", "as_of=1")
        assert any("snapshot 1 is no longer kept" in t for t in run.texts()), run.texts()
        assert any("Results as of snapshot 3 of" in t for t in run.texts())


def test_the_writer_refuses_a_read_only_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The failure of issue 16: a second portal on a read-only copy died on every page;
    now it does not start, and says to start a reader."""
    monkeypatch.setenv("INFERBOARD_READ_ONLY", "true")
    monkeypatch.setenv("INFERBOARD_DEMO_LOGIN", "false")
    monkeypatch.setenv("INFERBOARD_DB_PATH", str(tmp_path / "copy.duckdb"))
    monkeypatch.setenv("INFERBOARD_SECRETS_PATH", str(tmp_path / "none.toml"))
    assert launcher.main(["--server.port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert "[portal.read_only_writer]" in err and "python -m portal --reader" in err
    assert not (tmp_path / "copy.duckdb").exists()
