"""Leaderboard charts: pure functions ``frame -> go.Figure`` (house style §14).

Each point carries its ``system_uid`` in ``customdata`` so a selection in the page can open
the System page. Charts only plot rows in one unit (the most common one among the rows):
mixing tokens/s and samples/s on one axis would mislead, so the rows left out are counted in
the title instead.

Speed (bench/leaderboard_bench.py): each figure is one ``go.Figure(data=[specs], layout=...)``
call, so Plotly validates it once (about 1.3 ms a chart, against 3.2 ms for ``go.Bar`` objects
plus ``update_layout``), and columns go in as numpy arrays, which Plotly validates at once
rather than element by element (12,000 points: 6 ms against 100 ms as lists).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
import polars as pl

from leaderboard.filters import DERIVED_NOTE
from leaderboard.queries import best_per_family, metric_units

# No named template: resolving one deep-copies it (about 20 ms a figure), and Streamlit
# applies its own theme when it draws the chart anyway.
_LAYOUT: dict[str, Any] = {"margin": {"l": 60, "r": 20, "t": 60, "b": 50}}


def _arr(series: pl.Series) -> np.ndarray:
    """Column values as a numpy array (see the module docstring)."""
    if series.dtype.is_numeric():
        return series.to_numpy()
    return np.array(series.to_list(), dtype=object)


def _axis(title: str | None, **extra: object) -> dict[str, Any]:
    return {"title": {"text": title}, **extra}


def _figure(traces: list[dict[str, Any]], title: str, **layout: Any) -> go.Figure:
    """The figure, built and validated in one constructor call."""
    return go.Figure(data=traces, layout={**_LAYOUT, "title": {"text": title}, **layout})


def _points(part: pl.DataFrame, x: str, y: str, **spec: Any) -> dict[str, Any]:
    """A trace spec of ``part``'s rows, each point carrying its system for selection."""
    return {
        "x": _arr(part[x]),
        "y": _arr(part[y]),
        "customdata": _arr(part["system_uid"]),
        "text": _arr(part["system_name"]),
        **spec,
    }


def _one_unit(rows: pl.DataFrame) -> tuple[pl.DataFrame, str, int]:
    """Rows in the most common unit, that unit, and how many rows were left out."""
    if rows.is_empty():
        return rows, "", 0
    unit = rows["units"].mode().sort()[0]
    kept = rows.filter(pl.col("units") == unit)
    return kept, unit, rows.height - kept.height


def _title(text: str, left_out: int, normalisation: str) -> str:
    notes = []
    if normalisation != "reported":
        notes.append(DERIVED_NOTE)
    if left_out:
        notes.append(f"{left_out} rows in other units not shown")
    return text + (f"<br><sup>{'; '.join(notes)}</sup>" if notes else "")


def _empty(title: str) -> go.Figure:
    figure = go.Figure(layout={**_LAYOUT, "title": title})
    figure.add_annotation(text="No results match these filters", showarrow=False)
    return figure


def best_by_family(rows: pl.DataFrame, normalisation: str = "reported") -> go.Figure:
    """Bar chart: the best result of each accelerator family."""
    kept, unit, left_out = _one_unit(rows.filter(pl.col("metric").is_not_null()))
    title = _title("Best result per accelerator family", left_out, normalisation)
    best = best_per_family(kept)
    if best.is_empty():
        return _empty(title)
    bars = _points(
        best,
        "family",
        "metric",
        type="bar",
        hovertemplate="%{x}<br>%{y:,.4g}<br>%{text}<extra></extra>",
        marker={"color": "#1f77b4"},
    )
    return _figure([bars], title, yaxis=_axis(metric_units(unit, normalisation)), xaxis=_axis(None))


