"""Leaderboard charts: pure functions ``rows -> go.Figure | NoChart`` (house style §14).

Every point carries its system in ``customdata`` (id first, so a click opens it, then the full
name, submitter, accelerator with its count, round and division) and every hover says the
value with its unit. Charts plot rows of one unit only (the most common one) and say how many
they left out; an axis is logarithmic when its values span more than 10x; a chart with nothing
to draw returns :class:`NoChart` with the reason instead of an empty plot. Derived values are
labelled in the subtitle (MLCommons' guidelines), so axis titles stay short.

Speed (bench/leaderboard_bench.py): each figure is one ``go.Figure(data=..., layout=...)`` call
with numpy columns, which Plotly validates at once rather than element by element.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import polars as pl

from leaderboard import provenance
from leaderboard.normalisation import DERIVED_NOTE, Normalisation
from leaderboard.queries import best_per, metric_units

# No named template: resolving one deep-copies it (about 20 ms a figure), and Streamlit
# applies its own theme when it draws the chart anyway.
_LAYOUT: dict[str, Any] = {"margin": {"l": 70, "r": 30, "t": 90, "b": 60}, "height": 480}
MAX_BARS = 30
# customdata columns of every point (selected_system reads the first)
_CUSTOM = ("system_uid", "label", "submitter", "hardware", "where")
WHO = "<b>%{customdata[1]}</b><br>%{customdata[2]} · %{customdata[4]}<br>%{customdata[3]}<br>"


@dataclass(frozen=True)
class NoChart:
    """Nothing to draw, and why (the page shows the reason instead of an empty plot)."""

    reason: str


def _arr(series: pl.Series) -> np.ndarray:
    """Column values as a numpy array (see the module docstring)."""
    if series.dtype.is_numeric():
        return series.to_numpy()
    return np.array(series.to_list(), dtype=object)


def plain(text: object) -> str:
    """Text from the data as Plotly must show it: its labels understand a few HTML tags
    (<b>, <a href>, ...), and a system name is shown as typed, never as markup."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain_text(expr: pl.Expr) -> pl.Expr:
    """:func:`plain` for a Polars column."""
    return (
        expr.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )


def _who(part: pl.DataFrame) -> np.ndarray:
    """The customdata matrix: who each point is, in words (the id first, as it is)."""
    name = pl.col("system_name").str.strip_chars()
    label = pl.when(name.is_null() | (name == "")).then(pl.col("system_id")).otherwise(name)
    total = pl.col("total_accelerators").cast(pl.String)
    where = pl.format("{} {}", pl.col("round"), pl.col("division"))
    if "provenance" in part.columns:  # an accepted submission says so on every point
        accepted = pl.lit(" · " + provenance.label(provenance.Provenance.ACCEPTED, short=True))
        where = (
            pl.when(pl.col("provenance") == provenance.Provenance.ACCEPTED.value)
            .then(pl.concat_str([where, accepted]))
            .otherwise(where)
        )
    framed = part.select(
        "system_uid",
        plain_text(label).alias("label"),
        plain_text(pl.col("submitter")).alias("submitter"),
        plain_text(pl.format("{} ×{}", pl.col("accelerator"), total)).alias("hardware"),
        plain_text(where).alias("where"),
    )
    return np.array(framed.rows(), dtype=object).reshape(len(framed), len(_CUSTOM))


def value_hover(axis: str, unit: str) -> str:
    """A hover line giving the axis value to four significant digits, with its unit."""
    return "%{" + axis + ":,.4r} " + unit


def value_range(series: pl.Series) -> tuple[float, float]:
    """The smallest and largest value of a numeric series, as floats.

    Polars types ``min``/``max`` as any Python value (a series may hold any dtype), so the
    numbers are checked here, once, instead of trusted at each caller."""
    low, high = series.min(), series.max()
    if not isinstance(low, int | float) or not isinstance(high, int | float):
        raise TypeError(f"column {series.name!r} has no numeric range ({low!r} to {high!r})")
    return float(low), float(high)


def log_if_wide(series: pl.Series) -> str:
    """'log' when positive values span more than 10x, else 'linear'."""
    positive = series.drop_nulls().filter(series.drop_nulls() > 0)
    if positive.is_empty():
        return "linear"
    low, high = value_range(positive)
    return "log" if high > 10 * low else "linear"


