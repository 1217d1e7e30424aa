"""Every word of a query accounted for (issue 11): dead words named, full matches first and countable,
`match=all`, corrections applied to the one misspelt word, and quote ranking by concepts covered.

The expected sets come from separate one-word searches through the same API, not from the combined
query's own answer.
"""

from __future__ import annotations

import json
import re

import pytest

from confarchive.cli import main as cli_main

AND_TERMS = re.compile(r"\b(ehds|european health data space)\b", re.I)


def get(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def ids(client, url: str) -> list[str]:
    return [r["id"] for r in get(client, url)["results"]]


def test_a_word_that_matches_nothing_is_named_and_the_rest_offered(client):
    data = get(client, "/api/search?q=federated+data&per_page=100")
    assert data["unmatched"] == ["federated"]
    assert data["matched_all"] == 0 and data["matched_some"] == data["total"] > 0
    assert data["remaining_query"] == "data"
    assert "No record mentions “federated”; these records match the other words." in data["notices"]
    assert sorted(r["id"] for r in data["results"]) == sorted(ids(client, "/api/search?q=data&per_page=100"))


def test_match_all_keeps_only_records_with_every_word(client):
    assert get(client, "/api/search?q=federated+data&match=all")["total"] == 0
    both = set(ids(client, "/api/search?q=EHDS&per_page=100")) & set(ids(client, "/api/search?q=trust&per_page=100"))
    data = get(client, "/api/search?q=EHDS+trust&match=all&per_page=100")
    assert {r["id"] for r in data["results"]} == both and data["total"] == len(both) > 0
    assert data["match"] == "all" and data["matched_some"] is None


def test_records_matching_every_word_come_first_and_are_counted(client):
    both = set(ids(client, "/api/search?q=EHDS&per_page=100")) & set(ids(client, "/api/search?q=trust&per_page=100"))
    data = get(client, "/api/search?q=EHDS+trust&per_page=100")
    assert data["matched_all"] == len(both) and data["matched_some"] == data["total"] - len(both)
    assert {r["id"] for r in data["results"][:len(both)]} == both


def test_a_misspelt_word_beside_matching_ones_is_corrected_and_said(client):
    data = get(client, "/api/search?q=EHDS+trst&per_page=100")
    assert data["corrected_from"] == "EHDS trst" and data["suggestion"] == "EHDS trust"
    assert data["notices"][0] == "Nothing matches “trst”; showing results for “EHDS trust”."
    assert [r["id"] for r in data["results"]] == ids(client, "/api/search?q=EHDS+trust&per_page=100")
    exact = get(client, "/api/search?q=EHDS+trst&exact=1")
    assert exact["unmatched"] == ["trst"] and exact["suggestion"] == "EHDS trust" and exact["corrected_from"] is None


def test_a_real_word_absent_from_the_archive_is_not_turned_into_another(client):
    data = get(client, "/api/search?q=who+founded+a+Danish+data+ethics+think+tank")
    assert data["corrected_from"] is None and "founded" in data["unmatched"]


def test_negated_words_are_not_reported_as_unmatched(client):
    data = get(client, "/api/search?q=AI+NOT+ethics")
    assert data["unmatched"] == [] and data["total"] > 0


def test_quote_search_names_dead_words_and_ranks_sentences_with_every_concept_first(client):
    data = get(client, "/api/quotes?q=EHDS+trust&per_page=100")
    first = data["results"][0]["text"]
    assert AND_TERMS.search(first) and re.search(r"\btrust\b", first, re.I), first
    with_both = [bool(AND_TERMS.search(q["text"]) and re.search(r"\btrust", q["text"], re.I)) for q in data["results"]]
    assert with_both == sorted(with_both, reverse=True), "a sentence with both concepts ranks below one with one"
    assert data["matched_all"] == sum(with_both)
    dead = get(client, "/api/quotes?q=federated+data")
    assert dead["unmatched"] == ["federated"] and dead["remaining_query"] == "data"
    assert get(client, "/api/quotes?q=federated+data&match=all")["total"] == 0


def test_quote_search_corrects_a_misspelt_word(client):
    data = get(client, "/api/quotes?q=EHDS+trst")
    assert data["corrected_from"] == "EHDS trst"
    assert [q["id"] for q in data["results"]] == ids(client, "/api/quotes?q=EHDS+trust")


@pytest.mark.parametrize("path", ["/search", "/quotes"])
def test_pages_say_it_with_one_click_ways_on(client, path):
    html = client.get(f"{path}?q=federated+data").get_data(as_text=True)
    assert "mentions “federated”; these" in html
    assert f'href="{path}?q=data"' in html
    assert "match all words; " in html and "match=all" in html
    corrected = client.get(f"{path}?q=EHDS+trst").get_data(as_text=True)
    assert "Nothing matches “trst”; showing results for “EHDS trust”." in corrected
    assert "exact=1" in corrected


def test_cli_accounts_for_every_word(runner, index_dir):
    result = runner.invoke(cli_main, ["search", "federated", "data", "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    assert "No record mentions “federated”" in result.output and 'Search for "data" only' in result.output
    result = runner.invoke(cli_main, ["search", "federated", "data", "--match", "all", "--index", str(index_dir)])
    assert "0 result(s)" in result.output
    result = runner.invoke(cli_main, ["quotes", "EHDS", "trst", "--index", str(index_dir), "--format", "json"])
    assert '"corrected_from": "EHDS trst"' in result.output


def test_cli_gives_the_issue_examples(runner, index_dir):
    def run(*args):
        result = runner.invoke(cli_main, [*args, "--index", str(index_dir)])
        assert result.exit_code == 0, result.output
        return result.output
    first = run("quotes", "EHDS", "trust").split("\n1. ", 1)[1].split("\n", 1)[0]
    assert "EHDS" in first and "trust" in first
    listing = run("quotes", "--topic", "ai", "--per-page", "100")
    assert "Looking ahead, AI initiatives such as the SHAPID project" in listing
    assert "She emphasized the profound clinical" not in listing
    typed = json.loads(run("search", "topic:ai AND topic:ethics", "--json"))
    flags = json.loads(run("search", "--topic", "ai", "--topic", "ethics", "--topic-mode", "all", "--json"))
    assert typed["results"] == flags["results"] and typed["notices"] == [] and typed["topic_mode"] == "all"
    assert "mentions ai · 1 sentence(s)" in run("search", "--topic", "ai", "--per-page", "100")


def test_a_quoted_phrase_is_one_concept(client):
    dead = get(client, "/api/search?q=%22federated+data%22")
    assert dead["unmatched"] == ["federated data"] and dead["total"] == 0
    mixed = get(client, "/api/search?q=%22health+data%22+federated")
    assert mixed["unmatched"] == ["federated"] and mixed["remaining_query"] == '"health data"'
    assert mixed["total"] == get(client, "/api/search?q=%22health+data%22")["total"]
