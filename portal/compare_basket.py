""" "Add to compare" wherever a system appears: a basket of up to four systems per session.

Buttons add through callbacks (the basket is up to date before the next run draws it); the
sidebar shows the basket with a same-tab link to the compare page, whose URL then carries the
systems, so the comparison is a permalink like every other view.
"""

from __future__ import annotations

import streamlit as st

MAX_SYSTEMS = 4
_KEY = "compare_basket"


def systems() -> list[str]:
    """The systems in this session's basket, in the order added."""
    return list(st.session_state.get(_KEY, []))


def replace(uids: list[str]) -> None:
    """Make the basket exactly ``uids`` (the compare page keeps it in step with its picker)."""
    st.session_state[_KEY] = list(dict.fromkeys(uids))[:MAX_SYSTEMS]


def add(uids: list[str]) -> None:
    """Add ``uids`` (those already in it stay; the oldest go when more than four)."""
    merged = list(dict.fromkeys([*systems(), *uids]))
    st.session_state[_KEY] = merged[-MAX_SYSTEMS:]


def add_button(uids: list[str], key: str, label: str | None = None) -> None:
    """A button adding ``uids`` to the basket (disabled when they are all in it)."""
    missing = [uid for uid in uids if uid not in systems()]
    text = label or ("Add to compare" if len(uids) <= 1 else f"Add {len(uids)} to compare")
    st.button(
        text,
        key=key,
        on_click=add,
        args=(uids,),
        disabled=not missing,
        icon=":material/add_circle:",
        help="Compare up to four systems side by side (the sidebar holds your picks)",
    )


def clear() -> None:
    st.session_state[_KEY] = []


def sidebar_panel() -> None:
    """The basket in the sidebar: how many, a link to compare them, and a way to empty it."""
    picked = systems()
    if not picked:
        return
    with st.sidebar:
        st.caption(f"Compare basket: {len(picked)} of {MAX_SYSTEMS} systems")
        st.page_link(
            "app_pages/compare.py",
            label="Compare them" if len(picked) > 1 else "Compare (pick one more)",
            icon=":material/compare:",
            query_params={"systems": ",".join(picked)},
        )
        st.button("Empty the basket", key="basket_clear", on_click=clear)
