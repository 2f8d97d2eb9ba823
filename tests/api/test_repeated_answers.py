"""A cached answer is sent whole every time, behind a gzip middleware too (as Streamlit's
server runs the API): the second identical request once got the compressed length and an
empty body, because the cached Response object itself was rewritten by the middleware."""

from __future__ import annotations

import json

from starlette.middleware.gzip import GZipMiddleware
from starlette.testclient import TestClient

from public_api import build_app


def test_the_same_query_twice_through_gzip_gets_the_whole_answer_both_times(reader) -> None:
    app = GZipMiddleware(build_app(reader), minimum_size=100)
    with TestClient(app) as client:
        url = "/api/v1/results.json?rounds=v6.0"
        answers = [client.get(url, headers={"Accept-Encoding": "gzip"}) for _ in range(3)]
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all(a.headers["content-encoding"] == "gzip" for a in answers)
    bodies = [json.loads(a.content) for a in answers]
    assert bodies[0] == bodies[1] == bodies[2] == json.loads(plain.content)
    assert bodies[0]["total"] > 0
    assert "content-encoding" not in plain.headers
