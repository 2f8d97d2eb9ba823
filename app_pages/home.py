"""Landing page: what Inferboard is. The leaderboard and portal issues add their pages."""

import streamlit as st

st.title("Inferboard")
st.write(
    "An open portal and leaderboard for MLPerf-Inference-style LLM results: bundles are "
    "validated against the MLPerf rules and against the truth, partly re-run, reviewed, and "
    "published as leaderboards by hardware."
)
st.write("Validate a bundle from the command line: `python -m validator PATH`.")
