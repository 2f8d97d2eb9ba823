"""The portal's UI edge (issue 5): launcher, process runtime, login and report widgets.

Pages import this package; it may import streamlit (the libraries below it never do) but never
torch, so the portal starts fast. ``python -m portal`` is the launcher.
"""
