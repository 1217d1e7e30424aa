"""The search service: one plain result object that the HTML pages, the JSON API and the CLI all render."""

from __future__ import annotations

import html
import json
import threading
import weakref
from dataclasses import dataclass, field, replace

from whoosh import highlight, query as wq

from .didyoumean import Speller
from .expansion import SynonymExpander
from .facets import FacetBucket, bitmask
from .query import ParsedQuery, extract_field_filters, make_parser, parse_user_query, shorten
from .layout import SUGGEST
from .schema import FACET_FIELDS
from .suggest import Suggester
from .store import IndexHandle, damaged

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
SORTS = ("relevance", "programme")
SNIPPET_CHARS = 240
RERANK_DEPTH = 100  # how many top hits the coordination rerank looks at
COORD_FLOOR = 0.3  # weight left to a document that matches only a small share of the query's words


class BadRequest(ValueError):
    """A search parameter the user can fix; the message says how."""


@dataclass
class SearchRequest:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: str = ""
    exact: bool = False  # search the words as typed, without showing a spelling correction's results

    def validate(self) -> None:
        check_request(self.page, self.per_page, self.sort, self.filters, FACET_FIELDS, "filters")


def check_request(page: int, per_page: int, sort: str, filters: dict, allowed, label: str) -> None:
    """Raise BadRequest with a message the user can act on for bad paging, sorting or filter names."""
    if page < 1:
        raise BadRequest("page must be 1 or more")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise BadRequest(f"per_page must be between 1 and {MAX_PER_PAGE}")
    if sort and sort not in SORTS:
        raise BadRequest("sort must be one of: " + ", ".join(SORTS))
    unknown = [name for name in filters if name not in allowed]
    if unknown:
        raise BadRequest(f"unknown filter '{unknown[0]}'; {label} are: " + ", ".join(allowed))


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
    also_searched: list[str] = field(default_factory=list)
    corrected_from: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def as_dict(self) -> dict:
        """The pinned JSON shape of /api/search."""
        return {"query": self.query, "total": self.total, "page": self.page, "per_page": self.per_page,
                "sort": self.sort, "results": self.results,
                "facets": {name: [b.as_dict() for b in buckets] for name, buckets in self.facets.items()},
                "filters": self.filters, "suggestion": self.suggestion, "notices": self.notices,
                "also_searched": self.also_searched, "corrected_from": self.corrected_from}


class QueryTools:
    """Per-build helpers that are costly to make: the parser and the synonym expander."""

    def __init__(self, handle: IndexHandle):
        self.parser = make_parser(handle.index.schema)
        self.expander = SynonymExpander(handle.meta.get("synonyms", []))
        self.suggester = Suggester(_suggestion_entries(handle))


def _suggestion_entries(handle: IndexHandle) -> list[dict]:
    path = handle.path / SUGGEST
    if not path.exists():
        return []
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        return [e for e in entries if isinstance(e, dict) and {"label", "kind", "url", "count"} <= set(e)]
    except (ValueError, TypeError, OSError) as exc:
        raise damaged(handle.path.parent.parent, f"suggest.json cannot be read: {exc}") from None


_TOOLS: "weakref.WeakKeyDictionary[IndexHandle, QueryTools]" = weakref.WeakKeyDictionary()
_TOOLS_LOCK = threading.Lock()


def query_tools(handle: IndexHandle) -> QueryTools:
    with _TOOLS_LOCK:
        tools = _TOOLS.get(handle)
        if tools is None:
            tools = _TOOLS[handle] = QueryTools(handle)
        return tools


