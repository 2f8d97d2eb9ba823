"""Leaderboard speed: server-side time from a filter change to the built table and figures,
the read API's answer, and the first render in a browser.

Measures, with warm-up and medians (the first runs after start are slower):
  1. on the seed (12,523 results): the view (cached data read), its sorted table and the shown
     figure per filter change; and the same with every registered chart plus the frontier;
  2. on about 1,000,000 synthetic results (the seed replicated under new ids);
  3. the read API over HTTP (uvicorn on loopback, as the portal serves it) answering a
     filtered results.json on the 1M-row database, each request a new query (no answer
     cache), side by side with the same rows read straight from DuckDB into Polars in
     process (the same columns; no HTTP, no JSON): the floor of that query;
  4. first full render of /leaderboard in headless Chromium (goto -> first Plotly chart):
     cold server (new DB: the launcher opens and seeds it first), warm server with a fresh
     browser context, and a returning browser (its cache warm); side by side with the same
     render of a bare Streamlit page (a title, a 200-row table and one Plotly bar chart, no
     database), the floor this framework sets on this machine.
Targets (issues 3 and 14): 50 ms seed, 300 ms 1M rows, API 100 ms on 1M rows, first render 3 s.

Usage: .venv/bin/python -m bench.leaderboard_bench [--repeats N] [--no-browser]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from duckdb import DuckDBPyConnection as Cursor

from leaderboard import frontier, queries
from leaderboard.charts import CHARTS
from leaderboard.db import Store, open_store
from leaderboard.filters import Filters
from leaderboard.normalisation import Normalisation
from leaderboard.settings import LeaderboardSettings
from tests.support.portal import chromium, free_port, is_healthy, running_portal, stop_process

if TYPE_CHECKING:  # the test extra's Playwright, imported by tests.support.portal.chromium
    from playwright.sync_api import Browser, BrowserContext

ROOT = Path(__file__).resolve().parents[1]
# the work a filter change costs on one cursor (build_page, build_view)
PageWork = Callable[[Cursor, Filters], int]

BARE_PAGE = """
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(layout="wide")
st.title("Leaderboard")
rng = np.random.default_rng(0)
frame = pd.DataFrame({"system": [f"system {i}" for i in range(200)], "value": rng.random(200)})
st.plotly_chart(go.Figure(go.Bar(x=frame["system"][:20], y=frame["value"][:20])))
st.dataframe(frame)
"""

FILTER_CHANGES = (
    Filters(),
    Filters(rounds=("v5.1",)),
    Filters(rounds=("v5.1",), normalisation=Normalisation.PER_ACCELERATOR),
    Filters(divisions=("closed",), vendors=("NVIDIA",)),
    Filters(search="H200"),
    Filters(scenario="Server"),
    Filters(normalisation=Normalisation.PER_WATT, sort="system_name", descending=False),
)


API_QUERIES = (
    "",
    "rounds=v5.1",
    "rounds=v5.1&normalisation=reported",
    "divisions=closed&vendors=NVIDIA",
    "search=H200",
    "scenario=Server",
    "normalisation=per_watt&sort=system_name&descending=0",
)


def build_page(cursor: Cursor, filters: Filters) -> int:
    """What the page does after a filter change, minus drawing: the data read (the cache key
    is the data part), the table sorted by the view state, and the shown figure."""
    view = queries.leaderboard_view(cursor, filters.data_only())
    rows = queries.sort_rows(view.rows, filters)
    built = CHARTS["best"].build(view)
    return rows.height + len(getattr(built, "data", ()))


def build_view(cursor: Cursor, filters: Filters) -> int:
    """The page's work plus every registered chart and the frontier (an upper bound)."""
    view = queries.leaderboard_view(cursor, filters.data_only())
    built = [chart.build(view) for chart in CHARTS.values()]
    points = frontier.measured_points(view.paired)
    built.append(frontier.frontier_figure(points, [], None, view.normalisation))
    return queries.sort_rows(view.rows, filters).height + len(built)


def time_filter_changes(cursor: Cursor, repeats: int, build: PageWork = build_page) -> list[float]:
    for filters in FILTER_CHANGES:  # warm-up
        build(cursor, filters)
    samples = []
    for _ in range(repeats):
        for filters in FILTER_CHANGES:
            start = time.perf_counter()
            build(cursor, filters)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def replicate(cursor: Cursor, copies: int) -> int:
    """Grow the database to seed x copies results under new ids (synthetic, for timing only)."""
    cursor.execute(
        "INSERT INTO systems SELECT s.* REPLACE (system_uid || '#' || i AS system_uid,"
        " system_id || '#' || i AS system_id) FROM systems AS s, range(1, $n) AS t(i)",
        {"n": copies},
    )
    cursor.execute(
        "INSERT INTO results SELECT r.* REPLACE (result_id || '#' || i AS result_id,"
        " system_uid || '#' || i AS system_uid, value * (1 + i / 1000.0) AS value)"
        " FROM results AS r, range(1, $n) AS t(i)",
        {"n": copies},
    )
    (count,) = cursor.execute("SELECT count(*) FROM results").fetchall()[0]
    return int(count)