def throughput_vs_accelerators(rows: pl.DataFrame, normalisation: str = "reported") -> go.Figure:
    """Scatter (log-log): metric against total accelerators, one trace per vendor."""
    kept, unit, left_out = _one_unit(
        rows.filter(pl.col("metric").is_not_null() & (pl.col("total_accelerators") > 0))
    )
    title = _title("Result against total accelerators", left_out, normalisation)
    if kept.is_empty():
        return _empty(title)
    parts = kept.partition_by("vendor", as_dict=True)
    traces = [
        _points(
            part,
            "total_accelerators",
            "metric",
            type="scatter",
            mode="markers",
            name=vendor,
            hovertemplate="%{text}<br>%{x} accelerators<br>%{y:,.4g}<extra></extra>",
        )
        for (vendor,), part in sorted(parts.items(), key=lambda item: str(item[0][0]))
    ]
    return _figure(
        traces,
        title,
        xaxis=_axis("total accelerators (nodes × per node)", type="log"),
        yaxis=_axis(metric_units(unit, normalisation), type="log"),
    )


def progress_by_round(rows: pl.DataFrame, normalisation: str = "reported") -> go.Figure:
    """Lines: the best result of each accelerator family in each round."""
    kept, unit, left_out = _one_unit(rows.filter(pl.col("metric").is_not_null()))
    title = _title("Round-over-round progress per accelerator family", left_out, normalisation)
    if kept.is_empty():
        return _empty(title)
    higher = bool(kept["higher_is_better"][0])
    best = (
        kept.sort("metric", descending=higher)
        .group_by("family", "round", maintain_order=True)
        .first()
        .sort("family", "round")
    )
    traces = [
        _points(
            part,
            "round",
            "metric",
            type="scatter",
            mode="lines+markers",
            name=family,
            hovertemplate="%{x}: %{y:,.4g}<br>%{text}<extra></extra>",
        )
        for (family,), part in best.partition_by(
            "family", as_dict=True, maintain_order=True
        ).items()
    ]
    return _figure(
        traces,
        title,
        xaxis=_axis("round", type="category", categoryorder="category ascending"),
        yaxis=_axis(metric_units(unit, normalisation), type="log"),
    )


def server_vs_offline(paired: pl.DataFrame, normalisation: str = "reported") -> go.Figure:
    """Scatter: each system's Server and Interactive result against its Offline result."""
    title = _title("Server / Interactive against Offline (same system)", 0, normalisation)
    rows = paired.filter(pl.col("metric").is_not_null())
    offline = rows.filter(pl.col("scenario") == "Offline").select(
        "system_uid", "system_name", pl.col("metric").alias("offline"), pl.col("units").alias("u")
    )
    traces = []
    top = 0.0
    for scenario in ("Server", "Interactive"):
        other = rows.filter(pl.col("scenario") == scenario).select(
            "system_uid", pl.col("metric").alias("other"), pl.col("units").alias("u")
        )
        # Same units only: v4.0 llama2 Server is samples/s while Offline is tokens/s.
        joined = offline.join(other, on=["system_uid", "u"], how="inner")
        if joined.is_empty():
            continue
        top = max(top, float(joined["offline"].max()))  # type: ignore[arg-type]
        traces.append(
            _points(
                joined,
                "offline",
                "other",
                type="scatter",
                mode="markers",
                name=scenario,
                hovertemplate="%{text}<br>Offline %{x:,.4g}<br>"
                + scenario
                + " %{y:,.4g}<extra></extra>",
            )
        )
    if not traces:
        return _empty(title)
    equal = {
        "type": "scatter",
        "x": [0, top],
        "y": [0, top],
        "mode": "lines",
        "name": "equal",
        "line": {"dash": "dot", "color": "gray"},
    }
    return _figure(
        [*traces, equal], title, xaxis=_axis("Offline"), yaxis=_axis("Server / Interactive")
    )


