"""System: every result of one system across rounds and benchmarks, with provenance.

Permalink: ``/system?system=<round>/<division>/<submitter>/<system_id>``. Everything read from
a bundle (names, descriptions) is shown literally, never as markdown.
"""

from __future__ import annotations

import json

import streamlit as st

from leaderboard import queries
from leaderboard.errors import LeaderboardError
from leaderboard.params import parse
from leaderboard.provenance import Provenance
from portal import compare_basket, url_state
from portal.leaderboard_views import cursor, data_version, system_choices
from portal.views import literal

RESULT_COLUMNS = (
    "round", "division", "benchmark_mlperf", "scenario", "value", "units", "source", "status",
    "result_validity", "official_valid", "inferboard_valid", "accuracy", "accuracy_metrics",
    "power", "power_units", "ttft_p99_ms", "tpot_p99_ms", "verification", "checker_commit",
    "submission_id", "accepted_by", "accepted_at", "data_origin", "source_repo",
    "source_commit", "source_path", "result_id",
)  # fmt: skip
cur = cursor()
query = parse(url_state.current_pairs(), {"system"}, strict=False)
uid = query.text("system") or ""
st.title("System")
for problem in query.problems:
    st.warning(f"The link's system id was not used: {problem.message}.")

if not uid:
    choices = system_choices(cur, data_version(cur))
    pick = st.selectbox(
        "Find a system (name, submitter or accelerator)", list(choices),
        format_func=lambda uid: choices.get(uid, uid), index=None, placeholder="type to search",
    )  # fmt: skip
    if pick:
        st.query_params["system"] = pick
        st.rerun()
    st.stop()

try:
    description = queries.system(cur, uid)
except LeaderboardError as exc:
    st.error(literal(exc.message))
    st.page_link("app_pages/system.py", label="Find a system", icon=":material/search:")
    st.stop()

st.header(literal(str(description["system_name"] or description["system_id"]).strip()))
st.caption(
    literal(
        f"Permalink id: {uid} · {description['submitter']} · {description['round']} "
        f"{description['division']} · {description['availability']}"
    )
)
results = queries.system_results(cur, uid)
accepted = results.filter(results["provenance"] == Provenance.ACCEPTED.value)
if uid.startswith("submission/") and accepted.height:
    first = accepted.row(0, named=True)
    reproduced = " Its spot reproduction agreed." if first["reproduced"] else ""
    st.warning(
        literal(
            f"A submission accepted by an Inferboard maintainer ({first['accepted_by']}, "
            f"{first['accepted_at']:%Y-%m-%d} UTC, submission {first['submission_id']}): "
            "checked by Inferboard's validator, not an official MLPerf result."
        )
        + reproduced,
        icon=":material/verified_user:",
    )
compare_basket.add_button([uid], key="system_compare")
left, right = st.columns(2)
with left:
    st.subheader("Description")
    details = {k: v for k, v in description.items() if k != "description" and v is not None}
    if description.get("description"):
        details.update(json.loads(str(description["description"])))
    facts = [{"field": k, "value": str(v)} for k, v in details.items() if str(v).strip()]
    st.dataframe(facts, hide_index=True, width="stretch")
with right:
    st.subheader("Accelerator (normalised)")
    hardware = queries.system_hardware(cur, uid)
    st.dataframe(queries.hardware_facts(hardware), hide_index=True, width="stretch")
    if not hardware.is_empty() and not hardware["is_known"][0]:
        st.warning("This accelerator name is not in the catalogue yet; it is shown as submitted.")

st.subheader(f"Results ({results.height}, every round of this submitter's system id)")
st.dataframe(results.select(RESULT_COLUMNS), hide_index=True, width="stretch", placeholder="")
st.caption(
    "source: published by MLCommons, checked by Inferboard, or an accepted submission (not "
    "official); status: published, or withdrawn / invalidated after publication (see the change "
    "log); verification says how each number was checked; source_* give the published path."
)
