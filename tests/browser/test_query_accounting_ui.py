"""Issue 11 in Chromium: dead query words named with one-click ways on, corrections applied, full matches
first, quotes filed by their own sentence's topics, mentions marked and linked, any/all topics."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

SHAPID = "Looking ahead, AI initiatives such as the SHAPID project are of major interest."


def test_a_dead_word_is_named_and_the_rest_is_one_click_away(page, ui):
    page.goto("/search?q=federated+data")
    expect(page.locator("p.notice")).to_contain_text("No record mentions “federated”; these records match the other words.")
    expect(page.locator("p.match-counts")).to_contain_text(f"0 match all words; {ui.total(page)} match some")
    page.get_by_role("link", name="data", exact=True).click()
    page.wait_for_url(re.compile(r"/search\?q=data$"))
    expect(page.locator("p.notice")).to_have_count(0)
    page.go_back()
    page.get_by_role("link", name="Match all words").click()
    page.wait_for_url(re.compile(r"match=all"))
    assert ui.total(page) == 0


def test_a_misspelt_word_is_corrected_beside_the_others(page, ui):
    page.goto("/search?q=EHDS+trst")
    expect(page.locator("p.notice").first).to_have_text("Nothing matches “trst”; showing results for “EHDS trust”.")
    corrected = ui.titles(page)
    page.goto("/search?q=EHDS+trust")
    assert ui.titles(page) == corrected
    page.goto("/search?q=EHDS+trst")
    page.get_by_role("link", name="EHDS trst").click()
    page.wait_for_url(re.compile(r"exact=1"))
    expect(page.locator("p.notice").first).to_contain_text("No record mentions “trst”")


def test_the_sentence_with_every_word_is_the_first_quote(page):
    page.goto("/quotes?q=EHDS+trust")
    first = page.locator("li.quote .quote-text").first.inner_text()
    assert re.search(r"\bEHDS\b", first) and re.search(r"\btrust\b", first), first


def test_the_ai_filter_on_quotes_uses_the_sentences_own_topics(page):
    page.goto("/quotes?per_page=100")
    page.locator('section.facet[aria-labelledby="facet-topic"] li a', has_text="Artificial intelligence").click()
    page.wait_for_url(re.compile(r"topic=ai"))
    texts = [t.strip() for t in page.locator("li.quote .quote-text").all_inner_texts()]
    assert SHAPID in texts
    assert not any(t.startswith("She emphasized the profound clinical") for t in texts)
    quote = page.locator("li.quote", has_text="SHAPID")
    quote.locator("details.why summary").click()
    expect(quote.locator("details.why mark").first).to_have_text("ai")


def test_a_talk_that_only_mentions_the_topic_is_marked_and_links_to_the_sentence(page):
    page.goto("/search?topic=ai")
    note = page.locator("p.mention-note a", has_text="mentions Artificial intelligence · 1 sentence").first
    expect(note).to_be_visible()
    href = note.get_attribute("href")
    note.click()
    page.wait_for_url(re.compile(re.escape(href) + "$"))
    target = page.locator(".summary " + "#" + href.split("#", 1)[1])
    expect(target).to_contain_text(re.compile(r"\bAI\b"))
    assert target.evaluate("e => e.matches(':target')")


def test_the_topic_facet_switches_between_any_and_all(page, ui):
    page.goto("/search?topic=ai&topic=ethics")
    expect(page.locator("p.facet-switch")).to_contain_text("Records on any of the ticked topics")
    union = ui.total(page)
    page.get_by_role("link", name="all instead").click()
    page.wait_for_url(re.compile(r"topic_mode=all"))
    expect(page.locator("p.facet-switch")).to_contain_text("Records on all of the ticked topics")
    assert 0 < ui.total(page) < union
    expect(ui.facet_link(page, "topic", "Artificial intelligence").locator(".mention-count")).to_contain_text("mention")
