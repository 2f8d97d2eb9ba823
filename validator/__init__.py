"""Inferboard's validator: MLPerf Inference bundles checked against the rules and the truth.

No streamlit, no torch (house style §1). Front ends call :func:`validate_path`, which returns
a :class:`Report` (findings with stable codes, one entry per result).

Where things go: a new round is a YAML table in ``rules/``; a new check is a function in the
``checks/`` module of the file it reads, with its code in ``codes.py``; a new file format is a
parser in ``parsing/``.
"""

from validator.api import InputError, validate_path
from validator.options import Options
from validator.report import Report, ResultEntry

__all__ = ["InputError", "Options", "Report", "ResultEntry", "validate_path"]
