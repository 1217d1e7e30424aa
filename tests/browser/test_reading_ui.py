"""Issue 15, a first page that orients and results that read well: desktop, phone, keyboard, print."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser


def page_for(request, size: str):
    return request.getfixturevalue({"desktop": "page", "phone": "phone_page"}[size])


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_home_page_says_what_the_archive_is_and_leads_in(request, size, ui):
    page = page_for(request, size)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("confarchive")
    expect(page.locator("main")).to_contain_text("summaries written about the talks, not transcripts")
    conference = page.locator(".conference-list li")
    expect(conference).to_have_count(1)
    expect(conference).to_contain_text("Danish National Genome Center Conference 2025")
    expect(conference).to_contain_text("2025-09-08")
    expect(conference).to_contain_text("Copenhagen")
    expect(conference).to_contain_text("31 talks, panels and Q&As")
    topics = page.locator(".entry-points a")
    expect(topics).to_have_count(4)
    expect(page.locator(".example-searches a")).not_to_have_count(0)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Curate")).to_have_count(0)
    topics.filter(has_text="European Health Data Space").click()
    page.wait_for_url(re.compile(r"/topics/ehds$"))
    page.go_back()
    page.locator(".example-searches a").first.click()
    page.wait_for_url(re.compile(r"/search\?q="))
    assert ui.total(page) > 0
    page.go_back()
    page.get_by_role("link", name="Find quotes").click()
    page.wait_for_url(re.compile(r"/quotes$"))


def test_the_home_page_by_keyboard_reaches_the_topics(page):
    page.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Skip to content
    for _ in range(3):
        page.keyboard.press("Tab")  # the conference, then the first topic
        if page.evaluate("document.activeElement.closest('.entry-points') !== null"):
            break
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/topics/genomics"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/topics/genomics$"))


def test_curate_is_in_the_navigation_once_signed_in(signed_in_page):
    signed_in_page.goto("/")
    expect(signed_in_page.get_by_role("navigation", name="Main").get_by_role("link", name="Curate")).to_have_count(1)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_results_show_catalogue_metadata_and_readable_snippets(request, size):
    page = page_for(request, size)
    page.goto("/search?q=finngen&kind=talk")
    first = page.locator("li.result").first
    expect(first.locator(".meta").first).to_contain_text("Danish National Genome Center Conference 2025, 2025-09-08")
    expect(first.locator(".meta.speakers")).to_have_text(re.compile(r"Aarno Palotie \(Institute .*— Finland\)"))
    for snippet in page.locator("li.result .snippet").all_inner_texts():
        assert snippet[0].isupper() or snippet.startswith("…"), snippet[:40]
        assert snippet.rstrip()[-1] in ".?!…”", snippet[-40:]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_pager_page_numbers_and_per_page_choice(request, size, ui):
    page = page_for(request, size)
    page.goto("/search?kind=speaker&per_page=5")
    pager = page.get_by_role("navigation", name="Pages")
    pager.get_by_role("link", name="Page 3").click()
    page.wait_for_url(re.compile(r"page=3"))
    expect(pager).to_contain_text("Page 3 of 7")
    expect(pager.get_by_role("link", name="Page 3")).to_have_attribute("aria-current", "page")
    pager.get_by_role("link", name="10 per page").click()
    page.wait_for_url(re.compile(r"per_page=10$"))
    assert len(ui.titles(page)) == 10
    expect(pager).to_contain_text("Page 1 of 4")


def test_a_page_past_the_end_lands_on_the_last_page(page):
    response = page.goto("/search?kind=talk&per_page=5&page=150")
    assert response.status == 200 and re.search(r"page=5$", page.url)
    expect(page.get_by_role("navigation", name="Pages")).to_contain_text("Page 5 of 5")


def test_a_generic_404_in_the_sites_words(page):
    response = page.goto("/no/such/page")
    assert response.status == 404
    expect(page.locator(".error-message")).to_contain_text("There is no page at this address in the archive")
    page.get_by_label("Search the archive").fill("consent")
    page.get_by_label("Search the archive").press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=consent$"))


@pytest.mark.parametrize("path, kept", [("/talks/dngc-2025-s2-aarno-palotie", ".summary"),
                                        ("/quotes?q=trust", "li.quote .quote-text")])
def test_print_leaves_out_the_header_search_navigation_and_controls(page, path, kept):
    page.goto(path)
    expect(page.locator(".site-header")).to_be_visible()
    page.emulate_media(media="print")
    for selector in (".site-header", ".search-form", "nav[aria-label=Main]", ".site-footer", ".filters"):
        for element in page.locator(selector).all():
            expect(element).to_be_hidden()
    expect(page.locator(kept).first).to_be_visible()
    if "quotes" in path:
        expect(page.locator(".basket-toggle").first).to_be_hidden()
        expect(page.locator(".formatted-reference").first).to_be_visible()  # the citation is printed


def test_print_of_the_basket_briefing_leaves_out_the_header(page):
    page.goto("/quotes/briefing?q=consent")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("main")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 900, 700])
def test_the_topics_chart_fits_its_container(browser, server_url, width):
    context = browser.new_context(base_url=server_url, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto("/topics")
    svg = page.locator("figure.chart svg")
    expect(svg).to_be_visible()
    box, figure = svg.bounding_box(), page.locator("figure.chart").bounding_box()
    assert box["x"] + box["width"] <= figure["x"] + figure["width"] + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


def test_on_a_phone_the_topics_table_replaces_the_chart(phone_page):
    phone_page.goto("/topics")
    expect(phone_page.locator("figure.chart")).to_be_hidden()
    expect(phone_page.locator("table.overview")).to_be_visible()
    link = phone_page.locator("table.overview td a").first
    assert link.bounding_box()["height"] >= 44  # a tap target
    link.click()
    phone_page.wait_for_url(re.compile(r"/search\?session=[^&]+&topic=[^&]+$"))


def test_a_chart_cell_adds_only_its_session_and_topic_and_zero_cells_are_not_links(page, ui):
    page.goto("/topics")
    zero = page.locator('figure.chart svg g[role="img"]')
    assert zero.count() > 0 and all(re.search(r": 0$", z.get_attribute("aria-label")) for z in zero.all())
    expect(page.locator('figure.chart svg a[aria-label$=": 0"]')).to_have_count(0)
    cell = page.locator('figure.chart svg a[aria-label^="Session 2: "][aria-label*="European Health Data Space"]')
    count = int(cell.get_attribute("aria-label").rsplit(": ", 1)[1])
    cell.click()
    page.wait_for_url(re.compile(r"/search\?"))
    assert sorted(ui.query_pairs(page)) == [("session", "dngc-2025-s2"), ("topic", "ehds")]
    assert ui.facet_count(page, "topic", "European Health Data Space") == count


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_speaker_page_links_to_the_speakers_quotes(request, size):
    page = page_for(request, size)
    page.goto("/speakers/aarno-palotie")
    page.get_by_role("link", name=re.compile(r"^\d+ quotes from Aarno Palotie’s talks")).click()
    page.wait_for_url(re.compile(r"/quotes\?speaker=aarno-palotie$"))
    metas = page.locator("li.quote .meta").all_inner_texts()
    assert metas and all("Aarno Palotie" in m for m in metas)
