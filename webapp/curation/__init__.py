"""Librarians' web editor: sign-in, edit forms with preview (notes and topics beside the fields), history
with word-level diffs and revert, new speakers, the taxonomy and synonyms forms, coalesced background
reindexing with its status, and the data-quality dashboard.

Settings (in the app config, or the environment for `confarchive serve`):
- USERS_FILE: the account file (env CONFARCHIVE_USERS; default instance/users.json; `confarchive users`
  uses the same default, or --users-file);
- HISTORY_DIR: where previous versions are kept (env CONFARCHIVE_HISTORY; default <CORPUS_DIR>/.history);
- PERMANENT_SESSION_LIFETIME: how long a sign-in lasts (default 8 hours);
- SESSION_COOKIE_SECURE: send the session cookie over HTTPS only (env CONFARCHIVE_SECURE_COOKIES=1); without
  it the cookie is still marked Secure on every request that arrived over HTTPS (directly, or through a
  proxy trusted with `confarchive serve --trusted-proxy`); it is always HttpOnly and SameSite=Lax;
- LOGIN_MAX_FAILURES, LOGIN_LOCKOUT_SECONDS: failed sign-ins allowed before a lock-out, and its first length;
- REBUILD_WAIT_SECONDS: how long the reindexing waits for another build to finish before giving up;
- REINDEX_DELAY_SECONDS: how long a save waits for others to index with it (env CONFARCHIVE_REINDEX_DELAY;
  default 0: an update starts at once, and saves made while it runs are indexed together by the next);
  REINDEX_MAX_DELAY_SECONDS caps the wait after the first of them (default 10);
- COMPACT_IDLE_SECONDS: once updates have piled up segments, how long without a save before they are
  merged in the background (env CONFARCHIVE_COMPACT_IDLE; default 30).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from flask import Blueprint, Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface

bp = Blueprint("curation", __name__, url_prefix="/curate")

SESSION_LIFETIME = timedelta(hours=8)


class HttpsAwareSessions(SecureCookieSessionInterface):
    """Signed cookie sessions whose cookie is Secure when configured so, and on any request made over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)


def default_users_file() -> Path:
    """$CONFARCHIVE_USERS, else users.json in the instance folder (where the default index lives too)."""
    return Path(os.environ.get("CONFARCHIVE_USERS") or Path(Flask("webapp").instance_path) / "users.json")


@bp.record_once
def _configure(state) -> None:
    """Defaults for the settings above; values already in the config (tests, instance/config.py) win."""
    app: Flask = state.app
    config = app.config
    config.setdefault("USERS_FILE", str(default_users_file()))
    config.setdefault("HISTORY_DIR", os.environ.get("CONFARCHIVE_HISTORY") or None)
    config.setdefault("LOGIN_MAX_FAILURES", 5)
    config.setdefault("LOGIN_LOCKOUT_SECONDS", 60)
    config.setdefault("REBUILD_WAIT_SECONDS", 60)
    config.setdefault("REINDEX_DELAY_SECONDS", float(os.environ.get("CONFARCHIVE_REINDEX_DELAY") or 0.0))
    config.setdefault("REINDEX_MAX_DELAY_SECONDS", 10.0)
    config.setdefault("COMPACT_IDLE_SECONDS", float(os.environ.get("CONFARCHIVE_COMPACT_IDLE") or 30.0))
    if config["PERMANENT_SESSION_LIFETIME"] == Flask.default_config["PERMANENT_SESSION_LIFETIME"]:
        config["PERMANENT_SESSION_LIFETIME"] = SESSION_LIFETIME
    config["SESSION_COOKIE_HTTPONLY"] = True
    # The cookie is sent only when the session changes. Refreshed on every response, a status poll that left
    # before a save's response and came back after it put back the session from before the save, dropping
    # the save's message; nothing is lost by not refreshing: a sign-in lasts from signed_in_at, not the cookie.
    config["SESSION_REFRESH_EACH_REQUEST"] = False
    app.session_interface = HttpsAwareSessions()
    if config.get("SESSION_COOKIE_SAMESITE") is None:
        config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if os.environ.get("CONFARCHIVE_SECURE_COOKIES", "").lower() in ("1", "true", "yes"):
        config["SESSION_COOKIE_SECURE"] = True
    from .throttle import LoginThrottle

    app.extensions["confarchive.login_throttle"] = LoginThrottle(config["LOGIN_MAX_FAILURES"],
                                                                 config["LOGIN_LOCKOUT_SECONDS"])


from . import auth, common, dashboard, editor, history_views, indexing_views, new_speaker, topics_view, vocabulary  # noqa: E402,F401  (they add routes and helpers to bp)
