"""The quote index: one Whoosh document per summary sentence, in <build>/quotes/: its schema and its building
(quote_search.py searches it)."""

from __future__ import annotations

import json
from array import array
from pathlib import Path
from typing import Iterator

from whoosh import index
from whoosh.fields import ID, STORED, Schema

from archive import Corpus
from archive.quotes import Quote
from archive.records import Talk
from archive.text import to_plain
from archive.topic_strength import evidence_for, quotes_with_topics

from .analysis import forget_remembered, text_analyzer
from .documents import document_ids, facet_labels, forgetting, pinned_values
from .facet_files import FacetRows, write_facets
from .facet_specs import QUOTE_NAMES, quote_facets
from .layout import FACETS, META, segment_files
from .sentence_postings import SENTENCES, sentence_spans, write_rows

QUOTES = "quotes"  # the quote index's folder inside a build
QUOTES_SCHEMA_VERSION = 9  # 3: topics of the sentence itself, the talk's in talk_topics; 4: citation dates and provenance; 5: citations carry the talk's language; 6: word positions instead of word pairs, facet update files; 7: no programme field (never read); 8: a sentence stores its own facts only, its talk's are the main index's `quoted` column; 9: no postings of the text: its words are the talk's body positions (sentence_postings.py)
QUOTE_FACETS = QUOTE_NAMES  # the facets declared with a quote side (facet_specs.py)


def quote_schema() -> Schema:
    """A sentence's id, its talk's id, its text and what else is the sentence's own (SENTENCE_FACTS), stored; only
    the two ids are indexed (for lookups and updates). The text's words are searched in the talk's body
    (sentence_postings.py), and the talk's title, speakers, session and citation are the talk's `quoted` column in
    the main index, read per talk (quote_search.py). Programme order is facets.json's."""
    return Schema(id=ID(stored=True, unique=True), talk=ID(stored=True), text=STORED(), sentence=STORED())


SENTENCE_FACTS = ("number", "before", "after", "topics", "evidence")  # stored beside the text and the talk's id


# Building ---------------------------------------------------------------------------------------------------------

def talks_quoted(corpus: Corpus, talk_ids: set[str] | None = None) -> Iterator[tuple[Talk, list[tuple[dict, dict]]]]:
    """Each talk with a summary (or each of the given ones), in programme order, with its sentences' records and
    facet values. A quote's topic facet is the sentence's own topics (archive/topic_strength.py), not its talk's
    (facet_specs.py says how a quote yields each facet)."""
    talks = corpus.ordered_talks()
    for talk in forgetting(talks) if talk_ids is None else talks:  # a build's pass; an update's keeps the caches
        if talk_ids is not None and talk.id not in talk_ids:
            continue
        found = [(sentence_record(corpus, quote, topics), quote_facets(corpus, talk, topics))
                 for quote, topics in quotes_with_topics(corpus.topics, talk)]
        if found:
            yield talk, found


def iter_quote_documents(corpus: Corpus, talk_ids: set[str] | None = None) -> Iterator[tuple[dict, dict]]:
    """(sentence record, facet values) of every sentence of talks_quoted, one at a time (the FTS5 baseline of the
    benchmarks indexes them)."""
    for _, found in talks_quoted(corpus, talk_ids):
        yield from found


def sentence_record(corpus: Corpus, quote: Quote, topics: list[str]) -> dict:
    """A sentence's id, talk, text and SENTENCE_FACTS: its number, its neighbours, its own topics and the words
    that gave it each of them."""
    return {"id": quote.id, "talk": quote.talk, "text": quote.text, "number": quote.number, "before": quote.before,
            "after": quote.after, "topics": topics, "evidence": evidence_for(corpus.topics, quote.text, topics)}


def span_rows(analyzer, talk: Talk, records: list[dict], docnum: int) -> array:
    """The sentence table's rows of a talk's quotes (sentence_postings.py): the talk's document number in the main
    index, and each sentence's first word position and number of words in the talk's body."""
    rows = array("i")
    for start, words in sentence_spans(analyzer, to_plain(talk.text), [r["text"] for r in records]):
        rows.extend((docnum, start, words))
    return rows


def build_quote_index(corpus: Corpus, build: Path | str) -> int:
    """Write the quote index into build/quotes/ and check it; return the number of quotes."""
    target = Path(build) / QUOTES
    target.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(target), quote_schema())
    writer = ix.writer(limitmb=4, compound=False)  # a small pool and no compound files: see build._write_index
    docs = FacetRows()  # ids and facet values: the records are not kept
    analyzer = text_analyzer()  # the main index's body analysis (schema.build_schema)
    docnum = {ident: number for number, ident in enumerate(document_ids(corpus))}  # the main build's order
    rows = array("i")
    for talk, found in talks_quoted(corpus):
        rows.extend(span_rows(analyzer, talk, [record for record, _ in found], docnum[talk.id]))
        for record, doc_facets in found:
            writer.add_document(**quote_fields(record))
            docs.add(record["id"], doc_facets)
    forget_remembered(writer.schema)
    writer.commit(optimize=True)  # one segment: document numbers follow `docs`, as facets.json assumes
    write_rows(target / f"{SENTENCES}.npy", rows)
    write_facets(target / FACETS, {"labels": facet_labels(corpus), "pinned": pinned_values(corpus)}, docs)
    write_quote_meta(target, corpus, len(docs))
    if ix.doc_count() != len(docs) or len(rows) != 3 * len(docs):
        raise RuntimeError(f"quote index check failed: {ix.doc_count()} quotes and {len(rows) // 3} sentence spans "
                           f"written, {len(docs)} expected")
    return len(docs)


def quote_fields(record: dict) -> dict:
    """The quote index's fields of a sentence record."""
    return dict(id=record["id"], talk=record["talk"], text=record["text"],
                sentence={name: record[name] for name in SENTENCE_FACTS})


def write_quote_meta(target: Path, corpus: Corpus, quotes: int) -> None:
    meta = {"schema_version": QUOTES_SCHEMA_VERSION, "quotes": quotes, "synonyms": corpus.synonyms,
            "files": segment_files(target)}
    (target / META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
