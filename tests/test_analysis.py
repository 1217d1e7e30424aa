"""The analyzers' remembered filter chains (indexer/analysis.py) give what the same Whoosh filters give one by one."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.analysis import RegexTokenizer

from archive import load_corpus
from indexer.analysis import TOKEN_PATTERN, RememberedFilters, language_analyzer, name_analyzer, text_analyzer

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
ANALYZERS = {"prose": text_analyzer, "names": name_analyzer, "german": lambda: language_analyzer("german"),
             "danish": lambda: language_analyzer("danish")}
PIECES = ["the", "The", "of", "a", "I", "s", "genome", "Genomes", "tumour", "tumours", "colour", "Crohn's", "Crohn’s",
          "O'Cathaoir", "d'Arc", "rock'n'roll", "it's", "'s", "'", "’", "Résumés", "Æble", "Łódź", "œuvre", "für",
          "Gesundheitsdaten", "og", "der", "die", "data-driven", "C++", "x+", "2025", "EHDS", "ÉTUDE", "naïve",
          "wasn't", "O'B", " ", "  ", "\n", ".", ",", "-", "(", ")", "é", "ø", "ß"]


def _one_by_one(analyzer):
    """The same tokenizer and filters, with the remembered chain unrolled into Whoosh's own generators."""
    items = []
    for item in analyzer.items:
        items.extend(item.filters if isinstance(item, RememberedFilters) else [item])
    unrolled = items[0]
    for item in items[1:]:
        unrolled = unrolled | item
    return unrolled


def _tokens(analyzer, text: str, **options) -> list[tuple]:
    return [(t.text, t.pos, t.startchar, t.endchar, t.stopped, t.boost)
            for t in analyzer(text, positions=True, chars=True, **options)]


@pytest.mark.parametrize("name", ANALYZERS)
@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=30), removestops=st.booleans())
def test_remembered_chains_give_the_filters_own_tokens_and_positions(name, pieces, removestops):
    analyzer = ANALYZERS[name]()
    assert any(isinstance(item, RememberedFilters) for item in analyzer.items)
    text = " ".join(pieces)
    expected = _tokens(_one_by_one(analyzer), text, removestops=removestops)
    assert _tokens(analyzer, text, removestops=removestops) == expected
    assert _tokens(analyzer, text, removestops=removestops) == expected  # again, from what it remembered


def test_the_shipped_corpus_analyses_as_the_filters_analyse_it():
    corpus = load_corpus(CORPUS)
    texts = [t.text for t in corpus.talks.values()] + [s.bio for s in corpus.speakers.values()]
    for name in ("prose", "names"):
        analyzer = ANALYZERS[name]()
        reference = _one_by_one(analyzer)
        for text in texts:
            assert _tokens(analyzer, text) == _tokens(reference, text)


def test_what_a_chain_remembers_stays_out_of_the_pickled_schema():
    analyzer = text_analyzer()
    list(analyzer("genomics for everyone"))
    remembered = next(item for item in analyzer.items if isinstance(item, RememberedFilters))
    assert remembered._outcomes[True]
    restored = pickle.loads(pickle.dumps(analyzer))
    assert next(item for item in restored.items if isinstance(item, RememberedFilters))._outcomes == {True: {}, False: {}}
    assert restored == text_analyzer()
    assert len(pickle.dumps(analyzer)) == len(pickle.dumps(text_analyzer()))


def test_a_full_memory_is_forgotten_and_refilled(monkeypatch):
    monkeypatch.setattr(RememberedFilters, "MEMORY", 3)
    analyzer = name_analyzer()
    words = "alpha beta gamma delta epsilon zeta"
    reference = _one_by_one(analyzer)
    assert _tokens(analyzer, words) == _tokens(reference, words)
    remembered = next(item for item in analyzer.items if isinstance(item, RememberedFilters))
    assert 0 < len(remembered._outcomes[True]) <= 3


def test_the_tokenizer_is_the_token_pattern():
    assert text_analyzer().items[0] == RegexTokenizer(TOKEN_PATTERN)


def test_forgetting_empties_every_analyzer_s_memory_and_they_still_analyse():
    from indexer.analysis import forget_remembered
    from indexer.schema import build_schema

    schema = build_schema()
    list(schema["body"].analyzer("tumours of the genome"))
    list(schema["names"].analyzer("Ole Ørsted"))
    forget_remembered(schema)
    for field in ("body", "title", "names"):
        remembered = next(i for i in schema[field].analyzer.items if isinstance(i, RememberedFilters))
        assert remembered._outcomes == {True: {}, False: {}}
    assert [t.text for t in schema["body"].analyzer("tumours of the genome")] == ["tumor", "genom"]
