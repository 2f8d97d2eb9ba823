"""The state machine as data: every move in the table, who may make it, and what is refused."""

from __future__ import annotations

import itertools

import pytest

from submissions.errors import InvalidTransitionError
from submissions.roles import Role
from submissions.settings import PROJECT_ROOT
from submissions.states import FINAL_STATES, TRANSITIONS, WORK_STATES, State, check_transition

DOC = PROJECT_ROOT / "docs" / "submissions.md"


def documented_moves() -> dict[tuple[State, State], Role]:
    """The moves table of docs/submissions.md ('| from | to | least role | when |'), read
    independently of the code: several 'from' states may share a row."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index("| from | to | least role | when |")
    moves: dict[tuple[State, State], Role] = {}
    for line in itertools.takewhile(lambda s: s.startswith("|"), lines[start + 2 :]):
        sources, target, role, _ = (cell.strip() for cell in line.strip("|").split("|"))
        for source in sources.split(","):
            move = (State(source.strip()), State(target))
            assert move not in moves, f"{move} is documented twice"
            moves[move] = Role(role)
    return moves


EXPECTED = documented_moves()


def test_transition_table_is_the_documented_one() -> None:
    assert len(EXPECTED) == 12  # the table was read, not skipped
    assert TRANSITIONS == EXPECTED


@pytest.mark.parametrize(("move", "role"), sorted(EXPECTED.items()))
def test_each_move_needs_its_role(move: tuple[State, State], role: Role) -> None:
    check_transition(*move, role)
    check_transition(*move, Role.MAINTAINER)
    lower = [r for r in Role if list(Role).index(r) < list(Role).index(role)]
    for weaker in lower:
        with pytest.raises(InvalidTransitionError) as caught:
            check_transition(*move, weaker)
        assert caught.value.code == "state.not_allowed"


def test_moves_outside_the_table_are_refused() -> None:
    refused = [(a, b) for a, b in itertools.product(State, State) if (a, b) not in EXPECTED]
    assert (State.ACCEPTED, State.REJECTED) in refused
    for current, target in refused:
        with pytest.raises(InvalidTransitionError) as caught:
            check_transition(current, target, Role.MAINTAINER)
        assert caught.value.code == "state.invalid_transition"
        assert current.label in caught.value.message


def test_final_states_have_no_way_out_and_work_states_are_the_workers() -> None:
    assert not [move for move in TRANSITIONS if move[0] in FINAL_STATES]
    assert {State.RECEIVED, State.VALIDATING, State.REPRODUCING} == WORK_STATES
    assert State.AWAITING_REVIEW.label == "awaiting review"
