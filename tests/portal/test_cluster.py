"""The whole arrangement: a writer, two readers and Debian's nginx (``python -m cluster``).

Needs nginx (``apt-get install -y nginx``; ``make system-deps``): without it the test fails
and says so, never skips. Checked through nginx: a browser's requests and its WebSocket stick
to one reader, new visitors reach both, a Streamlit session runs and changes a filter, the
writer answers on /portal/ with the login, the API answers with the snapshot, and stopping
leaves no process behind.
"""

from __future__ import annotations

import os
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cluster.nginx import INSTALL_HINT, ROUTE_COOKIE, Layout, nginx_binary
from cluster.supervisor import Cluster, start
from tests.support.portal import free_port
from tests.support.streamlit_client import StreamlitSession

pytestmark = pytest.mark.slow  # a writer, two readers and nginx start first: 10 s


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if nginx_binary() is None:
        pytest.fail(INSTALL_HINT)
    root = tmp_path_factory.mktemp("cluster")
    layout = Layout(
        port=free_port(),
        writer_port=free_port(),
        reader_ports=(free_port(), free_port()),
        runtime_dir=root / "run",
    )
    layout.runtime_dir.mkdir()
    env = {
        **os.environ,
        "INFERBOARD_DB_PATH": str(root / "live.duckdb"),
        "INFERBOARD_STORAGE_DIR": str(root / "storage"),
        "INFERBOARD_RUNTIME_DIR": str(root / "portal"),
        "INFERBOARD_SECRETS_PATH": str(root / "no-secrets.toml"),
        "INFERBOARD_DEMO_PROVIDER_PORT": str(free_port()),
        "INFERBOARD_SNAPSHOT_POLL_S": "0.5",
    }
    running = start(layout, environ=env, timeout_s=180)
    try:
        yield running
    finally:
        pids = list(running.pids().values())
        running.stop()
        time.sleep(0.5)
        assert [pid for pid in pids if Path(f"/proc/{pid}").exists()] == []


def _get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=60) as answer:
        headers = {k.lower(): v for k, v in answer.headers.items()}
        return answer.status, headers, answer.read()


def test_sessions_stick_to_one_reader_and_new_visitors_reach_both(cluster: Cluster) -> None:
    readers = {f"127.0.0.1:{port}" for port in cluster.layout.reader_ports}
    seen: set[str] = set()
    for _ in range(24):  # new visitors: no cookie yet
        _, headers, _ = _get(f"{cluster.url}/leaderboard")
        assert headers["set-cookie"].startswith(f"{ROUTE_COOKIE}=")
        seen.add(headers["inferboard-upstream"])
    assert seen == readers
    cookie = headers["set-cookie"].split(";")[0]
    for path in ("/leaderboard", "/_stcore/health", "/api/v1", "/frontier"):
        _, again, _ = _get(f"{cluster.url}{path}", cookie)
        assert again["inferboard-upstream"] == headers["inferboard-upstream"], path
        assert ROUTE_COOKIE not in again.get("set-cookie", "")  # the cookie is set once


def test_a_session_runs_through_nginx_on_a_reader(cluster: Cluster) -> None:
    _, headers, html = _get(f"{cluster.url}/leaderboard")
    assert b"<html" in html.lower()
    cookie = headers["set-cookie"].split(";")[0]
    with StreamlitSession(cluster.url, cookie=cookie) as session:
        run = session.open("leaderboard")
        assert run.errors() == []
        assert "llama2-70b-99 · Offline · 152 results" in run.texts()
        assert any(t.startswith("Results as of snapshot ") for t in run.texts())
        assert "Log in to submit or review" in run.texts()
        run = session.change("Round", ["v5.1"])
        assert "llama2-70b-99 · Offline · 50 results" in run.texts()
        assert session.open("submit").page_not_found  # the workflow is not on readers


def test_the_writer_answers_on_its_own_path_with_the_login(cluster: Cluster) -> None:
    status, _, _ = _get(f"{cluster.url}/portal/_stcore/health")
    assert status == 200
    with StreamlitSession(f"{cluster.url}/portal") as session:
        run = session.open("submit")
        assert not run.page_not_found
        assert "Log in" in run.texts()
        assert any(t.startswith("Live results") for t in run.texts())


def test_the_api_answers_through_nginx_with_the_snapshot(cluster: Cluster) -> None:
    status, headers, body = _get(f"{cluster.url}/api/v1/results.csv?rounds=v6.0")
    assert status == 200 and body.startswith(b"result_id,")
    assert headers["inferboard-snapshot"].startswith("1; published=")
