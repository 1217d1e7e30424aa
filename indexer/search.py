"""The search service: one plain result object that the HTML pages, the JSON API and the CLI all render."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from whoosh import highlight

from .facets import FacetBucket
from .query import parse_user_query, make_parser
from .schema import FACET_FIELDS
from .store import IndexHandle

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
SORTS = ("relevance", "programme")
SNIPPET_CHARS = 240


class BadRequest(ValueError):
    """A search parameter the user can fix; the message says how."""


@dataclass
class SearchRequest:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: str = ""

    def validate(self) -> None:
        if self.page < 1:
            raise BadRequest("page must be 1 or more")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise BadRequest(f"per_page must be between 1 and {MAX_PER_PAGE}")
        if self.sort and self.sort not in SORTS:
            raise BadRequest("sort must be one of: " + ", ".join(SORTS))
        unknown = [name for name in self.filters if name not in FACET_FIELDS]
        if unknown:
            raise BadRequest(f"unknown filter '{unknown[0]}'; filters are: " + ", ".join(FACET_FIELDS))


@dataclass
class SearchResponse:
    query: str
    total: int
    page: int
    per_page: int
    sort: str
    results: list[dict]
    facets: dict[str, list[FacetBucket]]
    filters: dict[str, list[str]]
    suggestion: str | None = None
    notices: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def as_dict(self) -> dict:
        """The pinned JSON shape of /api/search."""
        return {"query": self.query, "total": self.total, "page": self.page, "per_page": self.per_page,
                "sort": self.sort, "results": self.results,
                "facets": {name: [b.as_dict() for b in buckets] for name, buckets in self.facets.items()},
                "filters": self.filters, "suggestion": self.suggestion, "notices": self.notices}


class Searcher:
    """Search one open build. Cheap to create: the handle owns the index and its facet tables."""

    def __init__(self, handle: IndexHandle):
        self.handle = handle
        self.searcher = handle.searcher()
        self.table = handle.facets

    def search(self, request: SearchRequest) -> SearchResponse:
        request.validate()
        parsed = parse_user_query(make_parser(self.searcher.schema), request.q)
        filters = {name: _unique(values) for name, values in request.filters.items() if values}
        matching = self._matching(parsed.query)
        selections = {name: self.table.selection(name, values) for name, values in filters.items()}
        hits = _intersect(matching, selections.values())
        sort = request.sort or ("programme" if parsed.is_browse else "relevance")
        results = self._page(parsed, hits, request, sort)
        facets = {name: self.table.count(name, _intersect(matching, [s for n, s in selections.items() if n != name]),
                                         filters.get(name, []))
                  for name in FACET_FIELDS}
        return SearchResponse(parsed.text, len(hits), request.page, request.per_page, sort, results, facets,
                              filters, None, parsed.notices)

    def _matching(self, q) -> set[int]:
        if q.__class__.__name__ == "Every":
            return set(range(self.searcher.doc_count_all()))
        return set(self.searcher.docs_for_query(q))

    def _page(self, parsed, hits: set[int], request: SearchRequest, sort: str) -> list[dict]:
        start = (request.page - 1) * request.per_page
        if start >= len(hits):
            return []
        limit = start + request.per_page
        if sort == "programme":
            found = self.searcher.search(parsed.query, filter=hits, limit=limit, sortedby="programme")
        else:
            found = self.searcher.search(parsed.query, filter=hits, limit=limit)
        found.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=80)
        found.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
        return [self._result(hit, parsed.is_browse) for hit in found[start:limit]]

    def _result(self, hit, browse: bool) -> dict:
        result = dict(hit["payload"])
        snippet = "" if browse else hit.highlights("body", top=2)
        result["snippet"] = snippet or html.escape(_lead(hit["body"]))
        return result


def _intersect(base: set[int], others) -> set[int]:
    result = base
    for other in sorted(others, key=len):
        result = result & other
    return result


def _lead(text: str) -> str:
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
