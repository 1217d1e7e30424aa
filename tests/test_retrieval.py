"""The precomputed-postings search must agree with Whoosh: same matches, same BM25F scores, same facet counts.

Whoosh's own matchers are the reference here: each query is run both ways on the shipped corpus.
"""

from __future__ import annotations

import json
import re
from random import Random

import numpy as np
import pytest
from whoosh import query as wq

from indexer.query import parse_user_query
from indexer.retrieval import query_terms
from indexer.search import Searcher, top_documents
from indexer.snippets import body_snippets
from indexer.store import IndexStore
from indexer.result_column import result_fields

WORD_QUERIES = ["genomics", "EHDS", "data sharing", "rare diseases children", "Løhde", "AI NOT ethics",
                "genomic AND cancer", "trust OR consent", "(patients AND data) OR registries", "genom*",
                "interoperabilty~", "biobank^3 research", "the", "zzznotaword", "Danish National Genome Center"]


@pytest.fixture(scope="module")
def searcher(index_dir):
    return Searcher(IndexStore(index_dir).handle())


@pytest.fixture(scope="module")
def documents(corpus):
    """The corpus's index documents by id: their title and names, which the build indexes but does not store."""
    from indexer.documents import corpus_documents

    return {doc.id: doc for doc in corpus_documents(corpus)}


@pytest.fixture(scope="module")
def reference(searcher, documents, tmp_path_factory):
    """The same documents in a plain Whoosh index whose body keeps character offsets, for Whoosh's own highlighter.

    The build leaves offsets out (snippets find words in the text); this index is the independent reference.
    """
    from whoosh import index
    from whoosh.fields import TEXT

    from indexer.analysis import text_analyzer
    from indexer.schema import build_schema

    schema = build_schema()
    schema.remove("body")
    schema.add("body", TEXT(analyzer=text_analyzer(), stored=True, phrase=True, chars=True))
    ix = index.create_in(str(tmp_path_factory.mktemp("reference")), schema)
    with ix.writer() as writer:
        for docnum in range(searcher.searcher.doc_count_all()):
            doc = documents[searcher.searcher.stored_fields(docnum)["id"]]
            writer.add_document(id=doc.id, title=doc.title, body=_body(searcher, docnum), names=doc.names)
    with ix.searcher() as reference_searcher:
        yield reference_searcher


def _body(searcher, docnum: int) -> str:
    return result_fields(searcher.searcher.reader(), docnum)["body"]


def _parsed(searcher, text):
    return parse_user_query(searcher.tools.parser, text).query


@pytest.mark.parametrize("text", WORD_QUERIES)
def test_matches_and_scores_equal_whooshs(searcher, text):
    q = _parsed(searcher, text)
    found = searcher.evaluator.evaluate(q)
    whoosh = {hit.docnum: hit.score for hit in searcher.searcher.search(q, limit=None)}
    assert set(np.flatnonzero(found.mask).tolist()) == set(whoosh), text
    if "*" in text or "~" in text:
        return  # Whoosh gives prefix and fuzzy matches a constant score; ours add the expansions' BM25F
    for docnum, score in whoosh.items():
        assert found.scores[docnum] == pytest.approx(score, rel=1e-5), (text, docnum)


def _phrases(searcher, count: int) -> list[str]:
    """Runs of two to five words of real summaries, plus the same words reversed (mostly absent)."""
    rng = Random(3)
    bodies = [_body(searcher, n) for n in range(searcher.searcher.doc_count_all())]
    phrases = []
    while len(phrases) < count:
        words = re.findall(r"[A-Za-z]{3,}", rng.choice(bodies))
        if len(words) < 6:
            continue
        start = rng.randrange(len(words) - 5)
        run = words[start:start + rng.choice((2, 3, 4, 5))]
        phrases += ['"' + " ".join(run) + '"', '"' + " ".join(reversed(run)) + '"']
    return phrases


