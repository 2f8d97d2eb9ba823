"""The checks. One function per rule, each yielding findings with its own stable codes.

Where a new check goes: in the module of the file it reads (``performance`` for detail-log
rules, ``accuracy`` for accuracy.txt, ``compliance`` for TEST0x, ``system`` for the system
JSON, ``measurements``, ``tree`` for folder structure, ``truth`` for cross-checks the official
checker does not make), appended to that module's ``CHECKS`` tuple, with its code registered
in :mod:`validator.codes` and documented in docs/validator.md.
"""
