"""The chart registry and the figures: per accelerator by default, log axes where values
span more than 10x, who and what unit in every hover, an explanation instead of an empty plot,
and each chart saying which filter it ignores."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import pytest

from leaderboard import figures, queries
from leaderboard.charts import CHARTS, DEFAULT_CHART
from leaderboard.figures import NoChart
from leaderboard.filters import Filters
from leaderboard.normalisation import DERIVED_NOTE, Normalisation


@pytest.fixture(scope="module")
def view(store) -> queries.LeaderboardView:
    return queries.leaderboard_view(store.cursor(), Filters(rounds=("v5.1",)))


def _points(figure: go.Figure) -> list[dict[str, object]]:
    """Every plotted point as (system id, label, x, y) from traces that carry systems."""
    out = []
    for trace in figure.data:
        if trace.customdata is None:
            continue
        for row, x, y in zip(trace.customdata, trace.x, trace.y, strict=True):
            out.append({"uid": row[0], "label": row[1], "x": x, "y": y, "trace": trace})
    return out


def test_every_registered_chart_draws_the_default_view(view) -> None:
    assert DEFAULT_CHART == "best" and set(CHARTS) >= {"best", "scale", "progress", "paired"}
    for key, chart in CHARTS.items():
        built = chart.build(view)
        if key == "latency":  # Offline logs no TTFT/TPOT: a reason, not an empty plot
            assert isinstance(built, NoChart) and "Server or Interactive" in built.reason
            continue
        assert isinstance(built, go.Figure), key
        assert DERIVED_NOTE in built.layout.title.subtitle.text, key  # per accelerator
        points = _points(built)
        assert points, key
        for point in points:
            # every point says who it is (full name) and its value with its unit
            assert point["uid"].count("/") >= 3
            template = point["trace"].hovertemplate
            assert "%{customdata[1]}" in template and "Tokens/s per accelerator" in template, key


def test_the_charts_that_ignore_a_filter_say_which() -> None:
    assert "round" in CHARTS["progress"].ignores
    assert "scenario" in CHARTS["paired"].ignores
    assert all(not CHARTS[k].ignores for k in ("best", "scale", "accuracy", "latency"))


def test_fastest_per_accelerator_is_the_best_system_of_each(view) -> None:
    built = CHARTS["best"].build(view)
    assert isinstance(built, go.Figure)
    bars = {p["y"]: (p["x"], p["uid"]) for p in _points(built)}
    expected = queries.best_per(view.rows, "accelerator")
    assert bars == {
        row["accelerator"]: (pytest.approx(row["metric"]), row["system_uid"])
        for row in expected.iter_rows(named=True)
    }
    # horizontal bars with their values outside, legible, best on top
    trace = built.data[0]
    assert trace.orientation == "h" and trace.textposition == "outside"
    assert built.layout.uniformtext.minsize >= 11
    assert list(built.layout.yaxis.categoryarray) == expected["accelerator"].to_list()
    assert built.layout.yaxis.autorange == "reversed"


def test_log_axes_exactly_where_values_span_more_than_ten_times(view) -> None:
    assert figures.log_if_wide(pl.Series([1.0, 9.9])) == "linear"
    assert figures.log_if_wide(pl.Series([1.0, 10.1])) == "log"
    assert figures.log_if_wide(pl.Series([None, 0.0, -1.0])) == "linear"
    paired = CHARTS["paired"].build(view)
    assert isinstance(paired, go.Figure)
    values = [p["x"] for p in _points(paired)] + [p["y"] for p in _points(paired)]
    wide = max(values) > 10 * min(values)
    assert paired.layout.xaxis.type == paired.layout.yaxis.type == ("log" if wide else "linear")
    if wide:  # readable ticks: numbers written out, not "2" under "10k"
        assert all("," in t or float(t) < 1000 for t in paired.layout.xaxis.ticktext)


def test_progress_draws_every_round_whatever_the_round_filter(view) -> None:
    built = CHARTS["progress"].build(view)
    assert isinstance(built, go.Figure)
    assert {"v4.1", "v5.1", "v6.0"} <= {p["x"] for p in _points(built)}


def test_latency_chart_on_server_and_explanations_when_empty(store) -> None:
    cur = store.cursor()
    server = queries.leaderboard_view(cur, Filters(scenario="Server", rounds=("v5.1",)))
    built = CHARTS["latency"].build(server)
    assert isinstance(built, go.Figure)
    assert len(_points(built)) == server.rows["ttft_p99_ms"].is_not_null().sum()
    assert "ms" in built.data[0].hovertemplate
    empty = queries.leaderboard_view(cur, Filters(search="no system is called this"))
    for chart in CHARTS.values():
        nothing = chart.build(empty)
        assert isinstance(nothing, NoChart) and nothing.reason
    assert CHARTS["best"].build(empty).reason == "No results match these filters."


def test_compare_chart_keeps_units_apart(store) -> None:
    from leaderboard.comparison import compare

    amd, nvidia = "v5.1/closed/AMD/8xMI300X_2xEPYC_9575F", "v4.1/closed/NVIDIA/H200-SXM-141GBx8_TRT"
    result = compare(store.cursor(), [amd, nvidia])
    built = figures.compare_systems(result.long, Normalisation.REPORTED, [amd, nvidia])
    assert isinstance(built, go.Figure)
    assert all(0 < y <= 1 for trace in built.data for y in trace.y)
    assert isinstance(figures.compare_systems(result.long.clear()), NoChart)


def test_names_from_the_data_are_shown_as_typed_never_as_markup(view) -> None:
    hostile = "<a href='http://evil.example'>click</a> & <b>x</b>"
    rows = view.rows.with_columns(
        pl.lit(hostile).alias("system_name"), pl.lit(f"{hostile} GPU").alias("accelerator")
    ).head(3)
    for key in ("best", "scale"):
        built = CHARTS[key].draw(rows, Normalisation.PER_ACCELERATOR)
        assert isinstance(built, go.Figure)
        text = str(built.to_plotly_json())
        assert "<a href" not in text and "<b>x" not in text
        assert (
            "&lt;a href='http://evil.example'&gt;click&lt;/a&gt; &amp; &lt;b&gt;x&lt;/b&gt;" in text
        )
