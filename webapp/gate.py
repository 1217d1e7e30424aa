"""Costly requests take turns: at most HEAVY_REQUEST_SLOTS run at once, so cheap ones always find a thread and a core.

A request is costly when it asks for an export, or for a search whose words expand (fuzzy~, prefix*)
or are many (more than HEAVY_WORDS). When every slot is taken, a costly request waits up to
HEAVY_WAIT_SECONDS for one, then gets a 503 with Retry-After instead of holding a server thread.
Everything else (pages, plain searches, the API's records) never waits here.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app, g, request

from .errors import error_response

HEAVY_PATHS = ("/api/search.", "/api/quotes.", "/api/quotes/export")
HEAVY_WORDS = 8
RETRY_AFTER_SECONDS = 2


def is_heavy() -> bool:
    """Does this request ask for work that can take a large share of a second on a large archive?"""
    if request.path.startswith(HEAVY_PATHS):
        return True
    if not request.path.startswith(("/search", "/api/search", "/quotes", "/api/quotes")) and request.path != "/":
        return False
    query = request.args.get("q", "")
    return "~" in query or "*" in query or len(query.split()) > HEAVY_WORDS


def init_app(app: Flask) -> None:
    app.config.setdefault("HEAVY_REQUEST_SLOTS", 2)
    app.config.setdefault("HEAVY_WAIT_SECONDS", 0.5)
    app.extensions["confarchive.heavy_slots"] = threading.BoundedSemaphore(app.config["HEAVY_REQUEST_SLOTS"])

    @app.before_request
    def take_a_slot():
        if not is_heavy():
            return None
        slots = current_app.extensions["confarchive.heavy_slots"]
        if not slots.acquire(timeout=current_app.config["HEAVY_WAIT_SECONDS"]):
            response = error_response("The server is busy with other costly searches and exports. Try again in a "
                                      "few seconds, or use fewer words, fuzzy~ or prefix* terms.", 503)
            response = current_app.make_response(response)
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        g.heavy_slot = slots
        return None

    @app.teardown_request
    def give_it_back(exc=None):
        slots = g.pop("heavy_slot", None)
        if slots is not None:
            slots.release()
