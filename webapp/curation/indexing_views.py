"""When is an edit searchable: the reindexing state of a record, or of a full rebuild, as JSON and as a page."""

from __future__ import annotations

from flask import jsonify, render_template, request

from . import bp
from .common import index_queue
from .index_queue import FULL, describe


@bp.get("/indexing/status")
def indexing_status():
    """{"state", "ok", "message", "at", "text"} for ?id=<record id> (or id=* for a full rebuild); null if none."""
    status = index_queue().status(request.args.get("id", ""))
    return jsonify(status.as_dict() if status else None)


@bp.get("/indexing")
def indexing_page():
    """The full rebuild's state (kept up to date by curate.js; without it, by the "Check again" link)."""
    queue = index_queue()
    return render_template("curation/indexing.html", indexing=queue.status(FULL), indexing_key=FULL,
                           compacting=queue.compacting(), compaction=queue.compaction)


@bp.app_template_global("describe_indexing")
def describe_indexing(status) -> str:
    return describe(status)
