"""The app's one IndexStore, opened lazily once per process (never before a server forks)."""

from __future__ import annotations

from flask import Flask, current_app

from indexer import IndexStore, IndexHandle


def init_app(app: Flask) -> None:
    app.extensions["confarchive.store"] = IndexStore(app.config["INDEX_DIR"])


def get_handle() -> IndexHandle:
    """The current build; raises IndexUnavailable (a 503) when there is none."""
    return current_app.extensions["confarchive.store"].handle()
