"""Search that finds what people mean: folding, synonyms, query syntax, did-you-mean, suggestions, exploring."""

from __future__ import annotations

import re

import pytest

from indexer import IndexStore, SearchRequest, Searcher
from indexer.analysis import text_analyzer


@pytest.fixture(scope="module")
def searcher(index_dir):
    return Searcher(IndexStore(index_dir).handle())


def search(searcher, q: str, **filters):
    return searcher.search(SearchRequest(q=q, filters={k: list(v) for k, v in filters.items()}))


def top(searcher, q: str, n: int = 3) -> list[str]:
    return [r["id"] for r in search(searcher, q).results[:n]]


def tokens(text: str) -> list[str]:
    return [t.text for t in text_analyzer()(text)]


@pytest.mark.parametrize("british, american", [
    ("tumour", "tumor"), ("personalised", "personalized"), ("programme", "program"),
    ("paediatric", "pediatric"), ("centre", "center"), ("organisation", "organization"),
    ("haematological", "hematological"), ("ageing", "aging")])
def test_british_and_american_spellings_are_one(british, american):
    assert tokens(british) == tokens(american)


@pytest.mark.parametrize("one, other", [
    ("Løhde", "Lohde"), ("Ørkild", "Orkild"), ("O’Cathaoir", "O'Cathaoir"), ("O'Cathaoir", "OCathaoir"),
    ("Crohn’s", "Crohn"), ("whole-genome", "whole genome"), ("public–private", "public-private")])
def test_folding_makes_variants_equal(one, other):
    assert tokens(one)[:1] == tokens(other)[:1]


def test_numbers_and_codes_stay_tokens():
    assert tokens("1+MG 5P 11 million") == ["1+mg", "5p", "11", "million"]


@pytest.mark.parametrize("query, expected", [
    ("Lohde", "sophie-lohde"), ("Orkild", "bodil-orkild"), ("OCathaoir", "katharina-ocathaoir"),
    ("tumor boards", "dngc-2025-s1-britt-elmedal-laursen"), ("1+MG", "dngc-2025-s2-saila-rinne"),
    ("pediatrics", "kym-boycott")])
def test_variants_find_the_record(searcher, query, expected):
    assert expected in top(searcher, query)


def test_acronym_expansion_is_reported_when_it_changes_the_results(searcher):
    response = search(searcher, "Finnish")
    assert response.also_searched == ["Finland"]
    assert "dngc-2025-s2-aarno-palotie" in [r["id"] for r in response.results]


def test_expansion_that_changes_nothing_is_not_reported(searcher):
    assert search(searcher, "EHDS").also_searched == []


def test_long_question_does_not_come_back_empty(searcher):
    response = search(searcher, "who talked about predicting Crohn's disease years before onset zzyzx")
    assert response.results and response.results[0]["id"] in {"dngc-2025-s2-tine-jess", "tine-jess"}


@pytest.mark.parametrize("query, facet, value", [
    ("speaker:hasselbalch AI", "speaker", "gry-hasselbalch"), ('speaker:"Gry Hasselbalch"', "speaker", "gry-hasselbalch"),
    ("topic:ai data", "topic", "ai"), ("session:2 AI", "session", "dngc-2025-s2"), ("kind:panel trust", "kind", "panel"),
    ("kind:q&a", "kind", "qa")])
def test_field_filters_in_the_query_become_facet_filters(searcher, query, facet, value):
    response = search(searcher, query)
    assert response.filters == {facet: [value]}
    assert response.total > 0
    assert all(value in searcher.table.values_of(n)[facet] for n in searcher.table.selection(facet, [value]))


def test_unknown_field_filter_value_is_left_out_with_a_notice(searcher):
    response = search(searcher, "speaker:nobodyatall genomics")
    assert response.filters == {}
    assert response.notices == ["No speaker matches “nobodyatall”, so that filter was left out."]


def test_boolean_operators(searcher):
    both = {r["id"] for r in searcher.search(SearchRequest(q="AI AND ethics", per_page=100)).results}
    either = {r["id"] for r in searcher.search(SearchRequest(q="AI OR ethics", per_page=100)).results}
    without = {r["id"] for r in searcher.search(SearchRequest(q="AI NOT ethics", per_page=100)).results}
    assert both and both < either and not (both & without)


def test_prefix_and_fuzzy(searcher):
    assert "dngc-2025-s2-panel-interoperability" in top(searcher, "interop*", 5)
    assert "gry-hasselbalch" in top(searcher, "Haselbalch~", 5)


def test_fuzzy_distance_is_capped(searcher):
    assert search(searcher, "data~9").total == search(searcher, "data~2").total


@pytest.mark.parametrize("query", ['"whole genome', "(genomics", "AND", "genomics OR", "))"])
def test_malformed_syntax_falls_back_and_says_so(searcher, query):
    response = search(searcher, query)
    assert response.notices[-1] == "Your query's syntax could not be read, so its words were searched plainly."


@pytest.mark.parametrize("typed, meant", [
    ("Hasselbach", "Hasselbalch"), ("Palotei", "Palotie"), ("interoperabilty", "interoperability"),
    ("genomcs", "genomics")])
