"""best_fragments picks exactly what Whoosh's top_fragments picks, without making a Fragment per marked place."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st
from whoosh import highlight
from whoosh.highlight import HtmlFormatter

from indexer import IndexStore, Searcher
from indexer.result_column import result_fields
from indexer.snippets import (FRAGMENTS, SNIPPET_CHARS, EarliestFirstScorer, SurfaceTerms, Wanted, _tokens,
                              best_fragments, marked_places, one_mark_snippet)
from indexer.snippet_edges import readable_snippet

WORD_SETS = [["data"], ["genom", "data"], ["health", "data", "patient", "care"], ["crohn"], ["lohde"], ["wa", "ein"]]


def _fragmenter():
    return highlight.PinpointFragmenter(maxchars=SNIPPET_CHARS, surround=80, autotrim=True)


def _whoosh(fragmenter, text, tokens):
    return highlight.top_fragments(fragmenter.fragment_matches(text, tokens), FRAGMENTS, EarliestFirstScorer(),
                                   highlight.FIRST)


def _shape(fragments):
    return [(f.startchar, f.endchar, [(t.startchar, t.text) for t in f.matches]) for f in fragments]


@pytest.fixture(scope="module")
def searcher(index_dir):
    return Searcher(IndexStore(index_dir).handle())


def test_the_same_fragments_as_whoosh_for_every_document(searcher):
    surface = SurfaceTerms(searcher.searcher.schema["body"].analyzer)
    fragmenter = _fragmenter()
    texts = [result_fields(searcher.searcher.reader(), n)["body"] for n in range(searcher.searcher.doc_count_all())]
    texts.append(" ".join(texts))  # one long text with many marks
    compared = single = 0
    for words in WORD_SETS + [sorted({t for text in texts[:5] for m in surface.token.finditer(text)
                                      for t in surface(m.group())})]:
        for text in texts:
            tokens = _tokens(marked_places(text, [Wanted.of(surface, words, "")], fragmenter.charlimit),
                             fragmenter.charlimit)
            ours = best_fragments(fragmenter, text, tokens)
            if ours is not None:
                assert _shape(ours) == _shape(_whoosh(fragmenter, text, tokens)), (words, text[:60])
                compared += bool(tokens)
                single += bool(tokens) and len(ours) == 1  # one fragment in all: picked without scoring
    assert compared > 100 and single > 10


def test_two_apart_fragments_of_one_score_are_both_picked_earliest_first():
    fragmenter = _fragmenter()
    text = "data " + "x" * 600 + " data " + "y" * 600 + " data"
    tokens = [highlight.Token(text="data", startchar=start, endchar=start + 4, boost=1.0) for start in (0, 606, 1212)]
    ours = best_fragments(fragmenter, text, tokens)
    assert _shape(ours) == _shape(_whoosh(fragmenter, text, tokens)) and [f.startchar for f in ours] == [0, 606]


def test_an_exact_tie_is_left_to_whoosh(monkeypatch):
    """Whoosh orders fragments of one score by object id; best_fragments does not guess that order."""
    import indexer.snippets as snippets

    monkeypatch.setattr(snippets, "_score", lambda *args: 100.0)
    text = "data " + "x" * 600 + " data"
    tokens = [highlight.Token(text="data", startchar=start, endchar=start + 4, boost=1.0) for start in (0, 606)]
    assert best_fragments(_fragmenter(), text, tokens) is None


def _readable_the_general_way(fragmenter, text: str, term: str, start: int, end: int, formatter) -> str:
    """What body_snippets makes of a text with one marked word without the one-mark path: Whoosh's own fragments."""
    tokens = [highlight.Token(text=term, startchar=start, endchar=end, boost=1.0)]
    return readable_snippet(formatter, _whoosh(fragmenter, text, tokens))


def test_a_text_with_one_mark_gets_the_snippet_the_general_way_makes(searcher):
    """Every one-mark text of the corpus (each word of each document, marked alone), compared as formatted HTML."""
    surface = SurfaceTerms(searcher.searcher.schema["body"].analyzer)
    fragmenter = _fragmenter()
    reader = searcher.searcher.reader()
    compared = cut = 0
    for docnum in range(searcher.searcher.doc_count_all()):
        text = result_fields(reader, docnum)["body"]
        for match in list(surface.token.finditer(text))[::3]:
            term = match.group().lower()
            ours = one_mark_snippet(fragmenter, HtmlFormatter(tagname="mark"), text, term, match.start(), match.end())
            whoosh = _readable_the_general_way(fragmenter, text, term, match.start(), match.end(),
                                               HtmlFormatter(tagname="mark"))
            assert ours == whoosh, (text[:60], term, match.start())
            compared += 1
            cut += "…" in ours
    assert compared > 1000 and 0 < cut < compared


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .!?\n,;:-(<&\"”")), max_size=400), st.data())
def test_one_mark_snippets_match_the_general_way_on_any_text(text, data):
    words = list(re.finditer(r"\w+", text))
    if not words:
        return
    match = data.draw(st.sampled_from(words))
    fragmenter = _fragmenter()
    ours = one_mark_snippet(fragmenter, HtmlFormatter(tagname="mark"), text, match.group(), match.start(), match.end())
    assert ours == _readable_the_general_way(fragmenter, text, match.group(), match.start(), match.end(),
                                             HtmlFormatter(tagname="mark"))
