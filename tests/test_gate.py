"""Costly requests take turns (webapp/gate.py); `confarchive serve` configures waitress for idle and slow clients."""

from __future__ import annotations

import pytest
import waitress.adjustments

from confarchive.serving import waitress_settings
from tests.conftest import make_app


@pytest.fixture
def app(index_dir):
    app = make_app(index_dir)
    app.config.update(HEAVY_WAIT_SECONDS=0.05)
    return app


def hold_every_slot(app) -> list:
    slots = app.extensions["confarchive.heavy_slots"]
    taken = []
    while slots.acquire(blocking=False):
        taken.append(slots)
    return taken


@pytest.mark.parametrize("url", ["/api/search?q=genom~2", "/search?q=gen*", "/quotes?q=consent~1",
                                 "/api/search?q=one+two+three+four+five+six+seven+eight+nine", "/api/search.csv",
                                 "/api/quotes.json?q=data", "/api/quotes/export?ids=x&format=csv", "/?q=gen*"])
def test_a_costly_request_without_a_free_slot_is_a_503_with_retry_after(app, url):
    taken = hold_every_slot(app)
    response = app.test_client().get(url)
    for slots in taken:
        slots.release()
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    message = ("The server is busy with other costly searches and exports. Try again in a few seconds, or use fewer "
               "words, fuzzy~ or prefix* terms.")
    if url.startswith("/api/"):
        assert response.get_json() == {"error": message, "status": 503}
    else:
        assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/api/search?q=genomics", "/search?q=data+sharing", "/talks/dngc-2025-s2-james-buchanan",
                                 "/api/suggest?q=gen", "/topics", "/api/talks?per_page=5"])
def test_ordinary_requests_never_wait_for_a_slot(app, url):
    taken = hold_every_slot(app)
    response = app.test_client().get(url)
    for slots in taken:
        slots.release()
    assert response.status_code == 200


def test_slots_are_given_back(app):
    client = app.test_client()
    for _ in range(5):
        assert client.get("/api/search?q=genom~2").status_code == 200
    assert len(hold_every_slot(app)) == app.config["HEAVY_REQUEST_SLOTS"] == 2


def test_request_bodies_over_the_limit_are_refused(app):
    response = app.test_client().post("/curate/login", data={"name": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 413


def test_waitress_settings_are_valid_and_bounded():
    settings = waitress_settings(8)
    adjusted = waitress.adjustments.Adjustments(**settings)
    assert (adjusted.threads, adjusted.connection_limit, adjusted.channel_timeout) == (8, 1000, 30)
    assert adjusted.max_request_body_size == 1024 * 1024 and adjusted.max_request_header_size == 64 * 1024
    assert adjusted.trusted_proxy is None


def test_a_trusted_proxy_sets_scheme_and_address_only():
    adjusted = waitress.adjustments.Adjustments(**waitress_settings(8, trusted_proxy="127.0.0.1"))
    assert adjusted.trusted_proxy == "127.0.0.1" and adjusted.trusted_proxy_count == 1
    assert adjusted.trusted_proxy_headers == {"x-forwarded-for", "x-forwarded-proto"}
    assert adjusted.clear_untrusted_proxy_headers is True
