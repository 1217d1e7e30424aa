"""Issue 15, collecting quotes: the basket as a side panel with a header counter, on a desktop and a phone,
by keyboard, and the no-JavaScript selection that keeps its ticks across pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser


def page_for(request, size: str):
    return request.getfixturevalue({"desktop": "page", "phone": "phone_page"}[size])


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_adding_twice_never_removes_and_a_separate_button_removes(request, size):
    page = page_for(request, size)
    page.goto("/quotes?q=finngen")
    quote = page.locator("li.quote").filter(has_text="Aarno Palotie").first
    add = quote.locator(".basket-toggle")
    add.click()
    expect(add).to_have_text("In basket ✓")
    add.dispatch_event("click")  # a second press (the button says it is done, aria-disabled): still in the basket
    expect(add).to_have_text("In basket ✓")
    expect(page.locator("#basket .basket-count")).to_have_text("(1)")
    expect(page.locator("#basket .basket-status")).to_have_text("Already in the basket.")
    quote.get_by_role("button", name="Remove from basket").click()
    expect(page.locator("#basket .basket-count")).to_have_text("(0)")
    expect(add).to_have_text("Add to basket")
    expect(add).to_be_focused()
    expect(quote.get_by_role("button", name="Remove from basket")).to_be_hidden()


def test_the_basket_by_keyboard(page):
    page.goto("/quotes?q=finngen")
    add = page.locator("li.quote").first.locator(".basket-toggle")
    add.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(page.locator("#basket .basket-count")).to_have_text("(1)")
    page.keyboard.press("Tab")
    expect(page.locator("li.quote").first.get_by_role("button", name="Remove from basket")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#basket .basket-count")).to_have_text("(0)")


def test_the_basket_is_a_side_panel_that_shows_the_speaker_and_the_header_counts_it(page):
    page.goto("/quotes?q=finngen")
    quote = page.locator("li.quote").filter(has_text="Aarno Palotie").first
    quote.get_by_role("button", name="Add to basket").click()
    basket = page.locator("#basket")
    results = page.locator("section.results").bounding_box()
    assert basket.bounding_box()["x"] > results["x"] + results["width"]  # beside the results, not above them
    expect(basket.locator(".basket-list li")).to_contain_text(["Aarno Palotie"])
    expect(page.get_by_label("Select for export").first).to_be_hidden()  # one way to collect: the basket
    expect(page.get_by_role("button", name="Export selected")).to_be_hidden()
    counter = page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("Quote basket"))
    expect(counter).to_have_text("Quote basket (1)")
    page.goto("/topics")  # every page shows the counter
    expect(counter).to_have_text("Quote basket (1)")
    counter.click()
    page.wait_for_url(re.compile(r"/quotes#basket$"))
    expect(page.locator("#basket .basket-list li")).to_have_count(1)


def test_on_a_phone_the_basket_is_a_closed_panel_above_the_filters_with_the_count(phone_page):
    phone_page.goto("/quotes?q=finngen")
    phone_page.locator("li.quote").first.get_by_role("button", name="Add to basket").click()
    summary = phone_page.locator("#basket summary")
    expect(summary).to_have_text("Quote basket (1)")
    expect(phone_page.locator("#basket .basket-list")).to_be_hidden()  # folded: the results come first
    assert summary.bounding_box()["height"] >= 44
    summary.click()
    expect(phone_page.locator("#basket .basket-list li")).to_have_count(1)
    expect(phone_page.locator("#basket .basket-list li")).to_contain_text("Aarno Palotie")


def test_without_javascript_ticks_are_kept_across_pages(nojs_page):
    nojs_page.goto("/quotes?q=data&per_page=5")
    first_text = nojs_page.locator("li.quote .quote-text").first.inner_text().strip()
    nojs_page.get_by_label("Select for export").first.check()
    nojs_page.get_by_role("button", name="Next page, keeping ticks").click()
    nojs_page.wait_for_url(re.compile(r"page=2"))
    expect(nojs_page.locator(".ticked-count")).to_have_text("1 ticked so far")
    second_text = nojs_page.locator("li.quote .quote-text").first.inner_text().strip()
    nojs_page.get_by_label("Select for export").first.check()
    nojs_page.get_by_role("button", name="Previous page, keeping ticks").click()
    nojs_page.wait_for_url(re.compile(r"page=1"))
    expect(nojs_page.get_by_label("Select for export").first).to_be_checked()
    nojs_page.get_by_label("Export the selected quotes as").select_option("md")
    with nojs_page.expect_download() as download:
        nojs_page.get_by_role("button", name="Export selected").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert first_text[:40] in exported and second_text[:40] in exported  # (Markdown escapes some characters)
    assert exported.count("as summarised in") == 2


def test_every_single_citation_has_a_copy_button(page):
    page.goto("/quotes?q=trust")
    quotes = page.locator("li.quote")
    cites = page.locator("li.quote details.cite")
    assert quotes.count() == cites.count() > 0
    for cite in cites.all()[:3]:
        cite.locator("summary").click()
        expect(cite.get_by_role("button", name=re.compile("^Copy"))).not_to_have_count(0)
