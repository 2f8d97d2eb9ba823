"""The Power WG checks and the power metric against the official checker's own verdicts.

Expected values come from official output only: the v5.1 sample's ``official_summary.csv`` and
``official_log.txt`` for the six real power results, and for the mutated copies the verdicts
recorded from each round's official scripts (``testdata/power_official_verdicts.json``, see
``power_mutations.py``).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import random
import re
import time
from pathlib import Path

import pytest

from tests.validator import power_mutations as pm
from validator import power_logs
from validator.power_logs import RULES, PowerProblem, check_power_logs, power_metric
from validator.power_ptd import ptd_version
from validator.power_rules import PowerRules, load_table, power_rules

GOLDEN = Path(__file__).parent / "testdata" / "power_official_verdicts.json"
SCENARIOS = {"singlestream": "SingleStream", "multistream": "MultiStream", "offline": "Offline"}


@pytest.fixture(scope="module")
def sample() -> Path:
    if not pm.TREE.is_dir():
        pytest.fail(
            f"the v5.1 sample is missing: expected {pm.TREE} (../shared beside the checkout)"
        )
    return pm.SAMPLE


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def official_power_rows(sample: Path) -> dict[str, str]:
    with (sample / "official_summary.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {r["Location"]: r["Result"] for r in rows if r["Units"] in ("Watts", "millijoules")}


def logged_scenario(run_dir: Path) -> object:
    for line in (run_dir / "mlperf_log_detail.txt").read_text(errors="replace").splitlines():
        if '"key": "effective_scenario"' in line:
            return json.loads(line.split(":::MLLOG", 1)[1])["value"]
    return None


# ---- the six real power results of the sample, read in place


def test_every_real_power_result_is_found_and_accepted_as_officially(sample: Path) -> None:
    found = sorted(
        p.parent.parent.relative_to(sample / "tree").as_posix()
        for p in (sample / "tree").glob("*/*/results/*/*/*/performance/power")
    )
    assert found == sorted(pm.POWER_RESULTS)
    log = (sample / "official_log.txt").read_text(encoding="utf-8")
    rows = official_power_rows(sample)
    for location in pm.POWER_RESULTS:
        # the official checker wrote a power row, and did not log a failed Power WG check
        assert location in rows
        assert f"power_checker.py did not pass for: {location}/performance" not in log
        assert check_power_logs(sample / "tree" / location / "performance", "v5.1", sample) == []


def test_power_metric_is_the_official_csv_text(sample: Path) -> None:
    rows = official_power_rows(sample)
    for location in pm.POWER_RESULTS:
        run_dir = sample / "tree" / location / "performance" / "run_1"
        folder = location.rsplit("/", 1)[1]
        scenario = SCENARIOS.get(folder, folder)
        value, problem = power_metric(
            run_dir, scenario, logged_scenario(run_dir), 1.0, round_name="v5.1", root=sample
        )
        assert problem is None
        assert str(value) == rows[location], location


# ---- mutated copies against the recorded official verdicts


def v4_sources() -> dict[str, str]:
    table = load_table()
    return table.source_sets[table.rounds["v4.0"].source_sets[0]]


def grouped_cases() -> list[tuple[str, bool, str, tuple[str, ...]]]:
    """One copy per (base, like_v4, mutation), checked for every round recorded for it."""
    groups: dict[tuple[str, bool, str], list[str]] = {}
    for base, round_name, like_v4, name in pm.check_cases():
        groups.setdefault((base, like_v4, name), []).append(round_name)
    return [(*key, tuple(rounds)) for key, rounds in groups.items()]


@pytest.mark.parametrize(
    ("base", "like_v4", "name", "rounds"),
    grouped_cases(),
    ids=[f"{b}{'-v4' if v4 else ''}|{n}" for b, v4, n, _ in grouped_cases()],
)
def test_mutated_copy_gets_the_official_verdict(
    golden: dict,
    sample: Path,
    tmp_path: Path,
    base: str,
    like_v4: bool,
    name: str,
    rounds: tuple[str, ...],
) -> None:
    perf = pm.prepare(base, v4_sources() if like_v4 else None, name, tmp_path)
    for round_name in rounds:
        expected = golden["checks"][pm.case_key(base, round_name, name)]
        problems = check_power_logs(perf, round_name, tmp_path)
        assert sorted({p.rule for p in problems}) == expected["failed"], (round_name, problems)
        assert (not problems) == (expected["rc"] == 0), round_name
        for problem in problems:
            assert str(tmp_path) not in problem.message  # no server path, ever
            assert "could not be checked" not in problem.message  # no crash of ours
            assert problem.rule in RULES


@pytest.mark.parametrize("case", list(pm.METRIC_CASES))
def test_power_metric_of_mutated_copy_is_the_official_one(
    golden: dict, sample: Path, tmp_path: Path, case: str
) -> None:
    base, mutation, scenario = pm.METRIC_CASES[case]
    perf = pm.copy_result(pm.BASES[base], tmp_path)
    if mutation:
        pm.mutations()[mutation](perf)
    run_dir = perf / "run_1"
    for round_name in pm.METRIC_ROUNDS:
        value, problem = power_metric(
            run_dir, scenario, logged_scenario(run_dir), 1.0, round_name=round_name, root=tmp_path
        )
        expected = golden["metrics"][f"{case}|{round_name}"]
        assert (None if value is None else str(value)) == expected, round_name
        assert (problem is None) == (expected is not None)
        if problem is not None:
            assert problem.rule == "metric" and str(tmp_path) not in problem.message


def test_interactive_power_is_rejected_in_v51_and_measured_in_v60(
    golden: dict, sample: Path
) -> None:
    """Spec §1.3.W step 2: the v5.1 checker asserts on an Interactive power result (so the
    result is rejected); v6.0 reports its average watts, like Server."""
    run_dir = sample / "tree" / pm.BASES["server"] / "performance" / "run_1"
    results = {
        name: power_metric(run_dir, "Interactive", "Server", 1.0, round_name=name, root=sample)
        for name in ("v5.1", "v6.0")
    }
    assert golden["metrics"]["Interactive (the Server run)|v5.1"] is None
    assert results["v5.1"][0] is None and results["v5.1"][1].rule == "metric"
    assert "Interactive" in results["v5.1"][1].message
    assert str(results["v6.0"][0]) == golden["metrics"]["Interactive (the Server run)|v6.0"]
    assert str(results["v6.0"][0]) == golden["metrics"]["Server|v6.0"]


def test_a_watts_result_needs_a_performance_value(sample: Path) -> None:
    run_dir = sample / "tree" / pm.POWER_RESULTS[2] / "performance" / "run_1"
    value, problem = power_metric(
        run_dir, "Offline", "Offline", None, round_name="v5.1", root=sample
    )
    assert value is None and problem is not None and "performance result" in problem.message


# ---- bounds and hostile input


def test_a_file_over_the_cap_is_a_problem_not_a_read(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = load_table()
    small = table.model_copy(
        update={"limits": table.limits.model_copy(update={"text_bytes": 50_000})}
    )
    monkeypatch.setattr(power_logs, "power_rules", lambda name: PowerRules(small, name))
    perf = pm.copy_result(pm.BASES["ss"], tmp_path)
    problems = check_power_logs(perf, "v5.1", tmp_path)
    # ptd_logs.txt (176 kB) and run_1/spl.txt (75 kB) are over 50 kB; the detail logs are not
    assert {p.rule for p in problems} == {"phases", "ptd_log_errors"}
    assert all("larger than" in p.message for p in problems)


def test_long_digit_runs_take_linear_time(tmp_path: Path) -> None:
    perf = pm.copy_result(pm.BASES["ss"], tmp_path)
    digits = b"7" * 4_000_000
    for name in ("run_1/mlperf_log_detail.txt", "power/ptd_logs.txt"):
        pm.on_bytes(name, lambda b: digits + b" power_begin -\n" + b)(perf)
    pm.on_bytes("power/ptd_logs.txt", lambda b: b + b"WARNING: Uncertainty " + digits + b"\n")(perf)
    started = time.perf_counter()
    problems = check_power_logs(perf, "v5.1", tmp_path)
    assert time.perf_counter() - started < 20  # quadratic backtracking would take hours
    assert {p.rule for p in problems} == {"phases", "ptd_log_errors"}


@pytest.mark.slow  # hundreds of damaged copies: 2.6 s
def test_random_damage_never_raises_nor_leaks_a_path(tmp_path: Path) -> None:
    """A seeded fuzzer over one real result: flipped, cut and inserted bytes in every file."""
    rng = random.Random(20260512)
    source = pm.copy_result(pm.BASES["ss"], tmp_path / "source")
    files = sorted(p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file())
    for round_number in range(40):
        perf = tmp_path / f"f{round_number}" / "performance"
        pm.shutil.copytree(source, perf)
        for relative in rng.sample(files, 2):
            data = bytearray((perf / relative).read_bytes())
            at = rng.randrange(max(len(data), 1))
            kind = rng.choice(("flip", "cut", "insert", "truncate"))
            if kind == "flip" and data:
                data[at] ^= 1 << rng.randrange(8)
            elif kind == "cut":
                del data[at : at + rng.randrange(1, 64)]
            elif kind == "insert":
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
            else:
                del data[at:]
            (perf / relative).write_bytes(bytes(data))
            if rng.random() < 0.7 and not relative.endswith(".json"):
                with contextlib.suppress(ValueError):  # a descriptor damaged a moment ago
                    pm.rehash(perf, relative)
        for round_name in ("v4.0", "v5.1", "v6.0"):
            for problem in check_power_logs(perf, round_name, tmp_path):
                assert isinstance(problem, PowerProblem) and problem.rule in RULES
                assert str(tmp_path) not in problem.message
                assert "could not be checked" not in problem.message


def test_folders_and_links_where_files_belong(tmp_path: Path) -> None:
    perf = pm.copy_result(pm.BASES["ss"], tmp_path)
    (perf / "power" / "server.json").rename(perf / "server.json")
    (perf / "power" / "server.json").symlink_to(perf / "server.json")  # a link to a file: read
    assert check_power_logs(perf, "v5.1", tmp_path) == []
    (perf / "run_1" / "dangling").symlink_to(perf / "nowhere")  # the checker cannot open it
    assert {p.rule for p in check_power_logs(perf, "v5.1", tmp_path)} == {"results_checksum"}
    (perf / "run_1" / "dangling").unlink()
    os.mkfifo(perf / "run_1" / "pipe")  # the official script would block on it forever
    problems = check_power_logs(perf, "v5.1", tmp_path)
    assert [(p.rule, "not a regular file" in p.message) for p in problems] == [
        ("results_checksum", True)
    ]
    (perf / "run_1" / "pipe").unlink()
    (perf / "power" / "client.json").unlink()
    (perf / "power" / "client.json").mkdir()
    problems = check_power_logs(perf, "v5.1", tmp_path)
    assert [p.rule for p in problems] == ["session"]
    assert "power/client.json is not a regular file" in problems[0].message


# ---- the rules table and the patterns


def test_every_round_has_power_rules_with_its_ptd_version() -> None:
    versions = {name: power_rules(name).round.ptd_versions for name in load_table().rounds}
    assert versions == {
        "v4.0": ("1.10.0",), "v4.1": ("1.10.0",), "v5.0": ("1.11.1",), "v5.1": ("1.11.1",),
        "v6.0": ("1.11.1",),
    }  # fmt: skip
    with pytest.raises(KeyError, match="known"):
        power_rules("v3.1")


# The official expressions (the checker's own), which ours must match exactly where they match.
OFFICIAL = {
    "detail_timestamp": r"(\d*-\d*-\d* \d*:\d*:\d*\.\d*)",
    "uncertainty_activated": r"Uncertainty checking for Yokogawa\S+ is activated",
    "uncertainty_error": r"Uncertainty \d+.\d+%, which is above 1.00% limit for the last sample!",
    "client_version": r"mlcommons\/power client v(\d+)$",
    "server_version": r"mlcommons\/power server v(\d+)$",
}
ALPHABET = ["1", "2", "٣", "-", " ", ":", ".", "%", "\n", "x", "\u00a0", ", which is above 1"]
PIECES = [
    "Uncertainty ", "Uncertainty checking for Yokogawa", " is activated", "00% limit for the last",
    " sample!", "mlcommons/power client v", "mlcommons/power server v", "version=",
    "%, which is above 1.00% limit for the last sample!", "%, which is above 1x00% limit for the",
]  # fmt: skip


def random_text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET + PIECES) for _ in range(rng.randrange(0, 24)))


@pytest.mark.parametrize("name", list(OFFICIAL))
def test_our_bounded_patterns_match_exactly_what_the_official_ones_match(name: str) -> None:
    ours = getattr(power_rules("v5.1"), name)
    official = re.compile(OFFICIAL[name])
    rng = random.Random(name)
    for _ in range(20_000):
        text = random_text(rng)
        mine, theirs = ours.search(text), official.search(text)
        assert (mine is None) == (theirs is None), text
        if mine:
            assert mine.group(0) == theirs.group(0), text
            if ours.groups == official.groups:
                assert mine.groups() == theirs.groups(), text


def test_ptd_version_is_what_the_official_lazy_pattern_finds() -> None:
    official = re.compile(r"(?<=version=)(.+?)-")
    rng = random.Random(7)
    for _ in range(20_000):
        text = random_text(rng) + rng.choice(["", "version=1.11.1-x", "version=-1-"])
        found = official.search(text)
        assert ptd_version(text, "version=") == ("" if found is None else found.group(1)), text


def test_the_fast_ptd_time_parser_is_strptime() -> None:
    """parse_time's fast path for the PTD format gives what datetime.strptime gives (the
    same datetime, or a ValueError) on 20,000 generated stamps, odd ones included."""
    from datetime import datetime

    from validator.power_files import PTD_TIME_FORMAT, parse_time

    rng = random.Random(7)
    odd = ["0", "00", "13", "29", "30", "31", "32", "60", "61", "99", "٠٧", "٢٠٢٥", " 7", "7 ",
           "", "-1", "1.5", "1234567", "0000"]  # fmt: skip
    separators = ["-", ":", ".", " ", "  ", "\t", "\u2003", "", "/"]

    def number(low: int, high: int, width: int) -> str:
        if rng.random() < 0.1:
            return rng.choice(odd)
        value = str(rng.randint(low, high))
        return value.zfill(width) if rng.random() < 0.7 else value

    def stamp() -> str:
        if rng.random() < 0.9:  # shaped like a PTD stamp, the values mostly in range
            fraction = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 7)))
            gap = rng.choice([" ", "  ", "\t", "\u2003"])
            return (
                f"{number(1, 12, 2)}-{number(1, 31, 2)}-{number(1990, 2030, 4)}{gap}"
                f"{number(0, 23, 2)}:{number(0, 59, 2)}:{number(0, 59, 2)}.{fraction}"
            )
        return "".join(rng.choice(odd) + rng.choice(separators) for _ in range(8))

    parsed = 0
    for _ in range(20_000):
        text = stamp()
        try:
            expected: datetime | type[ValueError] = datetime.strptime(text, PTD_TIME_FORMAT)
            parsed += 1
        except ValueError:
            expected = ValueError
        try:
            got: datetime | type[ValueError] = parse_time(text, PTD_TIME_FORMAT)
        except ValueError:
            got = ValueError
        assert got == expected, text
    assert 5_000 < parsed < 19_000  # both outcomes, many times each
    assert parse_time("07-12-2025 23:43:13.822", PTD_TIME_FORMAT) == datetime(
        2025, 7, 12, 23, 43, 13, 822000
    )


def test_stamps_read_with_their_day_cached_equal_parse_time() -> None:
    """time_microseconds/time_utc_seconds (each day placed once) give exactly what
    parse_time then utc_seconds give, the same float, or raise where it raises: on stamps of
    a few days (so the cache is hit) with odd seconds, days and fractions among them."""
    from datetime import datetime

    from validator.power_files import (
        PTD_TIME_FORMAT,
        microseconds,
        parse_time,
        time_microseconds,
        time_utc_seconds,
        utc_seconds,
    )

    rng = random.Random(11)
    days = ["07-12-2025", "7-12-2025", "02-29-2024", "02-29-2025", "02-30-2024", "12-31-1999",
            "01-01-1970", "12-31-1969", "01-01-0001", "12-31-9999", "00-10-2025", "٠٧-12-2025",
            "07- 3-2025", "13-01-2025"]  # fmt: skip
    fast = 0
    for _ in range(30_000):
        seconds = rng.choice(["00", "07", "59", "60", "61", "5", rng.randint(0, 59)])
        fraction = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 7)))
        text = (
            f"{rng.choice(days)} {rng.randint(0, 24):02d}:{rng.randint(0, 59):02d}:"
            f"{seconds}.{fraction}"
        )
        try:
            moment: datetime | None = parse_time(text, PTD_TIME_FORMAT)
        except ValueError:
            moment = None
        if moment is None:
            with pytest.raises(ValueError):
                time_microseconds(text, PTD_TIME_FORMAT)
            with pytest.raises(ValueError):
                time_utc_seconds(text, PTD_TIME_FORMAT)
            continue
        fast += 1
        assert time_microseconds(text, PTD_TIME_FORMAT) == microseconds(moment), text
        assert time_utc_seconds(text, PTD_TIME_FORMAT) == utc_seconds(moment), text
    assert 5_000 < fast < 25_000  # both outcomes, many times each
    other = "%Y/%m/%d %H:%M:%S"  # any other format: strptime itself
    assert time_microseconds("2025/07/12 23:43:13", other) == microseconds(
        datetime(2025, 7, 12, 23, 43, 13)
    )
    with pytest.raises(ValueError):
        time_microseconds("2025/02/30 23:43:13", other)
