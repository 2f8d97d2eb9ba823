"""Seeded fuzzing of the validator's command line over the real bundles (house style §19).

Every case must end in findings or a one-line refusal: exit status 0, 1 or 2 (never 3, never a
traceback), strict JSON on stdout, within the time limit. ``python -m bench.fuzz N`` runs thousands;
every case that ever failed is kept in REGRESSIONS by its seed (the seed regenerates it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.fuzzing import Case, cases, run_case

CI_SEED = 20261128
CI_CASES = 160
TIME_LIMIT_S = 90.0  # generous: CI runs two workers on two cores
# (seed, bundle, archive) of cases that once crashed or hung: see bench/fuzz.py
REGRESSIONS = [
    Case(24520513, "v6.0/closed/Intel", ""),  # crash: a bundle-wide finding's scope twice
    Case(882552464, "v6.0/closed/Intel", ""),
    Case(1779939759, "v5.1/closed/AMD", ""),  # user.conf linked to /dev/zero
    Case(792894693, "v5.1/closed/AMD", "zip"),  # system JSON nested 300 deep
    Case(1096144879, "v4.1/open/NeuralMagic", "zip"),
    Case(1264836847, "v6.0/closed/Intel", "zip"),  # accuracy.txt "{'rouge1': 44.5.1}"
    Case(629048404, "v4.1/closed/NVIDIA", ""),  # a detail-log value of 1e309
]


def _run(case: Case, bundles_dir: Path, tmp_path: Path) -> None:
    outcome = run_case(case, bundles_dir, tmp_path, TIME_LIMIT_S)
    assert outcome.kind == "ok", (outcome.kind, outcome.status, outcome.mutations, outcome.detail)
    assert outcome.status in (0, 1, 2)


@pytest.mark.parametrize("case", REGRESSIONS, ids=lambda c: c.name)
def test_every_case_that_ever_failed_now_ends_in_findings(
    case: Case, bundles_dir: Path, tmp_path: Path
) -> None:
    _run(case, bundles_dir, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("chunk", range(8))
def test_seeded_mutants_never_crash_hang_or_print_bad_json(
    chunk: int, bundles_dir: Path, tmp_path: Path
) -> None:
    batch = cases(CI_SEED, CI_CASES)[chunk::8]
    for case in batch:
        _run(case, bundles_dir, tmp_path / case.name)
