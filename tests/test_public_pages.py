"""Issue 15's public pages, server side: the filter panel, paging, 404s in our words, the topics chart, quotes links."""

from __future__ import annotations

import json

import pytest

from tests.test_pages import Page, buckets, load, state


def test_filters_come_before_the_results_behind_a_filters_control_with_the_active_count(client):
    html = client.get("/search?q=data&kind=talk&kind=panel&topic=ehds").get_data(as_text=True)
    assert html.index('<details class="filters"') < html.index('id="results-heading"')
    page = Page(html)
    assert page.one("summary", "filters-toggle").clean_text.startswith("Filters (3)")
    [skip] = [a for a in page.find("a", "skip-link") if a.clean_text == "Skip to filters"]
    assert skip.attrs["href"] == "#first-filters"
    [first] = [u for u in page.find("ul", "facet-values") if u.attrs.get("id") == "first-filters"]
    assert first.attrs["tabindex"] == "-1" and first.within("section", "facet")
    [status] = [p for p in page.find("p", within=("aside", "facets")) if p.attrs.get("id") == "filter-status"]
    assert status.attrs["aria-live"] == "polite"


@pytest.mark.parametrize("path", ["/search?q=data", "/quotes?q=data"])
def test_a_facet_link_comes_back_to_its_group(client, path):
    page = load(client, path)
    links = [a.attrs["href"] for a in page.find("a", within=("section", "facet")) if a.within("li", None)]
    assert links and all("#group-" in href for href in links)
    kind_links = [h for h in links if "kind=" in h]
    assert kind_links and all(h.endswith("#group-kind") for h in kind_links)
    groups = page.find("summary", within=("details", "facet-group"))
    assert {g.attrs.get("id") for g in groups} >= {"group-topic", "group-kind", "group-speaker"}


def test_facet_groups_collapse_and_long_labels_are_whole(client):
    page = load(client, "/search")
    assert all("open" in d.attrs for d in page.find("details", "facet-group"))
    labels = [label for label, _, _ in buckets(page, "session")]
    assert max(map(len, labels)) > 60 and not any(label.endswith("…") for label in labels)


def test_more_values_are_in_one_list_folded_under_n_more(client):
    page = load(client, "/search")
    [section] = [s for s in page.find("section", "facet") if s.attrs["aria-labelledby"] == "facet-speaker"]
    values = [li for li in page.find("li") if section in li.ancestors]
    folded = [li for li in values if "more-value" in li.classes]
    assert len(values) == 33 and len(folded) == 25
    more = [d for d in page.find("details", "facet-more") if section in d.ancestors]
    assert [s.clean_text for s in page.find("summary") if more[0] in s.ancestors] == ["25 more Speaker values"]


def test_the_country_facet_says_affiliation_country_and_keeps_non_countries_apart(client):
    page = load(client, "/search")
    [section] = [s for s in page.find("section", "facet") if s.attrs["aria-labelledby"] == "facet-country"]
    heading = [h for h in page.find("h3") if section in h.ancestors][0]
    assert heading.clean_text == "Affiliation country"
    lists = [u for u in page.find("ul", "facet-values") if section in u.ancestors]
    countries = [e.clean_text for e in page.find("span", "label") if lists[0] in e.ancestors]
    apart = [e.clean_text for e in page.find("span", "label") if lists[1] in e.ancestors]
    assert "Denmark" in countries and "EU" not in countries and "Intergovernmental" not in countries
    assert sorted(apart) == ["EU", "Intergovernmental"]
    assert lists[1].attrs["aria-labelledby"] == "facet-country-apart"


def test_one_click_leaves_out_biographies_and_session_blurbs_and_another_brings_them_back(client):
    page = load(client, "/search?q=palotie")
    [link] = page.find("a", "kind-shortcut-link")
    assert state(link.attrs["href"]) == [("q", "palotie"), ("kind", "talk"), ("kind", "panel"), ("kind", "qa")]
    spoken = load(client, link.attrs["href"])
    api = client.get("/api/search?q=palotie&kind=talk&kind=panel&kind=qa").get_json()
    assert {r["kind"] for r in api["results"]} <= {"talk", "panel", "qa"}
    back = [a for a in spoken.find("a", within=("p", "kind-shortcut"))]
    assert [a.clean_text for a in back] == ["Include biographies and sessions"]
    assert state(back[0].attrs["href"]) == [("q", "palotie")]


def test_pager_has_page_numbers_and_a_per_page_choice(client):
    page = load(client, "/search?kind=speaker&per_page=5&page=3")
    pager = page.one("nav", "pager")
    numbers = [(a.clean_text, a.attrs["href"]) for a in page.find("a", within=("ul", "page-numbers"))]
    assert [n for n, _ in numbers] == ["Page 1", "Page 2", "Page 3", "Page 4", "Page 5", "Page 7"]
    assert dict(numbers)["Page 1"] == "/search?kind=speaker&per_page=5"
    assert dict(numbers)["Page 7"] == "/search?kind=speaker&per_page=5&page=7"
    [current] = [a for a in page.find("a", within=("ul", "page-numbers")) if a.attrs.get("aria-current") == "page"]
    assert current.clean_text == "Page 3" and "Page 3 of 7" in pager.clean_text
    per_page = {a.clean_text: a.attrs["href"] for a in page.find("a", within=("p", "per-page"))}
    assert per_page == {"10": "/search?kind=speaker&per_page=10", "20": "/search?kind=speaker",
                        "50": "/search?kind=speaker&per_page=50", "100": "/search?kind=speaker&per_page=100"}


