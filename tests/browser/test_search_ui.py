"""The search page in Chromium: header search, facets and chips, paging, sorting, did-you-mean, suggestions."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser


def test_header_search_box_submits_the_query(page, ui):
    page.goto("/about")
    page.locator("#q").fill("genomics")
    page.locator("#q").press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=genomics$"))
    expect(page.locator("#results-heading")).to_contain_text("for “genomics”")
    assert ui.total(page) > 0
    assert len(ui.titles(page)) == min(ui.total(page), 20)
    expect(page.locator("#q")).to_have_value("genomics")


def test_clicking_a_facet_adds_a_chip_and_narrows_the_results(page, ui):
    page.goto("/search?q=data")
    before = ui.total(page)
    expected = ui.facet_count(page, "kind", "Talk")
    assert 0 < expected < before
    ui.facet_link(page, "kind", "Talk").click()
    page.wait_for_url(re.compile(r"kind=talk"))
    assert ui.query_pairs(page) == [("q", "data"), ("kind", "talk")]
    assert ui.chips(page) == ["Kind: Talk"]
    assert ui.total(page) == expected
    expect(ui.facet_link(page, "kind", "Talk")).to_have_attribute("aria-current", "true")
    kinds = page.locator("li.result .meta .kind").all_inner_texts()
    assert kinds and {k.strip().lower() for k in kinds} == {"talk"}


def test_removing_a_chip_restores_the_previous_search(page, ui):
    page.goto("/search?q=data")
    before_total, before_titles = ui.total(page), ui.titles(page)
    ui.facet_link(page, "topic", "European Health Data Space").click()
    page.wait_for_url(re.compile(r"topic=ehds"))
    assert ui.total(page) < before_total
    page.get_by_role("link", name="Remove filter Topic: European Health Data Space").click()
    page.wait_for_url(re.compile(r"/search\?q=data$"))
    assert ui.chips(page) == []
    assert ui.total(page) == before_total
    assert ui.titles(page) == before_titles


def test_two_facets_combine_with_and(page, ui):
    page.goto("/search")
    ui.facet_link(page, "topic", "European Health Data Space").click()
    page.wait_for_url(re.compile(r"topic=ehds"))
    ehds = ui.total(page)
    expected = ui.facet_count(page, "kind", "Talk")
    ui.facet_link(page, "kind", "Talk").click()
    page.wait_for_url(re.compile(r"topic=ehds&kind=talk"))
    assert ui.chips(page) == ["Topic: European Health Data Space", "Kind: Talk"]
    assert ui.total(page) == expected
    assert 0 < expected < ehds
    for result in page.locator("li.result").all():
        expect(result.locator(".meta .kind")).to_have_text(re.compile("^talk$", re.I))
        about = result.locator(".tags a", has_text="European Health Data Space").count()
        mentions = result.locator("p.mention-note", has_text="mentions European Health Data Space").count()
        assert about + mentions == 1  # about the topic, or marked as only mentioning it


def test_two_values_of_one_facet_combine_with_or(page, ui):
    page.goto("/search")
    talks, panels = ui.facet_count(page, "kind", "Talk"), ui.facet_count(page, "kind", "Panel")
    ui.facet_link(page, "kind", "Talk").click()
    page.wait_for_url(re.compile(r"kind=talk"))
    assert ui.total(page) == talks
    # A facet's own counts ignore its own filter, so other values stay offered with their full count.
    assert ui.facet_count(page, "kind", "Panel") == panels
    ui.facet_link(page, "kind", "Panel").click()
    page.wait_for_url(re.compile(r"kind=talk&kind=panel"))
    assert ui.chips(page) == ["Kind: Talk", "Kind: Panel"]
    assert ui.total(page) == talks + panels
    page.goto(page.url.split("#")[0] + "&per_page=50")  # (the facet link ends in #group-kind)
    kinds = {k.strip().lower() for k in page.locator("li.result .meta .kind").all_inner_texts()}
    assert kinds == {"talk", "panel"}


def test_paging_with_next_and_previous_links(page, ui):
    page.goto("/search?kind=talk&per_page=5")
    total = ui.total(page)
    pages = -(-total // 5)
    assert pages >= 3
    pager = page.get_by_role("navigation", name="Pages")
    expect(pager).to_contain_text(f"Page 1 of {pages}")
    expect(pager.get_by_role("link", name=re.compile("Previous"))).to_have_count(0)
    first = ui.titles(page)
    assert len(first) == 5

    pager.get_by_role("link", name=re.compile("Next")).click()
    page.wait_for_url(re.compile(r"page=2"))
    assert ("per_page", "5") in ui.query_pairs(page) and ("kind", "talk") in ui.query_pairs(page)
    expect(pager).to_contain_text(f"Page 2 of {pages}")
    expect(page.locator("ol.result-list")).to_have_attribute("start", "6")
    second = ui.titles(page)
    assert len(second) == 5 and not set(first) & set(second)

    pager.get_by_role("link", name=re.compile("Previous")).click()
    page.wait_for_url(lambda url: "page" not in dict(parse_qsl(urlsplit(url).query)))
    expect(pager).to_contain_text(f"Page 1 of {pages}")
    assert ui.titles(page) == first


def test_last_page_has_no_next_link(page, ui):
    page.goto("/search?kind=talk&per_page=5")
    pages = -(-ui.total(page) // 5)
    page.goto(f"/search?kind=talk&per_page=5&page={pages}")
    pager = page.get_by_role("navigation", name="Pages")
    expect(pager).to_contain_text(f"Page {pages} of {pages}")
    expect(pager.get_by_role("link", name=re.compile("Next"))).to_have_count(0)
    assert len(ui.titles(page)) == ui.total(page) - 5 * (pages - 1)


def test_sort_toggle_reorders_the_same_results(page, ui):
    page.goto("/search?q=consent")
    assert 1 < ui.total(page) <= 20
    sorting = page.locator("p.sorting")
    expect(sorting.locator("strong[aria-current]")).to_have_text("relevance")
    by_relevance = ui.titles(page)

    sorting.get_by_role("link", name="programme order").click()
    page.wait_for_url(re.compile(r"sort=programme"))
    expect(sorting.locator("strong[aria-current]")).to_have_text("programme order")
    by_programme = ui.titles(page)
    assert sorted(by_programme) == sorted(by_relevance)
    assert by_programme != by_relevance

    sorting.get_by_role("link", name="relevance").click()
    page.wait_for_url(re.compile(r"sort=relevance"))
    expect(sorting.locator("strong[aria-current]")).to_have_text("relevance")
    assert ui.titles(page) == by_relevance


def test_page_size_survives_sorting_and_filtering(page, ui):
    page.goto("/search?q=genomics&per_page=5")
    page.locator("p.sorting").get_by_role("link", name="programme order").click()
    page.wait_for_url(re.compile(r"sort=programme"))
    assert ("per_page", "5") in ui.query_pairs(page)
    ui.facet_link(page, "kind", "Talk").click()
    page.wait_for_url(re.compile(r"kind=talk"))
    assert ("per_page", "5") in ui.query_pairs(page)


def test_did_you_mean_link_searches_the_correction(page, ui):
    page.goto("/search?q=interoperabilty+standards")
    # "standards" matches: the misspelt word is corrected and the page says so (issue 11)
    expect(page.locator("p.notice").first).to_have_text(
        "Nothing matches “interoperabilty”; showing results for “interoperability standards”.")
    corrected = ui.total(page)
    page.locator("p.suggestion").get_by_role("link", name="interoperabilty standards").click()
    page.wait_for_url(re.compile(r"q=interoperabilty\+standards&exact=1"))
    suggestion = page.locator("p.suggestion", has_text="Did you mean")
    expect(suggestion).to_contain_text("Did you mean interoperability standards?")
    suggestion.get_by_role("link", name="interoperability standards").click()
    page.wait_for_url(re.compile(r"/search\?q=interoperability\+standards(&exact=1)?$"))
    expect(page.locator("#results-heading")).to_contain_text("for “interoperability standards”")
    assert ui.total(page) == corrected


def test_misspelt_name_shows_the_corrected_results_with_a_notice(page, ui):
    page.goto("/search?q=Hasselbach")
    expect(page.get_by_role("status")).to_have_text(
        "No results for “Hasselbach”; showing results for “Hasselbalch”.")
    assert ui.total(page) > 0
    expect(page.locator("li.result h2 a", has_text="Gry Hasselbalch")).to_have_count(1)
    page.locator("p.suggestion").get_by_role("link", name="Hasselbach").click()
    page.wait_for_url(re.compile(r"q=Hasselbach&exact=1"))
    assert ui.total(page) == 0
    expect(page.locator("p.suggestion")).to_contain_text("Did you mean Hasselbalch?")


def test_suggestions_as_you_type_open_a_listbox_and_navigate(page):
    page.goto("/")
    box = page.locator("#q")
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.click()
    box.press_sequentially("hasse", delay=30)
    listbox = page.get_by_role("listbox", name="Suggestions")
    option = listbox.get_by_role("option", name=re.compile("^Gry Hasselbalch"))
    expect(option).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(option).not_to_have_attribute("aria-selected", "true")

    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    box.press("Enter")
    page.wait_for_url(re.compile(r"/speakers/gry-hasselbalch$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Gry Hasselbalch")


def test_suggestions_wait_for_the_debounce_and_ask_once(page):
    """On a paused page clock: no request while typing, one for the whole word once the debounce has passed."""
    requests = []
    page.on("request", lambda r: "/api/suggest" in r.url and requests.append(r.url))
    page.clock.install()
    page.goto("/")
    page.clock.pause_at(datetime.now() + timedelta(seconds=5))
    box = page.locator("#q")
    box.click()
    box.press_sequentially("hasse", delay=200)  # slower than the debounce in real time, not on the page's clock
    page.wait_for_timeout(300)
    page.clock.run_for(100)
    page.wait_for_timeout(300)
    assert requests == []
    expect(box).to_have_attribute("aria-expanded", "false")
    page.clock.run_for(100)
    expect(page.get_by_role("option", name=re.compile("^Gry Hasselbalch"))).to_be_visible()
    assert [url.split("/api/suggest", 1)[1] for url in requests] == ["?q=hasse"]


def test_escape_closes_the_suggestions(page):
    page.goto("/")
    box = page.locator("#q")
    box.click()
    box.press_sequentially("hasse", delay=30)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")


def test_escape_on_open_suggestions_keeps_the_typed_text(page):
    page.goto("/")
    box = page.locator("#q")
    box.click()
    box.press_sequentially("hasse", delay=30)
    expect(page.get_by_role("listbox", name="Suggestions")).to_be_visible()
    box.press("Escape")
    assert box.input_value() == "hasse"


class TestWithoutJavaScript:
    """Every search feature is plain links and forms: the same flows with JavaScript off."""

    def test_enhancement_is_really_off(self, nojs_page):
        nojs_page.goto("/")
        expect(nojs_page.locator("#q")).not_to_have_attribute("role", "combobox")
        expect(nojs_page.locator("#q-suggestions")).to_have_count(0)

    def test_search_from_the_header(self, nojs_page, ui):
        nojs_page.goto("/about")
        nojs_page.locator("#q").fill("trust")
        nojs_page.locator("#q").press("Enter")
        nojs_page.wait_for_url(re.compile(r"/search\?q=trust$"))
        assert ui.total(nojs_page) > 0

    def test_facets_and_chips(self, nojs_page, ui):
        nojs_page.goto("/search?q=trust")
        before = ui.total(nojs_page)
        expected = ui.facet_count(nojs_page, "kind", "Panel")
        ui.facet_link(nojs_page, "kind", "Panel").click()
        nojs_page.wait_for_url(re.compile(r"kind=panel"))
        assert ui.chips(nojs_page) == ["Kind: Panel"]
        assert ui.total(nojs_page) == expected < before
        nojs_page.get_by_role("link", name="Remove filter Kind: Panel").click()
        nojs_page.wait_for_url(re.compile(r"/search\?q=trust$"))
        assert ui.total(nojs_page) == before

    def test_paging(self, nojs_page, ui):
        nojs_page.goto("/search?kind=talk&per_page=5")
        first = ui.titles(nojs_page)
        nojs_page.get_by_role("navigation", name="Pages").get_by_role("link", name=re.compile("Next")).click()
        nojs_page.wait_for_url(re.compile(r"page=2"))
        second = ui.titles(nojs_page)
        assert len(second) == 5 and not set(first) & set(second)
