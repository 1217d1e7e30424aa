"""Quote postings derived from the talks' body positions must be what a Whoosh index of the sentences would hold.

The reference is the old way: every quote's text indexed as a document of its own by Whoosh, with the
main index's analysis. For every word of every sentence, the derived postings must name the same
sentences with Whoosh's own BM25F scores, and the same word positions (relative to the sentence's first
word), on the shipped corpus and on a synthetic corpus of the other generator's texts.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from random import Random

import numpy as np
import pytest
from whoosh import scoring
from whoosh.query import Phrase, Term

from archive import load_corpus
from indexer.analysis import text_analyzer
from indexer.build import build_index
from indexer.impacts import POSITION_BITS
from indexer.layout import IndexUnavailable, current_build
from indexer.quotes_index import QUOTES
from indexer.retrieval import Evaluator
from indexer.quote_search import open_quotes
from indexer.sentence_postings import SENTENCES, SPANS_FIELD
from indexer.store import IndexStore

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import synthetic_alt  # noqa: E402
from sentence_reference import sentence_index  # noqa: E402


@pytest.fixture(scope="module", params=["shipped", "alt"])
def built(request, corpus, tmp_path_factory):
    """(quote index, Whoosh reference searcher) for the shipped corpus and a synthetic corpus of the alt generator."""
    if request.param == "shipped":
        source = corpus
    else:
        source = load_corpus(synthetic_alt.generate(150, tmp_path_factory.mktemp("alt") / "corpus", seed=11))
    root = tmp_path_factory.mktemp("index")
    build_index(source, root)
    handle = IndexStore(root).handle()
    quotes = open_quotes(handle)
    ix = sentence_index(quotes, tmp_path_factory.mktemp("reference"))
    with ix.searcher(weighting=scoring.BM25F()) as reference:
        yield handle, quotes, reference


def test_every_word_s_sentences_and_scores_are_whoosh_s(built):
    _, quotes, reference = built
    words = [w.decode("utf-8") for w in reference.reader().lexicon("text")]
    assert len(words) > 500
    for word in words:
        docs, scores = quotes.impacts.postings(SPANS_FIELD, word)
        expected = {hit.docnum: hit.score for hit in reference.search(Term("text", word), limit=None)}
        assert docs.tolist() == sorted(expected), word
        assert scores.tolist() == pytest.approx([expected[d] for d in docs.tolist()], rel=1e-5), word


def test_every_word_s_positions_are_whoosh_s_relative_to_the_sentence(built):
    _, quotes, reference = built
    reader = reference.reader()
    words = [w.decode("utf-8") for w in reader.lexicon("text")]
    expected, first = {}, {}
    for word in words:
        for docnum, positions in reader.postings("text", word).items_as("positions"):
            expected[(word, docnum)] = list(positions)
            first[docnum] = min(first.get(docnum, positions[0]), *positions)
    found = {}
    for word in words:
        keys = quotes.impacts.positions(SPANS_FIELD, word)
        for docnum in np.unique(keys >> POSITION_BITS).tolist():
            found[(word, docnum)] = (keys[(keys >> POSITION_BITS) == docnum] & ((1 << POSITION_BITS) - 1)).tolist()
    assert found.keys() == expected.keys()
    for key, positions in expected.items():
        assert found[key] == [p - first[key[1]] for p in positions], key


def test_every_sentence_s_length_is_whoosh_s(built):
    """The lengths BM25F normalises by, and the sentence count its idf uses, come from the table."""
    _, quotes, reference = built
    reader = reference.reader()
    table = quotes.impacts.table
    assert len(table) == reader.doc_count_all()
    assert int(table.length.sum()) == reader.field_length("text")  # whose mean is the average length
    # Whoosh keeps a document's length as a one-byte code, and scores by the code's value
    assert table.scored_length.tolist() == [reader.doc_field_length(n, "text") or 0  # None: no words
                                            for n in range(reader.doc_count_all())]


def _phrase_sentences(handle, quotes, words: list[str]) -> list[int]:
    evaluator = Evaluator(quotes.impacts, handle.searcher(), quotes.facets.live)
    return sorted(np.asarray(evaluator.phrase_hits(Phrase(SPANS_FIELD, words))[0]).tolist())


def test_phrases_find_whoosh_s_sentences(built):
    """Runs of two to five words of real sentences, and the same words reversed."""
    handle, quotes, reference = built
    analyzer, rng, searcher = text_analyzer(), Random(7), quotes.searcher()
    checked = 0
    sample = rng.sample(range(searcher.doc_count_all()), min(150, searcher.doc_count_all()))
    for docnum in sample:
        words = [t.text for t in analyzer(searcher.stored_fields(docnum)["text"])]
        if len(words) < 3:
            continue
        start = rng.randrange(len(words) - 2)
        run = words[start:start + rng.choice((2, 3, 4, 5))]
        for phrase in (run, run[::-1]):
            expected = sorted(hit.docnum for hit in reference.search(Phrase("text", phrase), limit=None))
            assert _phrase_sentences(handle, quotes, phrase) == expected, phrase
        checked += 1
    assert checked > len(sample) // 2


def test_phrases_with_slop_find_whoosh_s_sentences(built):
    """Words of a real sentence with some left out, as a phrase with slop 2 to 5: the same sentences as Whoosh's
    Phrase with that slop over the sentence index."""
    handle, quotes, reference = built
    analyzer, rng, searcher = text_analyzer(), Random(9), quotes.searcher()
    evaluator = Evaluator(quotes.impacts, quotes.words(), quotes.facets.live)
    sample = rng.sample(range(searcher.doc_count_all()), min(150, searcher.doc_count_all()))
    found_some = 0
    for docnum in sample:
        words = [t.text for t in analyzer(searcher.stored_fields(docnum)["text"])]
        if len(words) < 4:
            continue
        start = rng.randrange(len(words) - 3)
        run = [w for n, w in enumerate(words[start:start + 6]) if n == 0 or rng.random() < 0.6]
        for phrase in (run, run[::-1]):
            slop = rng.randint(2, 5)
            expected = sorted(hit.docnum for hit in reference.search(Phrase("text", phrase, slop=slop), limit=None))
            found = sorted(np.asarray(evaluator.phrase_hits(Phrase(SPANS_FIELD, phrase, slop=slop))[0]).tolist())
            assert found == expected, (phrase, slop)
            found_some += bool(found)
    assert found_some > len(sample) // 2


def test_a_query_form_the_postings_cannot_answer_is_refused_not_answered_in_talks(built):
    """Whoosh could only look in the main index, whose documents are talks: the quote search says so instead."""
    from indexer.search import BadRequest
    from whoosh import query as wq

    _, quotes, _ = built
    evaluator = Evaluator(quotes.impacts, quotes.words(), quotes.facets.live)
    with pytest.raises(BadRequest, match="quote search cannot answer"):
        evaluator.evaluate(wq.ConstantScoreQuery(wq.Term(SPANS_FIELD, "data")))


def test_a_quote_phrase_never_spans_two_sentences(built):
    """The last word of one sentence and the first of the next stand side by side in the talk's body, but a
    phrase of them finds only the sentences that hold both, as Whoosh's index of sentences does."""
    handle, quotes, reference = built
    table, searcher, analyzer = quotes.impacts.table, quotes.searcher(), text_analyzer()
    boundaries = [n for n in range(1, len(table)) if table.talk[n] == table.talk[n - 1] and table.length[n - 1]
                  and table.length[n] and table.start[n] == table.start[n - 1] + table.length[n - 1]]
    assert len(boundaries) > 40
    for n in boundaries[:40]:
        pair = [[t.text for t in analyzer(searcher.stored_fields(n - 1)["text"])][-1],
                [t.text for t in analyzer(searcher.stored_fields(n)["text"])][0]]
        body = handle.impacts
        assert np.isin(body.positions(SPANS_FIELD, pair[0]) + 1, body.positions(SPANS_FIELD, pair[1])).any()
        found = _phrase_sentences(handle, quotes, pair)
        assert found == sorted(hit.docnum for hit in reference.search(Phrase("text", pair), limit=None)), pair


