"""What a leaderboard view shows: one frozen object, and its round trip through the URL.

Every view's state lives in the URL so a copied link restores it. :class:`Filters` holds the
data part (what the query reads: benchmark, scenario, the list filters, accelerator counts,
search, normalisation) and the view part (sort, direction, columns), which never reaches the
query: :meth:`Filters.data_only` is the cache key of the data read. Parsing a URL is
:mod:`leaderboard.params` (it reports bad values instead of guessing).

The list filters are data (:data:`LIST_FILTERS`): a new one (a provenance tier, say) is a
field here, an entry in that table and its SQL expression in ``sql.FILTER_SQL``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Final

from leaderboard import provenance
from leaderboard.normalisation import Normalisation

DEFAULT_BENCHMARK: Final = "llama2-70b-99"
DEFAULT_SCENARIO: Final = "Offline"
# A hardware buyer compares accelerators, so the default view divides by them (labelled
# derived everywhere it shows); "as reported" is one click away.
DEFAULT_NORMALISATION: Final = Normalisation.PER_ACCELERATOR
MAX_ACCELERATORS: Final = 100_000

# Columns the rows can be sorted by (Polars sorts the fetched rows; nothing reaches SQL).
SORT_COLUMNS: Final = frozenset(
    {
        "metric",
        "value",
        "round",
        "submitter",
        "system_name",
        "accelerator",
        "family",
        "vendor",
        "total_accelerators",
        "number_of_nodes",
        "power",
        "rouge1",
        "ttft_p99_ms",
        "tpot_p99_ms",
    }
)


@dataclass(frozen=True)
class ListFilter:
    """A multi-value filter: its URL parameter (the Filters field), label and row column."""

    name: str
    label: str
    column: str
    in_sidebar: bool  # shown directly; the others sit under "More filters"


LIST_FILTERS: Final = (
    ListFilter("provenance", "Source", "provenance", True),
    ListFilter("rounds", "Round", "round", True),
    ListFilter("divisions", "Division", "division", True),
    ListFilter("families", "Accelerator family", "family", True),
    ListFilter("availability", "Availability", "availability", False),
    ListFilter("system_types", "System type", "system_type", False),
    ListFilter("submitters", "Submitter", "submitter", False),
    ListFilter("vendors", "Accelerator vendor", "vendor", False),
)
LIST_FILTER_NAMES: Final = tuple(f.name for f in LIST_FILTERS)
VIEW_FIELDS: Final = ("sort", "descending", "columns")


@dataclass(frozen=True)
class Filters:
    """The whole state of a leaderboard view (defaults: llama2-70b-99 Offline, the official
    results of every round, per accelerator). An empty list filter means "all": an empty
    ``provenance`` shows accepted submissions beside the official results."""

    benchmark: str = DEFAULT_BENCHMARK
    scenario: str = DEFAULT_SCENARIO
    provenance: tuple[str, ...] = provenance.OFFICIAL
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
    normalisation: Normalisation = DEFAULT_NORMALISATION
    # view state: how the fetched rows are shown, never part of the query
    sort: str = "metric"
    descending: bool = True
    columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # a URL or a caller may name it by its plain value; an unknown one is the user's
        # query.normalisation error, here rather than deep in a query
        object.__setattr__(self, "normalisation", Normalisation.parse(self.normalisation))

    @property
    def is_derived(self) -> bool:
        """True when the metric is normalised, so it must carry the 'derived' label."""
        return self.normalisation.is_derived

    def data_only(self) -> Filters:
        """The same filters with the view state at its defaults: the key of the data read,
        so sorting or choosing columns never re-runs (or re-caches) the query."""
        default = Filters()
        return replace(self, **{name: getattr(default, name) for name in VIEW_FIELDS})

    def with_list(self, name: str, values: tuple[str, ...]) -> Filters:
        """The same filters with the list filter ``name`` holding ``values``."""
        if name not in LIST_FILTER_NAMES:
            raise KeyError(f"{name!r} is not a list filter")
        # replace() takes fields by name; mypy types **changes against every field of
        # Filters, which a name known only at run time cannot satisfy (checked above instead)
        changes: dict[str, Any] = {name: values}
        return replace(self, **changes)

    def in_force(self) -> list[str]:
        """Every filter that narrows the rows, in words (for footnotes and captions)."""
        said = [
            f"{spec.label.lower()}: {', '.join(getattr(self, spec.name))}"
            for spec in LIST_FILTERS
            if getattr(self, spec.name)
        ]
        if self.min_accelerators > 0 or self.max_accelerators < MAX_ACCELERATORS:
            said.append(f"total accelerators {self.min_accelerators}–{self.max_accelerators}")
        if self.search.strip():
            said.append(f"search: {self.search.strip()!r}")
        return said

    def active(self) -> frozenset[str]:
        """The list filters in use, and ``search`` when there is a search text (the
        predicates ``sql.filtered_query`` puts in its WHERE clause)."""
        names = {name for name in LIST_FILTER_NAMES if getattr(self, name)}
        return frozenset(names | ({"search"} if self.search.strip() else set()))

    def params(self, scenarios: tuple[str, ...] | None = None) -> dict[str, object]:
        """Bound parameters of the filtered queries (never spliced into SQL text); a query
        binds those its text names (``queries.bind``)."""
        return {
            "benchmark": self.benchmark,
            "scenarios": list(scenarios or (self.scenario,)),
            **{name: list(getattr(self, name)) for name in LIST_FILTER_NAMES},
            "min_accelerators": self.min_accelerators,
            "max_accelerators": self.max_accelerators,
            "search": self.search.strip(),
            "normalisation": self.normalisation.value,
        }

    def to_query_params(self) -> dict[str, str]:
        """Only the fields that differ from the defaults, so links stay short. Lists are
        comma-joined (no value a filter can take holds a comma: a system submitted as
        "edge,datacenter" is of both types)."""
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


@dataclass(frozen=True)
class FilterOptions:
    """What the filters can offer: the distinct values of each list filter (by its name in
    :data:`LIST_FILTERS`) and the total accelerator counts present, ascending."""

    values: dict[str, list[str]]
    accelerator_counts: list[int]


@dataclass(frozen=True)
class KnownValues(FilterOptions):
    """Every value a list filter may name, over all published results, and each benchmark
    with its scenarios (what a URL is checked against)."""

    benchmarks: dict[str, list[str]]
