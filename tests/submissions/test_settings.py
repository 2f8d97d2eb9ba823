"""The one ``INFERBOARD_<FIELD>`` converter (leaderboard.settings.fields_from_mapping) read the
same way by all three settings classes, each raising its own layer's error type."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaderboard.errors import LeaderboardError
from leaderboard.settings import LeaderboardSettings
from portal.settings import PortalSettings
from submissions.errors import SubmissionError
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
    ("cls", "error"),
    [(SubmissionSettings, SubmissionError), (PortalSettings, LeaderboardError)],
)
def test_a_bad_number_names_the_key_and_the_fix(cls: type, error: type[Exception]) -> None:
    key = (
        "INFERBOARD_MAX_UPLOAD_BYTES"
        if cls is SubmissionSettings
        else "INFERBOARD_STATUS_REFRESH_S"
    )
    with pytest.raises(error) as caught:
        cls.from_mapping({key: "lots"})
    assert caught.value.code == "settings.invalid"  # type: ignore[attr-defined]
    assert key in caught.value.message and "fix or unset it" in caught.value.message  # type: ignore[attr-defined]