def accuracy_vs_throughput(rows: pl.DataFrame, normalisation: str = "reported") -> go.Figure:
    """Scatter: achieved accuracy (ROUGE-1 for LLMs, else the primary metric) against result."""
    with_accuracy = rows.with_columns(
        pl.coalesce(
            pl.col("rouge1"),
            pl.col("accuracy").str.extract(r"([0-9]+(?:\.[0-9]+)?)", 1).cast(pl.Float64),
        ).alias("accuracy_value")
    ).filter(pl.col("accuracy_value").is_not_null() & pl.col("metric").is_not_null())
    kept, unit, left_out = _one_unit(with_accuracy)
    title = _title("Accuracy against result", left_out, normalisation)
    if kept.is_empty():
        return _empty(title)
    points = _points(
        kept,
        "metric",
        "accuracy_value",
        type="scatter",
        mode="markers",
        hovertemplate="%{text}<br>%{x:,.4g}<br>accuracy %{y:.4g}<extra></extra>",
    )
    return _figure(
        [points],
        title,
        xaxis=_axis(metric_units(unit, normalisation), type="log"),
        yaxis=_axis("accuracy (ROUGE-1, or the first metric)"),
    )


def latency_percentiles(rows: pl.DataFrame) -> go.Figure:
    """Scatter: p99 time to first token against p99 time per output token, where logged."""
    kept = rows.filter(pl.col("ttft_p99_ms").is_not_null() & pl.col("tpot_p99_ms").is_not_null())
    title = "TTFT p99 against TPOT p99 (ms)"
    if kept.is_empty():
        return _empty(title + "<br><sup>no TTFT/TPOT for these rows (Offline has none)</sup>")
    points = _points(
        kept,
        "ttft_p99_ms",
        "tpot_p99_ms",
        type="scatter",
        mode="markers",
        hovertemplate="%{text}<br>TTFT %{x:,.1f} ms<br>TPOT %{y:,.1f} ms<extra></extra>",
    )
    return _figure([points], title, xaxis=_axis("TTFT p99 (ms)"), yaxis=_axis("TPOT p99 (ms)"))


def compare_systems(
    long: pl.DataFrame, normalisation: str = "reported", systems: list[str] | None = None
) -> go.Figure:
    """Grouped bars: each compared system's result as a share of the best compared system in
    the same benchmark, scenario and unit (latencies inverted, so longer bars are better).

    Shares keep tokens/s, samples/s and milliseconds on one axis without mixing units; the
    hover text gives the value itself with its unit. Traces follow ``systems`` (the order the
    user picked) when given.
    """
    title = _title("Compared systems, relative to the best of them", 0, normalisation)
    rows = long.filter(pl.col("metric").is_not_null() & (pl.col("metric") > 0))
    if rows.is_empty():
        return _empty(title)
    group = ["benchmark_mlperf", "scenario", "metric_units"]
    higher = ~pl.col("units").str.starts_with("Latency")
    rows = rows.with_columns(
        pl.when(higher)
        .then(pl.col("metric") / pl.col("metric").max().over(group))
        .otherwise(pl.col("metric").min().over(group) / pl.col("metric"))
        .alias("share"),
        (pl.col("benchmark_mlperf") + " · " + pl.col("scenario")).alias("label"),
        pl.format("{} {}", pl.col("metric").round_sig_figs(4), pl.col("metric_units")).alias(
            "value_text"
        ),
    ).sort("benchmark_mlperf", "scenario")
    parts = rows.partition_by("system_uid", as_dict=True, maintain_order=True)
    order = [uid for uid in (systems or [k[0] for k in parts]) if (uid,) in parts]
    traces = [
        {
            "type": "bar",
            "x": _arr(parts[(uid,)]["label"]),
            "y": _arr(parts[(uid,)]["share"]),
            "name": uid,
            "customdata": _arr(parts[(uid,)]["system_uid"]),
            "text": _arr(parts[(uid,)]["value_text"]),
            "hovertemplate": "%{customdata}<br>%{x}<br>%{text}<br>%{y:.0%} of the best"
            "<extra></extra>",
            "textposition": "none",
        }
        for uid in order
    ]
    return _figure(
        traces,
        title,
        barmode="group",
        yaxis=_axis("share of the best compared system", tickformat=".0%"),
        legend={"orientation": "h", "y": -0.25},
    )
