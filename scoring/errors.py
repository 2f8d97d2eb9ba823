"""The one error type of the scoring package (house style §12)."""

from __future__ import annotations

from pathlib import Path


class ScoringError(Exception):
    """A problem the user can fix: a stable ``code``, the file concerned, and what to do.

    ``str(error)`` is the full user-facing message (file first, then the fix).
    """

    def __init__(self, code: str, path: Path | str | None, message: str) -> None:
        self.code = code
        self.path = Path(path) if path is not None else None
        where = f"{self.path}: " if self.path is not None else ""
        super().__init__(f"{where}{message}")
        self.message = str(self)