def test_a_slop_longer_than_a_sentence_still_keeps_the_phrase_in_one(built):
    """`"a b"~100000000`: the last word of one sentence and the first of the next are not one phrase however large
    the slop, as in Whoosh's index of sentences."""
    handle, quotes, reference = built
    table, searcher, analyzer = quotes.impacts.table, quotes.searcher(), text_analyzer()
    evaluator = Evaluator(quotes.impacts, quotes.words(), quotes.facets.live)
    checked = 0
    for n in range(1, len(table)):
        before = [t.text for t in analyzer(searcher.stored_fields(n - 1)["text"])]
        after = [t.text for t in analyzer(searcher.stored_fields(n)["text"])]
        if not before or not after or before[-1] in after or after[0] in before:
            continue
        pair = [before[-1], after[0]]
        expected = sorted(hit.docnum for hit in reference.search(Phrase("text", pair, slop=10 ** 8), limit=None))
        found = sorted(np.asarray(evaluator.phrase_hits(Phrase(SPANS_FIELD, pair, slop=10 ** 8))[0]).tolist())
        assert found == expected and n - 1 not in found, pair
        checked += 1
        if checked == 30:
            break
    assert checked == 30


def test_prefixes_and_fuzzy_words_expand_to_the_words_of_the_sentences(built):
    """Every two-letter prefix of the body's words, and fuzzy forms of sentence words: the words the quote search
    expands them to are those Whoosh's index of the sentences holds, not the words of questions, abstracts and bios
    that share the talks' body field."""
    handle, quotes, reference = built
    ours, theirs, body = quotes.words().reader(), reference.reader(), handle.searcher().reader()
    prefixes = sorted({w[:2] for w in body.lexicon(SPANS_FIELD)})
    assert len(prefixes) > 50
    body_only = 0
    for prefix in prefixes:
        expected = set(theirs.expand_prefix("text", prefix))
        assert set(ours.expand_prefix(SPANS_FIELD, prefix)) == expected, prefix
        body_only += len(set(body.expand_prefix(SPANS_FIELD, prefix)) - expected)
    assert body_only > 0  # the body does hold words no sentence holds
    for word in [w.decode("utf-8") for w in theirs.lexicon("text")][::40]:
        expected = set(theirs.terms_within("text", word, 1, prefix=1))
        assert set(ours.terms_within(SPANS_FIELD, word, 1, prefix=1)) == expected, word


