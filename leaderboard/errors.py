"""The one error type the leaderboard library raises (house style §12)."""

from __future__ import annotations


class LeaderboardError(Exception):
    """A problem a user or maintainer can act on: ``code`` is stable, ``message`` says the fix.

    The portal shows ``message``; the CLI prints it and exits non-zero; neither shows a
    traceback.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"
