"""A browser-less Streamlit session: what a browser tab does over the WebSocket, in Python.

A Streamlit page is not an HTTP GET: the browser loads the app's HTML and scripts once, opens
a WebSocket to ``/_stcore/stream`` and asks the server to run the page's script
(``BackMsg.rerun_script`` with the URL's query and page); the server runs it in that session
and streams every element back (``ForwardMsg`` deltas) until ``script_finished``. A filter
change is another ``rerun_script`` carrying the widget's new value. This client speaks that
protocol with Streamlit's own protobuf messages, so tests and the cluster bench can open real
sessions on a server (directly or through a load balancer, with its cookies) without a
browser: no JavaScript, no rendering, the same server work.

Bounded: every receive has a timeout and a run stops after ``MAX_MESSAGES`` messages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

MAX_MESSAGES: Final = 5000
# widget element type -> the WidgetState field its value travels in
VALUE_FIELDS: Final = {
    "multiselect": "string_array_value",
    "selectbox": "string_value",
    "radio": "string_value",
    "text_input": "string_value",
    "checkbox": "bool_value",
    "button_group": "string_array_value",
}
FINISHED_RERUN: Final = 2  # ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


class SessionError(Exception):
    """The server closed the session, sent no answer in time, or the page failed."""


@dataclass(frozen=True)
class Element:
    """One element a run produced: its type, label or text, and widget id when a widget."""

    kind: str
    label: str
    widget_id: str
    text: str


@dataclass
class Run:
    """What one script run sent back."""

    elements: list[Element] = field(default_factory=list)
    seconds: float = 0.0
    messages: int = 0
    page_not_found: bool = False

    def texts(self) -> list[str]:
        return [e.text or e.label for e in self.elements]

    def errors(self) -> list[str]:
        """Exceptions and error boxes: what a visitor would see as a failure."""
        return [e.text for e in self.elements if e.kind in ("exception", "alert:error")]

    def widget(self, label: str) -> Element:
        for element in self.elements:
            if element.widget_id and element.label == label:
                return element
        raise SessionError(f"no widget labelled {label!r} in this run")


def _element(fm: ForwardMsg) -> Element | None:
    delta = fm.delta
    if delta.WhichOneof("type") != "new_element":
        return None
    new = delta.new_element
    kind: str = new.WhichOneof("type") or ""  # "alert:error" below is ours, not a proto type
    proto = getattr(new, kind)
    label = str(getattr(proto, "label", "") or "")
    widget_id = str(getattr(proto, "id", "") or "")
    text = str(getattr(proto, "body", "") or "")
    if kind == "exception":
        text = f"{proto.type}: {proto.message}"
    if kind == "alert":
        kind = "alert:error" if proto.format == 1 else "alert"  # Alert.Format.ERROR
    return Element(kind, label, widget_id, text)


class StreamlitSession:
    """One visitor's session on a Streamlit server (``base`` like ``http://127.0.0.1:8501``)."""

    def __init__(self, base: str, *, cookie: str | None = None, timeout_s: float = 60.0) -> None:
        parts = urlsplit(base)
        scheme = "wss" if parts.scheme == "https" else "ws"
        self.url = f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
        self.cookie = cookie
        self.timeout_s = timeout_s
        self._ws: websocket.WebSocket | None = None
        self._states: dict[str, tuple[str, object]] = {}
        self.page = ""
        self.query = ""
        self.last: Run | None = None

    def connect(self) -> None:
        self._ws = websocket.create_connection(
            self.url,
            subprotocols=["streamlit"],
            timeout=self.timeout_s,
            cookie=self.cookie,
            enable_multithread=False,
        )

    @property
    def connected(self) -> bool:
        return self._ws is not None and self._ws.connected

    def open(self, page: str, query: str = "") -> Run:
        """Run ``page`` (its URL path, "" for the home page) with ``query`` as its URL query."""
        if self._ws is None:
            self.connect()
        self.page, self.query = page, query
        self._states.clear()
        return self._rerun()

    def change(self, label: str, value: object) -> Run:
        """Set the widget labelled ``label`` (of the last run) to ``value`` and rerun, as a
        browser does when a visitor changes a filter."""
        if self.last is None:
            raise SessionError("open a page first")
        widget = self.last.widget(label)
        kind = widget.kind
        if kind not in VALUE_FIELDS:
            raise SessionError(f"cannot set a {kind} widget")
        self._states[widget.widget_id] = (VALUE_FIELDS[kind], value)
        return self._rerun()

    def _rerun(self) -> Run:
        assert self._ws is not None
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query
        state.page_name = self.page
        for widget_id, (value_field, value) in self._states.items():
            entry = state.widget_states.widgets.add()
            entry.id = widget_id
            target = getattr(entry, value_field)
            if value_field.endswith("_array_value"):
                target.data.extend(value)
            else:
                setattr(entry, value_field, value)
        started = time.perf_counter()
        self._ws.send_binary(message.SerializeToString())
        run = self._collect()
        run.seconds = time.perf_counter() - started
        self.last = run
        return run

    def _collect(self) -> Run:
        assert self._ws is not None
        run = Run()
        deadline = time.monotonic() + self.timeout_s
        while run.messages < MAX_MESSAGES:
            if time.monotonic() > deadline:
                raise SessionError(f"no script_finished within {self.timeout_s:.0f} s")
            try:
                data = self._ws.recv()
            except (websocket.WebSocketException, OSError) as exc:
                raise SessionError(f"the session was closed: {exc}") from exc
            if not isinstance(data, bytes):
                continue
            forward = ForwardMsg()
            forward.ParseFromString(data)
            run.messages += 1
            kind = forward.WhichOneof("type")
            if kind == "delta":
                element = _element(forward)
                if element is not None:
                    run.elements.append(element)
            elif kind == "page_info_changed":  # the page rewrote its URL, as a browser keeps it
                self.query = forward.page_info_changed.query_string
            elif kind == "page_not_found":
                run.page_not_found = True
            elif kind == "script_finished":
                if forward.script_finished == FINISHED_RERUN:
                    run.elements.clear()  # the page asked for a rerun: its output follows
                    continue
                return run
        raise SessionError(f"more than {MAX_MESSAGES} messages in one run")

    def close(self) -> None:
        if self._ws is not None:
            try:
                self._ws.close()
            finally:
                self._ws = None

    def __enter__(self) -> StreamlitSession:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
