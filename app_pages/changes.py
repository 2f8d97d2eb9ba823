"""Change log: every result added, withdrawn, invalidated or reinstated, with date and reason.

Derived from the leaderboard's own record (``leaderboard.changelog``): nothing about who
uploaded or decided, and nothing of submissions that were never published.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from portal.leaderboard_views import changes, cursor, data_version
from portal.views import literal

cur = cursor()
log = changes(cur, data_version(cur))
st.title("Change log")
st.write(
    "Every change to the published results: what was added (and why it counts), and what was "
    "withdrawn or invalidated after publication, with the date and the reason. Withdrawn and "
    "invalidated results leave every view; their system pages still list them, marked."
)
if log.is_empty():
    st.info("Nothing has been published yet.")
    st.stop()
shown = log.with_columns(
    pl.col("changed_at").dt.strftime("%Y-%m-%d %H:%M UTC").alias("date (UTC)"),
    pl.col("rounds").list.join(", "),
    pl.col("benchmarks").list.join(", "),
)
st.dataframe(
    shown.select("date (UTC)", "change", "results", "reason", "rounds", "benchmarks"),
    hide_index=True,
    width="stretch",
    placeholder="",
    column_config={"reason": st.column_config.TextColumn("reason", width="large")},
)
for row in log.filter(pl.col("change") != "added").iter_rows(named=True):
    with st.expander(f"{row['change']} {row['changed_at']:%Y-%m-%d}: {row['results']} results"):
        st.text(row["reason"])
        st.code("\n".join(row["result_ids"]), language=None)
st.caption(literal("The same log as data: /api/v1/changes.json, .csv or .parquet (docs/api.md)."))
