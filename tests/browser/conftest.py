"""What the real-browser tests share: Debian's Chromium, started once per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.portal import PortalError, chromium


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[object]:
    """A headless Chromium (Playwright); a missing browser fails with how to install it."""
    try:
        with chromium() as browser:
            yield browser
    except PortalError as exc:
        pytest.fail(str(exc))
