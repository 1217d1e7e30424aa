"""The request budget (indexer/limits.py): each limit gives a clear 400 or a notice, and responses stay small."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from whoosh import query as wq

from indexer import limits
from indexer.query import make_parser, parse_user_query
from indexer.retrieval import leaf_queries
from indexer.schema import build_schema
from webapp.pages import sessions_by_conference
from webapp.quotes import fit

PARSER = make_parser(build_schema())
TOPICS = ["genomics", "ehds", "ai", "ethics", "prevention", "rare-diseases", "cancer", "data-infrastructure",
          "public-private-partnership", "patient-involvement", "trust"]


def leaves(text: str):
    parsed = parse_user_query(PARSER, text)
    return leaf_queries(parsed.query), parsed.notices


def kinds(text: str) -> dict[str, set[str]]:
    found, _ = leaves(text)
    return {"fuzzy": {q.text for q in found if isinstance(q, wq.FuzzyTerm)},
            "prefix": {q.text for q in found if isinstance(q, wq.Prefix)},
            "plain": {q.text for q in found if type(q) is wq.Term}}


def test_at_most_two_fuzzy_words_the_rest_plain():
    got = kinds("genome~2 consent~2 privacy~2 trust~1")
    assert got["fuzzy"] == {"genome", "genom", "consent"} and {"privacy", "privaci", "trust"} <= got["plain"]
    _, notices = leaves("genome~2 consent~2 privacy~2 genomes~1")
    assert notices == ["Searched as plain words: privacy, genomes (a query may have 2 fuzzy~ words of 3+ letters "
                       "and 3 prefix* words of 2+ letters)."]


def test_fuzzy_distance_and_prefix_are_capped():
    found, _ = leaves("genome~9")
    fuzzy = [q for q in found if isinstance(q, wq.FuzzyTerm)]
    assert fuzzy and all(q.maxdist == 2 and q.prefixlength == limits.FUZZY_PREFIX for q in fuzzy)


def test_short_fuzzy_and_prefix_words_are_plain():
    got = kinds("ab~2 a* ge*")
    assert got["fuzzy"] == set() and got["prefix"] == {"ge"} and {"ab", "a"} <= got["plain"]


def test_at_most_three_prefixes():
    got = kinds("ge* co* pr* tr* da*")
    assert got["prefix"] == {"ge", "co", "pr"} and {"tr", "da"} <= got["plain"]


def api(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.data[:300]
    return response.get_json()


def test_the_same_fuzzy_word_in_many_fields_counts_once(client):
    data = api(client, "/api/search?q=genomcs~1")
    assert data["total"] > 0 and not data["notices"]


def test_a_long_query_keeps_its_first_words(client):
    data = api(client, "/api/search?" + urlencode({"q": " ".join(["genomics"] * 45)}))
    assert f"Your query was shortened to its first {limits.MAX_QUERY_WORDS} words." in data["notices"]


@pytest.mark.parametrize("path", ["/api/search", "/api/quotes", "/api/search.csv", "/api/quotes.csv"])
def test_too_many_values_of_one_filter_is_a_400(client, path):
    url = path + "?" + urlencode([("topic", t) for t in TOPICS])
    assert api(client, url, 400) == {"error": "at most 10 values of the topic filter at once (this request has 11)",
                                     "status": 400}


@pytest.mark.parametrize("path", ["/search", "/quotes"])
def test_too_many_filters_on_a_page_is_a_400_page(client, path):
    response = client.get(path + "?" + urlencode([("speaker", f"s{i}") for i in range(600)]))
    assert response.status_code == 400 and len(response.data) < 20_000
    assert b"at most 10 values of the speaker filter at once (this request has 600)" in response.data


def test_too_many_filter_values_in_total_is_a_400(client):
    pairs = [("topic", t) for t in TOPICS[:8]] + [("speaker", f"s{i}") for i in range(8)] + \
            [("country", f"c{i}") for i in range(5)]
    assert api(client, "/api/search?" + urlencode(pairs), 400)["error"] == \
        "at most 20 filter values at once (this request has 21)"


def test_repeated_values_count_once(client):
    data = api(client, "/api/search?" + urlencode([("topic", "genomics")] * 500))
    assert data["filters"] == {"topic": ["genomics"]}


def test_pages_with_the_most_filters_stay_small(client):
    """Every chip and facet link repeats the other filters: with the budget's 20 values a page stays small."""
    pairs = [("topic", t) for t in TOPICS[:10]] + [("speaker", f"speaker-{i}") for i in range(10)]
    for path in ("/search", "/quotes"):
        response = client.get(path + "?" + urlencode([("q", "x" * 400)] + pairs))
        assert response.status_code == 200 and len(response.data) < 1_000_000, (path, len(response.data))


def test_query_field_filters_are_capped(client):
    data = api(client, "/api/search?" + urlencode({"q": "speaker:a speaker:e topic:a"}))
    assert sum(map(len, data["filters"].values())) <= limits.MAX_FILTER_VALUES
    assert any("only the first" in n and "Be more specific." in n for n in data["notices"])


@pytest.mark.parametrize("url", ["/api/search?page=51", "/api/search?page=11&per_page=100", "/api/quotes?page=51",
                                 "/api/talks?page=11&per_page=100"])
def test_results_beyond_the_depth_limit_are_a_400(client, url):
    assert api(client, url, 400)["error"].startswith("results are served up to the first 1000: ")


def test_the_last_page_within_the_depth_limit_is_served(client):
    assert api(client, "/api/search?page=10&per_page=100")["page"] == 10


def test_fit_cuts_an_export_to_the_response_budget(monkeypatch):
    monkeypatch.setattr("webapp.quotes.MAX_RESPONSE_BYTES", 1000)
    body, kept = fit(list(range(500)), lambda part: json.dumps([f"item {i:05d}" for i in part]))
    assert len(body) <= 1000 and kept == len(json.loads(body)) and kept > 50


def test_an_export_over_budget_says_what_it_left_out(client, monkeypatch):
    monkeypatch.setattr("webapp.quotes.MAX_RESPONSE_BYTES", 20_000)
    response = client.get("/api/quotes.json")
    data = response.get_json()
    assert len(response.data) <= 20_000 and data["omitted"] > 0
    assert response.headers["X-Results-Omitted"] == str(data["omitted"])


def test_about_lists_each_conference_with_its_own_sessions():
    catalogue = {"conferences": [{"id": "a"}, {"id": "b"}],
                 "sessions": [{"id": "a1", "conference": "a"}, {"id": "b1", "conference": "b"}]}
    assert sessions_by_conference(catalogue) == {"a": [catalogue["sessions"][0]], "b": [catalogue["sessions"][1]]}


def test_every_limit_and_serve_option_is_documented():
    from pathlib import Path

    from confarchive.cli import serve

    doc = (Path(__file__).resolve().parent.parent / "docs" / "security.md").read_text(encoding="utf-8")
    names = [name for name in dir(limits) if name.isupper()]
    options = [opt for param in serve.params for opt in getattr(param, "opts", []) if opt.startswith("--")]
    assert len(names) >= 10 and [n for n in names if f"`{n}`" not in doc] == []
    assert [o for o in options if o in ("--threads", "--connection-limit", "--channel-timeout", "--trusted-proxy")
            and f"`{o}" not in doc] == []
