"""Which results a script run reads, and the line on every page that says so (issue 16).

``app.py`` calls :func:`open_for_run` once per run, before the page: it resolves the
session's pin (``as_of=N`` in a link pins snapshot N for the session, "Show the newest"
unpins), takes one :class:`~leaderboard.snapshots.Reading` from the process's results source
(a reader's newest snapshot, the writer's live database, or the pinned snapshot) and keeps it
for the run, so the sidebar's line and every read of the page name the same snapshot. A
pinned snapshot that was pruned is said once, clearly, and the newest is shown instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import streamlit as st

from leaderboard.errors import LeaderboardError
from leaderboard.params import parse
from leaderboard.snapshots import Reading, SnapshotInfo
from portal import runtime
from portal.url_state import PIN_KEY, PIN_PARAM, current_pairs

_RUN_READING: ContextVar[Reading | None] = ContextVar("run_reading", default=None)


def pin() -> int | None:
    """The snapshot this session is pinned to (None: the newest)."""
    value = st.session_state.get(PIN_KEY)
    return value if isinstance(value, int) else None


def _read_pin_from_url() -> None:
    """A link's ``as_of`` pins the session; a bad value is said and ignored."""
    parsed = parse(current_pairs(), {PIN_PARAM}, strict=False)
    for problem in parsed.problems:
        st.warning(
            f"The link's snapshot was not used: {problem.message}. Showing the newest results.",
            icon=":material/link_off:",
        )
    if (value := parsed.integer(PIN_PARAM)) is not None:
        st.session_state[PIN_KEY] = value


@contextmanager
def reading_for_run() -> Iterator[Reading]:
    """``app.py``: the run's one reading, for the sidebar's line and every read of the page;
    its cursor is closed when the run ends (``st.stop`` and reruns included)."""
    chosen = open_for_run()
    token = _RUN_READING.set(chosen)
    try:
        yield chosen
    finally:
        _RUN_READING.reset(token)
        chosen.cursor.close()


def open_for_run() -> Reading:
    """A reading for this run; a pruned or unknown pin is reported and dropped. No
    snapshot at all raises its error (the router's handler shows it)."""
    _read_pin_from_url()
    source = runtime.current().results
    try:
        chosen = source.read(pin())
    except LeaderboardError as exc:
        if pin() is None:
            raise
        st.warning(f"{exc.message}. Showing the newest results instead.", icon=":material/history:")
        unpin()
        chosen = source.read(None)
    return chosen


def reading() -> Reading:
    """This run's reading (``reading_for_run``'s), or a new one for a page run without the
    router (AppTest of a single page)."""
    return _RUN_READING.get() or open_for_run()


def unpin() -> None:
    st.session_state.pop(PIN_KEY, None)
    if PIN_PARAM in st.query_params:
        del st.query_params[PIN_PARAM]


def _pin_to(version: int) -> None:
    st.session_state[PIN_KEY] = version
    st.query_params[PIN_PARAM] = str(version)


def describe(shown: SnapshotInfo | None, pinned: int | None) -> str:
    """The sidebar's line: what this page shows."""
    if shown is None:
        return "Live results (the portal's writer): every change shows at once."
    line = f"Results as of {shown.label}"
    if pinned is not None:
        return f"{line}, pinned by the link."
    return f"{line}, the newest."


def sidebar_line(chosen: Reading) -> None:
    """On every page: which snapshot (version, time) the page shows, with a way to pin it
    (a link that keeps these numbers) or to go back to the newest."""
    shown, pinned = chosen.snapshot, pin()
    with st.sidebar:
        st.caption(describe(shown, pinned))
        if shown is None:
            return
        if pinned is None:
            st.button(
                f"Pin snapshot {shown.version} in the link",
                key="snapshot-pin",
                help="The page's link then keeps these numbers while the snapshot is kept.",
                on_click=_pin_to,
                args=(shown.version,),
            )
        else:
            st.button("Show the newest results", key="snapshot-unpin", on_click=unpin)
