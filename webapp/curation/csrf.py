"""A per-session token that every form which writes must send back (protection against cross-site requests)."""

from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session

FIELD = "csrf_token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def token() -> str:
    """This session's token, created on first use; templates put it in a hidden field."""
    if not isinstance(session.get(FIELD), str):
        session[FIELD] = secrets.token_urlsafe(32)
    return session[FIELD]


def renew() -> None:
    """A fresh token, on signing in and out."""
    session[FIELD] = secrets.token_urlsafe(32)


def check() -> None:
    """Abort with 400 unless the request carries this session's token."""
    expected = session.get(FIELD)
    sent = request.form.get(FIELD, "")
    if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), sent.encode()):
        abort(400, description="The form's security token is missing or out of date. "
                               "Go back, reload the page and submit the form again.")
