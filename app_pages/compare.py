"""Compare: two to four systems side by side, as reported or normalised, with a chart, warning
where they are not comparable.

Permalink: ``/compare?systems=<uid>,<uid>[,...]&normalisation=per_accelerator``.
"""

from __future__ import annotations

import streamlit as st

from leaderboard import figures
from leaderboard.errors import LeaderboardError
from leaderboard.filters import DERIVED_NOTE, NORMALISATIONS
from portal import views
from portal.leaderboard_views import comparison, cursor, data_version, system_choices

cur = cursor()
version = data_version(cur)
st.title("Compare systems")
from_url = [v for v in st.query_params.get("systems", "").split(",") if v]
candidates = system_choices(cur, version)
if "cmp_systems" not in st.session_state:
    # each system once (``?systems=X,X`` would compare X with itself), at most four
    st.session_state["cmp_systems"] = list(dict.fromkeys(v for v in from_url if v in candidates))[
        :4
    ]
if "cmp_norm" not in st.session_state:
    wanted = st.query_params.get("normalisation", "reported")
    st.session_state["cmp_norm"] = wanted if wanted in NORMALISATIONS else "reported"
chosen = st.multiselect(
    "Systems (round/division/submitter/system)", candidates, key="cmp_systems", max_selections=4
)
normalisation = st.radio(
    "Values",
    list(NORMALISATIONS),
    format_func=NORMALISATIONS.get,
    key="cmp_norm",
    horizontal=True,
)
state = {"systems": ",".join(chosen)}
if normalisation != "reported":
    state["normalisation"] = normalisation
if state != st.query_params.to_dict():
    st.query_params.from_dict(state)
if len(chosen) < 2:
    st.info("Pick two to four systems.")
    st.stop()
try:
    result = comparison(cur, tuple(chosen), normalisation, version)
except LeaderboardError as exc:
    views.show_error(exc)
    st.stop()
for warning in result.warnings:
    st.warning(views.literal(warning))  # names submitters and systems: shown as typed
if result.is_derived:
    st.caption(f"Values {NORMALISATIONS[normalisation]}: {DERIVED_NOTE}.")
if result.wide.is_empty():
    st.info(f"None of these results can be shown {NORMALISATIONS[normalisation]}.")
    st.stop()
st.dataframe(result.wide, hide_index=True, width="stretch")
st.caption(
    "Values in the units shown; an empty cell means that system has no such result"
    + (" (or none that can be normalised this way)." if result.is_derived else ".")
)
st.plotly_chart(figures.compare_systems(result.long, normalisation, chosen), key="compare_chart")
