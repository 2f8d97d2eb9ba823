"""Results withdrawn, invalidated or reinstated after publication.

MLCommons withdraws a result at its submitter's request and invalidates one found wrong after
publication (a failed audit, a rule broken); either way the result leaves every leaderboard
view but stays stored, and the public change log says when and why. A maintainer records it:
``python -m leaderboard withdraw|invalidate|reinstate RESULT_ID... --reason TEXT --by NAME``
(``--by`` stays private). Each call is one transaction; nothing is ever deleted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

import duckdb

from leaderboard import sql
from leaderboard.errors import LeaderboardError
from leaderboard.transactions import transaction

# status -> the statuses a result may have before it (published: never changed, or reinstated)
ALLOWED_FROM: Final = {
    "withdrawn": ("published",),
    "invalidated": ("published", "withdrawn"),
    "reinstated": ("withdrawn", "invalidated"),
}
MAX_REASON_CHARS: Final = 2000


def record_status(
    con: duckdb.DuckDBPyConnection,
    result_ids: list[str],
    status: str,
    reason: str,
    recorded_by: str,
    *,
    at: datetime | None = None,
) -> int:
    """Record ``status`` for every result in ``result_ids`` (all or none); returns how many."""
    if status not in ALLOWED_FROM:
        raise LeaderboardError(
            "status.unknown", f"unknown status {status!r}; use one of {sorted(ALLOWED_FROM)}"
        )
    reason = " ".join(reason.split())
    if not reason:
        raise LeaderboardError(
            "status.reason_required", "say why (--reason): the change log shows it"
        )
    if len(reason) > MAX_REASON_CHARS:
        raise LeaderboardError(
            "status.reason_too_long", f"the reason is {len(reason)} characters; at most 2000"
        )
    if not recorded_by.strip():
        raise LeaderboardError("status.who_required", "say who records this (--by)")
    ids = list(dict.fromkeys(result_ids))
    if not ids:
        raise LeaderboardError("status.no_results", "name at least one result id")
    current = {
        result_id: "published" if now == "reinstated" else now
        for result_id, now in con.execute(sql.CURRENT_STATUS, {"result_ids": ids}).fetchall()
    }
    missing = [i for i in ids if i not in current]
    if missing:
        raise LeaderboardError(
            "status.not_found", f"no result {missing[0]!r} (of {len(missing)} unknown ids)"
        )
    wrong = [i for i in ids if current[i] not in ALLOWED_FROM[status]]
    if wrong:
        raise LeaderboardError(
            "status.not_allowed",
            f"{wrong[0]} is {current[wrong[0]]}; a result can become {status} only when "
            + " or ".join(ALLOWED_FROM[status]),
        )
    when = (at or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    with transaction(con):
        first = con.execute(sql.NEXT_CHANGE_ID).fetchall()[0][0]
        for offset, result_id in enumerate(ids):
            con.execute(
                sql.RECORD_STATUS_CHANGE,
                {
                    "change_id": first + offset,
                    "result_id": result_id,
                    "status": status,
                    "reason": reason,
                    "changed_at": when,
                    "recorded_by": recorded_by.strip(),
                },
            )
    return len(ids)