def test_phrases_match_the_same_documents_as_whoosh_positions(searcher):
    checked = 0
    for phrase in _phrases(searcher, 120):
        q = _parsed(searcher, phrase)
        found = set(np.flatnonzero(searcher.evaluator.evaluate(q).mask).tolist())
        assert found == set(searcher.searcher.docs_for_query(q)), phrase
        checked += bool(found)
    assert checked > 50  # most phrases were real ones, so the comparison was not between two empty sets


def _near_phrases(searcher, count: int) -> list[str]:
    """Phrases with slop (`"a b c"~N`) made of words of real summaries: a run with some of its words left out, in
    order and reversed, and with a slop from 2 to 5."""
    rng = Random(5)
    phrases = []
    for phrase in _phrases(searcher, count):
        words = phrase.strip('"').split()
        kept = [w for n, w in enumerate(words) if n == 0 or rng.random() < 0.6]
        kept = kept if len(kept) > 1 else words[:2]
        phrases.append('"' + " ".join(kept) + f'"~{rng.randint(2, 5)}')
    return phrases


def test_phrases_with_slop_match_the_same_documents_as_whoosh(searcher):
    """A phrase with slop is found in the build's word positions as Whoosh's own Phrase finds it (words in order,
    each at most `slop` positions after the one before), in every field that has positions."""
    checked = near = 0
    for phrase in _near_phrases(searcher, 120):
        q = _parsed(searcher, phrase)
        near += any(isinstance(leaf, wq.Phrase) and leaf.slop > 1 for leaf in q.leaves())
        found = set(np.flatnonzero(searcher.evaluator.evaluate(q).mask).tolist())
        assert found == set(searcher.searcher.docs_for_query(q)), phrase
        checked += bool(found)
    assert near > 80 and checked > 40  # phrases with slop (not stop words alone), most of them found


def test_phrase_scores_equal_whooshs_scores_of_its_words(searcher):
    """A phrase is scored as its words are: at each of its matches, Whoosh's BM25F score of all its words."""
    from whoosh import query as wq

    checked = 0
    for phrase in _phrases(searcher, 60):
        for leaf in _parsed(searcher, phrase).leaves():
            if not isinstance(leaf, wq.Phrase):
                continue
            found = searcher.evaluator.evaluate(leaf)
            words = wq.And([wq.Term(leaf.fieldname, word) for word in leaf.words])
            whoosh = {hit.docnum: hit.score for hit in searcher.searcher.search(words, limit=None)}
            for docnum in np.flatnonzero(found.mask).tolist():
                assert found.scores[docnum] == pytest.approx(whoosh[docnum], rel=1e-6), (phrase, leaf.fieldname)
                checked += 1
    assert checked > 50


def test_word_pairs_are_not_matched_across_the_phrase(searcher):
    q = _parsed(searcher, '"genome center"')
    q_reversed = _parsed(searcher, '"center genome"')
    assert searcher.evaluator.evaluate(q).count > 0
    assert searcher.evaluator.evaluate(q_reversed).count == len(set(searcher.searcher.docs_for_query(q_reversed)))


def test_facet_counts_equal_a_count_of_each_documents_values(searcher):
    table = searcher.table
    written = json.loads((searcher.handle.path / "facets.json").read_text(encoding="utf-8"))["docs"]
    mask = searcher.evaluator.evaluate(_parsed(searcher, "data")).mask
    for facet in ("topic", "speaker", "kind", "session"):
        expected: dict[str, int] = {}
        for docnum in np.flatnonzero(mask):
            for value in written[docnum].get(facet, []):
                expected[value] = expected.get(value, 0) + 1
        assert {b.value: b.count for b in table.count(facet, mask, [])} == expected


