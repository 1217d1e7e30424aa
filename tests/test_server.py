"""The real thing: `confarchive serve` (waitress) in a subprocess, answering over HTTP with the right headers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.server

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def fetch(url: str) -> tuple[int, dict, str]:
    """GET a URL; return status, headers and body text, for error statuses too."""
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, dict(exc.headers), exc.read().decode("utf-8")


def assert_security_headers(headers: dict) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, name


def test_search_page_over_http(live_server):
    status, headers, body = fetch(live_server.url + "/search?q=genomes&kind=talk")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Server"] == "confarchive"
    assert_security_headers(headers)
    assert "14 results for “genomes”" in body
    assert '<html lang="en">' in body
    assert '<mark class="match' in body


def test_browse_page_over_http(live_server):
    status, _, body = fetch(live_server.url + "/search")
    assert status == 200
    assert "68 records in the archive" in body
    status, _, body = fetch(live_server.url + "/")  # the first page
    assert status == 200 and "Conferences in the archive" in body


def test_talk_page_over_http(live_server):
    status, headers, body = fetch(live_server.url + "/talks/dngc-2025-s2-tine-jess")
    assert status == 200
    assert_security_headers(headers)
    assert "<h1>Bridging data silos: PREDICT and disease trajectories in inflammatory bowel disease</h1>" in body
    assert "Crohn’s disease up to nine years before onset" in body


def test_api_over_http(live_server):
    status, headers, body = fetch(live_server.url + "/api/search?q=Lohde")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert_security_headers(headers)
    data = json.loads(body)
    assert data["query"] == "Lohde"
    assert {"dngc-2025-opening-sophie-lohde", "sophie-lohde"} <= {r["id"] for r in data["results"]}
    assert '"Sophie Løhde"' in body


def test_api_record_over_http(live_server):
    status, _, body = fetch(live_server.url + "/api/speakers/britt-elmedal-laursen")
    assert status == 200
    assert json.loads(body)["aliases"] == ["Britt Elmedal"]


@pytest.mark.parametrize("path, status, error", [
    ("/api/talks/nope", 404, "no talk with id 'nope'"),
    ("/api/search?page=0", 400, "page must be 1 or more"),
    ("/api/search?per_page=101", 400, "per_page must be between 1 and 100"),
])
def test_api_errors_over_http(live_server, path, status, error):
    got, headers, body = fetch(live_server.url + path)
    assert got == status
    assert headers["Content-Type"] == "application/json"
    assert_security_headers(headers)
    assert json.loads(body) == {"error": error, "status": status}


def test_unknown_page_is_a_404_page_over_http(live_server):
    status, headers, body = fetch(live_server.url + "/speakers/nope")
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "There is no speaker with the id &#39;nope&#39;." in body


def test_static_files_are_served(live_server):
    status, headers, _ = fetch(live_server.url + "/static/style.css")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_concurrent_requests_get_consistent_answers(live_server):
    urls = [live_server.url + q for q in ("/api/search?q=genomes", "/api/search?kind=panel",
                                          "/api/search?q=Orkild", "/api/talks?per_page=100")] * 6
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(fetch, urls))
    assert {status for status, _, _ in answers} == {200}
    totals = [json.loads(body)["total"] for _, _, body in answers]
    assert totals == [39, 4, 2, 31] * 6
