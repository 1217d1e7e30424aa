"""The quote index: one Whoosh document per summary sentence, in <build>/quotes/, searched with facets."""

from __future__ import annotations

import html
import json
import weakref
from dataclasses import dataclass, field, replace
from pathlib import Path

from whoosh import highlight, index, qparser
from whoosh.fields import ID, STORED, Schema
from whoosh.index import EmptyIndexError

from archive import Corpus
from archive.citations import Citable, citable_for, for_quote
from archive.quotes import Quote

from .analysis import forget_remembered, text_analyzer, thread_safe_schema
from archive.topic_strength import evidence_for, quotes_with_topics

from .documents import facet_labels, forgetting, pinned_values
from .facet_files import FacetRows, load_table, write_facets
from .facet_specs import QUOTE_NAMES, quote_facets
from .facets import FacetBucket
from .impacts import IMPACTS, ImpactIndex, write_impacts
from .key_lookup import live_document
from .layout import FACETS, META, IndexUnavailable, files_problem, segment_files
from .store import SearcherPool
from .page_data import url_for
from .postings import merged_matches, positioned_text
from .expansion import SynonymExpander
from .retrieval import Evaluator, intersect
from .search import (DEFAULT_PER_PAGE, Searcher, MAX_BUCKETS, check_modes, check_request, corrected_response, improves,
                     ranked_documents)
from .query_plans import QueryPlans
from .selection import Selection, select, unmatched_notice

QUOTES = "quotes"  # the quote index's folder inside a build
QUOTES_SCHEMA_VERSION = 7  # 3: topics of the sentence itself, the talk's in talk_topics; 4: citation dates and provenance; 5: citations carry the talk's language; 6: word positions instead of word pairs, facet update files; 7: no programme field (never read)
QUOTE_FIELDS = ("text",)  # scored, and with word positions for phrases
QUOTE_FACETS = QUOTE_NAMES  # the facets declared with a quote side (facet_specs.py)
MAX_EXPORT = 1000


def quote_schema() -> Schema:
    """Sentence text analysed exactly like the main index's prose, plus the display payload (programme order is
    facets.json's)."""
    return Schema(id=ID(stored=True, unique=True), talk=ID(stored=True),
                  text=positioned_text(analyzer=text_analyzer(), stored=True), payload=STORED())


# Building ---------------------------------------------------------------------------------------------------------

def quote_documents(corpus: Corpus, talk_ids: set[str] | None = None) -> list[tuple[dict, dict]]:
    """(payload, facet values) for every sentence of every summary (or of the given talks'), in programme order."""
    return list(iter_quote_documents(corpus, talk_ids))


def iter_quote_documents(corpus: Corpus, talk_ids: set[str] | None = None):
    """quote_documents one at a time. A quote's topic facet is the sentence's own topics
    (archive/topic_strength.py), not its talk's (facet_specs.py says how a quote yields each facet)."""
    talks = corpus.ordered_talks()
    for talk in forgetting(talks) if talk_ids is None else talks:  # a build's pass; an update's keeps the caches
        if talk_ids is not None and talk.id not in talk_ids:
            continue
        cite = citable_for(corpus, talk, url_for(talk.kind, talk.id))
        for quote, topics in quotes_with_topics(corpus.topics, talk):
            yield quote_payload(corpus, quote, cite, topics), quote_facets(corpus, talk, topics)


def quote_payload(corpus: Corpus, quote: Quote, talk_cite: Citable, topics: list[str]) -> dict:
    """What the API shows of a quote (less its citation, made per request), and what cites it."""
    talk = corpus.talks[quote.talk]
    session = corpus.session_of(talk)
    url = f"{talk_cite.url}#{quote.anchor}"
    return {"id": quote.id, "text": quote.text, "context": {"before": quote.before, "after": quote.after},
            "speakers": [{"id": s.id, "name": s.display_name} for s in corpus.speakers_of(talk)],
            "talk": {"id": talk.id, "title": talk.title, "url": talk_cite.url, "kind": talk.kind},
            "session": {"id": session.id, "number": session.number, "title": session.title} if session else None,
            "topics": topics, "talk_topics": list(talk.topics),
            "topic_evidence": evidence_for(corpus.topics, quote.text, topics), "url": url, "sentence": quote.number,
            "cite": for_quote(talk_cite, quote.id, quote.text, url, quote.before, quote.after).as_dict()}


def build_quote_index(corpus: Corpus, build: Path | str) -> int:
    """Write the quote index into build/quotes/ and check it; return the number of quotes."""
    target = Path(build) / QUOTES
    target.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(target), quote_schema())
    writer = ix.writer(limitmb=4, compound=False)  # a small pool and no compound files: see build._write_index
    docs = FacetRows()  # ids and facet values: the payloads are not kept
    for payload, doc_facets in iter_quote_documents(corpus):
        writer.add_document(**quote_fields(payload))
        docs.add(payload["id"], doc_facets)
    forget_remembered(writer.schema)  # before the commit, the peak of memory
    writer.commit(optimize=True)  # one segment: document numbers follow `docs`, as facets.json assumes
    with ix.reader() as reader:
        write_impacts(target / IMPACTS, reader, QUOTE_FIELDS, positioned=QUOTE_FIELDS)
    write_facets(target / FACETS, {"labels": facet_labels(corpus), "pinned": pinned_values(corpus)}, docs)
    write_quote_meta(target, corpus, len(docs))
    if ix.doc_count() != len(docs):
        raise RuntimeError(f"quote index check failed: {ix.doc_count()} quotes written, {len(docs)} expected")
    return len(docs)