class Searcher:
    """Search one open build. Cheap to create: the handle owns the index and its facet tables."""

    def __init__(self, handle: IndexHandle):
        self.handle = handle
        self.searcher = handle.searcher()
        self.table = handle.facets
        self.tools = query_tools(handle)

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run a search; when it finds nothing and a spelling correction exists, show the correction's results."""
        request.validate()
        response = self._run(request)
        if response.total == 0 and response.suggestion and not request.exact:
            corrected = self._run(replace(request, q=response.suggestion))
            if corrected.total:
                corrected.corrected_from, corrected.query = response.query, response.query
                corrected.suggestion = response.suggestion
                corrected.notices.insert(0, f"No results for “{response.query}”; showing results for "
                                            f"“{response.suggestion}”.")
                return corrected
        return response

    def _run(self, request: SearchRequest) -> SearchResponse:
        notices: list[str] = []
        text = shorten(request.q, notices)
        text, query_filters = extract_field_filters(text, self.table, notices)
        filters = _merge_filters(request.filters, query_filters)
        expanded, added = self.tools.expander.expand(text) if text else ("", [])
        parsed = parse_user_query(self.tools.parser, expanded)
        notices += parsed.notices
        matching = self._matching(parsed.query)
        also = added if added and matching != self._matching(parse_user_query(self.tools.parser, text).query) else []
        selections = {name: self.table.selection(name, values) for name, values in filters.items()}
        hits = _intersect(matching, selections.values())
        sort = request.sort or ("programme" if parsed.is_browse else "relevance")
        results = self._page(parsed, text, hits, request, sort, filtered=bool(selections))
        facets = self._facets(matching, hits, selections, filters)
        suggestion = Speller(self.searcher).suggest(text) if text else None
        return SearchResponse(request.q.strip(), len(hits), request.page, request.per_page, sort, results, facets,
                              filters, suggestion, notices, also)

    def _facets(self, matching: set[int], hits: set[int], selections: dict, filters: dict) -> dict:
        """Counts per facet; a facet with its own filter counts without it, so its other values stay choosable."""
        hits_mask = bitmask(hits) if len(hits) > 64 else None
        result = {}
        for name in FACET_FIELDS:
            if name in selections:
                docs = _intersect(matching, [s for n, s in selections.items() if n != name])
                result[name] = self.table.count(name, docs, filters.get(name, []))
            else:
                result[name] = self.table.count(name, hits, [], mask=hits_mask)
        return result

    def _matching(self, q) -> set[int]:
        return matching_docs(self.searcher, q)

    def _page(self, parsed: ParsedQuery, text: str, hits: set[int], request: SearchRequest, sort: str,
              filtered: bool) -> list[dict]:
        start = (request.page - 1) * request.per_page
        if start >= len(hits):
            return []
        limit = start + request.per_page
        if sort == "programme":
            found = self.searcher.search(parsed.query, filter=hits, limit=limit, sortedby="programme")
            ranked = top_hits(found)[start:limit]
        else:
            narrowed = hits if filtered else None  # no facet filter: skip the cost of applying one
            found = self.searcher.search(parsed.query, filter=narrowed, limit=max(limit, RERANK_DEPTH), terms=True)
            concepts = self.tools.expander.concepts(text)
            ranked = coordinate(concepts, found, self.tools.expander.analyzer)[start:limit]
        # Pinpoint uses the character offsets stored at index time instead of re-analysing each body.
        found.fragmenter = highlight.PinpointFragmenter(maxchars=SNIPPET_CHARS, surround=80, autotrim=True)
        found.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
        found.scorer = EarliestFirstScorer()
        return [self._result(hit, parsed.is_browse) for hit in ranked]

    def _result(self, hit, browse: bool) -> dict:
        result = dict(hit["payload"])
        snippet = "" if browse else hit.highlights("body", top=2)
        result["snippet"] = snippet or html.escape(_lead(hit["body"]))
        return result


class EarliestFirstScorer(highlight.BasicFragmentScorer):
    """Whoosh breaks ties between equal fragments by object id; prefer the earlier one, so snippets repeat."""

    def __call__(self, fragment):
        return super().__call__(fragment) - fragment.startchar * 1e-9


def coordinate(concepts: list[frozenset[str]], found, analyzer) -> list:
    """Rerank the top hits so that documents matching more of the query's concepts come first.

    A concept is a word of the query, or all the words of a synonym group; BM25F alone lets a
    frequent word outweigh a document that has every concept once.
    """
    hits = top_hits(found)
    if len(concepts) < 2:
        return hits
    owner = {token: index for index, concept in enumerate(concepts) for token in concept}

    def concept_of(text: str):
        if text in owner:
            return owner[text]
        stems = [t.text for t in analyzer(text)]
        return owner.get(stems[0]) if stems else None

    def coord(hit) -> float:
        matched = {concept_of(_text(t)) for _, t in (hit.matched_terms() or [])} - {None}
        return len(matched) / len(concepts)

    return sorted(hits, key=lambda hit: -hit.score * (COORD_FLOOR + (1 - COORD_FLOOR) * coord(hit)))


def top_hits(found) -> list:
    """The scored hits only: iterating Results itself calls len(), which counts every match again."""
    return [found[i] for i in range(found.scored_length())]


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def matching_docs(searcher, q) -> set[int]:
    """Every document a query matches, as a set; unions and intersections are done by set operations.

    Whoosh's generic matchers step through ORed posting lists one document at a time in Python; reading
    each term's postings whole and combining sets in C is several times faster for the broad ORs that
    multi-field, synonym-expanded queries make.
    """
    if isinstance(q, wq.Every):
        return set(range(searcher.doc_count_all()))
    if q is wq.NullQuery:
        return set()
    if isinstance(q, wq.Term):
        if (q.fieldname, q.text) not in searcher.reader():
            return set()
        return set(searcher.reader().postings(q.fieldname, q.text).all_ids())
    if isinstance(q, wq.Or):
        return set().union(*(matching_docs(searcher, sub) for sub in q.subqueries))
    if isinstance(q, wq.And):
        sets = sorted((matching_docs(searcher, sub) for sub in q.subqueries), key=len)
        return sets[0].intersection(*sets[1:]) if sets else set()
    if isinstance(q, wq.AndNot):
        return matching_docs(searcher, q.a) - matching_docs(searcher, q.b)
    return set(searcher.docs_for_query(q))


def _merge_filters(given: dict[str, list[str]], extra: dict[str, list[str]]) -> dict[str, list[str]]:
    merged = {name: _unique(values) for name, values in given.items() if values}
    for name, values in extra.items():
        merged[name] = _unique(merged.get(name, []) + values)
    return merged


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
