"""The validator's fast paths behave exactly like the plain code they replace, on generated
input (the plain version is written out here as the reference)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from validator.parsing import ParseError, files, loadgen_log
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


def _reference_flagged(data: bytes, flag: bytes) -> list[str]:
    """loadgen_log._flagged as one forward search (the code the search from the end
    replaces)."""
    if flag not in data:
        return []
    out: list[str] = []
    at = data.find(flag)
    while at >= 0 and len(out) < 10_000:
        line = loadgen_log._line_at(data, at)
        if line.startswith(loadgen_log.MARKER):
            head = loadgen_log._FIRST_KEY.match(line)
            end = line.rfind(loadgen_log._VALUE_END)
            if head is not None and end > head.end():
                text = line[head.end() : end].decode("utf-8", errors="replace")
                try:
                    value = loadgen_log.safe_json.loads(text)
                except loadgen_log.ParseError:
                    value = text
                out.append(
                    loadgen_log.safe_json.clean_text(str(value))[: loadgen_log._MESSAGE_CHARS]
                )
        next_line = data.find(b"\n", at)
        at = data.find(flag, next_line) if next_line >= 0 else -1
    return out


def _flag_line(rng: random.Random, flag: bytes) -> bytes:
    key = rng.choice(KEYS).encode("utf-8")
    value = rng.choice([b'"lost"', b"3", b"[1, 2]", b'"x ' + flag.replace(b'"', b'\\"') + b'"'])
    other = (
        loadgen_log._WARNING_FLAG if flag == loadgen_log._ERROR_FLAG else loadgen_log._ERROR_FLAG
    )
    meta = rng.choice([flag, flag + b", " + other, b'"is_error": false', other])
    line = b':::MLLOG {"key": "' + key + b'", "value": ' + value
    line += b', "time_ms": 1.0, "metadata": {' + meta + b"}}"
    kind = rng.random()
    if kind < 0.1:
        return b"x" + line  # not at a line start
    if kind < 0.2:
        return line[: rng.randint(0, len(line))]  # cut anywhere, the flag too
    if kind < 0.3:
        return flag * rng.randint(1, 3)  # flags only, overlapping none
    return line


@pytest.mark.parametrize("flag", [loadgen_log._ERROR_FLAG, loadgen_log._WARNING_FLAG])
def test_flagged_entries_are_those_one_forward_search_finds(flag: bytes) -> None:
    """Looking for the flag from the end first finds the same entries, in the same order, as
    searching forward through the whole log."""
    rng = random.Random(len(flag))
    found = 0
    for _ in range(1500):
        lines = [
            _flag_line(rng, flag) if rng.random() < 0.4 else _line(rng)
            for _ in range(rng.randint(0, 12))
        ]
        data = b"\n".join(lines) + rng.choice([b"", b"\n", b"\n\n"])
        expected = _reference_flagged(data, flag)
        assert loadgen_log._flagged(data, flag) == expected, data
        found += bool(expected)
    assert found > 500  # most logs held flagged entries


def test_flagged_entries_stop_at_ten_thousand() -> None:
    line = b':::MLLOG {"key": "e", "value": "x", "time_ms": 1, "metadata": {"is_error": true}}'
    data = b"\n".join([line] * 10_050)
    assert loadgen_log._flagged(data, loadgen_log._ERROR_FLAG) == ["x"] * 10_000
    assert _reference_flagged(data, loadgen_log._ERROR_FLAG) == ["x"] * 10_000


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 << 20])
def test_a_file_read_in_one_piece_is_the_file(tmp_path: Path, size: int) -> None:
    """read_bytes sizes its first read from fstat: the bytes are the file's, whatever its size
    against the old 1 MiB chunks, and the limit still holds to the byte."""
    path = tmp_path / "log"
    path.write_bytes(random.Random(size).randbytes(size))
    assert files.read_bytes(path, 4 << 20, root=tmp_path) == path.read_bytes()
    assert files.read_bytes(path, size, root=tmp_path) == path.read_bytes()  # exactly the limit
    if size:
        with pytest.raises(ParseError, match="larger than"):
            files.read_bytes(path, size - 1, root=tmp_path)
