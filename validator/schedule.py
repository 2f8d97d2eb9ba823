"""How a round's submitter walks and result checks are split into units of work for worker
processes (a scheduling decision only: what each unit finds does not depend on it).

A unit holds results of one submitter, so the worker that runs it lists that submitter's
shared folders (code/, systems/) once, and the first unit of a submitter also runs its
submitter walk, which lists every folder the results read. Submitters differ a lot (a
whole round's largest has 800 results; a small one has 34 results carrying power logs, which
cost ~15 times an ordinary result), so a submitter's results are cut into units of about
``1 / (jobs * UNITS_PER_JOB)`` of the whole estimated cost, and the units are handed out
largest first, which keeps every worker busy to the end.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

UNITS_PER_JOB = 8
RESULT_COST = 1.0
POWER_RESULT_COST = 15.0  # PTD logs, spl.txt and the ranging run (measured on the v5.1 round)
SUBMITTER_WALK_COST = 4.0


@dataclass(frozen=True)
class Unit:
    """One unit of work: a submitter walk (by its index in the walk order) or none, and the
    indices of the results it checks (all of one submitter)."""

    walk: int | None
    results: tuple[int, ...]
    cost: float


def result_cost(results_folder: Path) -> float:
    """A result's estimated cost: a power result (``performance/power`` exists) costs more.
    One ``stat``; a wrong guess only changes the order units are handed out in."""
    power = os.path.join(results_folder, "performance", "power")  # noqa: PTH118
    return POWER_RESULT_COST if os.path.exists(power) else RESULT_COST  # noqa: PTH110


def plan(
    walks: Sequence[tuple[str, str]],
    owners: Sequence[tuple[str, str]],
    costs: Sequence[float],
    jobs: int,
) -> list[Unit]:
    """Units covering every walk (``walks``: submitters in walk order) and every result
    (``owners[i]``: result i's submitter, ``costs[i]``: its estimated cost) exactly once,
    largest first (ties in submitter order)."""
    by_owner: dict[tuple[str, str], list[int]] = {}
    for index, owner in enumerate(owners):
        by_owner.setdefault(owner, []).append(index)
    walk_of = {owner: index for index, owner in enumerate(walks)}
    total = sum(costs) + SUBMITTER_WALK_COST * len(walks)
    target = max(total / (max(jobs, 1) * UNITS_PER_JOB), RESULT_COST)
    units: list[Unit] = []
    for owner in dict.fromkeys([*walks, *by_owner]):
        walk = walk_of.get(owner)
        chunk: list[int] = []
        cost = SUBMITTER_WALK_COST if walk is not None else 0.0
        for index in by_owner.get(owner, []):
            if chunk and cost + costs[index] > target:
                units.append(Unit(walk, tuple(chunk), cost))
                walk, chunk, cost = None, [], 0.0
            chunk.append(index)
            cost += costs[index]
        if chunk or walk is not None:
            units.append(Unit(walk, tuple(chunk), cost))
    return sorted(units, key=lambda unit: -unit.cost)


__all__ = ["Unit", "plan", "result_cost"]
