"""The throughput-per-accelerator against interactivity frontier: measured points only,
steps never interpolated, the scenarios' latency constraints from the rules tables."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import pytest

from leaderboard import frontier, queries
from leaderboard.figures import NoChart
from leaderboard.filters import Filters
from leaderboard.normalisation import Normalisation


@pytest.fixture(scope="module")
def measured(store) -> pl.DataFrame:
    view = queries.leaderboard_view(store.cursor(), Filters())  # llama2-70b-99, per accelerator
    return frontier.measured_points(view.paired)


def test_points_are_server_and_interactive_results_with_a_tpot(measured) -> None:
    assert set(measured["scenario"]) == {"Server", "Interactive"}
    assert measured["interactivity"].to_list() == pytest.approx(
        (1000 / measured["tpot_p99_ms"]).to_list()
    )
    assert set(measured["units"]) == {"Tokens/s"}  # v4.0 Server (queries/s) has no TPOT
    assert measured.height > 100


def test_pareto_points_are_exactly_the_undominated_ones(measured) -> None:
    front = frontier.pareto(measured)
    rows = measured.select("interactivity", "metric").rows()
    undominated = {
        (x, y)
        for x, y in rows
        if not any((x2 >= x and y2 > y) or (x2 > x and y2 >= y) for x2, y2 in rows)
    }
    assert set(front.select("interactivity", "metric").rows()) == undominated
    assert front["interactivity"].is_sorted() and front["metric"].is_sorted(descending=True)


@pytest.mark.parametrize("level", [0.5, 5.0, 5.2, 12.0, 25.0, 30.0, 41.0, 42.5])
def test_best_at_a_level_steps_and_never_interpolates(measured, level: float) -> None:
    best = frontier.best_at(measured, level)
    qualifying = measured.filter(pl.col("interactivity") >= level)
    expected = qualifying.group_by("system_uid").agg(pl.col("metric").max())
    assert dict(best.select("system_uid", "metric").rows()) == dict(expected.rows())
    assert best["metric"].is_sorted(descending=True)
    assert (best["interactivity"] >= level).all()
    # every number read off is a measured point
    measured_pairs = set(measured.select("system_uid", "metric").rows())
    assert set(best.select("system_uid", "metric").rows()) <= measured_pairs
    if best.height:
        assert best["rank"][0] == 1


def test_levels_are_the_measured_interactivities_and_snap_up(measured) -> None:
    levels = frontier.levels(measured)
    assert levels == sorted(levels) and len(levels) > 10
    assert frontier.snap(0.1, levels) == levels[0]
    assert frontier.snap(levels[3] + 0.001, levels) == levels[4]
    assert frontier.snap(10_000, levels) == levels[-1]
    assert frontier.snap(5.0, []) is None
    # a snapped level qualifies the same systems as the level asked for (nothing in between)
    asked = (levels[5] + levels[6]) / 2
    same = frontier.best_at(measured, asked)["system_uid"].to_list()
    assert same == frontier.best_at(measured, frontier.snap(asked, levels))["system_uid"].to_list()


def test_latency_limits_come_from_the_rules_tables() -> None:
    limits = frontier.latency_limits("llama2-70b-99", ["v4.1", "v5.1", "v6.0", "v9.9"])
    by_scenario = {limit.scenario: limit for limit in limits}
    assert by_scenario["Server"].tpot_ms == 200 and by_scenario["Server"].ttft_ms == 2000
    assert by_scenario["Server"].rounds == ("v4.1", "v5.1", "v6.0")
    assert by_scenario["Interactive"].tpot_ms == 40
    assert by_scenario["Interactive"].interactivity == pytest.approx(25.0)
    assert "TPOT p99 < 40 ms" in by_scenario["Interactive"].describe()


def test_figure_shows_points_frontier_constraints_and_level(measured) -> None:
    limits = frontier.latency_limits("llama2-70b-99", measured["round"].unique().to_list())
    built = frontier.frontier_figure(measured, limits, 25.0, Normalisation.PER_ACCELERATOR)
    assert isinstance(built, go.Figure)
    names = [trace.name for trace in built.data]
    assert {"Server", "Interactive"} <= set(names)
    assert "Interactive limit: TPOT < 40 ms" in names and "chosen: at least 25" in names
    line = next(t for t in built.data if t.name.startswith("frontier"))
    measured_values = set(measured["metric"].to_list())
    assert set(line.y) <= measured_values  # the step line only takes measured values
    constraint = next(t for t in built.data if t.name.startswith("Interactive limit"))
    assert list(constraint.x) == pytest.approx([25.0, 25.0])
    assert "tokens/s per user" in built.data[0].hovertemplate
    empty = frontier.frontier_figure(measured.clear(), limits, None, Normalisation.PER_ACCELERATOR)
    assert isinstance(empty, NoChart) and "Offline" in empty.reason
