"""The submission states and the moves between them, as data (house style §4).

received → validating → reproducing → awaiting_review → accepted | rejected (and back to
reproducing when a whole accuracy log is uploaded during review); a bundle the
validator rejects goes by itself from validating to rejected_by_validator (final, with its
findings; the submitter is offered a replacement). A submitter can withdraw until a decision
is made. ``validating`` and ``reproducing`` are work the
background worker does; after a restart, submissions found in them are picked up again.
"""

from __future__ import annotations

import enum

from submissions.errors import InvalidTransitionError
from submissions.roles import Role


class State(enum.StrEnum):
    RECEIVED = "received"
    VALIDATING = "validating"
    REPRODUCING = "reproducing"
    AWAITING_REVIEW = "awaiting_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    REJECTED_BY_VALIDATOR = "rejected_by_validator"
    WITHDRAWN = "withdrawn"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES

    @property
    def is_work(self) -> bool:
        """The worker still has something to do."""
        return self in WORK_STATES

    @property
    def label(self) -> str:
        return _LABELS.get(self, self.value.replace("_", " "))

    @property
    def is_rejection(self) -> bool:
        """Final and not accepted: the submitter may send the bundle again or a fixed one."""
        return self in (State.REJECTED, State.REJECTED_BY_VALIDATOR)


_LABELS = {State.REJECTED_BY_VALIDATOR: "rejected by the validator"}
FINAL_STATES = frozenset(
    {State.ACCEPTED, State.REJECTED, State.REJECTED_BY_VALIDATOR, State.WITHDRAWN}
)
WORK_STATES = frozenset({State.RECEIVED, State.VALIDATING, State.REPRODUCING})

# (from, to) -> the least role that may make the move. The worker acts as a maintainer.
TRANSITIONS: dict[tuple[State, State], Role] = {
    (State.RECEIVED, State.VALIDATING): Role.MAINTAINER,
    (State.VALIDATING, State.REPRODUCING): Role.MAINTAINER,
    (State.VALIDATING, State.REJECTED): Role.MAINTAINER,  # timed out or kept failing
    (State.VALIDATING, State.REJECTED_BY_VALIDATOR): Role.MAINTAINER,  # errors: nothing to review
    (State.REPRODUCING, State.AWAITING_REVIEW): Role.MAINTAINER,
    # the owner (or a maintainer) uploads a whole accuracy log during review: the worker
    # reproduces again with it (SubmissionService.attach_accuracy_log, audit "log_attached")
    (State.AWAITING_REVIEW, State.REPRODUCING): Role.SUBMITTER,
    (State.AWAITING_REVIEW, State.ACCEPTED): Role.MAINTAINER,
    (State.AWAITING_REVIEW, State.REJECTED): Role.MAINTAINER,
    # the owner (or a maintainer) may withdraw anything not yet decided
    (State.RECEIVED, State.WITHDRAWN): Role.SUBMITTER,
    (State.VALIDATING, State.WITHDRAWN): Role.SUBMITTER,
    (State.REPRODUCING, State.WITHDRAWN): Role.SUBMITTER,
    (State.AWAITING_REVIEW, State.WITHDRAWN): Role.SUBMITTER,
}


def check_transition(current: State, target: State, role: Role) -> None:
    """Raise :class:`InvalidTransitionError` unless ``role`` may move ``current`` to ``target``."""
    needed = TRANSITIONS.get((current, target))
    if needed is None:
        raise InvalidTransitionError(
            "state.invalid_transition",
            f"a submission that is {current.label} cannot become {target.label}",
        )
    order = list(Role)
    if order.index(role) < order.index(needed):
        raise InvalidTransitionError(
            "state.not_allowed",
            f"only a {needed.value} can move a submission from {current.label} to {target.label}",
        )
