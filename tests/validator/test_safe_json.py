"""JSON nested deeper than our own bound but short of where the official checkers' ``json.load``
fails is read as they read it, and handed on cut to a depth nothing downstream trips over."""

from __future__ import annotations

import pickle
import sys
import threading
import time

import pytest

from validator.parsing import ParseError
from validator.parsing.safe_json import CUT, MAX_DEPTH, loads
from validator.rules import available_rounds, load_round


def depth_of(value: object) -> int:
    depth = 0
    while isinstance(value, list | dict) and value:
        value = value[0] if isinstance(value, list) else next(iter(value.values()))
        depth += 1
    return depth + isinstance(value, list | dict)


def test_a_value_within_our_bound_is_read_as_written() -> None:
    text = '{"a": ' + "[" * (MAX_DEPTH - 2) + "7" + "]" * (MAX_DEPTH - 2) + "}"
    value = loads(text)
    assert depth_of(value) == MAX_DEPTH - 1
    assert loads(text, max_depth=992) == value


def test_our_bound_is_the_default_refusal() -> None:
    with pytest.raises(ParseError, match=f"nested {MAX_DEPTH} levels deep or more"):
        loads("[" * MAX_DEPTH + "]" * MAX_DEPTH)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 300, 991])
def test_deeper_values_are_read_up_to_the_checkers_limit_and_cut(depth: int) -> None:
    limit = sys.getrecursionlimit()
    text = '{"x": ' + "[" * (depth - 1) + "]" * (depth - 1) + ', "y": [1], "z": {}}'
    value = loads(text, max_depth=992)
    assert sys.getrecursionlimit() == limit
    assert set(value) == {"x", "y", "z"} and value["y"] == [1] and value["z"] == {}
    assert depth_of(value) == MAX_DEPTH  # the container at our bound stands in for the rest
    inner = value["x"]
    for _ in range(MAX_DEPTH - 2):
        inner = inner[0]
    assert inner == [CUT]
    assert pickle.loads(pickle.dumps(value)) == value  # what crosses the process pool
    assert repr(value).count("[") == MAX_DEPTH  # what a message or the summary CSV prints


def test_an_empty_container_at_our_bound_stays_empty() -> None:
    text = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    value = loads(text, max_depth=992)
    assert depth_of(value) == MAX_DEPTH


def test_the_checkers_limit_refuses() -> None:
    with pytest.raises(ParseError, match="nested 992 levels deep or more"):
        loads("[" * 992 + "]" * 992, max_depth=992)
    assert loads("[" * 991 + "]" * 991, max_depth=992)


def test_deep_reads_in_threads_at_once() -> None:
    text = "[" * 900 + "]" * 900
    outcomes: list[object] = []

    def read() -> None:
        try:
            outcomes.append(depth_of(loads(text, max_depth=992)))
        except Exception as exc:  # the assertion below names it
            outcomes.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == [MAX_DEPTH] * 4


def test_every_round_records_where_its_checker_fails() -> None:
    """Measured with Python 3.11 against each checker: the classic checkers read a system
    description and model_mapping.json one frame above the measurements JSON; v6.0's loader
    reads all three at the same depth, three frames deeper."""
    for name in available_rounds():
        limits = load_round(name).checker.json_depth_limits
        assert MAX_DEPTH < limits.measurements <= limits.system < sys.getrecursionlimit()
        assert limits.model_mapping == limits.system


def test_a_string_left_open_before_deep_brackets_is_scanned_in_linear_time() -> None:
    """Each quote after an open one used to start a scan to the end of the text: 200,000
    escaped quotes took minutes (quadratic); json reads the open string to the end."""
    text = '"' + '\\"' * 200_000 + "[" * (MAX_DEPTH + 50)
    start = time.monotonic()
    with pytest.raises(ParseError, match="not valid JSON"):
        loads(text, max_depth=992)
    assert time.monotonic() - start < 10


def test_brackets_in_a_string_left_open_do_not_count_as_nesting() -> None:
    text = '["open' + "[" * 1000
    with pytest.raises(ParseError, match="not valid JSON"):
        loads(text, max_depth=992)
    assert loads('["a\\"[[", ' + "[" * 300 + "]" * 300 + "]", max_depth=992)[0] == 'a"[['
