"""docs/api.md keeps up with the code, and its examples run (shell and Python, against a
real server on loopback serving a read-only copy of the database)."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from leaderboard.params import PARAMETERS
from leaderboard.settings import PROJECT_ROOT
from public_api import build_app
from public_api.app import ENDPOINTS
from tests.support.portal import free_port

DOC = PROJECT_ROOT / "docs" / "api.md"


def _doc() -> str:
    assert DOC.is_file(), f"{DOC} is missing"
    return DOC.read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", _doc(), flags=re.DOTALL)


@pytest.fixture(scope="module")
def server(reader) -> Iterator[str]:
    port = free_port()
    app_server = uvicorn.Server(
        uvicorn.Config(build_app(reader), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=app_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not app_server.started:
        assert time.monotonic() < deadline, "the API server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    app_server.should_exit = True
    thread.join(timeout=10)


def test_every_endpoint_parameter_and_code_is_documented() -> None:
    doc = _doc()
    for endpoint in ENDPOINTS.values():
        assert f"`GET /api{endpoint.path}`" in doc, endpoint.path
        for parameter in endpoint.parameters:
            assert f"`{parameter}`" in doc, parameter
    for parameter in PARAMETERS:
        assert f"`{parameter}`" in doc, parameter
    sources = "\n".join(
        path.read_text(encoding="utf-8")
        for package in ("leaderboard", "public_api")
        for path in (PROJECT_ROOT / package).glob("*.py")
    )
    codes = set(re.findall(r'"((?:query|api)\.[a-z_]+)"', sources))
    assert codes, "no codes found"
    assert sorted(code for code in codes if f"`{code}`" not in doc) == []


def test_the_shell_examples_run(server: str, tmp_path: Path) -> None:
    (script,) = _blocks("sh")
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env={**os.environ, "BASE": server},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "MLPerf Inference llama2-70b-99 Server" in result.stdout
    assert (tmp_path / "inferboard.parquet").stat().st_size > 100_000
    assert (tmp_path / "v60-closed.csv").read_text().startswith("result_id,")


def test_the_python_examples_run(server: str, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = _blocks("python")
    assert len(blocks) == 2
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), {"BASE": server})
    printed = capsys.readouterr().out
    assert "tokens_per_s_per_accelerator" in printed and "v6.0" in printed