def test_top_documents_breaks_ties_in_programme_order():
    scores = np.array([1.0, 3.0, 2.0, 3.0, 3.0, 0.5])
    hits = np.array([True, True, True, True, True, False])
    assert top_documents(scores, hits, 3).tolist() == [1, 3, 4]
    assert top_documents(scores, hits, 10).tolist() == [1, 3, 4, 2, 0]
    assert top_documents(scores, np.flatnonzero(hits), 3).tolist() == [1, 3, 4]  # the hits' numbers do as well


SNIPPET_QUERIES = ["genomic data", "Crohn's", "tumour", "Løhde", "the data of patients", "cross-border",
                   "consent OR trust", "genom*"]


@pytest.mark.parametrize("text", SNIPPET_QUERIES)
def test_snippets_equal_whooshs_pinpoint_highlights(searcher, reference, text):
    from whoosh import highlight

    from indexer.snippets import SNIPPET_CHARS, EarliestFirstScorer

    q = _parsed(searcher, text)
    results = reference.search(q, limit=10, terms=True)
    results.fragmenter = highlight.PinpointFragmenter(maxchars=SNIPPET_CHARS, surround=80, autotrim=True)
    results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
    results.scorer = EarliestFirstScorer()
    expected = {hit.docnum: hit.highlights("body", top=2) for hit in results}
    words = [word for field, word in query_terms(q, searcher.searcher.reader()) if field == "body"]
    ours = body_snippets(searcher.tools.surface, words,
                         {d: _body(searcher, d) for d in expected})
    assert ours == expected, text


def test_snippets_mark_words_in_many_results(searcher):
    q = _parsed(searcher, "genomic data")
    docs = {hit.docnum: _body(searcher, hit.docnum) for hit in searcher.searcher.search(q, limit=10)}
    words = [t for f, t in q.iter_all_terms() if f == "body"]
    assert sum("<mark" in s for s in body_snippets(searcher.tools.surface, words, docs).values()) >= 5


def test_offsets_found_in_the_text_equal_the_stored_postings(searcher, reference):
    """Every body word of every document: the offsets read from the text are the ones Whoosh stores."""
    reader = reference.reader()
    stored: dict[int, dict] = {}
    for word in reader.lexicon("body"):
        word = word.decode("utf-8")
        matcher = reader.postings("body", word)
        while matcher.is_active():
            stored.setdefault(matcher.id(), {})[word] = matcher.value_as("characters")
            matcher.next()
    assert len(stored) > 50
    for docnum in range(reader.doc_count_all()):
        text = reference.stored_fields(docnum)["body"]
        assert searcher.tools.surface.offsets(text, _AllWords(), None) == stored.get(docnum, {}), docnum


class _AllWords:
    def __contains__(self, word):
        return True


def _field_texts(documents, corpus, field: str) -> list[str]:
    if field in ("title", "names"):
        return [getattr(doc, field) for doc in documents.values()]
    if field == "affiliation":
        return [org for speaker in corpus.speakers.values() for org in speaker.organisations]
    return [topic.label for topic in corpus.topics.values()]


def _field_phrases(texts: list[str], count: int) -> list[str]:
    """Runs of two and three words (and reversed) from the texts a field is made of."""
    rng = Random(5)
    phrases = []
    for _ in range(count * 20):
        words = re.findall(r"[A-Za-zÀ-ÿ]{2,}", rng.choice(texts))
        if len(words) >= 2:
            start = rng.randrange(len(words) - 1)
            run = words[start:start + rng.choice((2, 3, 4, 5))]
            phrases += [" ".join(run), " ".join(reversed(run))]
        if len(phrases) >= count:
            break
    return phrases


