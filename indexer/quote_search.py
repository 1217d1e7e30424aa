"""Searching the quote index: a request, its response, the open index of a build and its sentence highlighting."""

from __future__ import annotations

import html
import json
import weakref
from dataclasses import dataclass, field, replace

from whoosh import highlight, index, qparser
from whoosh.index import EmptyIndexError

from .analysis import thread_safe_schema
from .expansion import SynonymExpander
from .facet_files import load_table
from .key_lookup import live_document
from .layout import META, IndexUnavailable, files_problem
from .lookup import quoted_talk
from .postings import merged_matches
from .query_plans import QueryPlans
from .quotes_index import QUOTE_FACETS, QUOTES, QUOTES_SCHEMA_VERSION
from .sentence_postings import SPANS_FIELD, SentencePostings, SentenceTable
from .retrieval import Evaluator, intersect
from .search import (BadRequest, PagedRequest, PagedResponse, Searcher, MAX_BUCKETS, check_modes, check_request, corrected_response, improves,
                     ranked_documents)
from .selection import Selection, select, unmatched_notice
from .store import SearcherPool

MAX_EXPORT = 1000


@dataclass
class QuoteRequest(PagedRequest):
    def validate(self) -> None:
        """Raise BadRequest with a message the user can act on."""
        check_request(self.page, self.per_page, self.sort, self.filters, QUOTE_FACETS, "quote filters")
        check_modes(self.match, self.topic_mode)


@dataclass
class QuoteResponse(PagedResponse):
    notices: list[str] = field(default_factory=list)
    also_searched: list[str] = field(default_factory=list)
    suggestion: str | None = None
    corrected_from: str | None = None
    unmatched: list[str] = field(default_factory=list)
    match: str = "any"
    matched_all: int | None = None
    remaining_query: str | None = None
    topic_mode: str = "any"

    def as_dict(self) -> dict:
        """The response as plain data, results as QuoteIndex records (webapp/serialize.py makes the API's JSON)."""
        return {"query": self.query, "total": self.total, "page": self.page, "per_page": self.per_page,
                "sort": self.sort, "match": self.match, "topic_mode": self.topic_mode, "results": self.results,
                "facets": {name: [b.as_dict() for b in buckets] for name, buckets in self.facets.items()},
                "filters": self.filters, "notices": self.notices, "also_searched": self.also_searched,
                "suggestion": self.suggestion, "corrected_from": self.corrected_from, "unmatched": self.unmatched,
                "matched_all": self.matched_all, "matched_some": self.matched_some,
                "remaining_query": self.remaining_query}


def open_quotes(handle) -> "QuoteIndex":
    """The build's quote index (<build>/quotes/), opened once per build; IndexUnavailable if it has none. Keep the
    handle while using it, as for handle.searcher(): the quotes' words and talks are the handle's main index's."""
    return handle.attached("quotes", QuoteIndex)


class _Talks:
    """What the quote index reads of its build's main index: the body's word positions, the searcher that expands
    prefix* and fuzzy~ words, and what a quote shows of its talk. No strong reference to the handle."""

    def __init__(self, handle):
        self.impacts, self.schema = handle.impacts, handle.index.schema
        self._handle = weakref.ref(handle)

    def handle(self):
        found = self._handle()
        if found is None:
            raise RuntimeError("the quote index's build was closed: keep the IndexHandle while using its quotes")
        return found

    def searcher(self):
        return self.handle().searcher()

    def quoted(self, talk_id: str) -> dict | None:
        return quoted_talk(self.handle(), talk_id)


class _SentenceWords:
    """What a quote query's evaluation asks of a searcher: a reader whose words expand prefix*, wildcards and
    fuzzy~ (the main index's body words that some sentence holds, as the words of an index of the sentences
    would). Whoosh cannot find sentences in the main index, so a query form the postings do not answer (none
    the quote parser makes: retrieval.Evaluator handles each) is refused, never answered in talks."""

    def __init__(self, searcher, postings: SentencePostings):
        self._searcher, self._postings = searcher, postings

    def reader(self) -> "_SentenceLexicon":
        return _SentenceLexicon(self._searcher.reader(), self._postings)

    def docs_for_query(self, q):
        raise BadRequest(f"The quote search cannot answer this part of the query: {q}. "
                         "Search words and phrases, with AND, OR, NOT, * and ~.")


class _SentenceLexicon:
    """The main index's reader as Whoosh's prefix, wildcard and fuzzy queries read its words, narrowed to the words
    a sentence holds: the body also holds talks' questions and abstracts and speakers' bios, whose words would
    take places among the expansions (retrieval.MAX_EXPANSIONS) and find no quote."""

    def __init__(self, reader, postings: SentencePostings):
        self._reader, self._postings = reader, postings

    def _held(self, fieldname: str, text) -> bool:
        return self._postings.holds(fieldname, text.decode("utf-8") if isinstance(text, bytes) else text)

    def expand_prefix(self, fieldname: str, prefix):
        return (t for t in self._reader.expand_prefix(fieldname, prefix) if self._held(fieldname, t))

    def lexicon(self, fieldname: str):
        return (t for t in self._reader.lexicon(fieldname) if self._held(fieldname, t))

    def terms_within(self, fieldname: str, text: str, maxdist: int, prefix: int = 0):
        return [t for t in self._reader.terms_within(fieldname, text, maxdist, prefix=prefix)
                if self._held(fieldname, t)]

    def __contains__(self, term) -> bool:
        return term in self._reader and self._held(*term)

    def __getattr__(self, name: str):
        return getattr(self._reader, name)


