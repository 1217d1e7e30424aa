"""The search service: one plain result object that the HTML pages, the JSON API and the CLI all render."""

from __future__ import annotations

import html
import json
import threading
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from .coverage import MATCH_MODES
from .didyoumean import Speller, SpellingMemory
from .expansion import SynonymExpander
from .facets import TOPIC_MODES, FacetBucket
from .query import make_parser
from .query_plans import QueryPlans
from .layout import SUGGEST
from .schema import FACET_FIELDS
from .result_column import result_fields
from .retrieval import Evaluator, intersect
from .selection import Selection, select, unmatched_notice
from .analysis import LANGUAGE_FIELDS
from .snippets import SNIPPET_CHARS, LanguageMatches, SurfaceTerms, body_snippets
from .vocabulary import VOCABULARY, Vocabulary
from .written_forms import learn_in_background
from .suggest import Suggester
from .store import IndexHandle, damaged

MAX_PER_PAGE = 100
MAX_BUCKETS = 100  # values listed per facet, most frequent first (selected values are always listed too)
DEFAULT_PER_PAGE = 20
SORTS = ("relevance", "programme")


class BadRequest(ValueError):
    """A search parameter the user can fix; the message says how."""


@dataclass(kw_only=True)
class PagedRequest:
    """What the record and quote searches are asked alike (keyword arguments only: the two once listed them in
    different orders)."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: str = ""
    exact: bool = False  # search the words as typed, without showing a spelling correction's results
    match: str = "any"  # "all": only what matches every concept of the query
    topic_mode: str = "any"  # "all": what is on every selected topic


@dataclass
class SearchRequest(PagedRequest):
    def validate(self) -> None:
        check_request(self.page, self.per_page, self.sort, self.filters, FACET_FIELDS, "filters")
        check_modes(self.match, self.topic_mode)


def check_modes(match: str, topic_mode: str) -> None:
    """Raise BadRequest for a match or topic_mode the search does not know."""
    if match not in MATCH_MODES:
        raise BadRequest("match must be one of: " + ", ".join(MATCH_MODES))
    if topic_mode not in TOPIC_MODES:
        raise BadRequest("topic_mode must be one of: " + ", ".join(TOPIC_MODES))


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
class PagedResponse:
    """What the record and quote searches answer alike: one page of results, the facets, the filters applied, and
    how many pages and partial matches there are (from the `match` and `matched_all` each declares)."""

    query: str
    total: int
    page: int
    per_page: int
    sort: str
    results: list[dict]
    facets: dict[str, list[FacetBucket]]
    filters: dict[str, list[str]]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def matched_some(self) -> int | None:
        """Hits matching only some of the words (before `match=all` keeps only the others)."""
        if self.matched_all is None:
            return None
        return (self.total - self.matched_all) if self.match == "any" else None


@dataclass
class SearchResponse(PagedResponse):
    suggestion: str | None = None
    notices: list[str] = field(default_factory=list)
    also_searched: list[str] = field(default_factory=list)
    corrected_from: str | None = None
    unmatched: list[str] = field(default_factory=list)  # the query's words that no record (in the filters) matches
    match: str = "any"
    matched_all: int | None = None  # with several words: how many records match all of them
    remaining_query: str | None = None  # the query without its unmatched words
    topic_mode: str = "any"
    facet_notes: dict[str, str] = field(default_factory=dict)  # facets only some conferences fill, and which

    def as_dict(self) -> dict:
        """The pinned JSON shape of /api/search."""
        return {"query": self.query, "total": self.total, "page": self.page, "per_page": self.per_page,
                "sort": self.sort, "results": self.results,
                "facets": {name: [b.as_dict() for b in buckets] for name, buckets in self.facets.items()},
                "filters": self.filters, "suggestion": self.suggestion, "notices": self.notices,
                "also_searched": self.also_searched, "corrected_from": self.corrected_from,
                "match": self.match, "topic_mode": self.topic_mode, "unmatched": self.unmatched,
                "matched_all": self.matched_all, "matched_some": self.matched_some,
                "remaining_query": self.remaining_query, "facet_notes": self.facet_notes}


class QueryTools:
    """Per-build helpers that are costly to make: the parser, the synonym expander and the suggester."""

    def __init__(self, handle: IndexHandle):
        self.path = handle.path  # not the handle itself: the handle holds these tools
        schema = handle.index.schema  # Whoosh reads it from disk on every access
        self.parser = make_parser(schema)
        self.expander = SynonymExpander(handle.meta.get("synonyms", []))
        self.plans = QueryPlans(handle.facets, self.parser, self.expander, handle.impacts)
        self.spelling = SpellingMemory()
        self.surface = SurfaceTerms(schema["body"].analyzer)
        self.language_surfaces = {(code, name): SurfaceTerms(schema[name].analyzer)
                                  for code, (name, _) in LANGUAGE_FIELDS.items() if name in schema}
        self.vocabulary = _vocabulary(handle.path)
        self._learning: set[SurfaceTerms] = set()
        self._learning_lock = threading.Lock()

    def learn_written_forms(self, surfaces: list[SurfaceTerms]) -> None:
        """Start working out, once per analyzer and only for those a search needs, where snippets need look
        (written_forms.py); searches do without meanwhile."""
        with self._learning_lock:
            new = [surface for surface in surfaces if surface not in self._learning]
            self._learning.update(new)
        if new:
            learn_in_background(self.vocabulary, new)

    @cached_property
    def suggester(self) -> Suggester:
        """Made on first use, so that a search right after a new build does not wait for it."""
        return Suggester(_suggestion_entries(self.path))


def _vocabulary(build: Path) -> Vocabulary:
    try:
        return Vocabulary(build)
    except (OSError, ValueError, KeyError) as exc:
        raise damaged(build.parent.parent, f"its vocabulary ({VOCABULARY}/) cannot be read: {exc}") from None


def _suggestion_entries(build: Path) -> list[dict]:
    path = build / SUGGEST
    if not path.exists():
        return []
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        return [e for e in entries if isinstance(e, dict) and {"label", "kind", "url", "count"} <= set(e)]
    except (ValueError, TypeError, OSError) as exc:
        raise damaged(build.parent.parent, f"suggest.json cannot be read: {exc}") from None


def query_tools(handle: IndexHandle) -> QueryTools:
    """The build's query tools, made once per open build."""
    return handle.attached("tools", QueryTools)


