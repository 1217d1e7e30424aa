"""The Flask app: search pages, record pages and the JSON API over one published index."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from indexer import MAX_BODY_BYTES

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def default_paths() -> tuple[Path, Path]:
    """The shipped corpus and the index under the instance folder, without building the whole app."""
    instance = Path(Flask(__name__).instance_path)
    corpus = os.environ.get("CONFARCHIVE_CORPUS") or str(DEFAULT_CORPUS)
    index = os.environ.get("CONFARCHIVE_INDEX") or str(instance / "index")
    return Path(corpus), Path(index)


def create_app(config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then the given config (tests pass theirs here)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("CONFARCHIVE_SECRET_KEY") or os.urandom(32).hex(),
        CORPUS_DIR=os.environ.get("CONFARCHIVE_CORPUS") or str(DEFAULT_CORPUS),
        INDEX_DIR=os.environ.get("CONFARCHIVE_INDEX") or str(Path(app.instance_path) / "index"),
        BASE_URL=os.environ.get("CONFARCHIVE_BASE_URL", ""),  # empty: site.DEFAULT_BASE_URL
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,  # a larger body is refused with 413 before it is read
    )
    if config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(config)
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    from . import api, briefing_views, curation, errors, gate, home, index, pages, quotes, search_views, security, site

    index.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    site.init_app(app)
    gate.init_app(app)
    app.register_blueprint(home.bp)
    app.register_blueprint(search_views.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(quotes.bp)
    app.register_blueprint(briefing_views.bp)
    app.register_blueprint(curation.bp)
    _warn_if_behind(app)
    return app


def _warn_if_behind(app: Flask) -> None:
    """Log, at start-up, edits that were saved to the corpus but never reached the index."""
    from indexer import pending

    waiting = pending.pending(app.config["INDEX_DIR"])
    if waiting:
        app.logger.warning(pending.describe(waiting))
