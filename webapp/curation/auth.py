"""Signing librarians in and out; every curation page needs a signed-in librarian whose session has not expired."""

from __future__ import annotations

import hmac
import time
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for

from archive.users import UserError, UserStore

from . import bp, csrf
from .reindex import warm_up_once

OPEN_ENDPOINTS = {"curation.login"}


def users() -> UserStore:
    return UserStore(current_app.config["USERS_FILE"])


def throttle():
    return current_app.extensions["confarchive.login_throttle"]


def current_user() -> str | None:
    """The signed-in account, or None; an expired session, or one the account has ended (sign-out elsewhere,
    password change, account removed), signs the librarian out."""
    name, since = session.get("user"), session.get("signed_in_at")
    if not isinstance(name, str) or not isinstance(since, (int, float)):
        return None
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    expired = time.time() - since > lifetime
    if expired or not _still_valid(name, session.get("sessions")):
        for key in ("user", "signed_in_at", "sessions"):
            session.pop(key, None)
        flash(f"Your session has {'expired' if expired else 'ended'}; please sign in again.", "notice")
        return None
    return name


@bp.app_template_global("librarian_signed_in")
def signed_in() -> bool:
    """Whether a librarian is signed in (session not expired, its token still the account's own); changes nothing."""
    name, since = session.get("user"), session.get("signed_in_at")
    if not isinstance(name, str) or not isinstance(since, (int, float)):
        return False
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    return time.time() - since <= lifetime and _still_valid(name, session.get("sessions"))


def _still_valid(name: str, token) -> bool:
    """Is this session's token still the account's own (checked against the account file on every request)?"""
    try:
        current = users().session_token(name)
    except UserError:
        return False
    return bool(current) and isinstance(token, str) and hmac.compare_digest(current.encode(), token.encode())


@bp.before_request
def guard():
    """Sign-in first, then the CSRF token on anything that is not a plain read."""
    g.user = current_user()
    if g.user is None and request.endpoint not in OPEN_ENDPOINTS:
        target = request.full_path.rstrip("?") if request.method in csrf.SAFE_METHODS else None
        return redirect(url_for("curation.login", next=target), code=303)
    if request.method not in csrf.SAFE_METHODS:
        csrf.check()
    return None


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of the editor on this site, else the editor's start page."""
    if isinstance(target, str) and _is_local_editor_path(target):
        return target
    return url_for("curation.index")


def _is_local_editor_path(target: str) -> bool:
    if len(target) > 2000 or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target) or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and (parts.path == "/curate" or parts.path.startswith("/curate/"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("curation/login.html", next=request.args.get("next", ""), name="",
                               no_accounts=_no_accounts())
    name = request.form.get("name", "").strip().lower()
    address = request.remote_addr or "unknown"
    wait = throttle().begin(name, address)  # books this check, so parallel guesses count against the limit
    if wait:
        return _login_error(name, _locked_message(name, wait), 429)
    try:
        right = users().verify(name, request.form.get("password", ""))
    except BaseException:
        throttle().cancel(name, address)
        raise
    if not right:
        delay = throttle().failed(name, address)
        message = "Wrong account name or password."
        return _login_error(name, f"{message} {_locked_message(name, delay)}" if delay else message, 401)
    throttle().succeeded(name, address)
    try:
        _start_session(name)
    except UserError as exc:
        return _login_error(name, f"You could not be signed in: {exc}.", 503)
    warm_up_once(current_app.config["CORPUS_DIR"])  # saves will follow: have the corpus parsed by then
    return redirect(_safe_next(request.form.get("next")), code=303)


def _locked_message(name: str, seconds: int) -> str:
    return (f"Too many failed sign-ins for '{name}' from your address: wait {seconds} seconds "
            "before trying again.")


def _login_error(name: str, message: str, status: int):
    return render_template("curation/login.html", error=message, name=name, next=request.form.get("next", ""),
                           no_accounts=_no_accounts()), status


def _no_accounts() -> bool:
    try:
        return not users().names()
    except UserError:
        return False


def _start_session(name: str) -> None:
    token = users().session_token(name) or users().end_sessions(name)  # an account from before tokens gets one
    session.clear()  # nothing from before signing in carries over
    session.permanent = True
    session["user"] = name
    session["signed_in_at"] = time.time()
    session["sessions"] = token
    csrf.renew()


@bp.post("/logout")
def logout():
    """Sign out everywhere: the account's session token is replaced, so no copy of any of its cookies works."""
    name = g.user
    session.clear()
    csrf.renew()
    try:
        users().end_sessions(name)
    except UserError as exc:
        flash(f"You are signed out in this browser, but your other sessions could not be ended: {exc}. "
              "Ask an administrator to run `confarchive users sign-out NAME`.", "warning")
    else:
        flash("You are signed out, in this browser and every other one.", "notice")
    return redirect(url_for("curation.login"), code=303)
