"""Routes of the read API, its one error shape, and its caches.

Every query parameter goes through :func:`leaderboard.params.parse` (strict: an unknown or
repeated name, a hostile number, an unknown benchmark or round is a 400 naming each problem);
every answer is computed from one cursor taken for the request and closed after it; every
failure a client can cause is a JSON error with a stable code, and anything else is logged
with its traceback and answered as ``api.internal`` without details.

Answers carry an ``ETag`` built from the data version (it changes whenever results are added,
withdrawn or reinstated) and the snapshot served, so a client or a proxy can revalidate
cheaply; answers for the same version and query are kept in a small in-memory cache.

A reader process serves the newest published snapshot and says which in the
``Inferboard-Snapshot`` header; ``as_of=N`` pins snapshot N while it is kept (410
``snapshot.pruned`` after, 404 ``snapshot.unknown`` for one never published).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Final, Generic, Protocol, TypeVar

import duckdb
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from leaderboard import queries
from leaderboard.errors import LeaderboardError
from leaderboard.filters import KnownValues
from leaderboard.params import (
    FILTER_PARAMS,
    PARAMETERS,
    VIEW_PARAMS,
    ParsedQuery,
    Problem,
    parse,
)
from leaderboard.snapshot_shelf import ResultsSource
from leaderboard.snapshots import Reading, SnapshotInfo
from public_api import answers

LOG = logging.getLogger("inferboard.api")
MAX_PARAMETERS: Final = 100
ROW_PARAMS: Final = frozenset({"limit", "offset"})
# a client's request this server cannot serve (400, 404, 410); anything else (snapshot.none:
# a reader before the first snapshot) is the server's state, 503
SNAPSHOT_STATUS: Final = {
    "snapshot.pruned": 410,
    "snapshot.unknown": 404,
    "snapshot.not_kept": 400,
}


class CursorSource(Protocol):
    """Anything that hands out a DuckDB cursor per use: a Store on one file."""

    def cursor(self) -> duckdb.DuckDBPyConnection: ...


class _OneFile:
    """A plain cursor source as a results source: no snapshots to pin."""

    def __init__(self, source: CursorSource) -> None:
        self._source = source

    def read(self, as_of: int | None = None) -> Reading:
        if as_of is not None:
            raise LeaderboardError(
                "snapshot.not_kept",
                "this server serves one database file and keeps no snapshots to pin",
                "drop as_of from the query",
            )
        return Reading(self._source.cursor(), None)

    def current(self) -> SnapshotInfo | None:
        return None


class ApiError(Exception):
    """A client's mistake: answered as ``{"error": {code, message, problems}}``."""

    def __init__(
        self, status: int, code: str, message: str, problems: tuple[Problem, ...] = ()
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.problems = status, code, message, problems


@dataclass(frozen=True)
class Endpoint:
    """One route: what it answers, in which formats, with which parameters (the index and
    the docs test read this table)."""

    path: str
    formats: tuple[str, ...]
    parameters: frozenset[str]
    help: str


RESULT_PARAMS: Final = FILTER_PARAMS | VIEW_PARAMS | ROW_PARAMS | {"as_of"}
SYSTEM_PARAMS: Final = (FILTER_PARAMS - {"scenario", "normalisation"}) | ROW_PARAMS | {"as_of"}
ENDPOINTS: Final = {
    "results": Endpoint(
        "/v1/results.{format}",
        ("json", "csv", "parquet"),
        RESULT_PARAMS,
        "the leaderboard's rows for the same parameters as its URL, sorted as it sorts them",
    ),
    "systems": Endpoint(
        "/v1/systems.{format}",
        ("json", "csv", "parquet"),
        SYSTEM_PARAMS,
        "systems with a published result (in 'benchmark' when given), newest rounds first",
    ),
    "changes": Endpoint(
        "/v1/changes.{format}",
        ("json", "csv", "parquet"),
        ROW_PARAMS | {"as_of"},
        "the public change log: results added, withdrawn, invalidated, reinstated",
    ),
    "benchmarks": Endpoint(
        "/v1/benchmarks.{format}",
        ("json", "csv"),
        frozenset({"as_of"}),
        "every benchmark and scenario with its number of published results",
    ),
    "dataset": Endpoint(
        "/v1/dataset.{format}",
        ("parquet",),
        frozenset({"as_of"}),
        "every stored result with its system, hardware and status, in one file",
    ),
}


@dataclass(frozen=True)
class _Frozen:
    """A computed answer as bytes: every request gets its own Response built from it. A
    cached Response object must never be sent twice: the server's gzip middleware rewrote
    the shared object's headers, and a repeated request got the compressed length and an
    empty body (found by bench/cluster_bench.py through nginx)."""

    body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, response: Response) -> _Frozen:
        return cls(bytes(response.body), response.status_code, tuple(response.headers.items()))

    def response(self, extra: dict[str, str]) -> Response:
        headers = {**dict(self.headers), **extra}
        return Response(content=self.body, status_code=self.status, headers=headers)


