"""The submission workflow: receive, store, validate, reproduce, review, accept (issue 5).

A library like ``validator`` and ``leaderboard``: it never imports streamlit (pages call it)
nor torch (the reference runner's spot check runs as a child process). Every action takes the
acting :class:`~submissions.roles.Principal` and checks its role here, on the server, so a
hidden button is never the only guard.
"""