def suggestions(handle: IndexHandle, text: str, limit: int) -> list:
    """What the search box offers for typed text: named things and frequent words of the build."""
    return query_tools(handle).suggester.suggest(text, limit)


class Searcher:
    """Search one open build. Cheap to create: the handle owns the index, its postings and facet tables."""

    def __init__(self, handle: IndexHandle):
        self.handle = handle
        self.searcher = handle.searcher()
        self.table = handle.facets
        self.tools = query_tools(handle)
        self.evaluator = Evaluator(handle.impacts, self.searcher, handle.facets.live)

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run a search; when words match nothing and a spelling correction fixes them, show the correction's results."""
        request.validate()
        response = self._run(request)
        if response.suggestion and not request.exact and (response.total == 0 or response.unmatched):
            corrected = self._run(replace(request, q=response.suggestion))
            if improves(response, corrected):
                return corrected_response(response, corrected)
        return response

    def _run(self, request: SearchRequest) -> SearchResponse:
        sel = select(request, self.tools.plans, self.evaluator, FACET_FIELDS)
        sort = request.sort or ("programme" if sel.parsed.is_browse else "relevance")
        results = self._page(sel, request, sort)
        facets = self._facets(sel)
        suggestion = self.suggest(request.q) if sel.text else None
        notices = sel.notices + ([unmatched_notice(sel.unmatched, sel.total, bool(sel.filters))]
                                 if sel.unmatched else [])
        return SearchResponse(request.q.strip(), sel.total, request.page, request.per_page, sort, results, facets,
                              sel.filters, suggestion, notices, sel.also, unmatched=sel.unmatched,
                              match=request.match, matched_all=sel.matched_all, remaining_query=sel.remaining,
                              topic_mode=sel.topic_mode, facet_notes=self.table.notes)

    def suggest(self, text: str) -> str | None:
        """The query with each unknown word spelt as the index knows it (field filters kept), or None."""
        return Speller(self.searcher, self.tools.vocabulary, self.tools.spelling).suggest(text.strip())

    def _facets(self, sel: Selection) -> dict:
        """Counts per facet; a facet with its own filter counts without it, so its other values stay choosable."""
        result = {}
        hits = sel.hit_numbers
        tallies = self.table.tally_all(hits) if len(hits) <= self.table.FEW else None  # likewise
        for name in FACET_FIELDS:
            if name in sel.selections:
                docs = intersect(sel.matching, [s for n, s in sel.selections.items() if n != name])
                result[name] = self.table.count(name, docs, sel.filters.get(name, []), MAX_BUCKETS)
            else:
                result[name] = self.table.count(name, sel.hits, [], MAX_BUCKETS, hits=hits, tallies=tallies)
        return result

    def _page(self, sel: Selection, request: SearchRequest, sort: str) -> list[dict]:
        start = (request.page - 1) * request.per_page
        limit = start + request.per_page
        chosen = ranked_documents(sel, self.table, sort, start, limit)
        reader = self.searcher.reader()
        stored = {int(d): result_fields(reader, int(d)) for d in chosen}
        snippets = {} if sel.parsed.is_browse else self._snippets(sel.plan.terms(reader), stored)
        return [self._result(stored[int(d)], snippets.get(int(d), ""), sel) for d in chosen]

    def _snippets(self, terms: list[tuple[str, str]], stored: dict[int, dict]) -> dict[int, str]:
        words = [word for field, word in terms if field == "body"]
        languages = [LanguageMatches(surface, [word for field, word in terms if field == name],
                                     {d for d, fields in stored.items() if code in fields["languages"]})
                     for (code, name), surface in self.tools.language_surfaces.items()]
        self.tools.learn_written_forms([self.tools.surface] + [
            language.surface for language in languages if language.words and language.docs])
        return body_snippets(self.tools.surface, words, {d: fields["body"] for d, fields in stored.items()},
                             readable=True, languages=languages)

    def _result(self, fields: dict, snippet: str, sel: Selection) -> dict:
        result = fields["payload"]  # unpickled for this page alone: filled in place
        result["snippet"] = snippet or html.escape(_lead(fields["body"]))
        result["mentioned"] = only_mentioned(result, sel)
        return result


