"""The quote index: one Whoosh document per summary sentence, in <build>/quotes/: its schema and its building
(quote_search.py searches it)."""

from __future__ import annotations

import json
from pathlib import Path

from whoosh import index
from whoosh.fields import ID, STORED, Schema

from archive import Corpus
from archive.citations import Citable, citable_for, for_quote
from archive.quotes import Quote

from .analysis import forget_remembered, text_analyzer
from archive.topic_strength import evidence_for, quotes_with_topics

from .documents import facet_labels, forgetting, pinned_values
from .facet_files import FacetRows, write_facets
from .facet_specs import QUOTE_NAMES, quote_facets
from .impacts import IMPACTS, write_impacts
from .layout import FACETS, META, segment_files
from .page_data import url_for
from .postings import positioned_text

QUOTES = "quotes"  # the quote index's folder inside a build
QUOTES_SCHEMA_VERSION = 7  # 3: topics of the sentence itself, the talk's in talk_topics; 4: citation dates and provenance; 5: citations carry the talk's language; 6: word positions instead of word pairs, facet update files; 7: no programme field (never read)
QUOTE_FIELDS = ("text",)  # scored, and with word positions for phrases
QUOTE_FACETS = QUOTE_NAMES  # the facets declared with a quote side (facet_specs.py)


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
