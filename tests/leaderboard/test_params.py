"""Query parameters: one parser for the pages and the API; bad values are problems, not
guesses or tracebacks (hostile values from issue 12 and 14 included)."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from leaderboard import queries
from leaderboard.filters import LIST_FILTERS, MAX_ACCELERATORS, Filters
from leaderboard.params import FILTER_PARAMS, MAX_LIST_ITEMS, PARAMETERS, VIEW_PARAMS, parse
from leaderboard.sql import FILTER_PREDICATES

NAMES = FILTER_PARAMS | VIEW_PARAMS | {"interactivity", "limit", "offset"}


def _round_trip(filters: Filters) -> Filters:
    parsed = parse(filters.to_query_params().items(), NAMES)
    assert parsed.problems == ()
    return parsed.filters()


def test_filters_round_trip_through_the_url() -> None:
    filters = Filters(
        rounds=("v5.1", "v6.0"),
        search="H200",
        normalisation="per_node",
        descending=False,
        max_accelerators=64,
        system_types=("edge", "datacenter"),
    )
    params = filters.to_query_params()
    assert params["rounds"] == "v5.1,v6.0"
    assert _round_trip(filters) == filters
    assert _round_trip(Filters()) == Filters()
    assert Filters().to_query_params() == {}  # defaults keep links short


def test_every_field_of_the_filters_travels_through_the_url() -> None:
    # ParsedQuery.filters names the fields one by one: a new field must be added there
    everything = Filters(
        benchmark="gptj-99",
        scenario="Server",
        **{spec.name: (f"{spec.name}-a", f"{spec.name}-b") for spec in LIST_FILTERS},
        min_accelerators=2,
        max_accelerators=64,
        search="H200",
        normalisation="per_watt",
        sort="power",
        descending=False,
        columns=("system_name", "metric"),
    )
    default = Filters()
    assert all(
        getattr(everything, spec.name) != getattr(default, spec.name) for spec in fields(Filters)
    )
    assert _round_trip(everything) == everything
    # over another base, a field the URL leaves out keeps the base's value
    base = Filters(search="B200", rounds=("v5.1",))
    parsed = parse([("scenario", "Server")], NAMES)
    assert parsed.filters(base) == replace(base, scenario="Server")


def test_accessors_refuse_a_parameter_of_another_kind() -> None:
    parsed = parse([("limit", "5"), ("rounds", "v5.1"), ("interactivity", "2.5")], NAMES)
    assert parsed.integer("limit") == 5
    assert parsed.items("rounds") == ("v5.1",)
    assert parsed.number("interactivity") == 2.5
    assert parsed.integer("offset") is None  # not given
    with pytest.raises(TypeError, match="'rounds' is of kind 'list', not 'text'"):
        parsed.text("rounds")
    with pytest.raises(TypeError, match="'limit' is of kind 'int', not 'float'"):
        parsed.number("limit")


def test_every_list_filter_has_a_parameter_and_a_predicate() -> None:
    for spec in LIST_FILTERS:
        assert PARAMETERS[spec.name].kind == "list"
        assert spec.name in FILTER_PREDICATES
        assert spec.name in FILTER_PARAMS


@pytest.mark.parametrize(
    ("pairs", "code"),
    [
        ([("min_accelerators", "²")], "query.not_an_integer"),  # passes str.isdigit()
        ([("min_accelerators", "١٢")], "query.not_an_integer"),  # Arabic-Indic digits
        ([("max_accelerators", "9" * 4000)], "query.too_long"),
        ([("max_accelerators", "9" * 400)], "query.not_an_integer"),
        ([("max_accelerators", "-3")], "query.not_an_integer"),
        ([("max_accelerators", "5000000")], "query.out_of_range"),
        ([("min_accelerators", "64"), ("max_accelerators", "8")], "query.empty_range"),
        ([("interactivity", "NaN")], "query.not_a_number"),
        ([("interactivity", "inf")], "query.not_a_number"),
        ([("interactivity", "1e3")], "query.not_a_number"),
        ([("interactivity", "0")], "query.out_of_range"),
        ([("limit", "0")], "query.out_of_range"),
        ([("sort", "value; DROP TABLE results")], "query.unknown_choice"),
        ([("normalisation", "per_dollar")], "query.unknown_choice"),
        ([("descending", "maybe")], "query.not_a_boolean"),
        ([("sort", "round"), ("sort", "value")], "query.repeated"),
        ([("benchmark", "a"), ("benchmark", "b")], "query.repeated"),
        ([("search", "x\x00y")], "query.control_character"),
        (
            [("rounds", ",".join(f"v{i}" for i in range(MAX_LIST_ITEMS + 1)))],
            "query.too_many_values",
        ),
        ([("nonsense", "1")], "query.unknown_parameter"),
    ],
)
def test_hostile_values_are_problems_with_codes(pairs, code) -> None:
    parsed = parse(pairs, NAMES)
    assert [p.code for p in parsed.problems] == [code]
    problem = parsed.problems[0]
    assert problem.message and len(problem.message) < 700  # a huge value is never echoed whole
    # the bad value never reaches the filters: they keep their defaults
    assert parsed.filters() == Filters()


def test_lists_accept_commas_and_repeats_and_drop_duplicates() -> None:
    parsed = parse([("rounds", "v5.1,v6.0"), ("rounds", "v5.1"), ("rounds", " v4.1 ,,")], NAMES)
    assert parsed.values["rounds"] == ("v5.1", "v6.0", "v4.1")


def test_pages_ignore_parameters_that_are_not_theirs() -> None:
    # Streamlit's history can hand a page another page's parameters (portal.url_state)
    parsed = parse([("system", "x"), ("rounds", "v5.1")], NAMES, strict=False)
    assert parsed.problems == ()
    assert parsed.values == {"rounds": ("v5.1",)}


def test_values_the_data_does_not_hold_are_named(cur) -> None:
    known = queries.known_values(cur)
    filters = Filters(benchmark="no-such-model", rounds=("v9.9",), families=("Hopper",))
    problems = queries.unknown_values(filters, known, {"benchmark", "rounds", "families"})
    assert [(p.code, p.parameter) for p in problems] == [
        ("query.unknown_benchmark", "benchmark"),
        ("query.unknown_value", "rounds"),
    ]
    assert "llama2-70b-99" in problems[0].message  # says what exists
    scenario = queries.unknown_values(Filters(scenario="Nope"), known, {"scenario"})
    assert scenario[0].code == "query.unknown_scenario"
    # defaults are never reported, even when the URL did not name them
    assert queries.unknown_values(Filters(), known, set()) == []
    # lists travel comma-joined: no value a list filter can take may hold a comma
    assert all("," not in str(v) for spec in LIST_FILTERS for v in known.values[spec.name])
    assert "edge" in known.values["system_types"]
    assert max(known.accelerator_counts) <= MAX_ACCELERATORS


def test_with_list_sets_one_list_filter_and_refuses_other_fields() -> None:
    narrowed = Filters(rounds=("v5.0", "v5.1")).with_list("rounds", ("v5.1",))
    assert narrowed == Filters(rounds=("v5.1",))
    with pytest.raises(KeyError, match="not a list filter"):
        Filters().with_list("benchmark", ("gptj-99",))
