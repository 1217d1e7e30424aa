"""Signing librarians in and out; every curation page needs a signed-in librarian whose session has not expired."""

from __future__ import annotations

import time

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
    """The signed-in account, or None; an expired session or a removed account signs the librarian out."""
    name = session.get("user")
    if not isinstance(name, str):
        return None
    if not signed_in():
        session.pop("user", None)
        session.pop("signed_in_at", None)
        flash("Your session has expired; please sign in again.", "notice")
        return None
    return name


@bp.app_template_global("librarian_signed_in")
def signed_in() -> bool:
    """Whether a librarian is signed in (session not expired, account still there); changes nothing."""
    name, since = session.get("user"), session.get("signed_in_at")
    if not isinstance(name, str) or not isinstance(since, (int, float)):
        return False
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    return time.time() - since <= lifetime and _still_exists(name)


def _still_exists(name: str) -> bool:
    try:
        return users().exists(name)
    except UserError:
        return False


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
    if target and target.startswith("/curate") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("curation.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("curation/login.html", next=request.args.get("next", ""), name="",
                               no_accounts=_no_accounts())
    name = request.form.get("name", "").strip().lower()
    address = request.remote_addr or "unknown"
    wait = throttle().wait_seconds(name, address)
    if wait:
        return _login_error(name, _locked_message(name, wait), 429)
    if not users().verify(name, request.form.get("password", "")):
        delay = throttle().failed(name, address)
        message = "Wrong account name or password."
        return _login_error(name, f"{message} {_locked_message(name, delay)}" if delay else message, 401)
    throttle().succeeded(name, address)
    _start_session(name)
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
    session.clear()  # nothing from before signing in carries over
    session.permanent = True
    session["user"] = name
    session["signed_in_at"] = time.time()
    csrf.renew()


@bp.post("/logout")
def logout():
    session.clear()
    csrf.renew()
    flash("You are signed out.", "notice")
    return redirect(url_for("curation.login"), code=303)
