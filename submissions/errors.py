"""One error type for the workflow, with a stable code and a message a user can act on (§12)."""

from __future__ import annotations

from datetime import datetime

from errors import InferboardError


class SubmissionError(InferboardError):
    """Something the user asked for cannot be done; ``message`` says why and what to do."""


class PermissionDeniedError(SubmissionError):
    """The acting user's role does not allow the action (checked on the server)."""


class NotFoundError(SubmissionError):
    """No such submission, or none this user may see (the two are not told apart)."""


class RateLimitedError(SubmissionError):
    """The user has sent too many submissions in the current window; ``retry_at`` (UTC) is
    when the next upload will be allowed."""

    def __init__(
        self, code: str, message: str, hint: str = "", *, retry_at: datetime | None = None
    ) -> None:
        super().__init__(code, message, hint)
        self.retry_at = retry_at


class InvalidTransitionError(SubmissionError):
    """The submission's state does not allow the requested step."""
