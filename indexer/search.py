"""The search service: one plain result object that the HTML pages, the JSON API and the CLI all render."""

from __future__ import annotations

import html
import json
import threading
import weakref
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from .didyoumean import Speller, SpellingMemory
from .expansion import SynonymExpander
from .facets import FacetBucket
from .query import ParsedQuery, extract_field_filters, make_parser, parse_user_query, shorten
from .layout import SUGGEST
from .schema import FACET_FIELDS
from .retrieval import Evaluator, Matches, intersect, leaf_queries, leaf_words, query_terms
from .snippets import SNIPPET_CHARS, SurfaceTerms, body_snippets
from .suggest import Suggester
from .store import IndexHandle, damaged

MAX_PER_PAGE = 100
MAX_BUCKETS = 100  # values listed per facet, most frequent first (selected values are always listed too)
DEFAULT_PER_PAGE = 20
SORTS = ("relevance", "programme")
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
    """Per-build helpers that are costly to make: the parser, the synonym expander and the suggester."""

    def __init__(self, handle: IndexHandle):
        self.path = handle.path  # not the handle itself: _TOOLS must not keep old builds alive
        schema = handle.index.schema  # Whoosh reads it from disk on every access
        self.parser = make_parser(schema)
        self.expander = SynonymExpander(handle.meta.get("synonyms", []))
        self.spelling = SpellingMemory()
        self.surface = SurfaceTerms(schema["body"].analyzer)

    @cached_property
    def suggester(self) -> Suggester:
        """Made on first use, so that a search right after a new build does not wait for it."""
        return Suggester(_suggestion_entries(self.path))


def _suggestion_entries(build: Path) -> list[dict]:
    path = build / SUGGEST
    if not path.exists():
        return []
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        return [e for e in entries if isinstance(e, dict) and {"label", "kind", "url", "count"} <= set(e)]
    except (ValueError, TypeError, OSError) as exc:
        raise damaged(build.parent.parent, f"suggest.json cannot be read: {exc}") from None


_TOOLS: "weakref.WeakKeyDictionary[IndexHandle, QueryTools]" = weakref.WeakKeyDictionary()
_TOOLS_LOCK = threading.Lock()


def query_tools(handle: IndexHandle) -> QueryTools:
    with _TOOLS_LOCK:
        tools = _TOOLS.get(handle)
        if tools is None:
            tools = _TOOLS[handle] = QueryTools(handle)
        return tools


