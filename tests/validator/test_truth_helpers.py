"""TEST06 re-verification on hex text agrees with run_verification.py's token-wise rules."""

from __future__ import annotations

import numpy as np
import pytest

from validator.checks.truth import _first_token_ok, _repeated_trailing_eos


def hexed(tokens: list[int]) -> str:
    return np.array(tokens, dtype="<i4").tobytes().hex().upper()


@pytest.mark.parametrize(
    ("first", "data", "ok"),
    [
        ([5], [5, 6, 2], True),
        ([5, 6], [5, 6, 2], True),
        ([7], [5, 6, 2], False),
        ([5, 6, 9, 9], [5, 6], True),  # zip stops at the shorter, as run_verification.py does
        ([5, 7], [5, 6], False),
    ],
)
def test_first_token(first: list[int], data: list[int], ok: bool) -> None:
    assert _first_token_ok(hexed(first), hexed(data)) is ok
    assert _first_token_ok(hexed(first).lower(), hexed(data)) is ok
    assert _first_token_ok(None, hexed(data)) is False


@pytest.mark.parametrize(
    ("tokens", "repeated"),
    [
        ([5, 6, 2], False),
        ([5, 2, 2], True),
        ([2, 2], False),  # index 0 never counts
        ([5, 2, 2, 2], True),
        ([2, 5, 2], False),
    ],
)
def test_trailing_eos(tokens: list[int], repeated: bool) -> None:
    assert _repeated_trailing_eos(hexed(tokens), 8, "int32", 2) is repeated
