"""Compare: two to four systems side by side, as reported or normalised, with a chart, warning
where they are not comparable.

Permalink: ``/compare?systems=<uid>,<uid>[,...]&normalisation=per_accelerator``. The picker
searches names, submitters and accelerators; an id of the link that is not in the data is
reported, never dropped silently.
"""

from __future__ import annotations

import streamlit as st

from leaderboard import figures
from leaderboard.errors import LeaderboardError
from leaderboard.normalisation import DERIVED_NOTE, Normalisation
from leaderboard.params import parse
from portal import compare_basket, url_state
from portal.leaderboard_controls import normalisation_radio
from portal.leaderboard_views import comparison, cursor, data_version, system_choices
from portal.views import literal

PAGE, PARAMS = "compare", {"systems", "normalisation"}
cur = cursor()
version = data_version(cur)
st.title("Compare systems")
state = url_state.read(PAGE, PARAMS)
query = parse(state.pairs, PARAMS, strict=False)
choices = system_choices(cur, version)
wanted = list(query.items("systems") or ())
for problem in query.problems:
    st.warning(f"The link's {problem.parameter} was not used: {problem.message}.")
missing = [uid for uid in wanted if uid not in choices]
if missing:
    st.warning(
        literal("Not in the results, so not compared: " + ", ".join(missing[:4])),
        icon=":material/link_off:",
    )
found = [uid for uid in wanted if uid in choices]
if len(found) > compare_basket.MAX_SYSTEMS:
    st.warning(f"Only the first four of the link's {len(found)} systems are compared.")
url_state.seed("cmp_systems", found[: compare_basket.MAX_SYSTEMS], force=state.external)
chosen = st.multiselect(
    "Systems (search by name, submitter or accelerator)",
    list(choices),
    format_func=lambda uid: choices.get(uid, uid),
    key="cmp_systems",
    max_selections=compare_basket.MAX_SYSTEMS,
    placeholder="type to search, pick up to four",
)
asked = Normalisation(query.text("normalisation") or Normalisation.REPORTED)
normalisation = normalisation_radio("Values", "cmp_norm", asked, state.external)
compare_basket.replace(chosen)
params: dict[str, str] = {"systems": ",".join(chosen)} if chosen else {}
if normalisation.is_derived:
    params["normalisation"] = normalisation.value
url_state.write(PAGE, params)
if len(chosen) < 2:
    st.info("Pick two to four systems, or add them from the leaderboard, frontier or a system.")
    st.stop()
try:
    result = comparison(cur, tuple(chosen), normalisation, version)
except LeaderboardError as exc:
    st.error(literal(exc.message))
    st.stop()
for warning in result.warnings:
    st.warning(literal(warning))
if result.is_derived:
    st.caption(f"Values {normalisation.label}: {DERIVED_NOTE}.")
if result.wide.is_empty():
    st.info(f"None of these results can be shown {normalisation.label}.")
    st.stop()
st.dataframe(
    result.wide, hide_index=True, width="stretch", placeholder="",
    column_config={uid: st.column_config.NumberColumn(choices[uid], help=uid) for uid in chosen},
)  # fmt: skip
st.caption(
    "Values in the units shown; an empty cell means that system has no such result"
    + (" (or none that can be normalised this way)." if result.is_derived else ".")
)
built = figures.compare_systems(result.long, normalisation, chosen)
if isinstance(built, figures.NoChart):
    st.info(built.reason)
else:
    st.plotly_chart(built, key="compare_chart")
