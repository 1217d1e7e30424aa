"""The app's one IndexStore, opened lazily once per process (never before a server forks)."""

from __future__ import annotations

from flask import Flask, current_app, g

from indexer import IndexStore, IndexHandle


def init_app(app: Flask) -> None:
    app.extensions["confarchive.store"] = IndexStore(app.config["INDEX_DIR"])


def get_handle() -> IndexHandle:
    """The current build; raises IndexUnavailable (a 503) when there is none.

    Each handle given out is kept until the request ends: what hangs on it (its searchers, the quote index, which
    reads its talks) stays usable even when a save publishes a newer build meanwhile."""
    handle = current_app.extensions["confarchive.store"].handle()
    held = g.setdefault("index_handles", [])
    if not held or held[-1] is not handle:
        held.append(handle)
    return handle
