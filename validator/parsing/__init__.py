"""Parse, then check (house style §6): files become typed objects here, checks run on them.

Parsers are bounded (house style §18): every read goes through :mod:`validator.parsing.files`
(regular files inside the bundle only, a size cap per kind of file, no FIFO, device or link
out of the tree), JSON through :mod:`validator.parsing.safe_json` (depth and integer-length
limits), and no regular expression can backtrack without bound (lines are capped before any
pattern sees them).

A parse failure is a :class:`ParseError` carrying a user-facing message; the engine turns it
into a finding with the file's path, so a malformed file never becomes a traceback.
"""

from errors import InferboardError


class ParseError(InferboardError):
    """A file could not be parsed; the message says what is wrong and how to fix it."""

    def __init__(self, message: str, hint: str = "", code: str = "input.unreadable") -> None:
        super().__init__(code, message, hint)

    def __reduce__(self) -> tuple[type, tuple[str, str, str]]:
        return (type(self), (self.message, self.hint, self.code))
