"""Throughput per accelerator against interactivity: the frontier a buyer reads off.

Interactivity is what one user sees: tokens per second per user, ``1000 / TPOT p99 (ms)``
(the p99 time per output token, so nine in ten thousand tokens come slower). Every Server and
Interactive result with a logged TPOT is one measured point; Offline has no TPOT, so it has no
point. The frontier at an interactivity level is the best throughput among points at that level
or above: a step function of the measured points, never an interpolation between them (as
MLPerf Endpoints requires), so every number read off it was measured.

The scenario's latency constraint comes from the rules table of each round
(``validator/rules/vX.Y.yaml``: ``token_latency_limits_ns``): a result is valid only with TPOT
p99 under the limit, i.e. interactivity above ``1000 / limit``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import plotly.graph_objects as go
import polars as pl

from leaderboard.figures import (
    NoChart,
    axis_spec,
    figure,
    one_unit,
    points,
    subtitle,
    value_hover,
    value_range,
)
from leaderboard.normalisation import Normalisation
from leaderboard.queries import metric_units
from validator.rules import UnknownRoundError, load_round

SCENARIOS: Final = ("Server", "Interactive")
MS_PER_S: Final = 1000.0
_SYMBOLS: Final = {"Server": "circle", "Interactive": "diamond"}


@dataclass(frozen=True)
class LatencyLimit:
    """A scenario's token latency limits in some rounds (the frontier's constraint lines)."""

    scenario: str
    ttft_ms: float
    tpot_ms: float
    rounds: tuple[str, ...]

    @property
    def interactivity(self) -> float:
        """The least interactivity a valid result has (tokens/s per user)."""
        return MS_PER_S / self.tpot_ms

    def describe(self) -> str:
        rounds = ", ".join(self.rounds)
        return (
            f"{self.scenario} ({rounds}): TTFT p99 < {self.ttft_ms:,.0f} ms and TPOT p99 < "
            f"{self.tpot_ms:,.0f} ms, i.e. more than {self.interactivity:.4g} tokens/s per user"
        )


def latency_limits(benchmark: str, rounds: list[str]) -> list[LatencyLimit]:
    """The distinct Server/Interactive limits of ``benchmark`` over ``rounds``."""
    found: dict[tuple[str, float, float], list[str]] = {}
    for name in sorted(set(rounds)):
        try:
            rules = load_round(name).benchmark(benchmark)
        except UnknownRoundError:
            continue
        for scenario, limit in (rules.token_latency_limits_ns if rules else {}).items():
            key = (scenario, limit.ttft / 1e6, limit.tpot / 1e6)
            found.setdefault(key, []).append(name)
    return [
        LatencyLimit(scenario, ttft, tpot, tuple(names))
        for (scenario, ttft, tpot), names in sorted(found.items())
    ]


def measured_points(paired: pl.DataFrame) -> pl.DataFrame:
    """Server and Interactive rows with a TPOT and a metric, in one unit, with their
    ``interactivity`` (tokens/s per user)."""
    rows = paired.filter(
        pl.col("scenario").is_in(list(SCENARIOS))
        & (pl.col("tpot_p99_ms") > 0)
        & pl.col("tpot_p99_ms").is_finite()
    )
    kept, _, _ = one_unit(rows)
    return kept.with_columns((MS_PER_S / pl.col("tpot_p99_ms")).alias("interactivity"))


def pareto(measured: pl.DataFrame) -> pl.DataFrame:
    """The points no other point beats on both throughput and interactivity, by interactivity
    ascending (each is the best throughput from the previous one's interactivity up to its
    own)."""
    if measured.is_empty():
        return measured
    by_interactivity = measured.sort(
        ["interactivity", "metric"], descending=[True, True], nulls_last=True
    )
    best_so_far = by_interactivity["metric"].cum_max().shift(1, fill_value=-math.inf)
    return by_interactivity.filter(pl.col("metric") > best_so_far).sort("interactivity")


def levels(measured: pl.DataFrame) -> list[float]:
    """Interactivity levels worth picking: each measured value (rounded down to 1e-6, so a
    level written into a URL reads back as itself). At a level between two of them the answer
    equals the one at the higher, which :func:`snap` picks."""
    if measured.is_empty():
        return []
    values = (measured["interactivity"] * 1e6).floor() / 1e6
    return sorted({float(v) for v in values.to_list() if v > 0})


def snap(level: float, options: list[float]) -> float | None:
    """The smallest option at or above ``level`` (the same systems qualify), else the last."""
    if not options:
        return None
    return next((option for option in options if option >= level), options[-1])


def best_at(measured: pl.DataFrame, level: float) -> pl.DataFrame:
    """Each system's best measured point at ``level`` tokens/s per user or more, best first,
    ranked (ties share a rank)."""
    qualifying = measured.filter(pl.col("interactivity") >= level)
    if qualifying.is_empty():
        return qualifying.with_columns(pl.lit(None, dtype=pl.UInt32).alias("rank"))
    best = (
        qualifying.sort(["metric", "interactivity"], descending=[True, True])
        .group_by("system_uid", maintain_order=True)
        .first()
    )
    return best.with_columns(
        pl.col("metric").rank("min", descending=True).cast(pl.UInt32).alias("rank")
    ).sort("rank", "system_uid")


def frontier_figure(
    measured: pl.DataFrame,
    limits: list[LatencyLimit],
    level: float | None,
    normalisation: Normalisation,
) -> go.Figure | NoChart:
    """Every measured point by scenario, the step frontier, the scenarios' constraint lines
    and the chosen level."""
    if measured.is_empty():
        return NoChart(
            "No Server or Interactive result with a time per output token matches these "
            "filters (Offline runs log none; v4.0 Server results are in queries/s)."
        )
    unit = metric_units(str(measured["units"][0]), normalisation, derived_note=False)
    hover = "%{meta} · interactivity %{x:,.4r} tokens/s per user<br>" + value_hover("y", unit)
    traces: list[dict[str, Any]] = [
        points(
            part,
            "interactivity",
            "metric",
            hover,
            type="scatter",
            mode="markers",
            name=scenario,
            meta=scenario,
            marker={"size": 9, "symbol": _SYMBOLS.get(scenario, "circle"), "opacity": 0.8},
        )
        for (scenario,), part in measured.partition_by(
            "scenario", as_dict=True, maintain_order=True
        ).items()
    ]
    front = pareto(measured)
    xs, ys = [value_range(front["interactivity"])[0] / 1.5], [float(front["metric"][0])]
    for x, y_next in zip(front["interactivity"], [*front["metric"][1:], None], strict=True):
        xs.append(float(x))
        ys.append(ys[-1])
        if y_next is not None:
            xs.append(float(x))
            ys.append(float(y_next))
    traces.append(
        {
            "type": "scatter",
            "x": xs,
            "y": ys,
            "mode": "lines",
            "name": "frontier (measured, stepwise)",
            "hoverinfo": "skip",
            "line": {"color": "black", "width": 1.5},
        }
    )
    low, high = value_range(measured["metric"])
    for limit in limits:
        traces.append(
            _vline(
                limit.interactivity,
                low,
                high,
                f"{limit.scenario} limit: TPOT < {limit.tpot_ms:g} ms",
                "dash",
                "gray",
            )
        )
    if level is not None:
        traces.append(_vline(level, low, high, f"chosen: at least {level:.4g}", "solid", "#d62728"))
    return figure(
        traces,
        f"{unit} against interactivity",
        subtitle(normalisation, "measured points only; the frontier steps, never interpolates"),
        xaxis=axis_spec(
            "interactivity (tokens/s per user, 1000 / TPOT p99 ms)", measured["interactivity"]
        ),
        yaxis=axis_spec(unit, measured["metric"]),
        legend={"title": {"text": "scenario"}},
        hoverlabel={"namelength": -1},
    )


def _vline(x: float, low: float, high: float, name: str, dash: str, color: str) -> dict[str, Any]:
    """A vertical line as a trace (shapes take log coordinates on a log axis; traces do not)."""
    return {
        "type": "scatter",
        "x": [x, x],
        "y": [low, high],
        "mode": "lines",
        "name": name,
        "hovertemplate": name + "<extra></extra>",
        "line": {"dash": dash, "color": color, "width": 1.5},
    }


__all__ = [
    "SCENARIOS",
    "LatencyLimit",
    "best_at",
    "frontier_figure",
    "latency_limits",
    "levels",
    "measured_points",
    "pareto",
    "snap",
]
