"""The JSON API contract: shapes, filters, listings, records, and one error shape (400, 404, 503; never a 500)."""

from __future__ import annotations

import pytest


SEARCH_KEYS = {"query", "total", "page", "per_page", "sort", "results", "facets", "filters", "suggestion", "notices",
               "also_searched", "corrected_from", "match", "topic_mode", "unmatched", "matched_all", "matched_some",
               "remaining_query", "facet_notes"}
RESULT_KEYS = {"id", "kind", "title", "url", "speakers", "session", "topics", "mentions", "mentioned", "snippet",
               "conference"}
FACETS = {"topic", "session", "speaker", "kind", "organisation", "country", "conference", "year", "language"}
TALK_KEYS = {"id", "kind", "title", "title_editorial", "url", "conference", "session", "order", "date", "schedule", "speakers",
             "byline", "topics", "mentions", "question", "abstract", "text", "source"}
SPEAKER_KEYS = {"id", "name", "display_name", "honorific", "aliases", "affiliations", "organisations", "countries",
                "bio", "topics", "mentions", "url", "talks"}
SESSION_KEYS = {"id", "number", "title", "url", "conference", "purpose", "recording", "speakers", "talks", "source"}
SECURITY_HEADERS = {"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"}


def get_json(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


# --- /api/search ----------------------------------------------------------------------------------

def test_search_shape(client):
    data = get_json(client, "/api/search?q=genomes&per_page=3")
    assert set(data) == SEARCH_KEYS
    assert (data["query"], data["total"], data["page"], data["per_page"]) == ("genomes", 39, 1, 3)
    assert data["suggestion"] is None
    assert len(data["results"]) == 3
    for result in data["results"]:
        assert set(result) == RESULT_KEYS
        assert isinstance(result["id"], str) and isinstance(result["title"], str)
        assert result["kind"] in {"talk", "panel", "qa", "speaker", "session"}
        assert result["url"].startswith("/")
        assert all(set(s) == {"id", "name"} for s in result["speakers"])
        assert result["session"] is None or {"number", "title"} <= set(result["session"])
        assert all(isinstance(t, str) for t in result["topics"])
        assert isinstance(result["snippet"], str) and result["snippet"]
    assert set(data["facets"]) == FACETS
    for name, buckets in data["facets"].items():
        for bucket in buckets:
            assert set(bucket) == {"value", "label", "count", "selected"} | ({"mentions"} if name == "topic" else set())
            assert isinstance(bucket["count"], int) and isinstance(bucket["label"], str)


def test_search_first_result(client):
    [first] = get_json(client, "/api/search?q=genomes&per_page=1")["results"]
    assert {k: v for k, v in first.items() if k != "snippet"} == {
        "id": "dngc-2025-s2-laura-anne-whelan", "kind": "talk",
        "title": "The Irish experience with genomic data infrastructures",
        "url": "/talks/dngc-2025-s2-laura-anne-whelan",
        "speakers": [{"id": "laura-anne-whelan", "name": "Dr. Laura Anne Whelan"}],
        "session": {"id": "dngc-2025-s2", "number": 2,
                    "title": "Infrastructure requirements, data standards and competencies to support personalised "
                             "medicine and a data-driven healthcare system",
                    "url": "/sessions/dngc-2025-s2"},
        "topics": ["genomics", "data-infrastructure"],
        "mentions": [{"topic": "ehds", "sentences": ["dngc-2025-s2-laura-anne-whelan.s2"]}], "mentioned": [],
        "conference": "dngc-2025"}
    assert "<mark" in first["snippet"]


def test_required_topic_ids_are_in_the_api(client):
    topics = {b["value"]: b["label"] for b in get_json(client, "/api/search")["facets"]["topic"]}
    assert {"genomics", "ehds", "ai", "ethics"} <= set(topics)


def test_opening_talk_has_no_session(client):
    [opening] = get_json(client, "/api/search?per_page=1")["results"]
    assert (opening["id"], opening["session"]) == ("dngc-2025-opening-sophie-lohde", None)


def test_repeated_filters_are_ored(client):
    data = get_json(client, "/api/search?speaker=aarno-palotie&speaker=ida-sofie-jensen&per_page=100")
    assert data["total"] == 8
    assert data["filters"] == {"speaker": ["aarno-palotie", "ida-sofie-jensen"]}
    assert {r["id"] for r in data["results"]} >= {"dngc-2025-s2-aarno-palotie", "dngc-2025-s1-ida-sofie-jensen",
                                                  "dngc-2025-s3-dilemma-2"}
    selected = [b["value"] for b in data["facets"]["speaker"] if b["selected"]]
    assert sorted(selected) == ["aarno-palotie", "ida-sofie-jensen"]


@pytest.mark.parametrize("query, total", [
    ("kind=panel", 4), ("kind=qa&kind=panel", 6), ("topic=ai&kind=talk", 6), ("topic=ai&kind=talk&topic_mode=all", 6), ("topic=ai&topic=ethics&topic_mode=all", 15), ("session=dngc-2025-s4", 7),
    ("country=Finland", 3), ("organisation=University+of+Copenhagen", 5), ("year=2025", 68),
    ("conference=dngc-2025&kind=speaker", 33),
])
def test_every_facet_filters(client, query, total):
    assert get_json(client, f"/api/search?{query}")["total"] == total


def test_paging_and_sorting_through_the_api(client):
    page_4 = get_json(client, "/api/search?page=4")
    assert (page_4["total"], len(page_4["results"]), page_4["sort"]) == (68, 8, "programme")
    past = get_json(client, "/api/search?page=9")
    assert (past["total"], past["results"]) == (68, [])
    by_programme = get_json(client, "/api/search?q=genomes&sort=programme&per_page=1")
    assert by_programme["results"][0]["id"] == "dngc-2025-opening-sophie-lohde"
    assert by_programme["sort"] == "programme"


@pytest.mark.parametrize("query, message", [
    ("page=0", "page must be 1 or more"),
    ("page=-1", "page must be 1 or more"),
    ("page=two", "page must be a whole number, not 'two'"),
    ("per_page=0", "per_page must be between 1 and 100"),
    ("per_page=101", "per_page must be between 1 and 100"),
    ("per_page=abc", "per_page must be a whole number, not 'abc'"),
    ("per_page=1.5", "per_page must be a whole number, not '1.5'"),
    ("sort=bogus", "sort must be one of: relevance, programme"),
    ("colour=red", "unknown parameter 'colour'; known: " + ", ".join(sorted(
        {"exact", "match", "page", "per_page", "q", "sort", "topic_mode"} | FACETS))),
    ("match=most", "match must be one of: any, all"),
    ("topic_mode=both", "topic_mode must be one of: any, all"),
])
def test_bad_search_parameters_are_400_with_one_error_shape(client, query, message):
    assert get_json(client, f"/api/search?{query}", 400) == {"error": message, "status": 400}


# --- listings -------------------------------------------------------------------------------------

@pytest.mark.parametrize("collection, total, first, keys", [
    ("talks", 31, "dngc-2025-opening-sophie-lohde", TALK_KEYS),
    ("speakers", 33, "aarno-palotie", SPEAKER_KEYS),
    ("sessions", 4, "dngc-2025-s1", SESSION_KEYS),
])
def test_listing(client, collection, total, first, keys):
    data = get_json(client, f"/api/{collection}")
    assert set(data) == {"total", "page", "per_page", "results"}
    assert (data["total"], data["page"], data["per_page"]) == (total, 1, 20)
    assert len(data["results"]) == min(total, 20)
    assert data["results"][0]["id"] == first
    assert set(data["results"][0]) == keys


def test_talk_listing_is_in_programme_order_and_pages(client, corpus):
    everything = get_json(client, "/api/talks?per_page=100")
    assert [t["id"] for t in everything["results"]] == [t.id for t in corpus.ordered_talks()]
    second = get_json(client, "/api/talks?per_page=20&page=2")
    assert [t["id"] for t in second["results"]] == [t.id for t in corpus.ordered_talks()][20:]
    assert get_json(client, "/api/talks?page=3")["results"] == []


@pytest.mark.parametrize("collection", ["talks", "speakers", "sessions"])
@pytest.mark.parametrize("query, message", [
    ("per_page=101", "per_page must be between 1 and 100"),
    ("page=0", "page must be 1 or more"),
    ("per_page=x", "per_page must be a whole number, not 'x'"),
])
def test_listing_bad_paging_is_400(client, collection, query, message):
    assert get_json(client, f"/api/{collection}?{query}", 400) == {"error": message, "status": 400}


def test_listing_per_page_cap_is_100(client):
    assert get_json(client, "/api/speakers?per_page=100")["per_page"] == 100
    assert len(get_json(client, "/api/speakers?per_page=100")["results"]) == 33


# --- single records -------------------------------------------------------------------------------

def test_talk_record(client):
    talk = get_json(client, "/api/talks/dngc-2025-s3-dilemma-2")
    assert set(talk) == TALK_KEYS
    assert talk["kind"] == "panel"
    assert talk["session"] == {"id": "dngc-2025-s3", "number": 3,
                               "title": "Exploring ethical and legal perspectives in the development of personalised "
                                        "medicine and a data-driven healthcare system"}
    assert talk["speakers"] == [{"id": "ida-sofie-jensen", "name": "Ida Sofie Jensen"},
                                {"id": "aarno-palotie", "name": "Aarno Palotie"},
                                {"id": "katharina-ocathaoir", "name": "Katharina O’Cathaoir"}]
    assert talk["question"] == ("Should private pharmaceutical companies be able to buy access to national genomic "
                                "databases?")
    assert {"genomics", "ethics"} <= set(talk["topics"])
    assert talk["source"] == {"document": "source.txt", "section": "Session 3 Summary", "lines": "483-489", "url": None}
    assert talk["date"] is None  # no date of its own: it was given on the conference's day
    assert talk["conference"]["provenance"]["source_url"] == "unknown"
    assert talk["conference"]["provenance"]["rights"].startswith("No licence is stated on the source page.")


def test_every_talk_text_is_the_whole_summary(client, corpus):
    for talk in corpus.talks.values():
        data = get_json(client, f"/api/talks/{talk.id}")
        assert data["text"] == talk.text, talk.id
        assert (data["kind"], data["order"]) == (talk.kind, talk.order)
        assert [s["id"] for s in data["speakers"]] == talk.speakers
        assert data["topics"] == talk.topics


def test_qa_record(client):
    qa = get_json(client, "/api/talks/dngc-2025-s2-qa")
    assert (qa["kind"], qa["speakers"], qa["session"]["number"]) == ("qa", [], 2)
    assert qa["text"].startswith("The Q&A focussed on how to utilise hospital data to improve healthcare")


def test_speaker_record_with_alias(client):
    britt = get_json(client, "/api/speakers/britt-elmedal-laursen")
    assert set(britt) == SPEAKER_KEYS
    assert (britt["name"], britt["aliases"]) == ("Britt Elmedal Laursen", ["Britt Elmedal"])
    assert britt["bio"].startswith("She is a clinical oncologist and an expert in precision oncology.")
    [affiliation] = britt["affiliations"]
    assert (affiliation["listed_name"], affiliation["role"], affiliation["country"]) == (
        "Britt Elmedal", "Consultant, Associate Professor", "Denmark")
    assert affiliation["organisations"] == ["Aarhus University Hospital", "Aarhus University"]
    assert [t["id"] for t in britt["talks"]] == ["dngc-2025-s1-britt-elmedal-laursen"]


def test_speaker_in_two_sessions_keeps_both_listings(client, corpus):
    ida = get_json(client, "/api/speakers/ida-sofie-jensen")
    assert [a["session"]["number"] for a in ida["affiliations"]] == [1, 3]
    assert ida["bio"] == corpus.speakers["ida-sofie-jensen"].bio
    assert [a["bio"] for a in ida["affiliations"]] == [None, corpus.speakers["ida-sofie-jensen"].appearances[1].bio]
    assert [t["id"] for t in ida["talks"]] == ["dngc-2025-s1-ida-sofie-jensen", "dngc-2025-s3-dilemma-2"]
    assert ida["organisations"] == ["Danish Association of the Pharmaceutical Industry"]


def test_speaker_without_talk(client):
    klaus = get_json(client, "/api/speakers/klaus-hoeyer")
    assert klaus["talks"] == []
    assert [a["session"]["number"] for a in klaus["affiliations"]] == [2, 3]


def test_session_record_lists_talks_in_programme_order(client):
    session = get_json(client, "/api/sessions/dngc-2025-s3")
    assert set(session) == SESSION_KEYS
    assert session["number"] == 3
    assert session["purpose"].startswith("The design and implementation of a true data-driven healthcare system")
    assert [t["id"] for t in session["talks"]] == ["dngc-2025-s3-dilemma-1", "dngc-2025-s3-dilemma-2",
                                                   "dngc-2025-s3-dilemma-3"]
    assert len(session["speakers"]) == 10


@pytest.mark.parametrize("url, message", [
    ("/api/talks/nope", "no talk with id 'nope'"),
    ("/api/talks/dngc-2025-s1", "no talk with id 'dngc-2025-s1'"),
    ("/api/talks/sue-hill", "no talk with id 'sue-hill'"),
    ("/api/speakers/nope", "no speaker with id 'nope'"),
    ("/api/speakers/dngc-2025-s1-sue-hill", "no speaker with id 'dngc-2025-s1-sue-hill'"),
    ("/api/sessions/dngc-2025-s9", "no session with id 'dngc-2025-s9'"),
    ("/api/nope", "no API endpoint /api/nope"),
])
def test_unknown_ids_are_404(client, url, message):
    assert get_json(client, url, 404) == {"error": message, "status": 404}


def test_wrong_method_is_json_405(client):
    response = client.post("/api/search")
    assert response.status_code == 405
    assert set(response.get_json()) == {"error", "status"}


def test_unexpected_error_keeps_the_error_shape(client, monkeypatch):
    import indexer.search

    def boom(self, request):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(indexer.search.Searcher, "search", boom)
    assert get_json(client, "/api/search?q=x", 500) == {
        "error": "An unexpected error occurred; it has been logged.", "status": 500}


def test_missing_index_is_503(app_for, tmp_path):
    client = app_for(tmp_path / "no-index").test_client()
    data = get_json(client, "/api/search?q=genomes", 503)
    assert data == {"error": f"No index in {tmp_path / 'no-index'}. "
                             f"Build it with `confarchive build --index {tmp_path / 'no-index'}`.", "status": 503}
    assert get_json(client, "/api/talks", 503)["status"] == 503
    assert get_json(client, "/api/talks/dngc-2025-s2-qa", 503)["status"] == 503


@pytest.mark.parametrize("url", ["/api/search?q=genomes", "/api/talks/nope", "/api/search?page=0", "/api/speakers"])
def test_security_headers_on_api(client, url):
    response = client.get(url)
    assert SECURITY_HEADERS <= set(response.headers.keys())
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_json_keeps_non_ascii_names(client):
    body = client.get("/api/speakers/sophie-lohde").get_data(as_text=True)
    assert '"name": "Sophie Løhde"' in body or '"name":"Sophie Løhde"' in body
