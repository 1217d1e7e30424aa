"""The first page: what the archive is, the conferences it holds, ways in by topic, example searches and quotes."""

from __future__ import annotations

from flask import Blueprint, render_template

from indexer import SearchRequest, Searcher
from indexer.quotes_index import QuoteRequest

from . import links
from .index import get_handle

bp = Blueprint("home", __name__)

EXAMPLE_SEARCHES = (
    ("European Health Data Space", [("q", "European Health Data Space")]),
    ("consent", [("q", "consent")]),
    ("“data sharing”", [("q", '"data sharing"')]),
    ("artificial intelligence in talks only", [("q", "artificial intelligence"), ("kind", "talk")]),
)


def conference_rows(searcher: Searcher, conferences: list[dict]) -> list[dict]:
    """Each conference with how many talks, panels and Q&As the archive holds from it."""
    rows = []
    for conference in conferences:
        found = searcher.search(SearchRequest(filters={"conference": [conference["id"]],
                                                       "kind": list(links.SPOKEN_KINDS)}, per_page=1))
        rows.append({**conference, "talks": found.total,
                     "url": links.search_url([("conference", conference["id"]), ("sort", "programme")])})
    return rows


@bp.get("/")
def home():
    handle = get_handle()
    searcher = Searcher(handle)
    everything = searcher.search(SearchRequest(per_page=1))
    core = [b for b in everything.facets.get("topic", []) if b.pinned]
    catalogue = handle.meta.get("catalogue", {})
    return render_template("home.html", total=everything.total, core=core,
                           conferences=conference_rows(searcher, catalogue.get("conferences", [])),
                           examples=[(label, links.search_url(pairs)) for label, pairs in EXAMPLE_SEARCHES],
                           quote_total=handle.quotes().search(QuoteRequest(per_page=1)).total)
