"""Settings of every layer read ``INFERBOARD_<FIELD>`` keys the same way, typed by pydantic:
a value that does not fit stops the start with a message naming the key (issue 12)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from errors import InferboardError
from leaderboard.settings import LeaderboardSettings, SettingsError, load_values
from portal.settings import PortalSettings
from submissions.settings import SubmissionSettings


def test_every_field_type_converts() -> None:
    values = {
        "INFERBOARD_STORAGE_DIR": " /srv/inferboard ",
        "INFERBOARD_MAX_UPLOAD_BYTES": "1024",
        "INFERBOARD_MAINTAINERS": "a@example.org, ,b@example.org",
        "INFERBOARD_REFERENCE_BACKEND": "dummy",
        "INFERBOARD_REFERENCE_MODEL": "",
        "INFERBOARD_WORKER_POLL_S": "0.25",
        "INFERBOARD_DEMO_LOGIN": "off",
        "INFERBOARD_PUBLIC_URL": "http://example.org/",
        "INFERBOARD_READ_ONLY": "Yes",
        "INFERBOARD_DB_PATH": "/tmp/x.duckdb",
        "HOME": "/root",
    }
    sub = SubmissionSettings.from_mapping(values)
    assert sub.storage_dir == Path("/srv/inferboard")
    assert sub.max_upload_bytes == 1024
    assert sub.maintainers == ("a@example.org", "b@example.org")
    assert sub.reference_backend == "dummy"
    assert sub.reference_model is None
    assert sub.worker_poll_s == 0.25
    assert sub.rate_limit_count == 20  # absent key: the default
    portal = PortalSettings.from_mapping(values)
    assert portal.demo_login is False
    assert portal.public_url == "http://example.org/"
    assert PortalSettings.from_mapping({"INFERBOARD_PUBLIC_URL": ""}).public_url is None
    board = LeaderboardSettings.from_mapping(values)
    assert board.read_only is True
    assert board.db_path == Path("/tmp/x.duckdb")


@pytest.mark.parametrize(
    ("cls", "key", "value", "expected"),
    [
        (PortalSettings, "INFERBOARD_DEMO_LOGIN", "treu", "valid boolean"),  # a typo is not false
        (LeaderboardSettings, "INFERBOARD_READ_ONLY", "ja", "valid boolean"),
        (SubmissionSettings, "INFERBOARD_MAX_UPLOAD_BYTES", "lots", "valid integer"),
        (SubmissionSettings, "INFERBOARD_MAX_UPLOAD_BYTES", "-5", "greater than 0"),
        (SubmissionSettings, "INFERBOARD_WORKER_POLL_S", "nan", "finite"),
        (SubmissionSettings, "INFERBOARD_VALIDATION_TIMEOUT_S", "inf", "finite"),
        (SubmissionSettings, "INFERBOARD_REFERENCE_BACKEND", "torch", "'hf', 'vllm' or 'dummy'"),
        (SubmissionSettings, "INFERBOARD_AUDIT_KEY", "short", "at least 32 characters"),
        (PortalSettings, "INFERBOARD_STATUS_REFRESH_S", "0", "greater than 0"),
        (PortalSettings, "INFERBOARD_DEMO_PROVIDER_PORT", "70000", "less than 65536"),
    ],
)
def test_a_bad_value_names_the_key_and_stops(
    cls: type, key: str, value: str, expected: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        cls.from_mapping({key: value})
    error = caught.value
    assert isinstance(error, InferboardError)
    assert error.code == "settings.invalid"
    assert key in error.message and expected in error.message, error.message
    assert "fix or unset it" in error.hint
    if "KEY" in key:
        assert value not in error.message  # a secret is never echoed


def test_a_misspelt_field_is_refused_not_ignored() -> None:
    with pytest.raises(SettingsError):
        SubmissionSettings.build(storage_dri=Path("/x"))


def test_changes_are_validated_too() -> None:
    settings = SubmissionSettings()
    assert settings.with_changes(rate_limit_count=3).rate_limit_count == 3
    with pytest.raises(SettingsError):
        settings.with_changes(worker_poll_s=math.inf)


def test_the_secrets_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        'INFERBOARD_RATE_LIMIT_COUNT = 7\nINFERBOARD_MAINTAINERS = "m@example.org"\n'
        '[auth]\nclient_id = "x"\n',
        encoding="utf-8",
    )
    values = load_values(
        {"INFERBOARD_SECRETS_PATH": str(secrets), "INFERBOARD_MAINTAINERS": "env@example.org"}
    )
    settings = SubmissionSettings.from_mapping(values)
    assert settings.rate_limit_count == 7
    assert settings.maintainers == ("env@example.org",)


def test_a_broken_secrets_file_is_a_message(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("INFERBOARD_X = [unclosed\n", encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_values({"INFERBOARD_SECRETS_PATH": str(secrets)})
    assert caught.value.code == "settings.secrets_file"


def test_constructing_settings_reads_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFERBOARD_RATE_LIMIT_COUNT", "3")
    assert SubmissionSettings().rate_limit_count == 20
