"""Fixtures every test shares."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _restore_main_module() -> Iterator[None]:
    """AppTest runs ``app.py`` as ``__main__`` and leaves it there. A later test in the same
    worker that starts a forkserver or spawn pool (scoring's parallel ROUGE) would then make
    every pool worker re-run ``app.py`` as its main module, open the database and die."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main
