"""A record's history: every kept version with what changed, one version in full, and revert."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from archive.history import content_hash, unified_diff
from archive.writer import read_text

from . import bp
from .common import diff_rows, history, index_queue, record_or_404
from .editing import CONFLICT, FAILED, INVALID, SAVED
from .editor import KIND_RULE, queue_reindex, save_recorded


@bp.get(f"/{KIND_RULE}/<ident>/history")
def history_page(kind: str, ident: str):
    return _history_page(record_or_404(kind, ident))


def _history_page(ref, message: str = "", problems=(), status: int = 200):
    current = read_text(ref.path)
    versions = history().versions(ref.rel)
    entries, newer = [], current
    for version in versions:  # newest first: each entry shows the change its user made to it
        text = version.text()
        entries.append((version, diff_rows(unified_diff(text, newer, "before", "after")), "created" if text == "" else
                        "restore" if version.restored else "save"))
        newer = text
    return render_template("curation/history.html", ref=ref, entries=entries, base_hash=content_hash(current),
                           message=message, problems=problems, labels=_labels(versions),
                           indexing=index_queue().status(ref.ident)), status


def _labels(versions) -> dict:
    """Version name -> when the version it restored was saved, for the saves that were restores."""
    by_name = {v.name: v for v in versions}
    return {v.name: by_name.get(v.restored) for v in versions if v.restored}


@bp.get(f"/{KIND_RULE}/<ident>/history/<name>")
def version_page(kind: str, ident: str, name: str):
    ref = record_or_404(kind, ident)
    version = history().version(ref.rel, name)
    if version is None:
        abort(404, description=f"{ref.rel} has no kept version '{name}'.")
    current = read_text(ref.path)
    return render_template("curation/version.html", ref=ref, version=version, text=version.text(),
                           base_hash=content_hash(current),
                           diff=diff_rows(unified_diff(version.text(), current, f"version {name}", "current file")))


@bp.post(f"/{KIND_RULE}/<ident>/revert")
def revert(kind: str, ident: str):
    ref = record_or_404(kind, ident)
    version = history().version(ref.rel, request.form.get("version", ""))
    if version is None:
        abort(400, description="Choose one of the versions listed on the history page to revert to.")
    outcome = save_recorded(ref, version.text(), request.form.get("base_hash", ""), restoring=version.name)
    if outcome.status == CONFLICT:
        return _history_page(ref, "The record was changed after you opened this page, so nothing was reverted. "
                                  "Look at the newest change below, then revert again if you still want to.",
                             status=409)
    if outcome.status == INVALID:
        return _history_page(ref, "That version no longer passes validation, so it was not restored:",
                             outcome.errors, status=400)
    if outcome.status == FAILED:
        return _history_page(ref, outcome.message, status=503)
    if outcome.status == SAVED:
        flash(f"Restored the version that {version.user} replaced on {version.saved_at:%Y-%m-%d %H:%M:%S} UTC. "
              "The text it replaced is kept in the history too.", "success")
        queue_reindex([ref.ident])
    else:
        flash("That version is the same as the current text; nothing changed.", "notice")
    return redirect(url_for(".history_page", kind=ref.kind, ident=ref.ident), code=303)
