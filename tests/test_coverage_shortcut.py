"""coverage.measure's shortcuts (a one-concept query's documents are the ones the query matched; the parser's
remembered analyses for the language fields) give exactly what looking each concept up again gives."""

from __future__ import annotations

import numpy as np
import pytest

from indexer import IndexStore, Searcher
from indexer.coverage import measure
from indexer.query import parse_user_query

TEXTS = ["Anwendungen der Genomik", "sundhedsdata", "genome", "genomic", "EHDS", "european health data space", '"health data"', "Lohde", "the",
         "data -genome", "genom*", "consent~", "zzzznothing", "federated data", "EHDS consent", "title:genome",
         '"personalised medicine" genome', "AI", "Anwendungen", "data data", "ethics OR consent"]


@pytest.fixture(scope="module")
def searcher(index_dir):
    handle = IndexStore(index_dir).handle()
    yield Searcher(handle)


@pytest.mark.parametrize("text", TEXTS)
def test_the_shortcut_equals_the_full_lookup(searcher, text):
    tools, evaluator = searcher.tools, searcher.evaluator
    expanded, _ = tools.expander.expand(text)
    query = parse_user_query(tools.parser, expanded).query
    found = evaluator.run(query)
    full = measure(tools.expander, evaluator, query, text)
    short = measure(tools.expander, evaluator, query, text, found.mask, tools.parser.analysed)  # as search.py
    assert [c.word for c in short.concepts] == [c.word for c in full.concepts]
    for ours, theirs in zip(short.concepts, full.concepts):
        assert np.array_equal(ours.mask, theirs.mask), (text, ours.word)


@pytest.mark.parametrize("text", ["genome", "Lohde", '"health data"', "consent"])
def test_the_shortcut_is_taken_for_one_word_or_phrase(searcher, monkeypatch, text):
    tools, evaluator = searcher.tools, searcher.evaluator
    query = parse_user_query(tools.parser, text).query
    found = evaluator.run(query)
    monkeypatch.setattr(type(evaluator), "matching", lambda *a: pytest.fail("looked up again"))
    coverage = measure(tools.expander, evaluator, query, text, found.mask, tools.parser.analysed)
    assert coverage.concepts[0].mask is found.mask and found.mask.any()


def test_the_parser_s_remembered_stems_are_the_language_analyzers_own(searcher):
    from indexer.coverage import _language_owners

    schema, parser = searcher.searcher.schema, searcher.tools.parser
    for text in ["Anwendungen der Genomik", "sundhedsdata og patienter", "Crohn's cross-border über", "EHDS AI"]:
        words = searcher.tools.expander.concept_words(text)
        owners = _language_owners(schema, words)
        assert owners and owners == _language_owners(schema, words, parser.analysed), text


@pytest.mark.parametrize("text", TEXTS)
def test_unmatched_from_the_hits_equals_looking_at_each_concept(searcher, text):
    """With the query's hits given, a whole-query concept is unmatched exactly when there are none; the reference
    is the concept-by-concept check, under filters that leave some, one or no documents."""
    tools, evaluator, table = searcher.tools, searcher.evaluator, searcher.table
    expanded, _ = tools.expander.expand(text)
    query = parse_user_query(tools.parser, expanded).query
    found = evaluator.run(query)
    coverage = measure(tools.expander, evaluator, query, text, found.mask, tools.parser.analysed)
    hit = np.flatnonzero(found.mask)
    only_one = np.zeros(table.size, dtype=bool)
    only_one[hit[:1]] = True
    for allowed in (table.live, table.selection_mask("kind", ["speaker"]), only_one, ~table.live):
        assert coverage.unmatched(allowed, found.mask & allowed) == coverage.unmatched(allowed), text
