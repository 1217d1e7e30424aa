"""Snippets that tokenize only where marks can be (written_forms.py) mark exactly what the full pass marks.

The full pass (every token of the text analysed) is the reference; tests/test_retrieval.py compares it
with Whoosh's own highlighter. Each comparison here asks the fast path for every term a document has,
so a word it failed to look at would show as a missing place, not just as a missing <mark> in a snippet.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.analysis import STOP_WORDS

from indexer import IndexStore, Searcher
from indexer.analysis import TOKEN_PATTERN, language_analyzer, name_analyzer, text_analyzer
from indexer.snippets import SurfaceTerms, Wanted, body_snippets, marked_places
from indexer.written_forms import WrittenForms, _merged, build_vocabulary, candidate_runs
from indexer.result_column import result_fields

CHARLIMIT = 2 ** 15  # the pinpoint fragmenter's

TRICKY = """Løhde and LØHDE met O'Cathaoir, O’CATHAOIR and d'la at Crohn’s clinic; Crohn's disease isn't rock'n'roll.
Die Netzwerke der Krankenhäuser teilen Gesundheitsdaten; ANWENDUNGEN und Anwendung von Seil, Straße und STRASSE.
Netværkerne deler sundhedsdata mellem hospitalerne; Æbler, æbler, Øresund, Ålborg, Œuvre and œuvres.
C++ and C+ and a+b+c met Résumés, resumes, tumours, TUMOR, paediatric, ﬁnancial, Ǆemal, Kelvin and Kelvin.
Cafe\u0301s and naïve co-operation — “quoted” words, ‘single’ quotes, 'ASCII quotes' and trailing' apostrophes''.
Istanbul and DATA and data_sets and 2025's plans."""


def _analyzers():
    return {"body": text_analyzer(), "body_de": language_analyzer("de"), "body_da": language_analyzer("da")}


def _pair(analyzer, vocabulary):
    """A surface that tokenizes everything, and one that knows the written forms."""
    full, fast = SurfaceTerms(analyzer), SurfaceTerms(analyzer)
    fast.forms = WrittenForms(fast.analyzer, vocabulary)
    return full, fast


def _all_terms(surface, text):
    return {term for match in surface.token.finditer(text) for term in surface(match.group())}


def _same_places(full, fast, text, terms=None):
    terms = _all_terms(full, text) if terms is None else terms
    for charlimit in (None, CHARLIMIT, 40):
        assert candidate_runs(text, fast.forms(terms), charlimit) is not None  # not the full pass's fallback
        expected = marked_places(text, [Wanted.of(full, terms, "")], charlimit)
        assert marked_places(text, [Wanted.of(fast, terms, "")], charlimit) == expected, charlimit
    return terms


@pytest.fixture(scope="module")
def searcher(index_dir):
    return Searcher(IndexStore(index_dir).handle())


@pytest.fixture(scope="module")
def texts(searcher):
    return [result_fields(searcher.searcher.reader(), n)["body"] for n in range(searcher.searcher.doc_count_all())]


@pytest.mark.parametrize("field", ["body", "body_de", "body_da"])
def test_every_term_of_every_document_is_found_in_the_same_places(searcher, texts, field):
    vocabulary = build_vocabulary(searcher.tools.vocabulary)
    full, fast = _pair(_analyzers()[field], vocabulary)
    found = sum(len(_same_places(full, fast, text)) for text in texts)
    assert found > 1000


def test_a_plain_words_lowercase_form_is_in_the_vocabulary(searcher, texts):
    """What the fast path rests on: the vocabulary keeps every plain word's lowercase form but stop words."""
    vocabulary = set(build_vocabulary(searcher.tools.vocabulary))
    surface = SurfaceTerms(text_analyzer())
    plain = {m.group().lower() for text in texts for m in surface.token.finditer(text)
             if m.group().isascii() and "'" not in m.group()}
    assert plain and plain <= vocabulary
    assert set(STOP_WORDS) <= vocabulary


@pytest.mark.parametrize("field", ["body", "body_de", "body_da"])
def test_case_accents_apostrophes_and_stemming_are_found(field):
    """The vocabulary is the text's own words (name_analyzer's), as a build would hold them."""
    vocabulary = {t.text for t in name_analyzer()(TRICKY)} | set(STOP_WORDS)
    full, fast = _pair(_analyzers()[field], vocabulary)
    terms = _same_places(full, fast, TRICKY)
    for words in (["lohde"], ["ocathaoir", "cathaoir"], ["crohn"], ["anwendung"], ["netvaerk"], ["krankenhaus"]):
        _same_places(full, fast, TRICKY, set(words) & terms)
    marked = marked_places(TRICKY, [Wanted.of(fast, terms, "")], None)
    assert len(marked) == len(terms)


def test_a_word_only_the_german_stemmer_finds_is_marked_by_the_fast_path():
    full_body, fast_body = _pair(text_analyzer(), {t.text for t in name_analyzer()(TRICKY)})
    full_de, fast_de = _pair(language_analyzer("de"), {t.text for t in name_analyzer()(TRICKY)})
    from indexer.snippets import LanguageMatches

    def snippet(body, german):
        return body_snippets(body, ["anwendungen"], {0: TRICKY}, readable=True,
                             languages=[LanguageMatches(german, ["anwend"], {0})])[0]

    assert "<mark" in snippet(fast_body, fast_de)
    assert snippet(fast_body, fast_de) == snippet(full_body, full_de)


