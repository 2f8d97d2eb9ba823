"""Results withdrawn, invalidated or reinstated after publication, and the public change log:
the result leaves every view but stays stored; the log says when and why and nothing private."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from leaderboard import queries
from leaderboard.__main__ import main as cli
from leaderboard.changelog import change_log
from leaderboard.corrections import record_status
from leaderboard.db import open_store
from leaderboard.errors import LeaderboardError
from leaderboard.filters import Filters
from leaderboard.ingest import insert_rows
from leaderboard.seed import read_seed

AMD = "v5.1/closed/AMD/8xMI300X_2xEPYC_9575F"
AMD_OFFLINE = "v5.1/closed/AMD/results/8xMI300X_2xEPYC_9575F/llama2-70b-99/Offline"


def test_a_withdrawn_result_leaves_every_view_and_the_log_says_why(fresh_settings) -> None:
    with open_store(fresh_settings) as store:
        cur = store.cursor()
        before = queries.data_version(cur)
        assert AMD_OFFLINE in queries.result_rows(cur, Filters())["result_id"].to_list()
        when = datetime.now(UTC) + timedelta(hours=1)  # after the seed's import
        reason = "  submitter's request "
        assert record_status(cur, [AMD_OFFLINE], "withdrawn", reason, "Mia", at=when) == 1
        assert queries.data_version(cur) != before  # caches see it at once
        assert AMD_OFFLINE not in queries.result_rows(cur, Filters())["result_id"].to_list()
        assert (
            AMD_OFFLINE
            not in queries.dataset(cur)
            .filter(pl.col("status") == "published")["result_id"]
            .to_list()
        )
        # still stored, and marked on its system's page
        status = dict(queries.system_results(cur, AMD).select("result_id", "status").rows())
        assert status[AMD_OFFLINE] == "withdrawn"
        log = change_log(cur)
        assert log["change"].to_list() == ["withdrawn", "added"]
        withdrawn = log.row(0, named=True)
        assert withdrawn["reason"] == "submitter's request"
        assert withdrawn["changed_at"] == when.replace(tzinfo=None)  # stored in UTC
        assert withdrawn["result_ids"] == [AMD_OFFLINE]
        assert (withdrawn["rounds"], withdrawn["benchmarks"]) == (["v5.1"], ["llama2-70b-99"])
        assert "Mia" not in str(log.to_dicts())  # who recorded it stays private
        # reinstated: back in every view
        later = when + timedelta(hours=1)
        record_status(cur, [AMD_OFFLINE], "reinstated", "withdrawn by mistake", "Mia", at=later)
        assert AMD_OFFLINE in queries.result_rows(cur, Filters())["result_id"].to_list()
        assert change_log(cur)["change"].to_list()[0] == "reinstated"


def test_status_changes_are_checked_and_all_or_nothing(fresh_settings) -> None:
    with open_store(fresh_settings) as store:
        cur = store.cursor()
        cases = [
            (([AMD_OFFLINE], "deleted", "x", "Mia"), "status.unknown"),
            (([AMD_OFFLINE], "withdrawn", "   ", "Mia"), "status.reason_required"),
            (([AMD_OFFLINE], "withdrawn", "x" * 2001, "Mia"), "status.reason_too_long"),
            (([AMD_OFFLINE], "withdrawn", "x", " "), "status.who_required"),
            (([], "withdrawn", "x", "Mia"), "status.no_results"),
            (([AMD_OFFLINE, "v9.9/none"], "withdrawn", "x", "Mia"), "status.not_found"),
            (([AMD_OFFLINE], "reinstated", "x", "Mia"), "status.not_allowed"),
        ]
        for args, code in cases:
            with pytest.raises(LeaderboardError) as caught:
                record_status(cur, *args)
            assert caught.value.code == code
        assert cur.execute("SELECT count(*) FROM result_status_changes").fetchall() == [(0,)]
        record_status(cur, [AMD_OFFLINE], "invalidated", "failed the audit", "Mia")
        with pytest.raises(LeaderboardError, match="only when published"):
            record_status(cur, [AMD_OFFLINE], "withdrawn", "again", "Mia")


def test_additions_say_why_they_count_and_never_where_from(fresh_settings) -> None:
    with open_store(fresh_settings) as store:
        cur = store.cursor()
        extra = (
            read_seed(fresh_settings.seed_path)
            .head(2)
            .with_columns((pl.col("result_id") + "-accepted").alias("result_id"))
        )
        insert_rows(
            cur,
            extra,
            import_id="submission:7",
            kind="submission",
            source="submission 7 (/srv/private/vendor-bundle.zip)",
            verification="accepted submission 7",
        )
        log = change_log(cur)
        added = log.filter(pl.col("change") == "added")
        assert added["results"].to_list() == [2, 12523]
        assert "accepted by a maintainer" in added["reason"][0]
        assert "published by MLCommons" in added["reason"][1]
        assert "/srv" not in str(log.to_dicts()) and "vendor-bundle" not in str(log.to_dicts())


def test_the_command_line_records_and_lists_changes(fresh_settings, capsys) -> None:
    db = str(fresh_settings.db_path)
    with open_store(fresh_settings):
        pass
    assert cli(["--db", db, "withdraw", AMD_OFFLINE, "--reason", "asked to", "--by", "Mia"]) == 0
    assert "1 results withdrawn" in capsys.readouterr().out
    assert cli(["--db", db, "withdraw", AMD_OFFLINE, "--reason", "again", "--by", "Mia"]) == 2
    assert "status.not_allowed" in capsys.readouterr().err
    assert cli(["--db", db, "changes"]) == 0
    assert "withdrawn" in capsys.readouterr().out
