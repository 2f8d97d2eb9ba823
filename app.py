"""Inferboard: the only router of the Streamlit portal (house style §3).

Pages live in ``pages/`` and are registered here with ``st.navigation``; they stay thin and
call the libraries (``validator``, ``leaderboard``, ...), which never import streamlit.
"""

import streamlit as st

st.set_page_config(page_title="Inferboard", page_icon=":bar_chart:", layout="wide")

home = st.Page("pages/home.py", title="Inferboard", icon=":material/home:", default=True)
st.navigation([home]).run()