def test_lowercasing_that_moves_characters_falls_back_to_the_full_pass():
    assert candidate_runs("İstanbul data", {"data"}, None) is None
    assert candidate_runs("Istanbul data", {"data"}, None) == [(9, 13)]


def test_runs_are_whole_runs_of_token_characters():
    text = "x a+b+c y C++ z rock'n'roll"
    assert candidate_runs(text, {"b", "c", "roll"}, None) == [(2, 7), (10, 13), (16, 27)]


def test_the_analyzers_share_the_token_pattern(searcher):
    schema = searcher.searcher.schema
    for analyzer in [schema[field].analyzer for field in ("body", "body_de", "body_da")] + [name_analyzer()]:
        assert analyzer.items[0].expression.pattern == TOKEN_PATTERN


def test_searches_use_the_written_forms_once_learned(searcher):
    """The search's own surfaces learn in the background; the snippets stay those of the full pass."""
    from indexer import SearchRequest

    before = {r["id"]: r["snippet"] for r in searcher.search(SearchRequest(q="genomic data")).results}
    for thread in _learning_threads():
        thread.join()
    assert searcher.tools.surface.forms is not None
    after = {r["id"]: r["snippet"] for r in searcher.search(SearchRequest(q="genomic data")).results}
    assert after == before and any("<mark" in s for s in after.values())


def _learning_threads():
    import threading

    return [t for t in threading.enumerate() if t.name == "written-forms"]


def test_a_later_build_analyses_only_its_new_words_and_knows_what_learning_afresh_knows(monkeypatch):
    """After a save the next build's vocabulary is the last one's plus a few words: only those are analysed."""
    import indexer.written_forms as written_forms

    monkeypatch.setattr(written_forms, "_LEARNED", [])
    first = sorted({w.lower() for w in re.findall(r"[A-Za-z]+", TRICKY)})
    second = first + ["zanzibarium", "genomes", "sequencing"]
    analyzer = SurfaceTerms(text_analyzer()).analyzer
    written_forms._learned(analyzer, first)
    analysed = []
    real = type(analyzer).__call__

    def counting(self, value, **kwargs):
        analysed.append(value)
        return real(self, value, **kwargs)

    monkeypatch.setattr(type(analyzer), "__call__", counting)
    later = written_forms._learned(analyzer, second)
    monkeypatch.setattr(type(analyzer), "__call__", real)
    assert analysed == ["zanzibarium genomes sequencing"]
    afresh = WrittenForms(analyzer, second)
    for term in ("genom", "sequenc", "zanzibarium", "data", "tumour"):
        assert later({term}) == afresh({term}), term
    assert later({"genom"}) == {"genomes"}
    assert (later._terms, later._words, later.words) == (afresh._terms, afresh._words, afresh.words)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("wxyz")), unique=True, max_size=40),
       st.lists(st.tuples(st.sampled_from(["a", "b", "bb", "c", "e", ""]), st.sampled_from("vwxz")), max_size=6))
def test_new_pairs_are_merged_where_a_full_sort_puts_them(known, new):
    """An update's few new (term, word) pairs go into the sorted lists exactly where sorting all of them would."""
    known = sorted(known)
    new = sorted(set(new) - set(known))
    for insert_below in (0, 1):  # sorting everything again, inserting each new pair
        terms, words = _merged([t for t, _ in known], [w for _, w in known], new, insert_below)
        assert list(zip(terms, words)) == sorted(known + new)


def test_a_saved_builds_forms_read_only_the_updates_words_and_hold_every_form_a_full_learning_finds(
        corpus_copy, tmp_path, monkeypatch):
    """After a save the forms are learned from the words the updates added (not the whole vocabulary again), and
    they hold every (term, word) pair that learning the new build's whole vocabulary afresh finds; after a full
    build (another base) the whole vocabulary is read again."""
    import indexer.written_forms as written_forms
    from archive import load_corpus
    from indexer import build_index
    from indexer.update import update_index
    from indexer.vocabulary import Vocabulary

    monkeypatch.setattr(written_forms, "_LEARNED", [])
    root = tmp_path / "index"
    build_index(load_corpus(corpus_copy), root)
    analyzer = SurfaceTerms(text_analyzer()).analyzer
    written_forms.learned_for(analyzer, Vocabulary(IndexStore(root).handle().path))
    talk = "conferences/dngc-2025/talks/dngc-2025-s2-tine-jess.md"
    with open(corpus_copy / talk, "a", encoding="utf-8") as out:
        out.write("\n\nZanzibarium sequencers\n")
    update_index(load_corpus(corpus_copy), root, ["dngc-2025-s2-tine-jess"])
    vocabulary = Vocabulary(IndexStore(root).handle().path)
    read = []
    real = written_forms.build_vocabulary
    monkeypatch.setattr(written_forms, "build_vocabulary", lambda v: read.append(v) or real(v))
    later = written_forms.learned_for(analyzer, vocabulary)
    assert read == []  # only the update's words
    afresh = WrittenForms(analyzer, real(vocabulary))
    assert set(zip(afresh._terms, afresh._words)) <= set(zip(later._terms, later._words))
    assert later({"zanzibarium"}) == {"zanzibarium"} and "sequencers" in later({"sequenc"})
    build_index(load_corpus(corpus_copy), root)  # a full build: a new base
    written_forms.learned_for(analyzer, Vocabulary(IndexStore(root).handle().path))
    assert len(read) == 1
