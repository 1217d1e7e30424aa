"""The search service: stemming, accent folding, facets over the whole result set, filters, snippets, paging."""

from __future__ import annotations

import pytest

from archive import load_corpus
from indexer import BadRequest, IndexStore, SearchRequest, Searcher, build_index
from indexer.analysis import name_analyzer, text_analyzer
from indexer.schema import FACET_FIELDS

TINE_TALK = "conferences/dngc-2025/talks/dngc-2025-s2-tine-jess.md"

S1 = ["dngc-2025-s1", "dngc-2025-s1-bettina-lundgren", "dngc-2025-s1-britt-elmedal-laursen",
      "dngc-2025-s1-sisse-rye-ostrowski", "dngc-2025-s1-ida-sofie-jensen",
      "dngc-2025-s1-thomas-fredenslund-jacob-hartmann-sorensen", "dngc-2025-s1-sue-hill",
      "dngc-2025-s1-richard-rosenquist-brandell", "dngc-2025-s1-emmanuel-bacry", "dngc-2025-s1-stinus-lindgreen",
      "dngc-2025-s1-qa"]
S2 = ["dngc-2025-s2", "dngc-2025-s2-laura-anne-whelan", "dngc-2025-s2-james-buchanan", "dngc-2025-s2-bodil-orkild",
      "dngc-2025-s2-qa", "dngc-2025-s2-henrik-ullum", "dngc-2025-s2-aarno-palotie", "dngc-2025-s2-tine-jess",
      "dngc-2025-s2-fulvia-raffaelli", "dngc-2025-s2-peter-goodhand", "dngc-2025-s2-saila-rinne",
      "dngc-2025-s2-serena-scollen", "dngc-2025-s2-troels-tvedegaard-rasmussen", "dngc-2025-s2-diana-arsovic-nielsen",
      "dngc-2025-s2-panel-interoperability"]
S3 = ["dngc-2025-s3", "dngc-2025-s3-dilemma-1", "dngc-2025-s3-dilemma-2", "dngc-2025-s3-dilemma-3"]
S4 = ["dngc-2025-s4", "dngc-2025-s4-kym-boycott", "dngc-2025-s4-bogi-eliasen", "dngc-2025-s4-mads-krogsgaard-thomsen"]
SPEAKERS_BY_NAME = [
    "aarno-palotie", "anne-cambon-thomsen", "bettina-lundgren", "bodil-orkild", "bogi-eliasen",
    "britt-elmedal-laursen", "diana-arsovic-nielsen", "emmanuel-bacry", "francisca-nordfalk", "frederik-otzen-bagger",
    "fulvia-raffaelli", "gry-hasselbalch", "henrik-ullum", "ida-sofie-jensen", "jacob-hartmann-sorensen",
    "james-buchanan", "katharina-ocathaoir", "klaus-hoeyer", "kym-boycott", "laura-anne-whelan",
    "mads-krogsgaard-thomsen", "peter-goodhand", "regina-becker", "richard-rosenquist-brandell", "saila-rinne",
    "serena-scollen", "sisse-rye-ostrowski", "sophie-lohde", "stinus-lindgreen", "sue-hill", "thomas-fredenslund",
    "tine-jess", "troels-tvedegaard-rasmussen"]
PROGRAMME_ORDER = ["dngc-2025-opening-sophie-lohde", *S1, *S2, *S3, *S4, *SPEAKERS_BY_NAME]

KIND_COUNTS = {"speaker": 33, "talk": 25, "panel": 4, "session": 4, "qa": 2}


@pytest.fixture(scope="module")
def store(index_dir):
    return IndexStore(index_dir)


@pytest.fixture
def search(store):
    """search(q=..., filters=..., page=..., per_page=..., sort=...) -> SearchResponse"""
    def run(**kwargs):
        return Searcher(store.handle()).search(SearchRequest(**kwargs))
    return run


def ids(response) -> list[str]:
    return [r["id"] for r in response.results]


def counts(response, facet: str) -> dict[str, int]:
    return {b.value: b.count for b in response.facets[facet]}


