"""Many readers behind nginx: load on loopback with locust, 1 reader against 2, side by side.

For each arrangement (``--readers 1,2``: the writer, that many readers, Debian's nginx, all
started by ``cluster.supervisor``) locust runs, for ``--seconds``:
  - ``--visitors`` simulated visitors, each a real Streamlit session over the WebSocket
    (tests/support/streamlit_client.py, no browser): GET the page's HTML through nginx (which
    sets the sticky cookie), the health and host-config calls the frontend makes, open the
    WebSocket with the cookie and run /leaderboard (a "session"), then change filters (round,
    scenario, metric: each a rerun over the same WebSocket, a "filter change"), and now and
    then start a new session;
  - ``--api-clients`` API clients asking /api/v1/results.json with varied filters.
It prints sessions per second, p50/p95 of a filter change and of an API query, errors, and
the resident memory of every process, with the ratio of 2 readers to 1.

Then the switch: the writer runs in this process (a Store and the SubmissionService, as the
portal's writer holds them) with readers and nginx as processes; a real bundle is received
and validated, and while visitors and API clients keep going it is accepted: the time from
``accept()`` to every reader serving the new snapshot (and the accepted system in the API's
rows) is measured, then ``--probes`` requests through nginx check that none is stale.

Not a browser: no JavaScript, no rendering, no static bundle download after the HTML (a
returning browser has it cached); the server does the same work per session and rerun.
All traffic is loopback; every loop is bounded by ``--seconds`` and stops by itself.

Usage: .venv/bin/python -m bench.cluster_bench [--readers 1,2] [--visitors 8]
       [--api-clients 8] [--seconds 40] [--probes 40]
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()  # locust's users are greenlets; patch before anything opens a socket

import argparse  # noqa: E402
import contextlib  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

import gevent  # noqa: E402
from locust import HttpUser, User, between, task  # noqa: E402
from locust.env import Environment  # noqa: E402

from cluster.nginx import Layout  # noqa: E402
from cluster.supervisor import Cluster, start  # noqa: E402
from tests.support.portal import free_port  # noqa: E402
from tests.support.streamlit_client import SessionError, StreamlitSession  # noqa: E402

# the Round multiselect's values a visitor picks ([] clears it)
ROUNDS: tuple[list[str], ...] = (["v6.0"], ["v5.1"], ["v5.0", "v5.1"], ["v4.1"], [])
SCENARIOS = ("Offline", "Server", "Interactive")
METRICS = ("per accelerator", "as reported", "per node")
API_QUERIES = (
    "rounds=v6.0", "rounds=v5.1&divisions=closed", "scenario=Server&normalisation=reported",
    "benchmark=llama3.1-8b", "vendors=AMD,NVIDIA&limit=20", "search=H200", "",
)  # fmt: skip
SESSION, FILTER, API = "session: open /leaderboard", "filter change", "GET /api/v1/results.json"


def _fire(user: User, kind: str, name: str, started: float, error: Exception | None) -> None:
    user.environment.events.request.fire(
        request_type=kind,
        name=name,
        response_time=(time.perf_counter() - started) * 1000,
        response_length=0,
        exception=error,
        context={},
    )


class Visitor(User):
    """A person on the leaderboard: a Streamlit session, then filter changes."""

    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.session: StreamlitSession | None = None
        self._new_session()

    def on_stop(self) -> None:
        if self.session is not None:
            self.session.close()

    def _new_session(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None
        started = time.perf_counter()
        error: Exception | None = None
        try:
            host = self.host
            if host is None:  # locust's User.host is optional; the bench always sets it
                raise SessionError("the load test names no host")
            with urllib.request.urlopen(f"{host}/leaderboard", timeout=60) as page:
                page.read()
                cookie = (page.headers.get("Set-Cookie") or "").split(";")[0] or None
            for path in ("/_stcore/health", "/_stcore/host-config"):
                request = urllib.request.Request(
                    f"{host}{path}", headers={"Cookie": cookie} if cookie else {}
                )
                with urllib.request.urlopen(request, timeout=60) as answer:
                    answer.read()
            session = StreamlitSession(host, cookie=cookie, timeout_s=60)
            run = session.open("leaderboard")
            if run.errors() or run.page_not_found:
                raise SessionError(f"the page failed: {run.errors()[:1]}")
            self.session = session
        except Exception as exc:  # every failure counts as an error in the figures
            error = exc
        _fire(self, "WS", SESSION, started, error)

    @task(6)
    def change_filter(self) -> None:
        if self.session is None:
            self._new_session()
            return
        label, value = random.choice(
            [("Round", random.choice(ROUNDS)), ("Scenario", random.choice(SCENARIOS)),
             ("Metric", random.choice(METRICS))]
        )  # fmt: skip
        started = time.perf_counter()
        error: Exception | None = None
        try:
            run = self.session.change(label, value)
            if run.errors():
                raise SessionError(f"the rerun failed: {run.errors()[:1]}")
        except Exception as exc:
            error = exc
            self.session.close()
            self.session = None
        _fire(self, "WS", FILTER, started, error)

    @task(1)
    def come_back_later(self) -> None:
        self._new_session()


class ApiClient(HttpUser):
    """A script asking the read API."""

    wait_time = between(0.1, 0.3)

    @task
    def results(self) -> None:
        query = random.choice(API_QUERIES)
        with self.client.get(
            f"/api/v1/results.json?{query}", name=API, catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"status {answer.status_code}: {answer.error}")


@dataclass
class Figures:
    readers: int
    seconds: float
    sessions: int
    session_errors: int
    filter_p50: float
    filter_p95: float
    filter_count: int
    filter_errors: int
    api_p50: float
    api_p95: float
    api_count: int
    api_errors: int
    memory: dict[str, float]
    load: str


def _rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (nginx's worker), in MiB."""
    total = 0.0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for one in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
    return total


