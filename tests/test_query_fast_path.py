"""Plain words and quoted phrases skip Whoosh's tagging passes: the query built directly must be exactly the
parser's own, down to each phrase word's place in the text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from indexer.query import exclude_negations, make_parser, parse_user_query, plain_query, within_budget
from indexer.schema import build_schema

PARSER = make_parser(build_schema())

WORDS = ["genome", "genomes", "How", "can", "the", "of", "AI", "Løhde", "O’Cathaoir", "Crohn's", "cross-border",
         "tumour", "data-driven", "EHDS", "2025", "a", "résumés", "is", "what?", "health,", "and", "or", "not",
         "sharing.", "x", "über", "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE", "And", "require", "naïve", "co-operation;", "GDPR:", "e.g.", "+", "-", "'", "’s", "ß", "Ærø"]
SEPARATORS = st.sampled_from([" ", "  ", "\t", "\n", " \u00a0", "\u3000"])


def described(q: wq.Query):
    """Everything that tells two queries apart, including what equality ignores: where a phrase's words were."""
    if isinstance(q, wq.Phrase):
        return ("phrase", q.fieldname, q.words, q.slop, q.boost, q.char_ranges)
    if isinstance(q, wq.Term):
        return ("term", q.fieldname, q.text, q.boost, getattr(q, "startchar", None), getattr(q, "endchar", None))
    if isinstance(q, wq.CompoundQuery):
        return (type(q).__name__, q.boost, [described(sub) for sub in q.subqueries])
    return repr(q)


def same_as_parser(text: str) -> None:
    direct = plain_query(PARSER, text)
    if direct is not None:
        parsed = PARSER.parse(text)
        assert direct == parsed, text
        assert described(direct) == described(parsed), text


PHRASES = st.builds(lambda words, sep: '"' + sep.join(words) + '"',
                    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=6),
                    st.sampled_from([" ", "  ", "\t"]))


@given(st.lists(st.tuples(st.one_of(st.sampled_from(WORDS), st.text(min_size=1, max_size=8)), SEPARATORS),
                min_size=1, max_size=8))
@settings(max_examples=400, deadline=None)
def test_plain_query_equals_the_parsers_query(parts):
    same_as_parser("".join(word + sep for word, sep in parts))


@given(st.lists(st.tuples(st.one_of(PHRASES, st.sampled_from(WORDS), st.sampled_from(['"', '"~2', '~', ''])),
                          st.one_of(SEPARATORS, st.just(""))), min_size=1, max_size=6))
@settings(max_examples=600, deadline=None)
def test_words_and_phrases_equal_the_parsers_query(parts):
    same_as_parser("".join(item + sep for item, sep in parts))


@pytest.mark.parametrize("text", ['"european health data space"', '"data driven whole genome sequencing"',
                                  'genomics "European Health Data Space" AI', '"the of"', '""', '"genome"',
                                  '"Løhde\'s data-driven Crohn\'s" tumour', '"AI AND ethics"', '"(AI) ethics*"',
                                  '"genome center" "genome center"'])
def test_phrases_take_the_fast_path_and_match_the_parser(text):
    assert plain_query(PARSER, text) is not None
    same_as_parser(text)


@pytest.mark.parametrize("text", ["How can genomics improve care for patients?", "Løhde", "the of and",
                                  "Crohn's disease cross-border data-driven", "what? health, x"])
def test_plain_words_take_the_fast_path_and_match_the_parser(text):
    direct = plain_query(PARSER, text)
    assert direct is not None
    assert direct == PARSER.parse(text)


@pytest.mark.parametrize("text", ['"genome center"~2', 'a"genome center"', '"genome center"b', '"a\nb"', "genom*", "ethics~", "AI^2", "(AI OR ethics)", "AI AND ethics",
                                  "AI NOT ethics", "AI ANDNOT ethics", "ethics REQUIRE genome",
                                  "REQUIRE genome", ""])
def test_any_syntax_goes_through_the_parser(text):
    assert plain_query(PARSER, text) is None


def test_stop_words_alone_give_the_null_query():
    assert plain_query(PARSER, "the of and") is wq.NullQuery
    assert parse_user_query(PARSER, "the of and").query is wq.NullQuery


def test_a_stemmer_shared_by_threads_survives_its_cache_filling(index_dir):
    """Whoosh's own stem cache raised when threads evicted at once; every request-time analyzer is made safe."""
    import threading

    from indexer.search import Searcher
    from indexer.store import IndexStore

    searcher = Searcher(IndexStore(index_dir).handle())
    analyzers = [searcher.tools.parser.schema["body"].analyzer, searcher.tools.surface.analyzer]
    errors = []

    def hammer(offset: int):
        try:
            for n in range(30_000):
                word = f"w{offset}x{n}ings"
                for analyzer in analyzers:
                    list(analyzer(word))
        except Exception as exc:  # the failure this test exists to catch
            errors.append(exc)

    threads = [threading.Thread(target=hammer, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@given(st.lists(st.tuples(st.one_of(PHRASES, st.sampled_from(WORDS)), SEPARATORS), min_size=1, max_size=6))
@settings(max_examples=300, deadline=None)
def test_a_plain_query_skips_only_passes_that_change_nothing(parts):
    """parse_user_query returns a plain query as built; the budget and negation passes give the same query back."""
    text = "".join(item + sep for item, sep in parts)
    if not text.strip() or plain_query(PARSER, text) is None:
        return
    parsed = PARSER.parse(text)
    notices: list[str] = []
    full = parsed if parsed is wq.NullQuery else exclude_negations(within_budget(parsed, text, notices))
    found = parse_user_query(PARSER, text)
    assert found.query == full and described(found.query) == described(full), text
    assert found.notices == notices == []


def test_a_remembered_word_gives_the_parser_s_query_again_and_the_memory_is_bounded(monkeypatch):
    parser = make_parser(build_schema())
    first = plain_query(parser, "Crohn's cross-border genomes")
    assert parser.word_terms  # remembered
    assert described(plain_query(parser, "Crohn's cross-border genomes")) == described(first)
    assert described(first) == described(parser.parse("Crohn's cross-border genomes"))
    monkeypatch.setattr(type(parser), "WORDS", 2)
    plain_query(parser, "tumour résumés über")
    assert 0 < len(parser.word_terms) <= 2