T = TypeVar("T")


class _Memo(Generic[T]):
    """A small LRU of computed answers, keyed by data version and request (thread-safe)."""

    def __init__(self, entries: int = 64, max_bytes: int = 64 * 2**20) -> None:
        self._items: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()
        self._entries, self._max_bytes = entries, max_bytes

    def get(self, key: str, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        size = len(value.body) if isinstance(value, _Frozen) else 0
        if size <= self._max_bytes:
            with self._lock:
                self._items[key] = value
                while len(self._items) > self._entries:
                    self._items.popitem(last=False)
        return value


@contextmanager
def _reading(source: ResultsSource, as_of: int | None = None) -> Iterator[Reading]:
    try:
        reading = source.read(as_of)
    except LeaderboardError as exc:
        message = f"{exc.message}; {exc.hint}" if exc.hint else exc.message
        status = SNAPSHOT_STATUS.get(exc.code, 503)
        # the client's as_of is the problem: said like every other bad parameter
        problems = (Problem(exc.code, "as_of", message),) if status < 500 else ()
        raise ApiError(status, exc.code, message, problems) from exc
    try:
        yield reading
    finally:
        reading.cursor.close()


def _served(version: str, snapshot: SnapshotInfo | None) -> str:
    """What an answer depends on: the data version and the snapshot served (a catalogue fix
    changes only the snapshot)."""
    return f"{version}@snapshot {snapshot.version}" if snapshot else version


def _checked(request: Request, endpoint: Endpoint) -> tuple[str, ParsedQuery]:
    fmt = request.path_params["format"]
    if fmt not in endpoint.formats:
        raise ApiError(
            404,
            "api.unknown_format",
            f"no format {fmt[:20]!r} here; use one of: {', '.join(endpoint.formats)}",
        )
    pairs = request.query_params.multi_items()
    if len(pairs) > MAX_PARAMETERS:
        raise ApiError(400, "query.too_many_parameters", f"at most {MAX_PARAMETERS} parameters")
    return fmt, parse(pairs, endpoint.parameters)


def _summary(problems: tuple[Problem, ...]) -> str:
    first = problems[0].message
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    return f"{first}{more}"


def _etag(version: str, request: Request) -> str:
    day = datetime.now(UTC).date().isoformat()  # the footnote's retrieval date
    text = f"{version}|{day}|{request.url.path}|{sorted(request.query_params.multi_items())}"
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


class _Api:
    """The handlers, bound to one cursor source and its caches."""

    def __init__(self, source: ResultsSource) -> None:
        self.source = source
        self.memo: _Memo[_Frozen] = _Memo()
        self.known: _Memo[KnownValues] = _Memo(entries=4)

    def answer(self, request: Request, name: str) -> Response:
        endpoint = ENDPOINTS[name]
        fmt, parsed = _checked(request, endpoint)
        if parsed.problems and name not in ("results", "systems"):
            raise ApiError(400, "query.invalid", _summary(parsed.problems), parsed.problems)
        with _reading(self.source, parsed.integer("as_of")) as reading:
            cursor = reading.cursor
            version = queries.data_version(cursor)
            etag = _etag(_served(version, reading.snapshot), request)
            served = {"Inferboard-Snapshot": reading.snapshot.header()} if reading.snapshot else {}
            if etag in request.headers.get("if-none-match", ""):
                return Response(status_code=304, headers={"ETag": etag, **served})
            frozen = self.memo.get(
                etag, lambda: _Frozen.of(self._compute(cursor, name, fmt, parsed, version))
            )
        return frozen.response({"ETag": etag, **served})

    def _compute(
        self,
        cursor: duckdb.DuckDBPyConnection,
        name: str,
        fmt: str,
        parsed: ParsedQuery,
        version: str,
    ) -> Response:
        if name in ("results", "systems"):
            known = self.known.get(version, lambda: queries.known_values(cursor))
            filters = parsed.filters()
            given = set(parsed.values)
            if name == "systems" and "benchmark" not in given:
                filters = replace(filters, benchmark="")  # any benchmark
            problems = [
                *parsed.problems,
                *queries.unknown_values(filters, known, given),
            ]
            if problems:
                raise ApiError(400, "query.invalid", _summary(tuple(problems)), tuple(problems))
            if name == "results":
                return answers.results(cursor, filters, parsed, fmt, version)
            return answers.systems(cursor, filters, parsed, fmt, version)
        if name == "changes":
            return answers.changes(cursor, parsed, fmt, version)
        if name == "benchmarks":
            return answers.benchmarks(cursor, fmt, version)
        return answers.dataset(cursor, version)

    def index(self, request: Request) -> Response:
        if request.query_params:
            raise ApiError(400, "query.invalid", "the index takes no parameters")
        with _reading(self.source) as reading:
            version = queries.data_version(reading.cursor)
        snapshot = reading.snapshot
        served = {"Inferboard-Snapshot": snapshot.header()} if snapshot else {}
        # the API's own root (Starlette's Mount puts "/api" in root_path)
        base = f"{request.url.scheme}://{request.url.netloc}{request.scope.get('root_path', '')}"
        return JSONResponse(
            {
                "data_version": version,
                "snapshot": None
                if snapshot is None
                else {
                    "version": snapshot.version,
                    "published_at": f"{snapshot.published_at:%Y-%m-%dT%H:%M:%SZ}",
                },
                "documentation": "docs/api.md in the Inferboard repository",
                "endpoints": {
                    name: {
                        "url": base + endpoint.path,
                        "formats": list(endpoint.formats),
                        "parameters": {p: PARAMETERS[p].help for p in sorted(endpoint.parameters)},
                        "help": endpoint.help,
                    }
                    for name, endpoint in ENDPOINTS.items()
                },
            },
            headers=served,
        )


def _error(status: int, code: str, message: str, problems: tuple[Problem, ...] = ()) -> Response:
    body: dict[str, object] = {"code": code, "message": message}
    if problems:
        body["problems"] = [p.as_dict() for p in problems]
    return JSONResponse({"error": body}, status_code=status)


async def _api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return _error(exc.status, exc.code, exc.message, exc.problems)


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return _error(404, "api.not_found", "no such endpoint; GET /api/v1 lists them")
    if exc.status_code == 405:
        return _error(405, "api.method_not_allowed", "the API only answers GET and HEAD")
    return _error(exc.status_code, "api.http", str(exc.detail))


async def _internal_error(request: Request, exc: Exception) -> Response:
    LOG.exception("API request %s failed", request.url.path, exc_info=exc)
    return _error(500, "api.internal", "internal error; it was logged, please try again later")


def api_app(source: ResultsSource | CursorSource) -> Starlette:
    """The API with paths relative to its mount point (``/v1/...``), for ``Mount("/api")``:
    over a results source (snapshots, ``as_of``) or a plain cursor source (one file)."""
    api = _Api(source if isinstance(source, ResultsSource) else _OneFile(source))

    def route(name: str) -> Route:
        def endpoint(request: Request) -> Response:
            return api.answer(request, name)

        return Route(ENDPOINTS[name].path, endpoint, methods=["GET", "HEAD"], name=name)

    return Starlette(
        routes=[
            Route("/", api.index, methods=["GET", "HEAD"]),
            Route("/v1", api.index, methods=["GET", "HEAD"]),
            *(route(name) for name in ENDPOINTS),
        ],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _internal_error,
        },
    )


def build_app(source: ResultsSource | CursorSource) -> Starlette:
    """A standalone server's app: the API at ``/api`` as in the portal, nothing else."""
    return Starlette(routes=[Mount("/api", app=api_app(source))])
