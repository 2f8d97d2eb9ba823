"""An acceptance reaches the readers: the writer publishes a snapshot after the commit, and a
reader's shelf watching the folder switches to it within seconds (issue 16)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from leaderboard import queries
from leaderboard.db import Store
from leaderboard.filters import Filters
from leaderboard.snapshot_shelf import SnapshotShelf
from submissions.service import SubmissionService
from submissions.worker import Worker
from tests.submissions.conftest import ALICE, MAINTAINER

pytestmark = pytest.mark.slow  # the worker, an acceptance and a reader: 6 s

NEW_SYSTEM = "NEW-1-node-4x-BMG-B70"


def test_an_acceptance_publishes_a_snapshot_a_running_reader_picks_up(
    service: SubmissionService, store: Store, make_bundle_zip: Callable[[str], Path]
) -> None:
    with make_bundle_zip(NEW_SYSTEM).open("rb") as stream:
        submission = service.receive(ALICE, stream, "intel-v6.zip").submission_id
    assert Worker(service, service.settings).run_until_idle() == 1
    # every source: an accepted submission is not among the official results (the default)
    filters = Filters(
        benchmark="llama2-70b-99", scenario="Offline", search=NEW_SYSTEM, provenance=()
    )
    with SnapshotShelf(store.settings.snapshots_path, poll_s=0.1).start() as reader:
        before = reader.current()
        assert before is not None
        seen = reader.read()
        assert queries.result_rows(seen.cursor, filters).height == 0
        # the workflow's own writes (receipt, validation, review) published nothing
        assert before.version == 1
        service.accept(
            MAINTAINER,
            submission,
            "logs and system description checked",
            confirm_organisations=["Intel"],  # alice is mapped to no organisation
        )
        started = time.monotonic()
        while reader.current().version == before.version:  # type: ignore[union-attr]
            assert time.monotonic() - started < 10, "the reader did not switch in 10 s"
            time.sleep(0.05)
        after = reader.read()
        assert after.snapshot.version == 2  # type: ignore[union-attr]
        rows = queries.result_rows(after.cursor, filters)
        assert rows["verification"].to_list() == [f"accepted submission {submission}"]
        assert after.snapshot.data_version == queries.data_version(store.cursor())  # type: ignore[union-attr]
        tables = {
            r[0] for r in after.cursor.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        assert not {"submissions", "audit_log"} & tables, "no workflow table in a snapshot"