def test_an_empty_table_part_is_reported_as_damage(built, tmp_path):
    handle, _, _ = built
    copy = tmp_path / "index"
    shutil.copytree(handle.path.parent.parent, copy)
    table = current_build(copy) / QUOTES / f"{SENTENCES}.npy"
    table.unlink()
    table.write_bytes(b"")
    with pytest.raises(IndexUnavailable, match="damaged.*confarchive build"):
        open_quotes(IndexStore(copy).handle())


def test_a_table_out_of_step_with_the_quotes_is_reported_as_damage(built, tmp_path):
    """A sentence table that does not match the quote documents (a lost or cut part) must not give wrong quotes:
    opening the quote index says the build is damaged and which command rebuilds it."""
    handle, _, _ = built
    copy = tmp_path / "index"
    shutil.copytree(handle.path.parent.parent, copy)
    table = current_build(copy) / QUOTES / f"{SENTENCES}.npy"
    rows = np.load(table)
    table.unlink()  # a hard link into the original build: write a file of its own
    np.save(table, rows[:-1])
    with pytest.raises(IndexUnavailable, match="damaged.*confarchive build"):
        open_quotes(IndexStore(copy).handle())


def test_the_words_kept_stay_within_their_budget_and_answer_the_same(built, monkeypatch):
    """A word's sentence hits are kept for the next search, up to HITS_REMEMBERED in all; past it they are
    dropped and worked out again, with the same answer."""
    import indexer.sentence_postings as sentence_postings

    _, quotes, reference = built
    words = [w.decode("utf-8") for w in reference.reader().lexicon("text")][:300]
    first = {w: quotes.impacts.postings(SPANS_FIELD, w) for w in words}
    monkeypatch.setattr(sentence_postings, "HITS_REMEMBERED", 50)
    postings = sentence_postings.SentencePostings(quotes.impacts.talks, quotes.impacts.table)
    for word in words:
        docs, scores = postings.postings(SPANS_FIELD, word)
        assert docs.tolist() == first[word][0].tolist() and scores.tolist() == first[word][1].tolist()
        assert postings._kept <= 50 or len(postings._found) == 1  # one word's hits may exceed it alone


def test_a_phrase_with_slop_through_the_quote_search_finds_whoosh_s_sentences(built):
    """Two words of a sentence two places apart, searched as `"a b"~3` on the quote search: Whoosh's sentences."""
    from indexer.quote_search import QuoteRequest

    _, quotes, reference = built
    analyzer, searcher = text_analyzer(), quotes.searcher()
    for docnum in range(searcher.doc_count_all()):
        words = [t.text for t in analyzer(searcher.stored_fields(docnum)["text"])]
        if len(words) > 2 and words[0] != words[2]:
            break
    pair = [words[0], words[2]]
    expected = {reference.stored_fields(hit.docnum)["id"]
                for hit in reference.search(Phrase("text", pair, slop=3), limit=None)}
    assert searcher.stored_fields(docnum)["id"] in expected
    request = QuoteRequest(q=f'"{" ".join(pair)}"~3', exact=True)  # no synonyms
    assert quotes.search(request).total == len(expected)
    assert {r["id"] for r in quotes.search_all(request)} == expected
