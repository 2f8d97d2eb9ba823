"""The leaderboard's charts, in one registry: a new chart is one entry here.

Each entry names its figure function, the view input it draws (the filtered rows, the same
filters over every round, or over the paired scenarios) and the filters it does not apply, so
the page can say so under the chart instead of leaving a reader to guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

import plotly.graph_objects as go
import polars as pl

from leaderboard import figures
from leaderboard.normalisation import Normalisation
from leaderboard.queries import LeaderboardView

Source = Literal["rows", "all_rounds", "paired"]


@dataclass(frozen=True)
class Chart:
    """One chart of the leaderboard page."""

    key: str  # its value in the URL (``chart=``)
    label: str  # its name on the page
    draw: Callable[[pl.DataFrame, Normalisation], go.Figure | figures.NoChart]
    source: Source = "rows"
    ignores: str = ""  # which filter it does not apply, and why, in words

    def build(self, view: LeaderboardView) -> go.Figure | figures.NoChart:
        """The figure of ``view``, or why there is none."""
        return self.draw(getattr(view, self.source), view.normalisation)


CHARTS: Final = {
    chart.key: chart
    for chart in (
        Chart("best", "Fastest per accelerator", figures.best_per_accelerator),
        Chart("scale", "Scale", figures.throughput_vs_accelerators),
        Chart(
            "progress",
            "Progress",
            figures.progress_by_round,
            source="all_rounds",
            ignores="the round filter: it shows every round",
        ),
        Chart(
            "paired",
            "Server vs Offline",
            figures.server_vs_offline,
            source="paired",
            ignores="the scenario choice: it pairs Offline with Server and Interactive",
        ),
        Chart("accuracy", "Accuracy", figures.accuracy_vs_throughput),
        Chart("latency", "TTFT / TPOT", figures.latency_percentiles),
    )
}
DEFAULT_CHART: Final = "best"