def test_did_you_mean(searcher, typed, meant):
    response = search(searcher, typed)
    assert response.suggestion == meant
    assert response.corrected_from == typed and response.total > 0


def test_exact_search_shows_no_correction_results(searcher):
    response = searcher.search(SearchRequest(q="Hasselbach", exact=True))
    assert response.total == 0 and response.suggestion == "Hasselbalch" and response.corrected_from is None


def test_known_words_get_no_suggestion(searcher):
    assert search(searcher, "tumor boards predicting").suggestion is None


def test_did_you_mean_in_the_api_and_the_page(client):
    assert client.get("/api/search?q=interoperabilty+data").get_json()["suggestion"] == "interoperability data"
    page = client.get("/search?q=Palotei").get_data(as_text=True)
    assert "showing results for “Palotie”" in page and 'href="/search?q=Palotei&amp;exact=1"' in page


def test_suggest_api(client):
    body = client.get("/api/suggest?q=hasse").get_json()
    assert body["suggestions"][0] == {"label": "Gry Hasselbalch", "kind": "speaker",
                                      "url": "/speakers/gry-hasselbalch", "count": 2}
    kinds = {s["kind"] for s in client.get("/api/suggest?q=eu").get_json()["suggestions"]}
    assert {"topic", "organisation"} <= kinds
    assert client.get("/api/suggest?q=x").get_json()["suggestions"] == []
    assert client.get("/api/suggest?q=ge&limit=50").status_code == 400


def test_talk_page_shows_related_talks_and_the_speakers_other_talks(client):
    page = client.get("/talks/dngc-2025-s2-aarno-palotie").get_data(as_text=True)
    related = page[page.index('id="related-h"'):]
    assert len(re.findall(r'<li><a href="/talks/', related)) == 5
    assert 'id="other-talks-h">More from Aarno Palotie' in page and "/talks/dngc-2025-s3-dilemma-2" in page


def test_topic_overview_chart_links_each_cell_to_its_search(client, searcher):
    page = client.get("/topics").get_data(as_text=True)
    cells = re.findall(r'<a href="(/search\?session=[^"]+)" aria-label="([^"]+): (\d+)">', page)
    empty = re.findall(r'<g role="img" aria-label="([^"]+): 0">', page)
    assert len(cells) + len(empty) == 4 * 11 and empty and all(int(c[2]) for c in cells)  # empty cells: no link
    url, _, count = next(c for c in cells if "session=dngc-2025-s2&amp;topic=ehds" in c[0])
    assert url.endswith("session=dngc-2025-s2&amp;topic=ehds")  # only the cell's own two filters
    filters = {"session": ["dngc-2025-s2"], "topic": ["ehds"]}
    found = searcher.search(SearchRequest(filters=filters))
    [about] = [b for b in found.facets["topic"] if b.value == "ehds"]  # the cell counts talks about the topic;
    assert about.count == int(count) == len([r for r in found.results if not r["mentioned"]])  # mentions follow


def test_a_talk_with_no_plain_text_has_no_related_talks_and_its_page_renders(small_corpus, tmp_path):
    """Its indexed text is empty (the summary is only an image); Whoosh's more_like would then look for a stored
    body, which the build no longer keeps (result_column.py)."""
    from archive import load_corpus
    from indexer import build_index
    from indexer.explore import related_talks

    from tests.conftest import make_app

    talk = small_corpus / "conferences" / "dngc-2025" / "talks" / "dngc-2025-s2-tine-jess.md"
    head, _, _ = talk.read_text(encoding="utf-8").rpartition("\n---\n")
    talk.write_text(head + "\n---\n![A diagram of the data flow](flow.png)\n", encoding="utf-8")
    build_index(load_corpus(small_corpus), tmp_path / "index")
    handle = IndexStore(tmp_path / "index").handle()
    assert related_talks(handle, "dngc-2025-s2-tine-jess") == []
    assert related_talks(handle, "dngc-2025-s2-james-buchanan")  # the others still have theirs
    client = make_app(tmp_path / "index", small_corpus).test_client()
    assert client.get("/talks/dngc-2025-s2-tine-jess").status_code == 200


def test_related_talks_are_worked_out_once_per_build_and_equal_a_fresh_search(index_dir, monkeypatch):
    import indexer.explore as explore

    handle = IndexStore(index_dir).handle()
    first = explore.related_talks(handle, "dngc-2025-s2-aarno-palotie")
    searcher = handle.searcher()
    docnum = searcher.document_number(id="dngc-2025-s2-aarno-palotie")
    text = explore.result_fields(searcher.reader(), docnum)["body"]
    talks = handle.facets.selection("kind", list(explore.TALK_KINDS))
    whoosh = searcher.more_like(docnum, "body", text=text, top=5, numterms=12, filter=talks)  # Whoosh's own
    assert len(first) == 5 and [talk["id"] for talk in first] == [hit["id"] for hit in whoosh]
    monkeypatch.setattr(explore, "_related_documents", lambda *a: pytest.fail("worked out again"))
    assert explore.related_talks(handle, "dngc-2025-s2-aarno-palotie") == first