def only_mentioned(result: dict, sel: Selection) -> list[dict]:
    """The selected topics a result names without being about them, with the sentences that name them."""
    if "topic" not in sel.filters:
        return []
    wanted = [t for t in sel.filters["topic"] if t not in result.get("topics", [])]
    return [m for m in result.get("mentions", []) if m["topic"] in wanted]


def ranked_documents(sel: Selection, table, sort: str, start: int, limit: int) -> np.ndarray:
    """Document numbers of hits start..limit: by relevance, or in programme order (records about a topic first)."""
    if sort == "programme":
        docs = table.in_programme_order(sel.hit_numbers)
        tiers = sel.tiers()
        if tiers is not None:
            docs = docs[np.argsort(tiers[docs], kind="stable")]
        return docs[start:limit]
    return top_documents(sel.ranking(), sel.hit_numbers, limit, table.order)[start:limit]


def improves(original, corrected) -> bool:
    """Whether a spelling correction's results are better evidence than the query as typed.

    It must find something, leave fewer words unmatched, and (with several words) let some records
    match every word: a real word that is just absent ("founded") is not turned into another ("funded").
    """
    return bool(corrected.total) and len(corrected.unmatched) < max(len(original.unmatched), 1) and (
        original.total == 0 or corrected.matched_all is None or corrected.matched_all > 0)


def corrected_response(original: SearchResponse, corrected: SearchResponse) -> SearchResponse:
    """The corrected query's results, saying what was corrected and keeping the original to search instead."""
    corrected.corrected_from, corrected.query = original.query, original.query
    corrected.suggestion = original.suggestion
    if original.total == 0:
        notice = f"No results for “{original.query}”; showing results for “{original.suggestion}”."
    else:
        words = " or ".join(f"“{w}”" for w in original.unmatched)
        notice = f"Nothing matches {words}; showing results for “{original.suggestion}”."
    corrected.notices.insert(0, notice)
    return corrected


def top_documents(scores: np.ndarray, hits: np.ndarray, limit: int, order: np.ndarray | None = None) -> np.ndarray:
    """The `limit` best hits (a match vector, or the hits' document numbers), highest score first; equal scores in
    programme order (`order`, else document number)."""
    candidates = np.flatnonzero(hits) if hits.dtype == bool else hits
    values = scores[candidates]
    if len(candidates) > limit:
        kth = np.partition(values, len(values) - limit)[len(values) - limit]
        keep = values >= kth
        candidates, values = candidates[keep], values[keep]
    ties = candidates if order is None else order[candidates]
    return candidates[np.lexsort((ties, -values))][:limit]


def _lead(text: str) -> str:
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
