"""Inferboard: the only router of the Streamlit portal (house style §3).

Pages live in ``pages/`` and are registered here with ``st.navigation``; they stay thin and
call the libraries (``validator``, ``leaderboard``, ...), which never import streamlit.
"""

import streamlit as st

st.set_page_config(page_title="Inferboard", page_icon=":bar_chart:", layout="wide")

pages = [
    st.Page("pages/home.py", title="Inferboard", icon=":material/home:", default=True),
    st.Page(
        "pages/leaderboard.py",
        title="Leaderboard",
        icon=":material/leaderboard:",
        url_path="leaderboard",
    ),
    st.Page("pages/system.py", title="System", icon=":material/dns:", url_path="system"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare:", url_path="compare"),
]
st.navigation(pages).run()
