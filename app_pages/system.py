"""System: every result of one system across rounds and benchmarks, with provenance.

Permalink: ``/system?system=<round>/<division>/<submitter>/<system_id>``.
"""

from __future__ import annotations

import json

import streamlit as st

from leaderboard import queries
from leaderboard.errors import LeaderboardError
from portal import views
from portal.leaderboard_views import cursor

cur = cursor()
uid = st.query_params.get("system", "")
st.title("System")

if not uid:
    text = st.text_input("Find a system", placeholder="e.g. H200, MI300X, Dell")
    found = queries.search_systems(cur, text)
    if found.is_empty():
        st.info("No system matches.")
        st.stop()
    pick = st.selectbox("System", found["system_uid"].to_list(), index=None)
    if pick:
        st.query_params["system"] = pick
        st.rerun()
    st.stop()

try:
    description = queries.system(cur, uid)
except LeaderboardError as exc:
    views.show_error(exc)
    st.stop()

# every name here comes from a bundle: shown as typed, never as markdown (issue 12)
st.header(views.literal(str(description["system_name"] or description["system_id"])))
st.caption(
    views.literal(
        f"Permalink id: {uid} · {description['submitter']} · {description['round']} "
        f"{description['division']} · {description['availability']}"
    )
)
hardware = queries.system_hardware(cur, uid)
left, right = st.columns(2)
with left:
    st.subheader("Description")
    details = {k: v for k, v in description.items() if k != "description" and v is not None}
    if description.get("description"):
        details.update(json.loads(str(description["description"])))
    st.dataframe([{"field": k, "value": str(v)} for k, v in details.items()], hide_index=True)
with right:
    st.subheader("Accelerator (normalised)")
    st.dataframe(hardware.transpose(include_header=True), hide_index=True)
    if not hardware.is_empty() and not hardware["is_known"][0]:
        st.warning("This accelerator name is not in the catalogue yet; it is shown as submitted.")

results = queries.system_results(cur, uid)
st.subheader(f"Results ({results.height}, every round of this submitter's system id)")
st.dataframe(
    results.select(
        "round",
        "division",
        "benchmark_mlperf",
        "scenario",
        "value",
        "units",
        "result_validity",
        "accuracy",
        "power",
        "power_units",
        "ttft_p99_ms",
        "tpot_p99_ms",
        "verification",
        "data_origin",
        "source_repo",
        "source_commit",
        "source_path",
        "result_id",
    ),
    hide_index=True,
    width="stretch",
)
st.caption("verification says how each number was checked; source_* give the published path.")
