"""What a leaderboard view shows: one frozen object, and its round trip through the URL.

Every view's state lives in the URL (``st.query_params``) so a copied link restores it; the
page only converts between this object and the query-parameter mapping, here, without
streamlit (lists are joined with commas; unknown or malformed values fall back to defaults
rather than raise, since anyone can type a URL).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Final

from leaderboard.sql import SORT_COLUMNS

NORMALISATIONS: Final = {
    "reported": "as reported",
    "per_accelerator": "per accelerator",
    "per_node": "per node",
    "per_watt": "per watt",
}
DERIVED_NOTE: Final = "derived, not an official MLPerf result"
DEFAULT_BENCHMARK: Final = "llama2-70b-99"
DEFAULT_SCENARIO: Final = "Offline"
MAX_ACCELERATORS: Final = 100_000
_LIST_FIELDS: Final = (
    "rounds",
    "divisions",
    "availability",
    "system_types",
    "submitters",
    "vendors",
    "families",
    "columns",
)


@dataclass(frozen=True)
class Filters:
    """The whole state of a leaderboard view (defaults: llama2-70b-99 Offline, everything)."""

    benchmark: str = DEFAULT_BENCHMARK
    scenario: str = DEFAULT_SCENARIO
    rounds: tuple[str, ...] = ()
    divisions: tuple[str, ...] = ()
    availability: tuple[str, ...] = ()
    system_types: tuple[str, ...] = ()
    submitters: tuple[str, ...] = ()
    vendors: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    min_accelerators: int = 0
    max_accelerators: int = MAX_ACCELERATORS
    search: str = ""
    normalisation: str = "reported"
    sort: str = "metric"
    descending: bool = True
    columns: tuple[str, ...] = ()

    @property
    def is_derived(self) -> bool:
        """True when the metric is normalised, so it must carry the 'derived' label."""
        return self.normalisation != "reported"

    def params(self, scenarios: tuple[str, ...] | None = None) -> dict[str, object]:
        """Bound parameters for ``sql._FILTERED`` (never spliced into SQL text)."""
        return {
            "benchmark": self.benchmark,
            "scenarios": list(scenarios or (self.scenario,)),
            "rounds": list(self.rounds),
            "divisions": list(self.divisions),
            "availability": list(self.availability),
            "system_types": list(self.system_types),
            "submitters": list(self.submitters),
            "vendors": list(self.vendors),
            "families": list(self.families),
            "min_accelerators": self.min_accelerators,
            "max_accelerators": self.max_accelerators,
            "search": self.search.strip(),
            "normalisation": self.normalisation,
        }

    def to_query_params(self) -> dict[str, str]:
        """Only the fields that differ from the defaults, so links stay short."""
        default = Filters()
        out: dict[str, str] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if value == getattr(default, spec.name):
                continue
            if isinstance(value, tuple):
                out[spec.name] = ",".join(value)
            elif isinstance(value, bool):
                out[spec.name] = "1" if value else "0"
            else:
                out[spec.name] = str(value)
        return out

    @classmethod
    def from_query_params(cls, params: Mapping[str, str]) -> Filters:
        """Parse a URL's query parameters; bad values are ignored, never raised."""
        filters = cls()
        updates: dict[str, object] = {}
        for name in _LIST_FIELDS:
            if params.get(name):
                updates[name] = tuple(v for v in str(params[name]).split(",") if v)
        for name in ("benchmark", "scenario", "search"):
            if name in params:
                updates[name] = str(params[name])
        for name in ("min_accelerators", "max_accelerators"):
            raw = str(params.get(name, ""))
            # ASCII digits of a sane length ("²".isdigit() is True; 5,000 digits are no count)
            if raw.isascii() and raw.isdigit() and len(raw) <= 9:
                updates[name] = min(int(raw), MAX_ACCELERATORS)
        if params.get("normalisation") in NORMALISATIONS:
            updates["normalisation"] = params["normalisation"]
        if params.get("sort") in SORT_COLUMNS:
            updates["sort"] = params["sort"]
        if params.get("descending") in ("0", "1"):
            updates["descending"] = params["descending"] == "1"
        return replace(filters, **updates)  # type: ignore[arg-type]
