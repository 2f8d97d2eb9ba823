"""A dependency-free progress line on stderr for long runs (hours for Llama-2-70B on CPU)."""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO


class Progress:
    """Counts completed samples; redraws at most twice a second; silent when disabled."""

    def __init__(self, label: str, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.label = label
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.done = 0
        self._start = time.monotonic()
        self._last_draw = 0.0
        self._lock = threading.Lock()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._draw(final=True)

    def advance(self, n: int) -> None:
        with self._lock:
            self.done += n
            if time.monotonic() - self._last_draw >= 0.5:
                self._draw()

    def _draw(self, final: bool = False) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self._start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        end = "\n" if final else "\r"
        self.stream.write(
            f"[{self.label}] {self.done} samples, {elapsed:6.1f} s, {rate:8.2f} samples/s{end}"
        )
        self.stream.flush()
        self._last_draw = time.monotonic()
