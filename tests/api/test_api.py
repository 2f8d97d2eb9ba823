"""The public read API: the leaderboard's rows for the URL's parameters in JSON, CSV and
Parquet with the footnote; systems, the change log, the whole dataset; one JSON error shape
with a stable code for every bad request, never a traceback; nothing written."""

from __future__ import annotations

import io
import json
from datetime import date

import polars as pl
import pyarrow.parquet as pq
import pytest

from leaderboard import queries
from leaderboard.export import export_rows
from leaderboard.filters import Filters
from leaderboard.table import download_columns

from .conftest import sha256

URL = "/api/v1/results"


def test_results_are_the_leaderboards_rows(client, reader) -> None:
    answer = client.get(f"{URL}.json", params={"rounds": "v5.1", "divisions": "closed"})
    assert answer.status_code == 200
    payload = answer.json()
    filters = Filters(rounds=("v5.1",), divisions=("closed",))
    expected = queries.result_rows(reader.cursor(), filters)
    assert payload["total"] == expected.height == len(payload["rows"])
    assert payload["columns"] == download_columns(())
    assert [r["result_id"] for r in payload["rows"]] == expected["result_id"].to_list()
    assert [r["metric"] for r in payload["rows"]] == pytest.approx(expected["metric"].to_list())
    assert "derived, not an official MLPerf result" in payload["footnote"]
    assert payload["query"]["rounds"] == "v5.1" and payload["data_version"]


def test_csv_is_just_rows_and_parquet_keeps_the_footnote(client) -> None:
    params = {"benchmark": "llama2-70b-99", "scenario": "Server", "normalisation": "reported"}
    csv_answer = client.get(f"{URL}.csv", params=params)
    assert csv_answer.headers["content-type"].startswith("text/csv")
    frame = pl.read_csv(io.BytesIO(csv_answer.content))  # any CSV reader takes it as it is
    assert "Server" in csv_answer.headers["inferboard-footnote"]
    assert csv_answer.headers["access-control-allow-origin"] == "*"
    parquet = client.get(f"{URL}.parquet", params=params)
    table = pl.read_parquet(io.BytesIO(parquet.content))
    assert table["result_id"].to_list() == frame["result_id"].to_list()
    metadata = pq.read_metadata(io.BytesIO(parquet.content)).metadata
    assert b"Server" in metadata[b"footnote"]
    assert "attachment" in parquet.headers["content-disposition"]


def test_the_api_and_the_page_download_hold_the_same_rows(client, reader) -> None:
    filters = Filters(vendors=("AMD",), sort="system_name", descending=False)
    rows = queries.result_rows(reader.cursor(), filters)
    page = export_rows(rows, filters, "csv", date.today(), download_columns(filters.columns))
    page_rows = pl.read_csv(io.BytesIO(page))
    api = client.get(f"{URL}.csv", params=filters.to_query_params())
    assert pl.read_csv(io.BytesIO(api.content)).equals(page_rows)


def test_paging_and_columns(client) -> None:
    everything = client.get(f"{URL}.json").json()
    part = client.get(f"{URL}.json", params={"offset": "10", "limit": "5"}).json()
    assert part["rows"] == everything["rows"][10:15]
    assert (part["total"], part["offset"], part["limit"]) == (everything["total"], 10, 5)
    narrow = client.get(f"{URL}.json", params={"columns": "round,system_name"}).json()
    # the chosen columns in their order, the metric right after the system name, id first
    assert narrow["columns"] == ["result_id", "round", "system_name", "metric", "metric_units"]
    assert set(narrow["rows"][0]) == set(narrow["columns"])


