"""The JSON API: search, and listing or fetching talks, speakers and sessions."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from indexer import BadRequest, Searcher, suggestions, TALK_KINDS, get_record, list_records

from .index import get_handle
from .params import page_args, positive_int, search_request
from .serialize import session_json, speaker_json, talk_json

bp = Blueprint("api", __name__, url_prefix="/api")

COLLECTIONS = {"talks": (TALK_KINDS, talk_json), "speakers": (("speaker",), speaker_json),
               "sessions": (("session",), session_json)}


@bp.get("/search")
def search():
    response = Searcher(get_handle()).search(search_request(request.args, strict=True))
    return jsonify(response.as_dict())


@bp.get("/suggest")
def suggest():
    text = request.args.get("q", "")[:100]
    limit = positive_int(request.args, "limit", 8)
    if not 1 <= limit <= 20:
        raise BadRequest("limit must be between 1 and 20")
    found = suggestions(get_handle(), text, limit)
    return jsonify({"query": text, "suggestions": found})


@bp.get("/<any(talks, speakers, sessions):collection>")
def listing(collection: str):
    kinds, to_json = COLLECTIONS[collection]
    page, per_page = page_args(request.args)
    total, records = list_records(get_handle(), kinds, page, per_page)
    return jsonify({"total": total, "page": page, "per_page": per_page, "results": [to_json(r) for r in records]})


@bp.get("/<any(talks, speakers, sessions):collection>/<ident>")
def record(collection: str, ident: str):
    kinds, to_json = COLLECTIONS[collection]
    found = get_record(get_handle(), ident, kinds)
    if found is None:
        abort(404, description=f"no {collection[:-1]} with id '{ident}'")
    return jsonify(to_json(found))


@bp.route("/<path:anything>")
def unknown(anything: str):
    abort(404, description=f"no API endpoint /api/{anything}")