class QuoteIndex:
    """One build's open quote index, its facet table, and a searcher per thread.

    A quote's words are its talk's, found in the main index's body positions (sentence_postings.py), and
    queries are parsed as the main index's body text. A result is a plain record of the sentence: its id, text,
    number, neighbours, own topics and their evidence, and `talk`, what a quote shows of its talk
    (page_data.quoted_talk, read from the main index). The web app's serializer makes the API's JSON of it
    (links, citation)."""

    TALKS_REMEMBERED = 1024  # talks whose quoted data is kept, per build (50 µs to read one); then all forgotten

    def __init__(self, handle):
        self.path = path = handle.path / QUOTES
        self.main = _Talks(handle)
        self._talks: dict[str, dict] = {}
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
            table = SentenceTable(path)
            if len(table) != self.index.doc_count_all():
                raise ValueError(f"{len(table)} sentence spans for {self.index.doc_count_all()} quotes")
        except (OSError, ValueError, KeyError, EOFError) as exc:
            raise IndexUnavailable(f"The quote index in {path} is damaged ({type(exc).__name__}: {exc}"[:200]
                                   + "). Rebuild it with `confarchive build`.") from None
        self.impacts = SentencePostings(self.main.impacts, table)
        self.parser = quote_parser(self.main.schema)
        self.expander = SynonymExpander(meta.get("synonyms", []))
        self.plans = QueryPlans(self.facets, self.parser, self.expander, self.impacts)
        self._searchers = SearcherPool(self.index, self)

    def searcher(self):
        """This thread's searcher, opened on first use and reused after that."""
        return self._searchers.get()

    def words(self) -> _SentenceWords:
        """The searcher a quote query's evaluation reads words from (see _SentenceWords)."""
        return _SentenceWords(self.main.searcher(), self.impacts)

    def get(self, ident: str) -> dict | None:
        """One quote's record by id, or None."""
        searcher = self.searcher()  # by key_lookup: Whoosh's document(id=) sets up a scorer in every segment
        docnum = live_document(searcher.reader(), "id", ident)
        return None if docnum is None else self._record(searcher.stored_fields(docnum))

    def _record(self, fields: dict, **extra) -> dict:
        """A result: the sentence's stored fields, with what it shows of its talk."""
        return {"id": fields["id"], "text": fields["text"], **fields["sentence"], "talk": self._talk(fields["talk"]),
                **extra}

    def _talk(self, talk_id: str) -> dict:
        found = self._talks.get(talk_id)
        if found is None:
            found = self.main.quoted(talk_id)
            if found is None:
                raise IndexUnavailable(f"The quote index in {self.path} names talk '{talk_id}', which its build "
                                       "does not hold. Rebuild it with `confarchive build`.")
            if len(self._talks) >= self.TALKS_REMEMBERED:
                self._talks.clear()
            self._talks[talk_id] = found
        return found

    def search(self, request: QuoteRequest) -> QuoteResponse:
        """A page of quotes; when words match nothing and a spelling correction fixes them, the correction's."""
        request.validate()
        response = self._search(request)
        suggestion = Searcher(self.main.handle()).suggest(request.q) if response.unmatched else None
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
        evaluator = Evaluator(self.impacts, self.words(), self.facets.live)
        return select(request, self.plans, evaluator, QUOTE_FACETS, explain_synonyms=False)

    @staticmethod
    def _sort(sel: Selection, request: QuoteRequest) -> str:
        return request.sort or ("programme" if sel.parsed.is_browse else "relevance")

    def _ranked(self, sel: Selection, start: int, limit: int, sort: str) -> list[dict]:
        chosen = ranked_documents(sel, self.facets, sort, start, limit)
        searcher = self.searcher()
        words = [] if sel.parsed.is_browse else [w for f, w in sel.plan.terms(self.words().reader())
                                                 if f == SPANS_FIELD]
        marker = SentenceMarker(self.main.schema[SPANS_FIELD].analyzer, words)
        return [self._record(fields, highlighted=marker(fields["text"]))
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
    """The main search's syntax (phrases, groups, AND/OR/NOT, prefix*, fuzzy~, boosts) over the sentence text,
    which is the main index's body text (`schema` is the main index's)."""
    return qparser.QueryParser(SPANS_FIELD, thread_safe_schema(schema), plugins=[
        qparser.WhitespacePlugin(), qparser.PhrasePlugin(), qparser.GroupPlugin(), qparser.OperatorsPlugin(),
        qparser.WildcardPlugin(), qparser.FuzzyTermPlugin(), qparser.BoostPlugin(),
    ], group=qparser.OrGroup)  # no coordination factor: Whoosh's CoordMatcher scores 0 when one term matches