# --- words --------------------------------------------------------------------------------------

def test_analyzer_stems_and_folds_accents_before_stemming():
    assert [t.text for t in text_analyzer()("genomes genomic Genomics")] == ["genom", "genom", "genom"]
    assert [t.text for t in text_analyzer()("Résumés resumes")] == ["resum", "resum"]
    assert [t.text for t in name_analyzer()("Sophie Løhde Bodil Ørkild")] == ["sophie", "lohde", "bodil", "orkild"]


def test_stemming_genomes_finds_genomic(search, corpus):
    britt = "dngc-2025-s1-britt-elmedal-laursen"  # says "genomic", never "genome" or "genomes"
    assert "genome" not in corpus.talks[britt].text.lower()
    assert britt in ids(search(q="genomes", filters={"kind": ["talk"]}, per_page=100))
    assert ids(search(q="genomes", per_page=100)) == ids(search(q="genomic", per_page=100))


@pytest.mark.parametrize("folded, written, expected", [
    ("Lohde", "Løhde", {"dngc-2025-opening-sophie-lohde", "sophie-lohde"}),
    ("Orkild", "Ørkild", {"dngc-2025-s2-bodil-orkild", "bodil-orkild"}),
    ("Sorensen", "Sørensen", {"dngc-2025-s1-thomas-fredenslund-jacob-hartmann-sorensen", "jacob-hartmann-sorensen"}),
])
def test_accent_folding(search, folded, written, expected):
    found = ids(search(q=folded))
    assert expected <= set(found)
    assert found == ids(search(q=written))


def test_british_and_american_spelling_meet(search):
    assert "dngc-2025-s1-britt-elmedal-laursen" in ids(search(q="tumor"))  # the page says "tumour"


# --- browsing and order -------------------------------------------------------------------------

def test_empty_query_browses_everything_in_programme_order(search):
    response = search(q="", per_page=100)
    assert response.total == 68
    assert response.sort == "programme"
    assert ids(response) == PROGRAMME_ORDER
    assert response.query == ""


def test_sort_by_programme_orders_matches_as_the_programme(search):
    by_relevance = search(q="genomes", per_page=100)
    by_programme = search(q="genomes", sort="programme", per_page=100)
    assert by_programme.sort == "programme" and by_relevance.sort == "relevance"
    assert ids(by_programme) == [i for i in PROGRAMME_ORDER if i in set(ids(by_relevance))]
    assert ids(by_relevance) != ids(by_programme)
    assert ids(by_relevance)[0] == "dngc-2025-s2-laura-anne-whelan"


# --- facets and filters ---------------------------------------------------------------------------

def test_facets_count_the_whole_corpus_when_browsing(search):
    response = search(per_page=1)
    assert counts(response, "kind") == KIND_COUNTS
    assert counts(response, "session") == {"dngc-2025-s1": 21, "dngc-2025-s2": 28, "dngc-2025-s3": 14,
                                           "dngc-2025-s4": 7}
    assert counts(response, "conference") == {"dngc-2025": 68}
    assert counts(response, "year") == {"2025": 68}
    assert counts(response, "country")["Denmark"] == 34
    assert counts(response, "organisation")["University of Copenhagen"] == 5
    assert counts(response, "speaker")["aarno-palotie"] == 5
    assert list(response.facets) == list(FACET_FIELDS)  # every declared facet, in declaration order (test_api.py names them)
    assert counts(response, "language") == {}  # the shipped conference's talks give no language


def test_facet_counts_cover_every_match_not_only_the_page(search):
    small_page = search(q="genomes", per_page=5)
    later_page = search(q="genomes", per_page=5, page=3)
    assert small_page.total == 39
    assert len(small_page.results) == 5
    assert counts(small_page, "kind") == {"speaker": 17, "talk": 14, "session": 4, "panel": 3, "qa": 1}
    assert sum(counts(small_page, "kind").values()) == small_page.total
    for facet in small_page.facets:
        assert counts(small_page, facet) == counts(later_page, facet), facet