HOSTILE = [
    ({"min_accelerators": "²"}, "query.not_an_integer"),
    ({"min_accelerators": "١٢"}, "query.not_an_integer"),
    ({"max_accelerators": "9" * 5000}, "query.too_long"),
    ({"max_accelerators": "99999999999999999999"}, "query.not_an_integer"),
    ({"limit": "0"}, "query.out_of_range"),
    ({"offset": "-1"}, "query.not_an_integer"),
    ({"limit": "NaN"}, "query.not_an_integer"),
    ({"sort": "value; DROP TABLE results"}, "query.unknown_choice"),
    ({"benchmark": "3d-unet-99'--"}, "query.unknown_benchmark"),
    ({"benchmark": "nope"}, "query.unknown_benchmark"),
    ({"scenario": "Nope"}, "query.unknown_scenario"),
    ({"rounds": "v9.9"}, "query.unknown_value"),
    ({"search": "a\x00b"}, "query.control_character"),
    ({"bogus": "1"}, "query.unknown_parameter"),
    ({"normalisation": "per_dollar"}, "query.unknown_choice"),
]


@pytest.mark.parametrize(("params", "code"), HOSTILE)
def test_hostile_parameters_get_a_400_naming_the_problem(client, params, code) -> None:
    answer = client.get(f"{URL}.json", params=params)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "query.invalid"
    assert code in [p["code"] for p in error["problems"]]
    assert "Traceback" not in answer.text and "/work" not in answer.text


def test_repeated_and_several_problems_are_all_reported(client) -> None:
    answer = client.get(f"{URL}.json?sort=round&sort=value&rounds=v9&min_accelerators=x&x=1")
    codes = {p["code"] for p in answer.json()["error"]["problems"]}
    assert codes == {
        "query.repeated",
        "query.unknown_value",
        "query.not_an_integer",
        "query.unknown_parameter",
    }


def test_errors_have_one_shape(client) -> None:
    for path, status, code in [
        ("/api/v1/nothing", 404, "api.not_found"),
        ("/api/v1/results.xml", 404, "api.unknown_format"),
        ("/api/v1/dataset.csv", 404, "api.unknown_format"),
        ("/api/v1/changes.json?benchmark=x", 400, "query.invalid"),
        ("/api/v1?x=1", 400, "query.invalid"),
    ]:
        answer = client.get(path)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), path
    posted = client.post(f"{URL}.json")
    assert (posted.status_code, posted.json()["error"]["code"]) == (405, "api.method_not_allowed")


def test_an_internal_failure_is_logged_not_shown(caplog) -> None:
    from starlette.testclient import TestClient

    from public_api import build_app

    class Broken:
        def cursor(self):
            raise RuntimeError("/secret/path/inferboard.duckdb is corrupt")

    with TestClient(build_app(Broken()), raise_server_exceptions=False) as broken:
        answer = broken.get(f"{URL}.json")
    assert answer.status_code == 500
    assert answer.json() == {
        "error": {
            "code": "api.internal",
            "message": "internal error; it was logged, please try again later",
        }
    }
    assert "/secret/path" in caplog.text  # the server log keeps the traceback


