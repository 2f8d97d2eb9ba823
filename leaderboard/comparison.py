"""Two to four systems side by side, as reported or normalised, with the reasons they may not
be comparable (different rounds, divisions, availability, scenarios, accelerator counts)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from leaderboard import sql
from leaderboard.errors import LeaderboardError
from leaderboard.normalisation import Normalisation
from leaderboard.queries import with_metric_units


@dataclass(frozen=True)
class Comparison:
    """The compared results, long (one row per system and result) and wide (one column each)."""

    normalisation: Normalisation
    long: pl.DataFrame  # one row per system and result with a metric (system_uid, metric, ...)
    wide: pl.DataFrame  # benchmark_mlperf, scenario, metric_units, then one column per system
    warnings: tuple[str, ...]

    @property
    def is_derived(self) -> bool:
        return self.normalisation.is_derived


def _warnings(long: pl.DataFrame) -> list[str]:
    systems = long.unique("system_uid", keep="first", maintain_order=True)
    warnings: list[str] = []
    for column, what in (
        ("round", "rounds"),
        ("division", "divisions"),
        ("availability", "availability"),
    ):
        if systems[column].n_unique() > 1:
            warnings.append(
                f"The systems come from different {what}: "
                + ", ".join(sorted({str(v) for v in systems[column].to_list()}))
            )
    if systems["total_accelerators"].n_unique() > 1:
        counts = ", ".join(
            f"{uid.rsplit('/', 1)[-1]}: {total}"
            for uid, total in zip(systems["system_uid"], systems["total_accelerators"], strict=True)
        )
        warnings.append(
            f"The systems have different accelerator counts ({counts}); compare per accelerator."
        )
    scenario_sets = long.group_by("system_uid").agg(pl.col("scenario").unique().sort())
    if scenario_sets["scenario"].n_unique() > 1:
        warnings.append("The systems did not run the same scenarios; empty cells mean no result.")
    return warnings


def compare(
    cursor: duckdb.DuckDBPyConnection,
    system_uids: list[str],
    normalisation: Normalisation | str = Normalisation.REPORTED,
) -> Comparison:
    """Results of 2-4 systems side by side; normalised values are labelled derived."""
    system_uids = list(dict.fromkeys(system_uids))  # a link may name one twice
    if not 2 <= len(system_uids) <= 4:
        raise LeaderboardError("compare.count", "pick between two and four systems to compare")
    normalisation = Normalisation.parse(normalisation)
    long = cursor.sql(
        sql.COMPARE_RESULTS,
        params={"system_uids": system_uids, "normalisation": normalisation.value},
    ).pl()
    found = set(long["system_uid"].unique().to_list())
    missing = [uid for uid in system_uids if uid not in found]
    if missing:
        raise LeaderboardError("compare.not_found", f"no results for {missing}; check the links")
    long = with_metric_units(long, normalisation)
    # Latencies have no per-accelerator value, results without power no per-watt value.
    shown = long.filter(pl.col("metric").is_not_null())
    wide = (
        shown.pivot(
            on="system_uid",
            index=["benchmark_mlperf", "scenario", "metric_units"],
            values="metric",
            aggregate_function="first",
        )
        .select(
            "benchmark_mlperf",
            "scenario",
            "metric_units",
            *(
                pl.col(uid) if uid in shown["system_uid"] else pl.lit(None).alias(uid)
                for uid in system_uids
            ),
        )
        .sort("benchmark_mlperf", "scenario")
    )
    return Comparison(normalisation, shown, wide, tuple(_warnings(long)))
