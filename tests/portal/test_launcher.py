"""The launcher's pieces that need no server: settings, flags, the demo secrets file and the
demo provider's discovery document."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
import urllib.request
from pathlib import Path

import pytest

from leaderboard.db import open_store
from leaderboard.settings import PROJECT_ROOT as ROOT
from leaderboard.settings import LeaderboardSettings
from portal.demo_login import DEMO_USERS, MAINTAINER_EMAIL, running_provider, write_secrets
from portal.launcher import flag_value, streamlit_argv
from portal.settings import PortalSettings, has_real_auth, read_secrets, setting_values
from tests.support.portal import free_port


def test_settings_read_typed_values_and_the_environment_wins() -> None:
    secrets = {"INFERBOARD_DEMO_PROVIDER_PORT": 1234, "INFERBOARD_DEMO_LOGIN": "false", "x": 1}
    values = setting_values({"INFERBOARD_DEMO_PROVIDER_PORT": "4321", "HOME": "/"}, secrets)
    settings = PortalSettings.from_mapping(values)
    assert settings.demo_provider_port == 4321
    assert settings.demo_login is False
    assert "HOME" not in values and "x" not in values
    assert (
        PortalSettings.from_mapping({"INFERBOARD_STATUS_REFRESH_S": "0.5"}).status_refresh_s == 0.5
    )


def test_real_auth_means_a_non_empty_auth_section(tmp_path: Path) -> None:
    path = tmp_path / "secrets.toml"
    assert read_secrets(path) == {}
    path.write_text('[auth]\nclient_id = "x"\n', encoding="utf-8")
    assert has_real_auth(read_secrets(path))
    assert not has_real_auth({"auth": {}})
    assert not has_real_auth({"INFERBOARD_MAINTAINERS": "a@b"})


def test_flags_are_read_in_both_forms_and_the_launcher_adds_its_own() -> None:
    flags = ["--server.port", "9000", "--server.headless=true"]
    assert flag_value(flags, "server.port") == "9000"
    assert flag_value(flags, "server.headless") == "true"
    assert flag_value(flags, "server.address") is None
    argv = streamlit_argv(
        flags, [Path("/a.toml"), Path("/b.toml")], loopback=True, max_upload_bytes=256 * 2**20
    )
    # asgi.py: app.py (the pages) plus the read API at /api, in the process owning the file
    assert argv[:2] == ["run", str(Path(__file__).resolve().parents[2] / "asgi.py")]
    assert flag_value(argv, "server.address") == "127.0.0.1"
    assert flag_value(argv, "server.fileWatcherType") == "none"
    assert flag_value(argv, "server.maxUploadSize") == "256"
    # both secrets files, in order: the generated [auth] comes last and wins
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "--secrets.files"] == [
        "/a.toml",
        "/b.toml",
    ]
    explicit = streamlit_argv(
        ["--server.address", "0.0.0.0"], [], loopback=False, max_upload_bytes=2**20
    )
    assert flag_value(explicit, "server.address") == "0.0.0.0"
    assert "--secrets.files" not in explicit


def test_demo_secrets_point_at_the_provider(tmp_path: Path) -> None:
    path = write_secrets("http://127.0.0.1:9", "http://127.0.0.1:8501/", tmp_path)
    auth = tomllib.loads(path.read_text(encoding="utf-8"))["auth"]
    assert auth["redirect_uri"] == "http://127.0.0.1:8501/oauth2callback"
    assert auth["server_metadata_url"] == "http://127.0.0.1:9/.well-known/openid-configuration"
    assert len(auth["cookie_secret"]) >= 32
    assert path.stat().st_mode & 0o077 == 0  # secrets are the owner's only


def test_demo_provider_serves_discovery_on_loopback() -> None:
    port = free_port()
    with running_provider(port) as issuer:
        assert issuer == f"http://127.0.0.1:{port}"
        url = f"{issuer}/.well-known/openid-configuration"
        with urllib.request.urlopen(url, timeout=5) as reply:
            discovery = json.loads(reply.read())
    assert discovery["issuer"] == issuer
    assert discovery["end_session_endpoint"].startswith(issuer)
    assert [u.email for u in DEMO_USERS if u.role == "maintainer"] == [MAINTAINER_EMAIL]


def _launch(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {
        "PATH": "/usr/bin:/bin",
        "INFERBOARD_SECRETS_PATH": str(tmp_path / "none.toml"),
        "INFERBOARD_RUNTIME_DIR": str(tmp_path / "portal"),
        "INFERBOARD_STORAGE_DIR": str(tmp_path / "storage"),
        "INFERBOARD_DB_PATH": str(tmp_path / "portal.duckdb"),
        "INFERBOARD_DEMO_LOGIN": "false",
    }
    return subprocess.run(
        [sys.executable, "-m", "portal", "--server.port", str(free_port())],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow  # a second portal process: 2.3 s
def test_a_locked_database_stops_the_start_with_one_line(tmp_path: Path) -> None:
    with open_store(LeaderboardSettings(db_path=tmp_path / "portal.duckdb")):
        done = _launch({}, tmp_path)
    assert done.returncode == 2
    assert "cannot start" in done.stderr and "[db.locked]" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_wrong_setting_stops_the_start_with_one_line(tmp_path: Path) -> None:
    done = _launch({"INFERBOARD_DEMO_LOGIN": "treu"}, tmp_path)
    assert done.returncode == 2
    assert "INFERBOARD_DEMO_LOGIN='treu'" in done.stderr and "[settings.invalid]" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_warm_up_import_says_nothing_about_a_missing_runtime() -> None:
    """`make run` printed nine 'No runtime found' warnings on every start: the launcher imports
    the cached views before Streamlit's runtime exists, which is expected there."""
    script = (
        "from portal import launcher\n"
        "with launcher._before_the_runtime():\n"
        "    import portal.leaderboard_views\n"
        "import logging\n"
        "from streamlit.runtime.caching import cache_data_api\n"
        "print(logging.getLogger(cache_data_api.__name__).level)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert "No runtime found" not in done.stderr
    assert done.stdout.strip() != "40"  # the logger's own level is back after the import
