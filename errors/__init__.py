"""The one error shape of the whole project (house style §12), below every other package.

Every library's error type derives from :class:`InferboardError`: a stable dotted ``code``
(documented, never reused for another meaning), a ``message`` a person can act on (naming the
file or value concerned, never a server path), and an optional ``hint`` saying what to do.
The portal shows message, hint and code and logs the traceback on the server; a CLI prints
one line and exits non-zero. This package imports nothing of the project, so any package may
import it.
"""

from __future__ import annotations

import sys
import traceback

__all__ = [
    "ERROR_LINE_PREFIX",
    "EXIT_UNEXPECTED",
    "UNEXPECTED_CODE",
    "UNEXPECTED_MESSAGE",
    "InferboardError",
    "report_unexpected",
]

# What a visitor sees for an error no library anticipated (the server log keeps the trace).
UNEXPECTED_CODE = "internal.unexpected"
UNEXPECTED_MESSAGE = (
    "Something went wrong on our side while showing this page; it has been logged. Try again, "
    "or go back to the previous page."
)


# A command that meets an exception nobody anticipated (a bug): the traceback for the log, then
# one line of this form (what a submitter may read of a child's failure), exit status 3.
ERROR_LINE_PREFIX = "error: "
EXIT_UNEXPECTED = 3


class InferboardError(Exception):
    """A problem a user or operator can act on.

    ``code`` is stable and machine-readable, ``message`` says what is wrong, ``hint`` (may be
    empty) says what to do about it. ``str(error)`` is the message followed by the code.
    """

    def __init__(self, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint

    def __reduce__(self) -> tuple[type[InferboardError], tuple[object, ...]]:
        # crosses a process pool (or any pickle) intact: Exception's default pickling
        # would call the class with the message alone. A subclass with other constructor
        # arguments returns its own (class, arguments) pair: the type allows any arguments.
        return (type(self), (self.code, self.message, self.hint))

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"

    def one_line(self) -> str:
        """Message, hint and code on one line, for command lines and logs."""
        hint = f"; {self.hint}" if self.hint else ""
        return f"{self.message}{hint} [{self.code}]"


def report_unexpected(exc: BaseException) -> int:
    """In a command's ``main``, for an exception nobody expected: its traceback on stderr (the
    server's log), then one ``error: unexpected failure: ...`` line naming its type (and, for
    our own errors, their message); returns :data:`EXIT_UNEXPECTED`."""
    traceback.print_exception(exc, file=sys.stderr)
    said = exc.message if isinstance(exc, InferboardError) else type(exc).__name__
    print(f"{ERROR_LINE_PREFIX}unexpected failure: {said}", file=sys.stderr)
    return EXIT_UNEXPECTED
