"""The search page: results with snippets, a facet sidebar, removable filter chips, paging."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request

from indexer import Searcher, FACETS, titles

from archive.formats import offered

from . import links
from .index import get_handle
from .params import search_request
from .result_meta import results_meta

bp = Blueprint("search", __name__)

FACET_TITLES = titles()
SEARCH_EXPORTS = [(f.label, f"/api/search.{f.name}") for f in offered("search")]  # the formats table's
FACETS_SHOWN = 8
SEVERAL_ONLY = tuple(f.name for f in FACETS if f.several_only)  # one conference, year or language says nothing


@bp.record_once
def _template_globals(state) -> None:
    """Values a facet lists apart, under their own heading (affiliation "countries" that are not countries)."""
    state.app.jinja_env.globals["facet_apart"] = {f.name: (f.apart_title, f.apart) for f in FACETS if f.apart}


def past_the_end(response, path: str, style: str = ""):
    """A page past the last one: a redirect to the last page, or a 404 when nothing matches."""
    if response.page <= max(response.pages, 1):
        return None
    if not response.total:
        abort(404, description=f"There is no page {response.page}: nothing matches this search.")
    return redirect(links.styled(links.page_url(response, response.pages, path), style), code=302)


@bp.get("/search")
def search():
    search_req = search_request(request.args, strict=False)
    handle = get_handle()
    response = Searcher(handle).search(search_req)
    if (moved := past_the_end(response, "/search")) is not None:
        return moved
    catalogue = handle.meta.get("catalogue", {})
    return render_template("search.html", r=response, links=links, facet_titles=FACET_TITLES,
                           facets_shown=FACETS_SHOWN, several_only=SEVERAL_ONLY, catalogue=catalogue, labels=handle.facets,
                           meta=results_meta(response.results, catalogue), exports=SEARCH_EXPORTS)
