"""The quote index: one Whoosh document per summary sentence, in <build>/quotes/, searched with facets."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import highlight, index, qparser
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.index import EmptyIndexError

from archive import Corpus
from archive.citations import (Citable, citable_for, citation_markdown, citation_text, csl_item, for_quote, note,
                               reference_text)
from archive.formats import FORMATS
from archive.styles import DEFAULT_STYLE, formatted
from archive.quotes import Quote, corpus_quotes, talk_quotes

from .analysis import text_analyzer, thread_safe_schema
from .documents import facet_labels
from .facets import FacetBucket, FacetTable
from .impacts import IMPACTS, ImpactIndex, write_impacts
from .layout import FACETS, META, IndexUnavailable, files_problem, segment_files
from .store import SearcherPool
from .page_data import url_for
from .expansion import SynonymExpander
from .query import ParsedQuery, extract_field_filters, parse_user_query, shorten
from .retrieval import Evaluator, Matches, intersect, query_terms
from .search import DEFAULT_PER_PAGE, MAX_BUCKETS, check_request, top_documents

QUOTES = "quotes"  # the quote index's folder inside a build
QUOTES_SCHEMA_VERSION = 3
QUOTE_FIELDS = ("text",)  # scored, and with a word-pair table for phrases
QUOTE_FACETS = ("topic", "speaker", "session", "kind")
MAX_EXPORT = 1000


def quote_schema() -> Schema:
    """Sentence text analysed exactly like the main index's prose, plus programme order and the display payload."""
    return Schema(id=ID(stored=True, unique=True), talk=ID(stored=True),
                  text=TEXT(analyzer=text_analyzer(), stored=True, phrase=True),
                  programme=NUMERIC(sortable=True, stored=True), payload=STORED())


# Building ---------------------------------------------------------------------------------------------------------

def quote_documents(corpus: Corpus, talk_ids: set[str] | None = None) -> list[tuple[dict, dict]]:
    """(payload, facet values) for every sentence of every summary (or of the given talks'), in programme order."""
    cites: dict[str, Citable] = {}
    docs = []
    quotes = corpus_quotes(corpus) if talk_ids is None else [
        quote for talk in corpus.ordered_talks() if talk.id in talk_ids for quote in talk_quotes(talk)]
    for quote in quotes:
        talk = corpus.talks[quote.talk]
        if talk.id not in cites:  # once per talk: setdefault would build it for every sentence
            cites[talk.id] = citable_for(corpus, talk, url_for(talk.kind, talk.id))
        cite = cites[talk.id]
        facets = {"topic": list(talk.topics), "speaker": list(talk.speakers),
                  "session": [talk.session] if talk.session else [], "kind": [talk.kind]}
        docs.append((quote_payload(corpus, quote, cite), facets))
    return docs


def quote_payload(corpus: Corpus, quote: Quote, talk_cite: Citable) -> dict:
    """What the API shows of a quote (less its citation, made per request), and what cites it."""
    talk = corpus.talks[quote.talk]
    session = corpus.session_of(talk)
    url = f"{talk_cite.url}#{quote.anchor}"
    return {"id": quote.id, "text": quote.text, "context": {"before": quote.before, "after": quote.after},
            "speakers": [{"id": s.id, "name": s.display_name} for s in corpus.speakers_of(talk)],
            "talk": {"id": talk.id, "title": talk.title, "url": talk_cite.url, "kind": talk.kind},
            "session": {"id": session.id, "number": session.number, "title": session.title} if session else None,
            "topics": list(talk.topics), "url": url, "sentence": quote.number,
            "cite": for_quote(talk_cite, quote.id, quote.text, url, quote.before, quote.after).as_dict()}


def build_quote_index(corpus: Corpus, build: Path | str) -> int:
    """Write the quote index into build/quotes/ and check it; return the number of quotes."""
    target = Path(build) / QUOTES
    target.mkdir(parents=True, exist_ok=True)
    docs = quote_documents(corpus)
    ix = index.create_in(str(target), quote_schema())
    writer = ix.writer(limitmb=128, compound=False)  # see store.SearcherPool
    for number, (payload, _) in enumerate(docs):
        writer.add_document(**quote_fields(payload, number))
    writer.commit(optimize=True)  # one segment: document numbers follow `docs`, as facets.json assumes
    with ix.reader() as reader:
        write_impacts(target / IMPACTS, reader, QUOTE_FIELDS, paired=QUOTE_FIELDS)
    labels = facet_labels(corpus)
    facets = {"labels": labels, "docs": [f for _, f in docs], "ids": [payload["id"] for payload, _ in docs]}
    (target / FACETS).write_text(json.dumps(facets, ensure_ascii=False), encoding="utf-8")
    write_quote_meta(target, corpus, len(docs))
    if ix.doc_count() != len(docs):
        raise RuntimeError(f"quote index check failed: {ix.doc_count()} quotes written, {len(docs)} expected")
    return len(docs)


def quote_fields(payload: dict, number: int) -> dict:
    return dict(id=payload["id"], talk=payload["talk"]["id"], text=payload["text"], programme=number, payload=payload)


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

    def validate(self) -> None:
        """Raise BadRequest with a message the user can act on."""
        check_request(self.page, self.per_page, self.sort, self.filters, QUOTE_FACETS, "quote filters")


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

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def as_dict(self, base_url: str = "", style: str = DEFAULT_STYLE) -> dict:
        """The JSON shape of /api/quotes; citations carry absolute links when base_url is given."""
        return {"query": self.query, "total": self.total, "page": self.page, "per_page": self.per_page,
                "sort": self.sort, "results": [quote_json(r, base_url, style) for r in self.results],
                "facets": {name: [b.as_dict() for b in buckets] for name, buckets in self.facets.items()},
                "filters": self.filters, "notices": self.notices, "also_searched": self.also_searched}


