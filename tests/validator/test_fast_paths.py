"""The validator's fast paths behave exactly like the plain code they replace, on generated
input (the plain version is written out here as the reference)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from validator.parsing import loadgen_log
from validator.parsing.loadgen_log import parse_detail_log

KEYS = ["a", "b", "result_validity", "num_errors", "a b", 'q"uote', "back\\slash", "new\nline",
        "", "ключ", "result_99.00_percentile_latency_ns"]  # fmt: skip


def _reference_start(data: bytes, key: str) -> int | None:
    """DetailLog.start as one search per key (the code the index replaces)."""
    if any(c in key for c in '"\\\n'):
        return None
    prefix = b':::MLLOG {"key": "' + key.encode("utf-8") + b'", "value": '
    if data.startswith(prefix):
        return len(prefix)
    at = data.find(b"\n" + prefix)
    return at + 1 + len(prefix) if at >= 0 else None


def _line(rng: random.Random) -> bytes:
    key = rng.choice(KEYS).encode("utf-8")
    kind = rng.random()
    if kind < 0.6:
        value = rng.choice([b"1", b'"VALID"', b"[" + b"7, " * rng.randint(0, 50) + b"]"])
        return b':::MLLOG {"key": "' + key + b'", "value": ' + value + b', "time_ms": 1.5}'
    if kind < 0.7:  # cut short, inside or after the key
        whole = b':::MLLOG {"key": "' + key + b'", "value": 1'
        return whole[: rng.randint(0, len(whole))]
    if kind < 0.8:  # not at the line start
        return b" :::MLLOG {" + b'"key": "' + key + b'", "value": 2'
    if kind < 0.9:
        return b'plain text with "quotes" and :::MLLOG {"key": "' + key + b'", "value": 3'
    return b'::MLLOG {"key": "' + key + b'", "value": 4'


@pytest.mark.parametrize("index_after", [0, 2])
@pytest.mark.parametrize("indexed_lines", [1, 2, 3, 7, 1024])
def test_keys_found_through_the_index_are_those_one_search_per_key_finds(
    monkeypatch: pytest.MonkeyPatch, indexed_lines: int, index_after: int
) -> None:
    """A log's keys are indexed once searches have read it INDEX_AFTER times (at most
    INDEXED_LINES marker lines, then searched on from there): every key is found where a
    search of the whole log for it finds it, whatever the order of the questions."""
    monkeypatch.setattr(loadgen_log, "INDEXED_LINES", indexed_lines)
    monkeypatch.setattr(loadgen_log, "INDEX_AFTER", index_after)
    rng = random.Random(indexed_lines)
    indexed = 0
    for _ in range(600):
        lines = [_line(rng) for _ in range(rng.randint(0, 14))]
        data = rng.choice([b"", b"\n", b"\r\n"]).join(lines) if rng.random() < 0.1 else (
            b"\n".join(lines) + rng.choice([b"", b"\n"])
        )  # fmt: skip
        log = parse_detail_log(data, Path("mlperf_log_detail.txt"))
        for key in rng.sample(KEYS, len(KEYS)):
            assert log.start(key) == _reference_start(data, key), (data, key)
            assert log.start(key) == _reference_start(data, key)  # asked again: the same
        indexed += log._index is not None
    assert indexed > 400  # the index served most logs