def log_ticks(values: pl.Series) -> dict[str, Any]:
    """Readable ticks for a log axis: 1, 2 and 5 times powers of ten across the values,
    written out in full ("20,000", not "2" under a "10k")."""
    positive = values.drop_nulls().filter(values.drop_nulls() > 0)
    low, high = value_range(positive)
    ticks = [
        step * 10.0**power
        for power in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1)
        for step in (1, 2, 5)
        if low / 1.5 <= step * 10.0**power <= high * 1.5
    ]
    if len(ticks) > 12:  # many decades: one tick each
        ticks = [t for t in ticks if f"{t:g}".lstrip("0.").startswith("1")]
    return {"tickvals": ticks, "ticktext": [f"{t:,.10g}" for t in ticks]}


def axis_spec(
    title: str | None, values: pl.Series | None = None, **extra: object
) -> dict[str, Any]:
    axis: dict[str, Any] = {"title": {"text": title}, "automargin": True, **extra}
    if values is not None and "type" not in extra:
        axis["type"] = log_if_wide(values)
    if values is not None and axis.get("type") == "log":
        axis.update(log_ticks(values))
    return axis


def subtitle(normalisation: Normalisation, *notes: str) -> str:
    said = [DERIVED_NOTE] if normalisation.is_derived else []
    return "; ".join([*said, *(n for n in notes if n)])


def figure(traces: list[dict[str, Any]], title: str, note: str, **layout: Any) -> go.Figure:
    """The figure, built and validated in one constructor call."""
    heading: dict[str, Any] = {"text": title, "x": 0, "xanchor": "left"}
    if note:
        heading["subtitle"] = {"text": note}
    return go.Figure(data=traces, layout={**_LAYOUT, "title": heading, **layout})


def points(part: pl.DataFrame, x: str, y: str, hover: str, **spec: Any) -> dict[str, Any]:
    """A trace spec of ``part``'s rows, each point carrying who it is."""
    return {
        "x": _arr(part[x]),
        "y": _arr(part[y]),
        "customdata": _who(part),
        "hovertemplate": WHO + hover + "<extra></extra>",
        **spec,
    }


def one_unit(rows: pl.DataFrame) -> tuple[pl.DataFrame, str, str]:
    """Rows in the most common unit, that unit, and a note on the rows left out."""
    rows = rows.filter(pl.col("metric").is_not_null())
    if rows.is_empty():
        return rows, "", ""
    unit = str(rows["units"].mode().sort()[0])
    kept = rows.filter(pl.col("units") == unit)
    left_out = rows.height - kept.height
    return kept, unit, f"{left_out} results in other units not shown" if left_out else ""


def _nothing(rows: pl.DataFrame) -> NoChart:
    return NoChart("No results match these filters." if rows.is_empty() else "Nothing to plot.")


def best_per_accelerator(
    rows: pl.DataFrame, normalisation: Normalisation = Normalisation.REPORTED
) -> go.Figure | NoChart:
    """Horizontal bars: the best system of each accelerator model, best on top."""
    kept, unit, note = one_unit(rows)
    best = best_per(kept, "accelerator")
    if best.is_empty():
        return _nothing(rows)
    if best.height > MAX_BARS:
        note = "; ".join(filter(None, [note, f"top {MAX_BARS} of {best.height} accelerators"]))
        best = best.head(MAX_BARS)
    label = metric_units(unit, normalisation, derived_note=False)
    best = best.with_columns(plain_text(pl.col("accelerator")))
    traces = [
        points(
            part,
            "metric",
            "accelerator",
            value_hover("x", label),
            type="bar",
            orientation="h",
            name=plain(vendor),
            texttemplate="%{x:,.4r}",
            textposition="outside",
            cliponaxis=False,
        )
        for (vendor,), part in best.partition_by(
            "vendor", as_dict=True, maintain_order=True
        ).items()
    ]
    return figure(
        traces,
        f"Fastest system per accelerator ({label})",
        subtitle(normalisation, note),
        xaxis=axis_spec(label, best["metric"]),
        yaxis=axis_spec(
            None,
            categoryorder="array",
            categoryarray=_arr(best["accelerator"]),
            autorange="reversed",
        ),
        height=max(360, 160 + 28 * best.height),
        legend={"title": {"text": "vendor"}, "orientation": "h", "y": -0.12, "yanchor": "top"},
        margin={**_LAYOUT["margin"], "r": 80},
        uniformtext={"minsize": 11, "mode": "show"},
    )