def quote_fields(payload: dict) -> dict:
    return dict(id=payload["id"], talk=payload["talk"]["id"], text=payload["text"], payload=payload)


def write_quote_meta(target: Path, corpus: Corpus, quotes: int) -> None:
    meta = {"schema_version": QUOTES_SCHEMA_VERSION, "quotes": quotes, "synonyms": corpus.synonyms,
            "files": segment_files(target)}
    (target / META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


# Searching --------------------------------------------------------------------------------------------------------

@dataclass
class QuoteRequest:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: str = ""
    match: str = "any"  # "all": only sentences with every concept of the query
    topic_mode: str = "any"  # "all": sentences on every selected topic
    exact: bool = False  # search the words as typed, without a spelling correction's results

    def validate(self) -> None:
        """Raise BadRequest with a message the user can act on."""
        check_request(self.page, self.per_page, self.sort, self.filters, QUOTE_FACETS, "quote filters")
        check_modes(self.match, self.topic_mode)


@dataclass
class QuoteResponse:
    query: str
    total: int
    page: int
    per_page: int
    sort: str
    results: list[dict]
    facets: dict[str, list[FacetBucket]]
    filters: dict[str, list[str]]
    notices: list[str] = field(default_factory=list)
    also_searched: list[str] = field(default_factory=list)
    suggestion: str | None = None
    corrected_from: str | None = None
    unmatched: list[str] = field(default_factory=list)
    match: str = "any"
    matched_all: int | None = None
    remaining_query: str | None = None
    topic_mode: str = "any"

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def matched_some(self) -> int | None:
        if self.matched_all is None:
            return None
        return (self.total - self.matched_all) if self.match == "any" else None

    def as_dict(self) -> dict:
        """The response as plain data, results as stored (webapp/serialize.py makes the API's JSON of it)."""
        return {"query": self.query, "total": self.total, "page": self.page, "per_page": self.per_page,
                "sort": self.sort, "match": self.match, "topic_mode": self.topic_mode, "results": self.results,
                "facets": {name: [b.as_dict() for b in buckets] for name, buckets in self.facets.items()},
                "filters": self.filters, "notices": self.notices, "also_searched": self.also_searched,
                "suggestion": self.suggestion, "corrected_from": self.corrected_from, "unmatched": self.unmatched,
                "matched_all": self.matched_all, "matched_some": self.matched_some,
                "remaining_query": self.remaining_query}


def open_quotes(handle) -> "QuoteIndex":
    """The build's quote index (<build>/quotes/), opened once per build; IndexUnavailable if it has none."""
    return handle.attached("quotes", _open)


def _open(handle) -> "QuoteIndex":
    return QuoteIndex(handle.path / QUOTES, _speller(weakref.ref(handle)))


def _speller(handle_ref):
    """Spelling corrections for quote queries, from the main index's vocabulary (no strong reference to the handle)."""
    def suggest(text: str):
        handle = handle_ref()
        return Searcher(handle).suggest(text) if handle is not None else None
    return suggest


class QuoteIndex:
    """One build's open quote index, its facet table, and a searcher per thread."""

    def __init__(self, path: Path, speller=None):
        self.path = path
        self.speller = speller  # text -> corrected text or None: the main index knows the words
        try:
            meta = json.loads((path / META).read_text(encoding="utf-8"))
            self.index = index.open_dir(str(path))
        except (OSError, ValueError, EmptyIndexError):
            raise IndexUnavailable(f"The build in {path.parent} has no quote index. "
                                   "Rebuild it with `confarchive build`.") from None
        problem = files_problem(path, meta.get("files", {}))
        if problem:
            raise IndexUnavailable(f"The quote index in {path} is damaged ({problem}). "
                                   "Rebuild it with `confarchive build`.")
        if meta.get("schema_version") != QUOTES_SCHEMA_VERSION:
            raise IndexUnavailable(f"The quote index in {path} has schema version {meta.get('schema_version')}, "
                                   f"this program needs {QUOTES_SCHEMA_VERSION}. Rebuild it with `confarchive build`.")
        try:
            self.facets = load_table(path)
            self.impacts = ImpactIndex(path / IMPACTS)
        except (OSError, ValueError, KeyError) as exc:
            raise IndexUnavailable(f"The quote index in {path} is damaged ({type(exc).__name__}: {exc}"[:200]
                                   + "). Rebuild it with `confarchive build`.") from None
        self.parser = quote_parser(self.index.schema)
        self.expander = SynonymExpander(meta.get("synonyms", []))
        self.plans = QueryPlans(self.facets, self.parser, self.expander, self.impacts)
        self._searchers = SearcherPool(self.index, self)

    def searcher(self):
        """This thread's searcher, opened on first use and reused after that."""
        return self._searchers.get()

    def get(self, ident: str) -> dict | None:
        """One quote's stored payload by id, or None."""
        searcher = self.searcher()  # by key_lookup: Whoosh's document(id=) sets up a scorer in every segment
        docnum = live_document(searcher.reader(), "id", ident)
        return None if docnum is None else searcher.stored_fields(docnum)["payload"]

    def search(self, request: QuoteRequest) -> QuoteResponse:
        """A page of quotes; when words match nothing and a spelling correction fixes them, the correction's."""
        request.validate()
        response = self._search(request)
        suggestion = self.speller(request.q) if self.speller and response.unmatched else None
        if suggestion and not request.exact:
            corrected = self._search(replace(request, q=suggestion))
            if improves(response, corrected):
                response.suggestion = suggestion
                return corrected_response(response, corrected)
        response.suggestion = suggestion
        return response

    def _search(self, request: QuoteRequest) -> QuoteResponse:
        """One page of quotes ranked by relevance (or programme order), with facet counts over all matches."""
        sel = self._select(request)
        start = (request.page - 1) * request.per_page
        sort = self._sort(sel, request)
        results = self._ranked(sel, start, start + request.per_page, sort)
        facets = {name: self.facets.count(name, intersect(sel.matching, [s for n, s in sel.selections.items()
                                                                         if n != name]), sel.filters.get(name, []),
                                          MAX_BUCKETS)
                  for name in QUOTE_FACETS}
        notices = sel.notices + ([unmatched_notice(sel.unmatched, sel.total, bool(sel.filters), "quote")]
                                 if sel.unmatched else [])
        return QuoteResponse(request.q.strip(), sel.total, request.page, request.per_page, sort,
                             results, facets, sel.filters, notices, sel.also, unmatched=sel.unmatched,
                             match=request.match, matched_all=sel.matched_all, remaining_query=sel.remaining,
                             topic_mode=sel.topic_mode)

    def search_all(self, request: QuoteRequest, limit: int = MAX_EXPORT) -> list[dict]:
        """Every matching quote (up to limit), best first, for exports."""
        request.validate()
        sel = self._select(request)
        return self._ranked(sel, 0, limit, self._sort(sel, request))

    def _select(self, request: QuoteRequest) -> Selection:
        evaluator = Evaluator(self.impacts, self.searcher(), self.facets.live)
        return select(request, self.plans, evaluator, QUOTE_FACETS, explain_synonyms=False)

    @staticmethod
    def _sort(sel: Selection, request: QuoteRequest) -> str:
        return request.sort or ("programme" if sel.parsed.is_browse else "relevance")

    def _ranked(self, sel: Selection, start: int, limit: int, sort: str) -> list[dict]:
        chosen = ranked_documents(sel, self.facets, sort, start, limit)
        searcher = self.searcher()
        words = [] if sel.parsed.is_browse else [w for f, w in sel.plan.terms(searcher.reader()) if f == "text"]
        marker = SentenceMarker(searcher.schema["text"].analyzer, words)
        return [{**fields["payload"], "highlighted": marker(fields["text"])}
                for fields in (searcher.stored_fields(int(d)) for d in chosen)]


class SentenceMarker:
    """The whole sentence, escaped, with the query's words in <mark>, as Whoosh's whole-text highlighter does."""

    def __init__(self, analyzer, words: list[str]):
        self.analyzer, self.words = analyzer, frozenset(words)
        self.highlighter = highlight.Highlighter(fragmenter=highlight.WholeFragmenter(charlimit=None),
                                                 formatter=highlight.HtmlFormatter(tagname="mark", classname="match"))

    def __call__(self, text: str) -> str:
        if not self.words:
            return html.escape(text, quote=False)
        tokens = self.analyzer(text, positions=True, chars=True, mode="index", removestops=False)
        tokens = merged_matches(self.highlighter, highlight.set_matched_filter(tokens, self.words))
        fragments = highlight.top_fragments(self.highlighter.fragmenter.fragment_tokens(text, tokens), 3,
                                            self.highlighter.scorer, self.highlighter.order)
        return self.highlighter.formatter.format(fragments) or html.escape(text, quote=False)


def quote_parser(schema) -> qparser.QueryParser:
    """The main search's syntax (phrases, groups, AND/OR/NOT, prefix*, fuzzy~, boosts) over the sentence text."""
    return qparser.QueryParser("text", thread_safe_schema(schema), plugins=[
        qparser.WhitespacePlugin(), qparser.PhrasePlugin(), qparser.GroupPlugin(), qparser.OperatorsPlugin(),
        qparser.WildcardPlugin(), qparser.FuzzyTermPlugin(), qparser.BoostPlugin(),
    ], group=qparser.OrGroup)  # no coordination factor: Whoosh's CoordMatcher scores 0 when one term matches
