"""Ranking: relevance order, not programme order, for single words; more concepts matched rank higher."""

from __future__ import annotations

import pytest

from indexer import IndexStore, SearchRequest, Searcher, build_index


@pytest.fixture(scope="module")
def searcher(corpus, tmp_path_factory):
    root = tmp_path_factory.mktemp("ranking-index")
    build_index(corpus, root)
    return Searcher(IndexStore(root).handle())


def ids(searcher, q: str, n: int = 3) -> list[str]:
    return [r["id"] for r in searcher.search(SearchRequest(q=q, per_page=n)).results]


def test_single_word_ranks_by_relevance_not_programme(searcher, corpus):
    top = searcher.search(SearchRequest(q="trust", per_page=1)).results[0]
    assert top["id"] != "dngc-2025-opening-sophie-lohde"
    assert corpus.talks[top["id"]].text.lower().count("trust") >= 2


def test_document_with_every_concept_beats_frequent_single_word(searcher):
    assert ids(searcher, "EHR data", 1) == ["dngc-2025-s2-bodil-orkild"]


def test_question_mark_is_not_a_wildcard(searcher):
    assert "dngc-2025-opening-sophie-lohde" in ids(searcher, "how many genomes are in the Danish national genome database?")


def test_long_form_with_acronym_finds_the_concept(searcher):
    assert ids(searcher, "electronic health records", 1) == ["dngc-2025-s2-bodil-orkild"]