def throughput_vs_accelerators(
    rows: pl.DataFrame, normalisation: Normalisation = Normalisation.REPORTED
) -> go.Figure | NoChart:
    """Scatter: metric against total accelerators, one trace per vendor."""
    kept, unit, note = one_unit(rows.filter(pl.col("total_accelerators") > 0))
    if kept.is_empty():
        return _nothing(rows)
    label = metric_units(unit, normalisation, derived_note=False)
    parts = kept.partition_by("vendor", as_dict=True)
    traces = [
        points(
            part,
            "total_accelerators",
            "metric",
            "%{x} accelerators<br>" + value_hover("y", label),
            type="scatter",
            mode="markers",
            name=plain(vendor),
            marker={"size": 9},
        )
        for (vendor,), part in sorted(parts.items(), key=lambda item: str(item[0][0]))
    ]
    return figure(
        traces,
        f"{label} against total accelerators",
        subtitle(normalisation, note),
        xaxis=axis_spec("total accelerators (nodes × per node)", kept["total_accelerators"]),
        yaxis=axis_spec(label, kept["metric"]),
        legend={"title": {"text": "vendor"}},
    )


def progress_by_round(
    rows: pl.DataFrame, normalisation: Normalisation = Normalisation.REPORTED
) -> go.Figure | NoChart:
    """Lines: the best result of each accelerator family in each round."""
    kept, unit, note = one_unit(rows)
    if kept.is_empty():
        return _nothing(rows)
    label = metric_units(unit, normalisation, derived_note=False)
    higher = bool(kept["higher_is_better"][0])
    best = (
        kept.sort(["metric", "result_id"], descending=[higher, False])
        .group_by("family", "round", maintain_order=True)
        .first()
        .sort("family", "round")
    )
    traces = [
        points(
            part,
            "round",
            "metric",
            value_hover("y", label),
            type="scatter",
            mode="lines+markers",
            name=plain(family),
        )
        for (family,), part in best.partition_by(
            "family", as_dict=True, maintain_order=True
        ).items()
    ]
    return figure(
        traces,
        f"Best {label} per accelerator family, round by round",
        subtitle(normalisation, note),
        xaxis=axis_spec("round", type="category", categoryorder="category ascending"),
        yaxis=axis_spec(label, best["metric"]),
        legend={"title": {"text": "family"}},
    )


def server_vs_offline(
    paired: pl.DataFrame, normalisation: Normalisation = Normalisation.REPORTED
) -> go.Figure | NoChart:
    """Scatter: each system's Server and Interactive result against its Offline result."""
    rows = paired.filter(pl.col("metric").is_not_null())
    offline = rows.filter(pl.col("scenario") == "Offline").select(
        "system_uid",
        "system_name",
        "system_id",
        "submitter",
        "accelerator",
        "total_accelerators",
        "round",
        "division",
        pl.col("metric").alias("offline"),
        "units",
    )
    traces, values = [], []
    for scenario in ("Server", "Interactive"):
        other = rows.filter(pl.col("scenario") == scenario).select(
            "system_uid", pl.col("metric").alias("other"), "units"
        )
        # Same units only: v4.0 llama2 Server is samples/s while Offline is tokens/s.
        joined = offline.join(other, on=["system_uid", "units"], how="inner")
        if joined.is_empty():
            continue
        values += [joined["offline"], joined["other"]]
        unit = metric_units(str(joined["units"][0]), normalisation, derived_note=False)
        traces.append(
            points(
                joined,
                "offline",
                "other",
                f"Offline {value_hover('x', unit)}<br>{scenario} {value_hover('y', unit)}",
                type="scatter",
                mode="markers",
                name=scenario,
                marker={"size": 9},
            )
        )
    if not traces:
        return NoChart(
            "None of these systems has both an Offline and a Server or Interactive result "
            "in the same units."
        )
    every = pl.concat(values)
    low, high = value_range(every)
    equal = {
        "type": "scatter",
        "x": [low, high],
        "y": [low, high],
        "mode": "lines",
        "name": "equal",
        "hoverinfo": "skip",
        "line": {"dash": "dot", "color": "gray"},
    }
    unit = metric_units(str(offline["units"].mode()[0]), normalisation, derived_note=False)
    return figure(
        [*traces, equal],
        "Server and Interactive against Offline, same system",
        subtitle(normalisation, "points under the dotted line lose throughput to latency limits"),
        xaxis=axis_spec(f"Offline ({unit})", every),
        yaxis=axis_spec(f"Server / Interactive ({unit})", every),
    )


