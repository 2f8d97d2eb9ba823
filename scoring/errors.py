"""The one error type of the scoring package (house style §12), on the project's error shape."""

from __future__ import annotations

from pathlib import Path

from errors import InferboardError


class ScoringError(InferboardError):
    """A problem the user can fix: a stable ``code``, the file concerned, and what to do.

    ``str(error)`` is the full user-facing message (file first, then the fix). It pickles as
    itself, so an error raised in a worker process arrives unchanged.
    """

    def __init__(self, code: str, path: Path | str | None, message: str) -> None:
        self.path = Path(path) if path is not None else None
        where = f"{self.path.name}: " if self.path is not None else ""
        super().__init__(code, f"{where}{message}")
        self._raw_message = message

    def __reduce__(self) -> tuple[type[ScoringError], tuple[str, Path | None, str]]:
        return (type(self), (self.code, self.path, self._raw_message))

    def __str__(self) -> str:
        return self.message