def quote_json(payload: dict, base_url: str = "", style: str = DEFAULT_STYLE) -> dict:
    """A stored quote as the API shows it: the payload, its citation (formatted in `style`) and its export links."""
    cite = Citable.from_dict(payload["cite"])
    base = base_url.rstrip("/")
    exports = {fmt: f"{base}/api/quotes/export?ids={payload['id']}&format={fmt}" + (f"&style={style}" if fmt == "docx" else "")
               for fmt in ("ris", "bib", "csl", "csv", "md", "json", "docx") if fmt in FORMATS}
    result = {k: v for k, v in payload.items() if k != "cite"}
    item = csl_item(cite, base_url)
    result["citation"] = {"text": citation_text(cite, base_url), "markdown": citation_markdown(cite, base_url),
                          "reference": reference_text(cite, base_url), "note": note(cite),
                          "formatted": formatted(item, style), "csl": item, "exports": exports}
    return result


class QuoteIndex:
    """One build's open quote index, its facet table, and a searcher per thread."""

    def __init__(self, path: Path):
        self.path = path
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
        self.facets = FacetTable(json.loads((path / FACETS).read_text(encoding="utf-8")))
        self.impacts = ImpactIndex(path / IMPACTS)
        self.parser = quote_parser(self.index.schema)
        self.expander = SynonymExpander(meta.get("synonyms", []))
        self._searchers = SearcherPool(self.index, self)

    def searcher(self):
        """This thread's searcher, opened on first use and reused after that."""
        return self._searchers.get()

    def get(self, ident: str) -> dict | None:
        """One quote's stored payload by id, or None."""
        fields = self.searcher().document(id=ident)
        return fields["payload"] if fields else None

    def search(self, request: QuoteRequest) -> QuoteResponse:
        """One page of quotes ranked by relevance (or programme order), with facet counts over all matches."""
        request.validate()
        sel = self._select(request)
        start = (request.page - 1) * request.per_page
        results = self._ranked(sel, start, start + request.per_page)
        facets = {name: self.facets.count(name, intersect(sel.found.mask, [s for n, s in sel.selections.items()
                                                                          if n != name]), sel.filters.get(name, []),
                                             MAX_BUCKETS)
                  for name in QUOTE_FACETS}
        return QuoteResponse(request.q.strip(), int(np.count_nonzero(sel.hits)), request.page, request.per_page, sel.sort, results,
                             facets, sel.filters, sel.notices, sel.also)

    def search_all(self, request: QuoteRequest, limit: int = MAX_EXPORT) -> list[dict]:
        """Every matching quote (up to limit), best first, for exports."""
        request.validate()
        return self._ranked(self._select(request), 0, limit)

    def _select(self, request: QuoteRequest) -> "_Selection":
        """Parse the query as the main search does (field filters, synonyms) and apply the facet filters."""
        notices: list[str] = []
        text, query_filters = extract_field_filters(shorten(request.q, notices), self.facets, notices)
        filters = {name: _unique(request.filters.get(name, []) + query_filters.get(name, []))
                   for name in QUOTE_FACETS if request.filters.get(name) or query_filters.get(name)}
        expanded, also = self.expander.expand(text) if text else ("", [])
        parsed = parse_user_query(self.parser, expanded)
        found = Evaluator(self.impacts, self.searcher(), self.facets.live).run(parsed.query)
        selections = {name: self.facets.selection_mask(name, values) for name, values in filters.items()}
        sort = request.sort or ("programme" if parsed.is_browse else "relevance")
        return _Selection(parsed, filters, found, selections, intersect(found.mask, selections.values()), sort,
                          notices + parsed.notices, also)

    def _ranked(self, sel: "_Selection", start: int, limit: int) -> list[dict]:
        if sel.sort == "programme":
            chosen = self.facets.in_programme_order(np.flatnonzero(sel.hits))[start:limit]
        else:
            chosen = top_documents(sel.found.scores, sel.hits, limit, self.facets.order)[start:limit]
        searcher = self.searcher()
        words = [] if sel.parsed.is_browse else [w for f, w in query_terms(sel.parsed.query, searcher.reader())
                                                 if f == "text"]
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
        tokens = self.highlighter._merge_matched_tokens(highlight.set_matched_filter(tokens, self.words))
        fragments = highlight.top_fragments(self.highlighter.fragmenter.fragment_tokens(text, tokens), 3,
                                            self.highlighter.scorer, self.highlighter.order)
        return self.highlighter.formatter.format(fragments) or html.escape(text, quote=False)


@dataclass
class _Selection:
    parsed: ParsedQuery
    filters: dict[str, list[str]]
    found: Matches
    selections: dict[str, np.ndarray]
    hits: np.ndarray
    sort: str
    notices: list[str]
    also: list[str]


def quote_parser(schema) -> qparser.QueryParser:
    """The main search's syntax (phrases, groups, AND/OR/NOT, prefix*, fuzzy~, boosts) over the sentence text."""
    return qparser.QueryParser("text", thread_safe_schema(schema), plugins=[
        qparser.WhitespacePlugin(), qparser.PhrasePlugin(), qparser.GroupPlugin(), qparser.OperatorsPlugin(),
        qparser.WildcardPlugin(), qparser.FuzzyTermPlugin(), qparser.BoostPlugin(),
    ], group=qparser.OrGroup)  # no coordination factor: Whoosh's CoordMatcher scores 0 when one term matches


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