def test_facet_buckets_have_labels_and_are_most_frequent_first(search):
    buckets = search().facets["session"]
    assert [(b.value, b.label, b.count) for b in buckets][:2] == [
        ("dngc-2025-s2", "Session 2: Infrastructure requirements, data standards and competencies to support "
                         "personalised medicine and a data-driven healthcare system", 28),
        ("dngc-2025-s1",
         "Session 1: From genomic data to personalised medicine: Where are we and what is the goal?", 21)]
    kinds = {b.value: b.label for b in search().facets["kind"]}
    assert kinds == {"speaker": "Speaker", "talk": "Talk", "panel": "Panel", "session": "Session", "qa": "Q&A"}
    assert {b.value: b.label for b in search().facets["speaker"]}["sue-hill"] == "Dame Sue Hill"


def test_or_within_one_facet(search):
    response = search(filters={"speaker": ["aarno-palotie", "ida-sofie-jensen"]}, per_page=100)
    assert ids(response) == ["dngc-2025-s1", "dngc-2025-s1-ida-sofie-jensen", "dngc-2025-s2",
                             "dngc-2025-s2-aarno-palotie", "dngc-2025-s3", "dngc-2025-s3-dilemma-2",
                             "aarno-palotie", "ida-sofie-jensen"]
    assert response.total == 8
    assert response.filters == {"speaker": ["aarno-palotie", "ida-sofie-jensen"]}


def test_and_across_facets(search):
    response = search(filters={"speaker": ["aarno-palotie"], "session": ["dngc-2025-s3"]}, per_page=100)
    assert ids(response) == ["dngc-2025-s3", "dngc-2025-s3-dilemma-2", "aarno-palotie"]
    talks_only = search(filters={"topic": ["ai"], "kind": ["talk"]}, per_page=100)
    about = [r["id"] for r in talks_only.results if not r["mentioned"]]  # then the talks that only mention AI
    assert about == ["dngc-2025-s2-saila-rinne", "dngc-2025-s4-kym-boycott", "dngc-2025-s4-mads-krogsgaard-thomsen"]
    assert ids(talks_only)[:3] == about and all(r["kind"] == "talk" for r in talks_only.results)


def test_a_facets_counts_ignore_its_own_filter(search):
    panels = search(filters={"kind": ["panel"]})
    assert panels.total == 4
    assert counts(panels, "kind") == KIND_COUNTS  # the other kinds stay selectable (multi-select)
    assert counts(panels, "session") == {"dngc-2025-s3": 3, "dngc-2025-s2": 1}  # other facets are narrowed
    selected = {b.value: b.selected for b in panels.facets["kind"]}
    assert selected == {"speaker": False, "talk": False, "panel": True, "session": False, "qa": False}


def test_own_filter_ignored_but_other_filters_apply(search):
    response = search(filters={"speaker": ["aarno-palotie"], "session": ["dngc-2025-s3"]})
    assert counts(response, "session") == {"dngc-2025-s2": 3, "dngc-2025-s3": 3}
    assert counts(response, "kind") == {"panel": 1, "session": 1, "speaker": 1}


def test_filters_combine_with_words(search):
    response = search(q="genomes", filters={"kind": ["panel"]}, per_page=100)
    assert response.total == 3
    assert set(ids(response)) == {"dngc-2025-s3-dilemma-1", "dngc-2025-s3-dilemma-2", "dngc-2025-s3-dilemma-3"}


def test_selected_value_with_no_match_is_still_listed(search):
    response = search(q="Crohn", filters={"topic": ["ai"]})
    assert response.total == 0 and response.results == []
    assert [(b.value, b.count, b.selected) for b in response.facets["topic"] if b.value == "ai"] == [("ai", 0, True)]


# --- snippets -------------------------------------------------------------------------------------

def test_snippet_highlights_matches_with_mark(search):
    [tine] = [r for r in search(q="Crohn").results if r["id"] == "dngc-2025-s2-tine-jess"]
    assert '<mark class="match' in tine["snippet"]
    assert "Crohn’s</mark>" in tine["snippet"]
    assert len(tine["snippet"]) < 1000