def accuracy_vs_throughput(
    rows: pl.DataFrame, normalisation: Normalisation = Normalisation.REPORTED
) -> go.Figure | NoChart:
    """Scatter: achieved accuracy (ROUGE-1 for LLMs, else the first metric) against result."""
    with_accuracy = rows.with_columns(
        pl.coalesce(
            pl.col("rouge1"),
            pl.col("accuracy").str.extract(r"([0-9]+(?:\.[0-9]+)?)", 1).cast(pl.Float64),
        ).alias("accuracy_value")
    ).filter(pl.col("accuracy_value").is_not_null())
    kept, unit, note = one_unit(with_accuracy)
    if kept.is_empty():
        return (
            NoChart("None of these results states its accuracy.") if rows.height else _nothing(rows)
        )
    label = metric_units(unit, normalisation, derived_note=False)
    trace = points(
        kept,
        "metric",
        "accuracy_value",
        value_hover("x", label) + "<br>accuracy %{y:.4r}",
        type="scatter",
        mode="markers",
        marker={"size": 9},
    )
    return figure(
        [trace],
        f"Accuracy against {label}",
        subtitle(normalisation, note),
        xaxis=axis_spec(label, kept["metric"]),
        yaxis=axis_spec("accuracy (ROUGE-1, or the first metric)"),
    )


def latency_percentiles(
    rows: pl.DataFrame, normalisation: Normalisation = Normalisation.REPORTED
) -> go.Figure | NoChart:
    """Scatter: p99 time to first token against p99 time per output token, where logged."""
    kept = rows.filter(pl.col("ttft_p99_ms").is_not_null() & pl.col("tpot_p99_ms").is_not_null())
    if kept.is_empty():
        if rows.height and set(rows["scenario"].unique().to_list()) <= {"Offline"}:
            return NoChart(
                "Offline runs measure no time to first token or per output token: choose the "
                "Server or Interactive scenario (or open the frontier view)."
            )
        return (
            NoChart("None of these results logged TTFT and TPOT.")
            if rows.height
            else _nothing(rows)
        )
    trace = points(
        kept,
        "ttft_p99_ms",
        "tpot_p99_ms",
        "TTFT p99 %{x:,.4r} ms<br>TPOT p99 %{y:,.4r} ms",
        type="scatter",
        mode="markers",
        marker={"size": 9},
    )
    return figure(
        [trace],
        "Time to first token against time per output token (p99, ms)",
        "lower is better on both axes",
        xaxis=axis_spec("TTFT p99 (ms)", kept["ttft_p99_ms"]),
        yaxis=axis_spec("TPOT p99 (ms)", kept["tpot_p99_ms"]),
    )


def compare_systems(
    long: pl.DataFrame,
    normalisation: Normalisation = Normalisation.REPORTED,
    systems: list[str] | None = None,
) -> go.Figure | NoChart:
    """Grouped bars: each compared system's result as a share of the best compared system in
    the same benchmark, scenario and unit (latencies inverted, so longer bars are better).

    Shares keep tokens/s, samples/s and milliseconds on one axis without mixing units; the
    hover text gives the value itself with its unit. Traces follow ``systems`` (the order the
    user picked) when given.
    """
    rows = long.filter(pl.col("metric").is_not_null() & (pl.col("metric") > 0))
    if rows.is_empty():
        return NoChart("These systems have no results that can be shown this way.")
    group = ["benchmark_mlperf", "scenario", "metric_units"]
    higher = pl.col("higher_is_better")
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
            "name": plain(uid),
            "customdata": _arr(parts[(uid,)]["system_uid"]),
            "text": _arr(parts[(uid,)]["value_text"]),
            "hovertemplate": "%{customdata}<br>%{x}<br>%{text}<br>%{y:.0%} of the best"
            "<extra></extra>",
            "textposition": "none",
        }
        for uid in order
    ]
    return figure(
        traces,
        "Compared systems, relative to the best of them",
        subtitle(normalisation),
        barmode="group",
        yaxis=axis_spec("share of the best compared system", tickformat=".0%"),
        legend={"orientation": "h", "y": -0.25},
    )
