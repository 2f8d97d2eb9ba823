"""The read API's source in a portal process: the installed runtime's results (the writer's
live database, or a reader's newest snapshot; both serve pinned ``as_of`` snapshots)."""

from __future__ import annotations

from leaderboard.snapshots import Reading, SnapshotInfo
from portal import runtime


class PortalCursors:
    """A results source for :func:`public_api.api_app` that follows the installed runtime
    (looked up per request, so the API starts before the runtime does and tests may swap it)."""

    def read(self, as_of: int | None = None) -> Reading:
        return runtime.current().results.read(as_of)

    def current(self) -> SnapshotInfo | None:
        return runtime.current().results.current()
