"""One enum names each normalisation: its URL value, its words and its unit suffix."""

from __future__ import annotations

import pytest

from leaderboard.errors import LeaderboardError
from leaderboard.filters import Filters
from leaderboard.normalisation import DERIVED_NOTE, Normalisation
from leaderboard.queries import metric_units


def test_values_stay_the_strings_urls_and_sql_carry() -> None:
    assert [n.value for n in Normalisation] == [
        "per_accelerator",
        "reported",
        "per_node",
        "per_watt",
    ]
    assert Normalisation("per_watt") == "per_watt"  # a StrEnum: links and SQL see the string


@pytest.mark.parametrize(
    ("normalisation", "shown"),
    [
        (Normalisation.REPORTED, "tokens/s"),
        (Normalisation.PER_ACCELERATOR, f"tokens/s per accelerator ({DERIVED_NOTE})"),
        (Normalisation.PER_NODE, f"tokens/s per node ({DERIVED_NOTE})"),
        (Normalisation.PER_WATT, f"tokens/s per W ({DERIVED_NOTE})"),
    ],
)
def test_the_unit_label_comes_from_the_member(normalisation: Normalisation, shown: str) -> None:
    assert metric_units("tokens/s", normalisation) == shown
    assert normalisation.is_derived == (normalisation is not Normalisation.REPORTED)


def test_a_plain_value_becomes_the_member_and_an_unknown_one_is_the_users_error() -> None:
    assert Filters(normalisation="per_node").normalisation is Normalisation.PER_NODE  # type: ignore[arg-type]
    with pytest.raises(LeaderboardError) as caught:
        Filters(normalisation="per_dollar")  # type: ignore[arg-type]
    assert caught.value.code == "query.normalisation"
    assert "per_accelerator, reported, per_node, per_watt" in caught.value.message