@pytest.mark.parametrize("path, target", [
    ("/search?kind=talk&per_page=5&page=150", "/search?kind=talk&per_page=5&page=5"),
    ("/search?q=genomes&page=50", "/search?q=genomes&page=2"),
    ("/quotes?q=trust&per_page=5&page=9&style=harvard-cite-them-right",
     "/quotes?q=trust&per_page=5&page=3&style=harvard-cite-them-right"),
])
def test_a_page_past_the_end_redirects_to_the_last_page(client, path, target):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"] == target
    assert client.get(target).status_code == 200


@pytest.mark.parametrize("path", ["/search?q=zzzzqqqq&page=2", "/quotes?q=zzzzqqqq&page=2"])
def test_a_page_past_the_end_of_nothing_is_a_404(client, path):
    page = load(client, path, 404)
    assert page.one("p", "error-message").clean_text == "There is no page 2: nothing matches this search."


def test_a_generic_404_speaks_in_the_sites_words_and_offers_ways_on(client):
    page = load(client, "/no/such/page", 404)
    assert page.one("p", "error-message").clean_text.startswith("There is no page at this address in the archive.")
    assert "requested URL" not in page.one("main").clean_text
    hrefs = [a.attrs["href"] for a in page.find("a", within=("ul", "error-ways"))]
    assert hrefs == ["/", "/search", "/quotes"]
    assert client.get("/api/nope").get_json()["status"] == 404


def test_zero_cells_of_the_topics_table_are_not_links(client):
    page = load(client, "/topics")
    cells = page.find("td", within=("table", "overview"))
    zero = [td for td in cells if td.clean_text == "0"]
    linked = [a for a in page.find("a", within=("table", "overview"))]
    assert zero and len(linked) == len(cells) - len(zero)
    assert all(a.clean_text != "0" for a in linked)


def test_speaker_page_links_to_the_speakers_quotes(client):
    page = load(client, "/speakers/aarno-palotie")
    [link] = [a for a in page.find("a") if a.attrs.get("href") == "/quotes?speaker=aarno-palotie"]
    quotes = client.get("/api/quotes?speaker=aarno-palotie").get_json()
    assert link.clean_text == f"{quotes['total']} quotes from Aarno Palotie’s talks"


def test_each_result_shows_conference_date_kind_and_speakers_with_affiliation(client):
    page = load(client, "/search?q=finngen&kind=talk")
    [first] = page.find("li", "result")[:1]
    metas = [p.clean_text for p in page.find("p", "meta") if first in p.ancestors]
    assert metas[0].startswith("Talk · Danish National Genome Center Conference 2025, 2025-09-08 · Session 2: ")
    assert metas[1] == ("Aarno Palotie (Institute for Molecular Medicine Finland FIMM, University of Helsinki"
                        " — Finland)")
    speaker = load(client, "/search?q=palotie&kind=speaker")
    [meta] = [p.clean_text for p in speaker.find("p", "speakers")]
    assert meta == "Institute for Molecular Medicine Finland FIMM, University of Helsinki — Finland"


def test_without_javascript_ticks_are_kept_across_pages_and_exported_together(client):
    first = load(client, "/quotes?q=data&per_page=5")
    ids = [i.attrs["value"] for i in first.find("input") if i.attrs.get("name") == "ids"]
    [next_button] = [b for b in first.find("button") if b.attrs.get("name") == "page"]
    assert next_button.attrs["value"] == "2" and next_button.clean_text == "Next page, keeping ticks"
    # the form sent with the first quote ticked and "Next page, keeping ticks" pressed
    second = load(client, f"/quotes?q=data&per_page=5&ids={ids[0]}&format=md&style=apa&page=2")
    carried = [i.attrs["value"] for i in second.find("input") if i.attrs.get("name") == "ids"
               and i.attrs.get("type") == "hidden" and any(a.attrs.get("id") == "quote-export" for a in i.ancestors)]
    assert carried == [ids[0]]
    assert second.one("span", "ticked-count").clean_text == "1 ticked so far"
    here = [i for i in second.find("input") if i.attrs.get("name") == "ids" and i.attrs.get("type") == "checkbox"]
    chosen = here[1].attrs["value"]
    back = load(client, f"/quotes?q=data&per_page=5&ids={ids[0]}&ids={chosen}&page=1")
    ticked = [i.attrs["value"] for i in back.find("input") if i.attrs.get("type") == "checkbox" and "checked" in i.attrs]
    assert ticked == [ids[0]]  # ticked again where it was ticked
    response = client.get(f"/quotes?q=data&per_page=5&ids={ids[0]}&ids={chosen}&format=md&style=apa&export=1")
    assert response.status_code == 303
    assert state(response.headers["Location"]) == [("ids", f"{ids[0]},{chosen}"), ("style", "apa"), ("format", "md")]
    exported = client.get(response.headers["Location"]).get_data(as_text=True)
    assert exported.count("as summarised in") == 2


def test_basket_items_carry_the_speaker(client):
    page = load(client, "/quotes?q=finngen")
    items = [json.loads(li.attrs["data-quote"]) for li in page.find("li", "quote")]
    assert any(i["speakers"] == "Aarno Palotie" for i in items)


@pytest.mark.parametrize("path", ["/search?q=zzzzqqqq", "/quotes?q=zzzzqqqq"])
def test_nothing_to_filter_means_no_filter_panel_and_no_skip_link(client, path):
    page = load(client, path)
    assert not page.find("details", "filters")
    assert [a.clean_text for a in page.find("a", "skip-link")] == ["Skip to content"]