@pytest.mark.parametrize("field", ["title", "names", "affiliation", "topics_text"])
def test_phrases_in_short_fields_use_position_tables_and_equal_whoosh(searcher, corpus, documents, field):
    from whoosh import query as wq

    from indexer.analysis import name_analyzer, text_analyzer

    assert searcher.handle.impacts.has_positions(field)
    analyzer = name_analyzer() if field == "names" else text_analyzer()
    checked = 0
    for phrase in _field_phrases(_field_texts(documents, corpus, field), 60):
        words = [t.text for t in analyzer(phrase)]
        if len(words) < 2:
            continue
        q = wq.Phrase(field, words)
        found = set(np.flatnonzero(searcher.evaluator.evaluate(q).mask).tolist())
        assert found == set(searcher.searcher.docs_for_query(q)), (field, phrase)
        checked += bool(found)
    assert checked >= 5, field  # real phrases were among them, so the comparison was not between empty sets


def test_a_phrase_evaluated_again_is_not_changed_by_what_callers_did_with_the_first_result(searcher):
    from indexer.retrieval import Evaluator

    evaluator = Evaluator(searcher.handle.impacts, searcher.searcher, searcher.table.live)
    q = _parsed(searcher, '"genome center"')
    first = evaluator.evaluate(q)
    expected = first.mask.copy()
    first.mask[:] = False
    first.scores[:] = 0
    again = evaluator.evaluate(q)
    assert again.count > 0 and np.array_equal(again.mask, expected)


def test_sorted_intersection_equals_numpys():
    from indexer.retrieval import sorted_intersection

    rng = np.random.default_rng(7)
    for _ in range(200):
        a = np.unique(rng.integers(0, 500, rng.integers(0, 60)))
        b = np.unique(rng.integers(0, 500, rng.integers(0, 400)))
        assert sorted_intersection(a, b).tolist() == np.intersect1d(a, b).tolist()
        assert sorted_intersection(b, a).tolist() == np.intersect1d(a, b).tolist()


def test_facet_counts_of_a_few_matches_equal_those_of_all_rows(searcher):
    """Few matches are counted from their own rows (FacetTable._values_of): the same counts as the full gather."""
    table = searcher.table
    rng = np.random.default_rng(7)
    for size in (0, 1, 2, 5, table.size // 20, table.size // 2):
        mask = np.zeros(table.size, dtype=bool)
        mask[rng.choice(table.size, size, replace=False)] = True
        for facet, (docs, values) in table.pairs.items():
            expected = np.bincount(values[mask[docs]], minlength=len(table.values[facet]))
            assert table._counts(facet, mask).tolist() == expected.tolist(), (facet, size)


def test_phrase_scores_are_the_words_scores_where_the_phrase_stands(searcher):
    """A phrase's scores are its words' (And) scores masked by where Whoosh finds the phrase, to the last bit,
    also in the fields where it stands nowhere (those are answered without the words' scores)."""
    from whoosh import query as wq

    from indexer.query import SEARCH_FIELDS
    from indexer.retrieval import Evaluator, leaf_queries

    evaluator = Evaluator(searcher.handle.impacts, searcher.searcher, searcher.handle.facets.live)
    checked = 0
    for phrase in _phrases(searcher, 40):
        parsed = [q for q in leaf_queries(_parsed(searcher, phrase)) if isinstance(q, wq.Phrase)]
        if not parsed:
            continue
        words = list(parsed[0].words)  # as the analyzer made them
        for field in SEARCH_FIELDS:
            q = wq.Phrase(field, words)
            ours = evaluator.evaluate(q)
            within_or = evaluator.evaluate(wq.Or([q]))  # an Or adds a phrase's hits in place
            assert within_or.mask.tolist() == ours.mask.tolist() and within_or.scores.tobytes() == ours.scores.tobytes()
            expected = evaluator._and(wq.And([wq.Term(field, w) for w in words]))
            keep = np.zeros(evaluator.size, dtype=bool)
            keep[np.fromiter(searcher.searcher.docs_for_query(q), dtype=np.int64)] = True
            expected.mask &= keep
            expected.scores *= expected.mask
            assert ours.mask.tolist() == expected.mask.tolist() and ours.scores.tobytes() == expected.scores.tobytes()
            checked += int(ours.mask.any())
    assert checked > 20
