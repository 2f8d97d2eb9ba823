"""A page's state in its URL, restored on Back.

Streamlit 1.67 changes the URL's query before its path when one page switches to another
(``st.switch_page`` or ``st.page_link`` with ``query_params``), so the browser's history
gets an entry with the old page's path and the new page's parameters: Back from the system
page lands on ``/leaderboard?system=...`` and the leaderboard's own parameters are gone
(issue 14). Each page therefore remembers, for the session, the parameters it last wrote:

- a URL naming none of the page's parameters (that history entry, or the sidebar link) gets
  them back, and the page rewrites its URL (Streamlit replaces the history entry then, since
  it is answering a history navigation);
- a URL whose parameters differ from those last written (a link, a reload, Back or Forward
  between two states of the same page) wins, and the widgets take its values;
- otherwise the widgets keep theirs (the user is changing them).

``as_of`` (a pinned snapshot, :mod:`portal.snapshot_view`) belongs to the session, not to a
page: every page's URL keeps it while the session is pinned, and it never counts as another
page's parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

import streamlit as st

QueryValue = str | list[str]  # a list: the parameter repeated
PIN_PARAM: Final = "as_of"  # the session's pinned snapshot, in every page's URL
PIN_KEY: Final = "_snapshot_pin"


@dataclass(frozen=True)
class UrlState:
    """The parameters a page should show, and whether its widgets must take them."""

    pairs: list[tuple[str, str]]
    external: bool  # not what this page last wrote: widgets are set from ``pairs``


def _memory_key(page: str) -> str:
    return f"_url_state_{page}"


def current_pairs() -> list[tuple[str, str]]:
    """Every (name, value) of the URL's query, repeated names included."""
    return [(name, value) for name in st.query_params for value in st.query_params.get_all(name)]


def read(page: str, own: Iterable[str]) -> UrlState:
    """The state for this run of ``page``, whose parameters are ``own``."""
    own = frozenset(own)
    mine = [(name, value) for name, value in current_pairs() if name in own]
    written: list[tuple[str, str]] | None = st.session_state.get(_memory_key(page))
    if written is None:
        return UrlState(mine, external=True)
    if not mine:
        return UrlState(written, external=bool(written) or _has_foreign(own))
    return UrlState(mine, external=sorted(mine) != sorted(written))


def _has_foreign(own: frozenset[str]) -> bool:
    return any(name not in own and name != PIN_PARAM for name, _ in current_pairs())


def _pin_pairs() -> list[tuple[str, str]]:
    pinned = st.session_state.get(PIN_KEY)
    return [(PIN_PARAM, str(pinned))] if isinstance(pinned, int) else []


def _pairs(params: Mapping[str, QueryValue]) -> list[tuple[str, str]]:
    return [
        (name, item)
        for name, value in params.items()
        for item in (value if isinstance(value, list) else [value])
    ]


def write(page: str, params: Mapping[str, QueryValue]) -> None:
    """Put ``params`` (and nothing else) in the URL and remember them for ``page``."""
    wanted = _pairs(params)
    st.session_state[_memory_key(page)] = wanted
    pinned = _pin_pairs()
    if sorted(wanted + pinned) != sorted(current_pairs()):
        st.query_params.from_dict({**params, **dict(pinned)})


def seed(key: str, value: object, *, force: bool) -> None:
    """A widget's value before it is drawn: always when ``force`` (the URL changed from
    outside), else only the first time."""
    if force or key not in st.session_state:
        st.session_state[key] = value
