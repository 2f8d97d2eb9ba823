"""The one error type the leaderboard library raises (house style §12)."""

from __future__ import annotations

from errors import InferboardError


class LeaderboardError(InferboardError):
    """A problem a user or maintainer can act on: ``code`` is stable, ``message`` says the fix.

    The portal shows ``message``; the CLI prints it and exits non-zero; neither shows a
    traceback.
    """
