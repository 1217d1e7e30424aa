"""The search page: results with snippets, a facet sidebar, removable filter chips, paging."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from indexer import Searcher

from . import links
from .index import get_handle
from .params import search_request

bp = Blueprint("search", __name__)

FACET_TITLES = {"topic": "Topic", "kind": "Kind", "session": "Session", "speaker": "Speaker",
                "organisation": "Organisation", "country": "Country", "conference": "Conference", "year": "Year",
                "language": "Language"}
FACETS_SHOWN = 8


@bp.get("/")
@bp.get("/search")
def search():
    search_req = search_request(request.args, strict=False)
    handle = get_handle()
    response = Searcher(handle).search(search_req)
    return render_template("search.html", r=response, links=links, facet_titles=FACET_TITLES,
                           facets_shown=FACETS_SHOWN, catalogue=handle.meta.get("catalogue", {}),
                           labels=handle.facets)
