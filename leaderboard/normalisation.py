"""How a leaderboard metric is divided: one StrEnum for the URL value, the words and the unit.

The value is what URLs, the API and SQL (``$normalisation`` in ``sql.py``) carry, so links
and stored state stay plain strings. A metric divided by anything is derived, never an
official MLPerf result, and every place that shows one says so (``DERIVED_NOTE``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from leaderboard.errors import LeaderboardError

DERIVED_NOTE: Final = "derived, not an official MLPerf result"


class Normalisation(StrEnum):
    """In the order the pickers offer them (the default first)."""

    PER_ACCELERATOR = "per_accelerator"
    REPORTED = "reported"
    PER_NODE = "per_node"
    PER_WATT = "per_watt"

    @property
    def label(self) -> str:
        """In words, after "Values" or "shown": 'as reported', 'per watt'."""
        return _LABELS[self]

    @property
    def unit_suffix(self) -> str:
        """What follows the unit ('tokens/s per W'); empty as reported."""
        return _UNIT_SUFFIXES[self]

    @property
    def is_derived(self) -> bool:
        return self is not Normalisation.REPORTED

    @classmethod
    def parse(cls, value: str) -> Normalisation:
        """The member named by ``value``, or the user-facing ``query.normalisation`` error."""
        try:
            return cls(value)
        except ValueError:
            raise LeaderboardError(
                "query.normalisation",
                f"unknown normalisation {str(value)[:40]!r}; use one of "
                f"{', '.join(n.value for n in cls)}",
            ) from None


_LABELS: Final = {
    Normalisation.PER_ACCELERATOR: "per accelerator",
    Normalisation.REPORTED: "as reported",
    Normalisation.PER_NODE: "per node",
    Normalisation.PER_WATT: "per watt",
}
_UNIT_SUFFIXES: Final = {
    Normalisation.PER_ACCELERATOR: "per accelerator",
    Normalisation.REPORTED: "",
    Normalisation.PER_NODE: "per node",
    Normalisation.PER_WATT: "per W",
}