def _load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def _run_load(host: str, visitors: int, api_clients: int, seconds: float) -> Environment:
    """``visitors`` and ``api_clients`` users against ``host`` for ``seconds``, then stop."""
    env = Environment(user_classes=[Visitor, ApiClient], host=host)
    Visitor.host = ApiClient.host = host
    runner = env.create_local_runner()
    runner.spawn_users({Visitor.__name__: visitors, ApiClient.__name__: api_clients}, wait=False)
    gevent.sleep(seconds)
    runner.quit()
    return env


def _layout(root: Path, readers: int) -> Layout:
    run = root / f"run-{readers}"
    run.mkdir(parents=True, exist_ok=True)
    return Layout(free_port(), free_port(), tuple(free_port() for _ in range(readers)), run)


def _environ(root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "INFERBOARD_DB_PATH": str(root / "live.duckdb"),
        "INFERBOARD_STORAGE_DIR": str(root / "storage"),
        "INFERBOARD_RUNTIME_DIR": str(root / "portal"),
        "INFERBOARD_SECRETS_PATH": str(root / "no-secrets.toml"),
        "INFERBOARD_DEMO_PROVIDER_PORT": str(free_port()),
        "INFERBOARD_SNAPSHOT_POLL_S": "1.0",
    }


def measure(root: Path, readers: int, args: argparse.Namespace) -> Figures:
    cluster = start(_layout(root, readers), environ=_environ(root), timeout_s=300)
    try:
        _run_load(cluster.url, 2, 2, 5)  # warm-up: first plans, imports, caches
        env = _run_load(cluster.url, args.visitors, args.api_clients, args.seconds)
        memory = {name: _rss_mib(pid) for name, pid in cluster.pids().items()}
    finally:
        cluster.stop()
    stats = env.stats
    for error in list(stats.errors.values())[:5]:  # what failed, said once each
        print(f"  error x{error.occurrences}: {error.method} {error.name}: {error.error}")
    session, change, api = stats.get(SESSION, "WS"), stats.get(FILTER, "WS"), stats.get(API, "GET")
    return Figures(
        readers, args.seconds, session.num_requests - session.num_failures, session.num_failures,
        change.get_response_time_percentile(0.5), change.get_response_time_percentile(0.95),
        change.num_requests, change.num_failures,
        api.get_response_time_percentile(0.5), api.get_response_time_percentile(0.95),
        api.num_requests, api.num_failures, memory, _load(),
    )  # fmt: skip


