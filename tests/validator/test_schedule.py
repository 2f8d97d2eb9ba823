"""The engine's units of work: every submitter walk and every result exactly once, each unit
of one submitter, the walk with its submitter's first results, largest units first."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from validator import schedule
from validator.schedule import POWER_RESULT_COST, RESULT_COST, SUBMITTER_WALK_COST, plan


@pytest.mark.parametrize("seed", range(40))
def test_units_cover_every_walk_and_result_once(seed: int) -> None:
    rng = random.Random(seed)
    submitters = [("closed", f"s{i}") for i in range(rng.randint(0, 12))]
    walks = [s for s in submitters if rng.random() < 0.8]
    owners = (
        sorted(rng.choice(submitters) for _ in range(rng.randint(0, 300))) if submitters else []
    )
    costs = [rng.choice([RESULT_COST, POWER_RESULT_COST]) for _ in owners]
    jobs = rng.randint(1, 4)
    units = plan(walks, owners, costs, jobs)

    assert sorted(i for u in units for i in u.results) == list(range(len(owners)))
    assert sorted(u.walk for u in units if u.walk is not None) == list(range(len(walks)))
    target = (sum(costs) + SUBMITTER_WALK_COST * len(walks)) / (jobs * schedule.UNITS_PER_JOB)
    for unit in units:
        assert unit.results or unit.walk is not None
        assert len({owners[i] for i in unit.results}) <= 1
        if unit.walk is not None and unit.results:
            assert owners[unit.results[0]] == walks[unit.walk]
            # the walk runs with the submitter's first results, which share its listings
            assert unit.results[0] == owners.index(walks[unit.walk])
        expected = sum(costs[i] for i in unit.results) + (
            SUBMITTER_WALK_COST if unit.walk is not None else 0.0
        )
        assert unit.cost == pytest.approx(expected)
        if len(unit.results) > 1:  # only a single result may exceed the target
            assert unit.cost <= max(target, RESULT_COST) + 1e-9
    assert [u.cost for u in units] == sorted((u.cost for u in units), reverse=True)


def test_a_few_power_results_are_cut_like_many_plain_ones() -> None:
    """Units are cut by estimated cost, not by count: 30 power results weigh more than 400
    plain ones and are spread over more units."""
    owners = [("closed", "big")] * 400 + [("closed", "power")] * 30
    costs = [RESULT_COST] * 400 + [POWER_RESULT_COST] * 30
    units = plan([("closed", "big"), ("closed", "power")], owners, costs, jobs=2)
    power = [u for u in units if owners[u.results[0]] == ("closed", "power")]
    plain = [u for u in units if owners[u.results[0]] == ("closed", "big")]
    assert len(power) > len(plain) > 1
    assert max(len(u.results) for u in power) < min(len(u.results) for u in plain)


def test_a_result_with_a_power_folder_is_estimated_dearer(tmp_path: Path) -> None:
    plain, power = tmp_path / "a", tmp_path / "b"
    (plain / "performance" / "run_1").mkdir(parents=True)
    (power / "performance" / "power").mkdir(parents=True)
    assert schedule.result_cost(plain) == RESULT_COST
    assert schedule.result_cost(power) == POWER_RESULT_COST


def test_the_collector_threshold_is_raised_while_validating_and_restored_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from validator import engine
    from validator.options import Options

    seen: list[tuple[int, int, int]] = []

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(gc.get_threshold())
        raise RuntimeError("stop here")

    monkeypatch.setattr(engine, "discover_results", spy)
    before = gc.get_threshold()
    with pytest.raises(RuntimeError, match="stop here"):
        engine.validate_tree(tmp_path, Options())
    assert seen == [(engine.GC_YOUNG_OBJECTS, *before[1:])]
    assert gc.get_threshold() == before
