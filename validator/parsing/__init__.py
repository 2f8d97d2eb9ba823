"""Parse, then check (house style §6): files become typed objects here, checks run on them.

A parse failure is a :class:`ParseError` carrying a user-facing message; the engine turns it
into a finding with the file's path, so a malformed file never becomes a traceback.
"""


class ParseError(ValueError):
    """A file could not be parsed; the message says what is wrong and how to fix it."""