def test_browsing_snippet_is_the_lead_without_marks(search):
    [first] = search(per_page=1).results
    assert first["id"] == "dngc-2025-opening-sophie-lohde"
    assert first["snippet"].startswith("Sophie presented current political priorities for personalised medicine")
    assert first["snippet"].endswith(" …")
    assert "<mark" not in first["snippet"]


def test_result_payload(search):
    [talk] = search(q="Crohn", filters={"kind": ["talk"]}).results
    assert {k: talk[k] for k in ("id", "kind", "title", "url", "speakers", "topics")} == {
        "id": "dngc-2025-s2-tine-jess", "kind": "talk",
        "title": "Bridging data silos: PREDICT and disease trajectories in inflammatory bowel disease",
        "url": "/talks/dngc-2025-s2-tine-jess", "speakers": [{"id": "tine-jess", "name": "Tine Jess"}],
        "topics": ["prevention"]}
    assert (talk["session"]["number"], talk["session"]["id"]) == (2, "dngc-2025-s2")


def test_same_search_gives_the_same_snippets(search):
    runs = {tuple(r["snippet"] for r in search(q="data sharing", filters={"topic": ["ethics"]}).results)
            for _ in range(12)}
    assert len(runs) == 1


@pytest.fixture(scope="module")
def hostile_store(copy_small, tmp_path_factory):
    """A small corpus whose summary holds markup-like text, built into its own index."""
    target = copy_small()
    path = target / TINE_TALK
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n")
                    + " Zebrafish `<script>alert(1)</script>` & zebrafish <b onmouseover=alert(2)>x</b>\n",
                    encoding="utf-8")
    index = tmp_path_factory.mktemp("hostile-index")
    build_index(load_corpus(target), index)
    return IndexStore(index)


def test_snippet_escapes_the_text_around_matches(hostile_store):
    [hit] = Searcher(hostile_store.handle()).search(SearchRequest(q="zebrafish")).results
    snippet = hit["snippet"]
    assert "<mark" in snippet
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet
    assert "<script" not in snippet and "onmouseover" not in snippet
    assert "&amp;" in snippet


# --- paging and bad parameters ---------------------------------------------------------------------

def test_pagination(search):
    pages = [search(page=n) for n in (1, 2, 3, 4)]
    assert [len(p.results) for p in pages] == [20, 20, 20, 8]
    assert [i for p in pages for i in ids(p)] == PROGRAMME_ORDER
    assert {p.total for p in pages} == {68}
    assert pages[0].pages == 4


def test_page_past_the_end_is_empty_with_the_total_unchanged(search):
    response = search(page=5)
    assert response.results == []
    assert response.total == 68
    assert counts(response, "kind") == KIND_COUNTS


@pytest.mark.parametrize("kwargs, message", [
    ({"page": 0}, "page must be 1 or more"),
    ({"page": -3}, "page must be 1 or more"),
    ({"per_page": 0}, "per_page must be between 1 and 100"),
    ({"per_page": 101}, "per_page must be between 1 and 100"),
    ({"sort": "bogus"}, "sort must be one of: relevance, programme"),
    ({"filters": {"colour": ["blue"]}},
     "unknown filter 'colour'; filters are: topic, session, speaker, kind, organisation, country, conference, year, "
     "language"),
])
def test_bad_parameters_raise_bad_request(search, kwargs, message):
    with pytest.raises(BadRequest) as caught:
        search(**kwargs)
    assert str(caught.value) == message


def test_very_long_query_is_shortened_with_a_notice(search):
    response = search(q="genomes " * 100)
    assert response.total == 39
    assert "Your query was shortened to its first 500 characters." in response.notices


@pytest.mark.parametrize("q", ['"unclosed phrase', "((genomes", "genomes AND", "title:genomes", "NOT", ")(", "*", "~"])
def test_odd_syntax_never_raises(search, q):
    response = search(q=q)
    assert response.total >= 0