def test_etag_lets_a_client_revalidate(client) -> None:
    first = client.get(f"{URL}.json", params={"rounds": "v6.0"})
    etag = first.headers["etag"]
    again = client.get(f"{URL}.json", params={"rounds": "v6.0"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = client.get(f"{URL}.json", params={"rounds": "v5.1"})
    assert other.headers["etag"] != etag


def test_systems_changes_benchmarks_and_the_dataset(client, reader) -> None:
    systems = client.get("/api/v1/systems.json", params={"search": "MI300X"}).json()
    assert systems["total"] > 0
    assert all(
        "mi300x" in json.dumps(row).lower() for row in systems["rows"]
    )  # name, id or accelerator
    in_benchmark = client.get(
        "/api/v1/systems.csv", params={"benchmark": "llama2-70b-99", "rounds": "v6.0"}
    )
    frame = pl.read_csv(io.BytesIO(in_benchmark.content))
    assert set(frame["round"]) == {"v6.0"}
    changes = client.get("/api/v1/changes.json").json()
    assert changes["rows"][0]["change"] == "added" and changes["rows"][0]["results"] == 12523
    assert "source" not in changes["rows"][0]
    assert client.get("/api/v1/changes.csv").status_code == 200
    benchmarks = client.get("/api/v1/benchmarks.json").json()
    assert {"benchmark": "llama2-70b-99", "scenario": "Offline", "results": 152} in [
        {k: r[k] for k in ("benchmark", "scenario", "results")} for r in benchmarks["rows"]
    ]
    dataset = pl.read_parquet(io.BytesIO(client.get("/api/v1/dataset.parquet").content))
    assert dataset.height == 12523 and set(dataset["status"]) == {"published"}


def test_the_index_lists_every_endpoint_with_its_parameters(client) -> None:
    index = client.get("/api/v1").json()
    assert set(index["endpoints"]) == {"results", "systems", "changes", "benchmarks", "dataset"}
    results = index["endpoints"]["results"]
    assert results["url"].endswith("/api/v1/results.{format}")
    assert "interactivity" not in results["parameters"]
    assert "per_accelerator" in results["parameters"]["normalisation"]


def test_serving_every_route_never_changes_the_file(client, snapshot) -> None:
    before = sha256(snapshot)
    for path in [
        "/api/v1",
        f"{URL}.json",
        f"{URL}.csv?rounds=v5.1",
        f"{URL}.parquet",
        "/api/v1/systems.json",
        "/api/v1/changes.parquet",
        "/api/v1/benchmarks.csv",
        "/api/v1/dataset.parquet",
        f"{URL}.json?benchmark=nope",
    ]:
        assert client.get(path).status_code in (200, 400)
    assert sha256(snapshot) == before


def test_a_seeded_fuzz_of_parameters_never_gets_a_500(client) -> None:
    """Random mixes of real and hostile values for every parameter of every endpoint."""
    import random

    from public_api.app import ENDPOINTS

    values = [
        "", " ", "0", "1", "8", "64", "100000", "100001", "-1", "1e9", "NaN", "Infinity",
        "²", "١٢", "9" * 40, "v5.1", "v5.1,v6.0", "closed", "NVIDIA", "AMD", "Hopper",
        "llama2-70b-99", "resnet", "Server", "SingleStream", "per_watt", "reported", "metric",
        "system_name", "round,metric", ",,,", "%00", "<script>", "' OR 1=1 --", "é" * 300,
        "x" * 600, "datacenter", "edge", "true", "false",
    ]  # fmt: skip
    rng = random.Random(14)
    for _ in range(150):
        name = rng.choice(list(ENDPOINTS))
        endpoint = ENDPOINTS[name]
        fmt = rng.choice(endpoint.formats)
        names = [*sorted(endpoint.parameters), "unknown"]
        params = [(rng.choice(names), rng.choice(values)) for _ in range(rng.randint(0, 5))]
        answer = client.get("/api" + endpoint.path.replace("{format}", fmt), params=params)
        assert answer.status_code in (200, 400), (name, params, answer.text[:300])
        if answer.status_code == 400:
            assert answer.json()["error"]["problems"], (name, params)


def test_a_latency_scenario_is_said_to_be_as_reported(client) -> None:
    answer = client.get(f"{URL}.json", params={"benchmark": "resnet", "scenario": "SingleStream"})
    payload = answer.json()
    assert payload["total"] > 0
    assert "derived" not in payload["footnote"]  # latencies are never divided
    assert all(r["metric_units"].startswith("Latency") for r in payload["rows"])


@pytest.mark.parametrize("search", ["é", "中文", "\u00a0x", "\U0001f600"])
def test_the_footnote_header_is_ascii_whatever_the_query(client, search: str) -> None:
    """A footnote names the filters, a search included: the header carries it in ASCII (a
    Latin-1 byte is legal HTTP, but clients and test tools read headers as ASCII or fail)."""
    answer = client.get(f"{URL}.csv", params={"search": search})
    assert answer.status_code == 200
    header = answer.headers["inferboard-footnote"]
    assert header.isascii() and "search" in header.lower()