def _snapshot_version(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return int((answer.headers.get("Inferboard-Snapshot") or "0;").split(";")[0])


def measure_switch(root: Path, args: argparse.Namespace) -> dict[str, float]:
    """An acceptance under load: time until every reader serves it; then stale probes."""
    from leaderboard.db import open_store
    from leaderboard.settings import LeaderboardSettings
    from submissions.service import SubmissionService
    from submissions.settings import SubmissionSettings
    from submissions.worker import Worker
    from tests.submissions.conftest import (
        ALICE,
        MAINTAINER,
        MAINTAINER_EMAIL,
        bundle_tree,
        zip_tree,
    )

    system = "BENCH-1-node-4x-BMG-B70"
    folder = root / "switch"
    folder.mkdir()
    env = _environ(folder)
    store = open_store(LeaderboardSettings(db_path=folder / "live.duckdb", snapshot_poll_s=1.0))
    service = SubmissionService(
        store,
        SubmissionSettings(storage_dir=folder / "storage", maintainers=(MAINTAINER_EMAIL,)),
    )
    archive = zip_tree(bundle_tree(folder / "tree", system), folder / "bundle.zip")
    with archive.open("rb") as stream:
        submission = service.receive(ALICE, stream, "bench.zip").submission_id
    Worker(service, service.settings).run_until_idle()
    layout = _layout(folder, 2)
    cluster: Cluster = start(layout, environ=env, timeout_s=300, writer=False)
    cookies = [f"inferboard_route=probe{i}" for i in range(args.probes)]
    readers_of = {c: c for c in cookies}  # different cookies hash to both readers
    try:
        env_load = Environment(user_classes=[Visitor, ApiClient], host=cluster.url)
        Visitor.host = ApiClient.host = cluster.url
        runner = env_load.create_local_runner()
        runner.spawn_users({"Visitor": args.visitors // 2 or 1, "ApiClient": 2}, wait=False)
        gevent.sleep(5)
        before = _snapshot_version(f"{cluster.url}/api/v1", cookies[0])
        started = time.perf_counter()
        service.accept(MAINTAINER, submission, "bench")
        accepted = time.perf_counter() - started
        pending = set(readers_of)
        deadline = time.monotonic() + 60
        while pending and time.monotonic() < deadline:
            for cookie in list(pending):
                url = f"{cluster.url}/api/v1/results.json?search={system}&limit=1"
                if _snapshot_version(url, cookie) > before:
                    pending.discard(cookie)
            gevent.sleep(0.05)
        switched = time.perf_counter() - started
        stale = 0
        for cookie in cookies:  # after the switch: no answer from an older snapshot
            url = f"{cluster.url}/api/v1/results.json?search={system}&limit=1"
            request = urllib.request.Request(url, headers={"Cookie": cookie})
            with urllib.request.urlopen(request, timeout=30) as answer:
                version = int((answer.headers.get("Inferboard-Snapshot") or "0;").split(";")[0])
                total = int(__import__("json").loads(answer.read())["total"])
            stale += int(version <= before or total == 0)
        runner.quit()
        errors = sum(s.num_failures for s in env_load.stats.entries.values())
        for error in list(env_load.stats.errors.values())[:5]:
            print(f"  error x{error.occurrences}: {error.method} {error.name}: {error.error}")
    finally:
        cluster.stop()
        store.close()
    return {
        "accept_s": accepted, "visible_s": switched, "unswitched": len(pending),
        "stale": stale, "probes": len(cookies), "errors": errors,
    }  # fmt: skip


def _row(label: str, values: list[str]) -> str:
    return f"{label:<34}" + "".join(f"{v:>16}" for v in values)


def _report(results: list[Figures]) -> None:
    """The figures side by side, one column per arrangement."""
    print(_row("", [f"{f.readers} reader(s)" for f in results]))
    rows: list[tuple[str, list[str]]] = [
        ("sessions per second", [f"{f.sessions / f.seconds:.2f}" for f in results]),
        ("sessions (errors)", [f"{f.sessions} ({f.session_errors})" for f in results]),
        (
            "filter change p50 / p95 ms",
            [f"{f.filter_p50:.0f} / {f.filter_p95:.0f}" for f in results],
        ),
        ("filter changes (errors)", [f"{f.filter_count} ({f.filter_errors})" for f in results]),
        ("API query p50 / p95 ms", [f"{f.api_p50:.0f} / {f.api_p95:.0f}" for f in results]),
        ("API queries (errors)", [f"{f.api_count} ({f.api_errors})" for f in results]),
    ]
    for name in sorted({n for f in results for n in f.memory}):
        rows.append(
            (
                f"RSS {name} MiB",
                [f"{f.memory[name]:.0f}" if name in f.memory else "-" for f in results],
            )
        )
    rows.append(("load average after", [f.load for f in results]))
    for label, values in rows:
        print(_row(label, values))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readers", default="1,2")
    parser.add_argument("--visitors", type=int, default=8)
    parser.add_argument("--api-clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--probes", type=int, default=40)
    parser.add_argument("--skip-switch", action="store_true")
    args = parser.parse_args()
    counts = [int(n) for n in args.readers.split(",")]
    print(f"cores {os.cpu_count()}, load {_load()}; {args.visitors} visitors, "
          f"{args.api_clients} API clients, {args.seconds:.0f} s each", flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="inferboard-bench-") as scratch:
        results = [measure(Path(scratch), n, args) for n in counts]
        _report(results)
        if len(results) == 2:
            one, two = results
            print(
                f"ratio {two.readers}/{one.readers} readers: sessions/s "
                f"{(two.sessions / max(one.sessions, 1)):.2f}, filter p95 "
                f"{two.filter_p95 / max(one.filter_p95, 1):.2f}, API p95 "
                f"{two.api_p95 / max(one.api_p95, 1):.2f}, API queries "
                f"{two.api_count / max(one.api_count, 1):.2f}"
            )
        if not args.skip_switch:
            switch = measure_switch(Path(scratch), args)
            print(
                f"acceptance -> visible on every reader: {switch['visible_s']:.2f} s "
                f"(accept() itself {switch['accept_s']:.2f} s, poll 1.0 s); readers not "
                f"switched after 60 s: {switch['unswitched']:.0f}; stale answers after the "
                f"switch: {switch['stale']:.0f} of {switch['probes']:.0f}; errors under load: "
                f"{switch['errors']:.0f}"
            )
    print(f"load average at the end {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
