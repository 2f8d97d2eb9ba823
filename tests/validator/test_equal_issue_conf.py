"""v4.1's equal-issue reading of mlperf.conf/user.conf, line by line as the checker's text-mode
``readlines()`` splits them (validator/equal_issue_conf.py)."""

from __future__ import annotations

import io

import pytest

from validator.equal_issue_conf import read_equal_issue


def checker_reads(content: bytes, scenario: str = "Offline") -> tuple[bool, str]:
    """What the v4.1 checker's loop (S41 L2482-2503) concludes: (equal issue used, whether it
    raises), run on the same bytes opened in text mode."""
    used = False
    lines = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8").readlines()
    try:
        for line in lines:
            line = line.replace(" ", "").replace("\n", "")
            if line.startswith("#") or line == "":
                continue
            key, val = line.split("=")
            conf_model, conf_scenario, conf_key = key.split(".")
            if (
                conf_key == "sample_concatenate_permutation"
                and conf_model in ("llama2-70b", "*")
                and conf_scenario in (scenario, "*")
                and val.isnumeric()
            ):
                used = int(val) == 1
                break
    except ValueError:
        return used, "stops"
    return used, ""


@pytest.mark.parametrize(
    "separator",
    ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"],
    ids=["VT", "FF", "FS", "GS", "RS", "NEL", "LS", "PS"],
)
def test_only_line_ends_the_checker_knows_split_lines(separator: str) -> None:
    """str.splitlines also splits at these; a text-mode readlines() does not, so the checker
    reads one line (no stop) where splitting would find a second line of no '='."""
    content = f"*.Offline.sample_concatenate_permutation = 0{separator}note\n".encode()
    expected_used, expected_stop = checker_reads(content)
    conf = read_equal_issue({"user.conf": content}, "llama2-70b-99", "Offline")
    assert (conf.used, "stops" if conf.stops else "") == (expected_used, expected_stop)


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_the_checkers_line_ends_still_split(ending: str) -> None:
    content = f"# c{ending}*.Offline.sample_concatenate_permutation = 1{ending}x".encode()
    conf = read_equal_issue({"mlperf.conf": content}, "llama2-70b-99", "Offline")
    assert checker_reads(content) == (True, "")
    assert conf.used
    assert conf.decided_by == "mlperf.conf line 2"
