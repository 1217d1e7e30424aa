"""Quotes in Chromium: sentence search, links to the highlighted sentence, facets, the basket, and the
no-JavaScript export form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser


def quote_texts(page) -> list[str]:
    return [t.strip() for t in page.locator("li.quote .quote-text").all_inner_texts()]


def test_quote_search_finds_highlighted_sentences(page, ui):
    page.goto("/quotes")
    page.get_by_label("Find sentences").fill("trust")
    page.get_by_role("button", name="Search quotes").click()
    page.wait_for_url(re.compile(r"/quotes\?q=trust$"))
    expect(page.locator("#results-heading")).to_contain_text("for “trust”")
    total = ui.total(page)
    assert total > 0
    expect(page.locator("li.quote")).to_have_count(min(total, 20))
    for mark in page.locator("li.quote .quote-text mark").all():
        expect(mark).to_have_text(re.compile(r"^trust", re.I))
    expect(page.locator("p.cite-note")).to_contain_text("not transcripts")


def test_a_quote_links_to_its_sentence_highlighted_in_the_talk(page):
    page.goto("/quotes?q=trust")
    first = page.locator("li.quote").first
    text = first.locator(".quote-text").inner_text().strip()
    link = first.get_by_role("link", name=re.compile(r"^sentence \d+ in context$"))
    href = link.get_attribute("href")
    anchor = href.split("#", 1)[1]
    link.click()
    page.wait_for_url(re.compile(re.escape(href) + "$"))
    sentence = page.locator(f".summary #{anchor}")
    expect(sentence).to_have_text(text)
    assert sentence.evaluate("e => e.matches(':target')")
    assert sentence.evaluate("e => getComputedStyle(e).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")


def test_a_speaker_facet_narrows_the_quotes(page, ui):
    page.goto("/quotes?q=trust")
    before = ui.total(page)
    link = page.locator('section.facet[aria-labelledby="facet-speaker"] ul.facet-values > li > a').first
    name, expected = re.fullmatch(r"\W*(.+?)\s+(\d+)", link.inner_text().strip()).groups()
    link.click()
    page.wait_for_url(re.compile(r"speaker="))
    assert ui.chips(page) == [f"Speaker: {name}"]
    assert ui.total(page) == int(expected) < before
    for meta in page.locator("li.quote p.meta").all():
        expect(meta.get_by_role("link", name=name)).to_have_count(1)


def test_the_basket_collects_quotes_across_searches_and_downloads_them(page, page_log):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/quotes?q=trust")
    basket = page.locator("#basket")
    count = basket.locator(".basket-count")
    expect(count).to_have_text("(0)")
    first = page.locator("li.quote").first
    first_text = first.locator(".quote-text").inner_text().strip()
    first.get_by_role("button", name="Add to basket").click()
    expect(first.locator(".basket-toggle")).to_have_text("In basket ✓")
    expect(count).to_have_text("(1)")
    expect(basket.locator(".basket-status")).to_have_text("Added to the basket.")

    page.goto("/quotes?q=consent")  # another search: the basket is kept
    expect(count).to_have_text("(1)")
    expect(basket.locator(".basket-list li")).to_contain_text([first_text])
    second = page.locator("li.quote").first
    second_text = second.locator(".quote-text").inner_text().strip()
    second.get_by_role("button", name="Add to basket").click()
    expect(count).to_have_text("(2)")

    with page.expect_download() as download:
        basket.get_by_role("link", name="Markdown").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert first_text in exported and second_text in exported and "as summarised in" in exported

    basket.get_by_role("button", name="Copy as Markdown").click()
    expect(basket.locator(".basket-status")).to_have_text("Copied 2 quote(s).")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert first_text in copied and second_text in copied

    basket.get_by_role("button", name=re.compile(r"^Remove from basket: " + re.escape(first_text[:20]))).click()
    expect(count).to_have_text("(1)")
    basket.get_by_role("button", name="Empty the basket").click()
    expect(count).to_have_text("(0)")
    expect(basket.locator(".basket-list")).to_be_hidden()
    assert page_log.page_errors == []


def test_without_javascript_selected_quotes_export_with_the_form(nojs_page):
    nojs_page.goto("/quotes?q=trust")
    expect(nojs_page.locator("#basket")).to_be_hidden()
    expect(nojs_page.get_by_role("button", name="Add to basket")).to_have_count(0)
    texts = quote_texts(nojs_page)[:2]
    nojs_page.get_by_label("Select for export").nth(0).check()
    nojs_page.get_by_label("Select for export").nth(1).check()
    nojs_page.get_by_label("Export the selected quotes as").select_option("md")
    with nojs_page.expect_download() as download:
        nojs_page.get_by_role("button", name="Export selected").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert all(text in exported for text in texts)


def test_without_javascript_quote_search_and_paging(nojs_page, ui):
    nojs_page.goto("/quotes?q=data&per_page=5")
    assert ui.total(nojs_page) > 5
    first = quote_texts(nojs_page)
    nojs_page.get_by_role("navigation", name="Pages").get_by_role("link", name=re.compile("Next")).click()
    nojs_page.wait_for_url(re.compile(r"page=2"))
    second = quote_texts(nojs_page)
    assert len(second) == 5 and not set(first) & set(second)
