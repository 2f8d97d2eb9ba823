"""One error shape for the whole project (issue 12): every library error is an InferboardError
with a stable code, a message and a hint."""

from __future__ import annotations

import pytest

from errors import InferboardError
from leaderboard.errors import LeaderboardError
from submissions.errors import (
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    SubmissionError,
)


@pytest.mark.parametrize(
    "error_type",
    [
        LeaderboardError,
        SubmissionError,
        PermissionDeniedError,
        NotFoundError,
        RateLimitedError,
        InvalidTransitionError,
    ],
)
def test_every_library_error_has_the_one_shape(error_type: type[InferboardError]) -> None:
    error = error_type("area.what", "what is wrong", "what to do")
    assert isinstance(error, InferboardError)
    assert (error.code, error.message, error.hint) == ("area.what", "what is wrong", "what to do")
    assert str(error) == "what is wrong [area.what]"
    assert error.one_line() == "what is wrong; what to do [area.what]"


def test_the_hint_is_optional() -> None:
    error = LeaderboardError("db.locked", "the file is in use")
    assert error.hint == ""
    assert error.one_line() == "the file is in use [db.locked]"