def time_api(store: Store, cursor: Cursor, repeats: int) -> tuple[list[float], list[float]]:
    """Milliseconds per results.json over HTTP (each a new query: the answer cache is
    defeated by a distinct ``limit``), and per in-process read of the same rows."""
    import threading

    import httpx
    import uvicorn

    from leaderboard.params import parse
    from leaderboard.table import download_columns
    from public_api import build_app
    from public_api.app import RESULT_PARAMS

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(build_app(store), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    api, floor = [], []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for query in API_QUERIES:  # warm-up (plans, the known-values cache)
                client.get(f"/api/v1/results.json?{query}").raise_for_status()
            serial = 0
            for _ in range(repeats):
                for query in API_QUERIES:
                    serial += 1
                    url = f"/api/v1/results.json?{query}&limit={1_000_000 - serial}"
                    start = time.perf_counter()
                    client.get(url.replace("?&", "?")).raise_for_status()
                    api.append((time.perf_counter() - start) * 1000)
                    filters = parse(parse_qsl(query), RESULT_PARAMS).filters()
                    start = time.perf_counter()
                    queries.result_rows(cursor, filters, download_columns(filters.columns))
                    floor.append((time.perf_counter() - start) * 1000)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return api, floor


def _render(
    browser: Browser, base: str, context: BrowserContext | None = None, path: str = "/leaderboard"
) -> float:
    """Seconds from navigation to the first drawn Plotly chart of ``path``."""
    own = context is None
    context = context or browser.new_context()
    page = context.new_page()
    start = time.perf_counter()
    page.goto(f"{base}{path}")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    took = time.perf_counter() - start
    page.close()
    if own:
        context.close()
    return took


def first_render(runs: int) -> dict[str, list[float]]:
    """First render in headless Chromium, as the portal is started (`python -m portal`).

    cold: a new server on a new database file: the launcher opens, migrates and seeds it
    before it answers, then the first visitor's render (server caches empty). warm: later
    visitors on the same server, each in a fresh browser context (nothing cached in the
    browser). returning: a second visit in the same context (the browser's cache is warm).
    """
    out: dict[str, list[float]] = {"start": [], "cold": [], "warm": [], "returning": []}
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        env = {"INFERBOARD_DB_PATH": str(Path(tmp) / "render.duckdb")}
        started = time.perf_counter()
        with running_portal(env) as base:
            out["start"].append(time.perf_counter() - started)
            out["cold"].append(_render(browser, base))
            for _ in range(runs):
                out["warm"].append(_render(browser, base))
            for _ in range(runs):
                context = browser.new_context()
                _render(browser, base, context)
                out["returning"].append(_render(browser, base, context))
                context.close()
    return out


def bare_render(runs: int) -> dict[str, list[float]]:
    """The baseline: the same measurement on a bare Streamlit page served by `streamlit run`."""
    out: dict[str, list[float]] = {"warm": [], "returning": []}
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        script = Path(tmp) / "bare.py"
        script.write_text(BARE_PAGE)
        port = free_port()
        with (Path(tmp) / "log").open("wb") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(script),
                 "--server.headless", "true", "--server.address", "127.0.0.1",
                 "--server.port", str(port), "--browser.gatherUsageStats", "false"],
                cwd=tmp, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while not is_healthy(base) and time.monotonic() < deadline:
                time.sleep(0.2)
            _render(browser, base, path="/")  # starts the server's script runner
            for _ in range(runs):
                out["warm"].append(_render(browser, base, path="/"))
            for _ in range(runs):
                context = browser.new_context()
                _render(browser, base, context, path="/")
                out["returning"].append(_render(browser, base, context, path="/"))
                context.close()
        finally:
            stop_process(server)
    return out


def report(name: str, samples: list[float], target: float, unit: str) -> None:
    median = statistics.median(samples)
    p90 = sorted(samples)[int(len(samples) * 0.9)]
    print(
        f"{name:<52} median {median:8.1f} {unit}  p90 {p90:8.1f}"
        f" {unit}  target {target:6.0f} {unit}  median/target {median / target:5.2f}"
        f"  ({'OK' if median < target else 'MISSED'}, n={len(samples)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} on {os.cpu_count()} cores (others' work inflates timings)")
    with tempfile.TemporaryDirectory() as tmp:
        settings = LeaderboardSettings(db_path=Path(tmp) / "bench.duckdb")
        with open_store(settings) as store:
            cursor = store.cursor()
            seed_rows = "seed (12,523 results)"
            report(
                f"{seed_rows}: table + shown figure",
                time_filter_changes(cursor, args.repeats),
                50,
                "ms",
            )
            report(
                f"{seed_rows}: table + every chart + frontier",
                time_filter_changes(cursor, args.repeats, build_view),
                50,
                "ms",
            )
            total = replicate(cursor, 80)
            big = f"synthetic ({total:,} results)"
            report(
                f"{big}: table + shown figure",
                time_filter_changes(cursor, max(1, args.repeats // 2)),
                300,
                "ms",
            )
            report(
                f"{big}: table + every chart + frontier",
                time_filter_changes(cursor, max(1, args.repeats // 2), build_view),
                300,
                "ms",
            )
            api, floor = time_api(store, cursor, max(1, args.repeats // 2))
            report(f"{big}: API results.json over HTTP", api, 100, "ms")
            report(f"{big}: baseline, same rows in process", floor, 100, "ms")
            print(
                f"API / in-process baseline = "
                f"{statistics.median(api) / statistics.median(floor):.2f}"
            )
    if not args.no_browser:
        renders = first_render(max(3, args.repeats))
        print(
            f"cold server start (opens, migrates and seeds a new DB): {renders['start'][0]:.2f} s"
        )
        report("first render, cold server (first visitor)", renders["cold"], 3, "s")
        report("first render, warm server, fresh browser", renders["warm"], 3, "s")
        report("first render, warm server, returning browser", renders["returning"], 3, "s")
        bare = bare_render(max(3, args.repeats))
        for kind in ("warm", "returning"):
            ours, bare_s = statistics.median(renders[kind]), statistics.median(bare[kind])
            print(
                f"baseline, bare Streamlit page ({kind}): median {bare_s:.1f} s;"
                f" leaderboard / bare = {ours / bare_s:.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