class Searcher:
    """Search one open build. Cheap to create: the handle owns the index, its postings and facet tables."""

    def __init__(self, handle: IndexHandle):
        self.handle = handle
        self.searcher = handle.searcher()
        self.table = handle.facets
        self.tools = query_tools(handle)
        self.evaluator = Evaluator(handle.impacts, self.searcher, handle.facets.live)

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
        found = self.evaluator.run(parsed.query)
        also = added if added and self._adds_matches(found, text) else []
        selections = {name: self.table.selection_mask(name, values) for name, values in filters.items()}
        hits = intersect(found.mask, selections.values())
        sort = request.sort or ("programme" if parsed.is_browse else "relevance")
        results = self._page(parsed, text, found, hits, request, sort)
        facets = self._facets(found.mask, hits, selections, filters)
        suggestion = Speller(self.searcher, self.tools.spelling).suggest(text) if text else None
        return SearchResponse(request.q.strip(), int(np.count_nonzero(hits)), request.page, request.per_page, sort,
                              results, facets, filters, suggestion, notices, also)

    def _adds_matches(self, found: Matches, text: str) -> bool:
        """Did the synonym expansion change which documents match? Only then is it worth mentioning."""
        plain = self.evaluator.run(parse_user_query(self.tools.parser, text).query)
        return not np.array_equal(found.mask, plain.mask)

    def _facets(self, matching: np.ndarray, hits: np.ndarray, selections: dict, filters: dict) -> dict:
        """Counts per facet; a facet with its own filter counts without it, so its other values stay choosable."""
        result = {}
        for name in FACET_FIELDS:
            if name in selections:
                docs = intersect(matching, [s for n, s in selections.items() if n != name])
                result[name] = self.table.count(name, docs, filters.get(name, []), MAX_BUCKETS)
            else:
                result[name] = self.table.count(name, hits, [], MAX_BUCKETS)
        return result

    def _page(self, parsed: ParsedQuery, text: str, found: Matches, hits: np.ndarray, request: SearchRequest,
              sort: str) -> list[dict]:
        start = (request.page - 1) * request.per_page
        limit = start + request.per_page
        if sort == "programme":
            chosen = self.table.in_programme_order(np.flatnonzero(hits))[start:limit]
        else:
            chosen = top_documents(self._ranking(parsed, text, found), hits, limit, self.table.order)[start:limit]
        stored = {int(d): self.searcher.stored_fields(int(d)) for d in chosen}
        snippets = {} if parsed.is_browse else self._snippets(parsed, stored)
        return [self._result(stored[int(d)], snippets.get(int(d), "")) for d in chosen]

    def _ranking(self, parsed: ParsedQuery, text: str, found: Matches) -> np.ndarray:
        """BM25F scores, scaled so that documents matching more of the query's concepts come first.

        A concept is a word of the query, or all the words of a synonym group; BM25F alone lets a
        frequent word outweigh a document that has every concept once.
        """
        concepts = self.tools.expander.concepts(text)
        if len(concepts) < 2:
            return found.scores
        concept_of = _concept_lookup(concepts, self.tools.expander.analyzer)
        covered = np.zeros((len(concepts), len(found.mask)), dtype=bool)
        for leaf in leaf_queries(parsed.query):
            concept = next((c for c in map(concept_of, leaf_words(leaf)) if c is not None), None)
            if concept is not None:
                covered[concept] |= self.evaluator.evaluate(leaf).mask
        share = covered.sum(axis=0) / len(concepts)
        return found.scores * (COORD_FLOOR + (1 - COORD_FLOOR) * share)

    def _snippets(self, parsed: ParsedQuery, stored: dict[int, dict]) -> dict[int, str]:
        words = [word for field, word in query_terms(parsed.query, self.searcher.reader()) if field == "body"]
        return body_snippets(self.tools.surface, words, {d: fields["body"] for d, fields in stored.items()})

    def _result(self, fields: dict, snippet: str) -> dict:
        result = dict(fields["payload"])
        result["snippet"] = snippet or html.escape(_lead(fields["body"]))
        return result


def top_documents(scores: np.ndarray, hits: np.ndarray, limit: int, order: np.ndarray | None = None) -> np.ndarray:
    """The `limit` best hits, highest score first; equal scores in programme order (`order`, else document number)."""
    candidates = np.flatnonzero(hits)
    values = scores[candidates]
    if len(candidates) > limit:
        kth = np.partition(values, len(values) - limit)[len(values) - limit]
        keep = values >= kth
        candidates, values = candidates[keep], values[keep]
    ties = candidates if order is None else order[candidates]
    return candidates[np.lexsort((ties, -values))][:limit]


def _concept_lookup(concepts: list[frozenset[str]], analyzer):
    """A function from an index word to the number of the concept it belongs to (or None)."""
    owner = {token: index for index, concept in enumerate(concepts) for token in concept}

    def concept_of(text: str):
        if text in owner:
            return owner[text]
        stems = [t.text for t in analyzer(text)]  # names are indexed unstemmed; the concepts hold stems
        return owner.get(stems[0]) if stems else None
    return concept_of


def _merge_filters(given: dict[str, list[str]], extra: dict[str, list[str]]) -> dict[str, list[str]]:
    merged = {name: _unique(values) for name, values in given.items() if values}
    for name, values in extra.items():
        merged[name] = _unique(merged.get(name, []) + values)
    return merged


def _lead(text: str) -> str:
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
