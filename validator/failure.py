"""A check that raised (a bug of ours, never a finding about the bundle), said the same way
whichever process ran it.

A worker process's exception reaches the parent pickled: one whose constructor takes other
arguments than it keeps (many libraries' errors) cannot be rebuilt there, and the parent saw
only ``BrokenProcessPool``, where ``--jobs 1`` named the error. :func:`failing_in` turns any
exception of a unit of work into :class:`CheckCrashedError`, which names the error and the
folder being checked and always pickles; the original stays its ``__cause__`` (in a worker,
the remote traceback ``INFERBOARD_DEBUG=1`` prints). ``MemoryError`` passes through as it is:
the portal's child reports running out of memory by it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class CheckCrashedError(Exception):
    """``what`` (the exception's type name) raised while checking ``where`` (a folder of the
    bundle, relative to its root)."""

    def __init__(self, what: str, where: str) -> None:
        super().__init__(what, where)
        self.what = what
        self.where = where

    def __str__(self) -> str:
        return f"{self.what} while checking {self.where}"


@contextmanager
def failing_in(where: str) -> Iterator[None]:
    """Run the block; any exception but MemoryError (and those already wrapped) leaves it as
    :class:`CheckCrashedError` naming ``where``."""
    try:
        yield
    except (MemoryError, CheckCrashedError):
        raise
    except Exception as exc:
        raise CheckCrashedError(type(exc).__name__, where) from exc


__all__ = ["CheckCrashedError", "failing_in"]
