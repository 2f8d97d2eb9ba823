"""Compare: two to four systems side by side, warning where they are not comparable.

Permalink: ``/compare?systems=<uid>,<uid>[,...]``.
"""

from __future__ import annotations

import streamlit as st

from leaderboard import queries
from leaderboard.errors import LeaderboardError
from pages.common import cursor

cur = cursor()
st.title("Compare systems")
from_url = [v for v in st.query_params.get("systems", "").split(",") if v]
candidates = queries.search_systems(cur, "", limit=5000)["system_uid"].to_list()
if "cmp_systems" not in st.session_state:
    st.session_state["cmp_systems"] = [v for v in from_url if v in candidates][:4]
chosen = st.multiselect(
    "Systems (round/division/submitter/system)", candidates, key="cmp_systems", max_selections=4
)
if chosen != from_url:
    st.query_params["systems"] = ",".join(chosen)
if len(chosen) < 2:
    st.info("Pick two to four systems.")
    st.stop()
try:
    wide, warnings = queries.compare(cur, chosen)
except LeaderboardError as exc:
    st.error(exc.message)
    st.stop()
for warning in warnings:
    st.warning(warning)
st.dataframe(wide, hide_index=True, width="stretch")
st.caption("Values as reported, in the units shown; an empty cell means that system has no result.")
