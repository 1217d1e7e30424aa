"""Copy buttons for formatted references put HTML and plain text on the clipboard (Word pastes rich text);
without JavaScript the references are still there to select; the basket downloads a Word briefing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

BRITT = "dngc-2025-s1-britt-elmedal-laursen"
READ_CLIPBOARD = """async () => {
  const items = await navigator.clipboard.read();
  const out = {};
  for (const type of items[0].types) { out[type] = await (await items[0].getType(type)).text(); }
  return out;
}"""


def test_copying_a_reference_puts_html_and_text_on_the_clipboard(page, page_log):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"/talks/{BRITT}")
    buttons = page.locator(".formatted-references .copy-button")
    expect(buttons).to_have_count(4)
    buttons.first.click()
    expect(page.locator(".formatted-references .copy-status").first).to_have_text("Copied.")
    copied = page.evaluate(READ_CLIPBOARD)
    assert "<i>" in copied["text/html"] and "[Talk summary]" in copied["text/html"]
    assert copied["text/plain"].startswith("Laursen, B. E. (2025, September 8). [A clinical perspective")
    assert "<i>" not in copied["text/plain"]
    expect(page.locator(".copy-button")).to_have_count(6)  # four styles, plain text and Markdown
    page.get_by_role("button", name="Copy the Markdown reference").click()
    expect(page.locator("pre.citation-md + .copy-button + .copy-status")).to_have_text("Copied.")
    markdown = page.evaluate(READ_CLIPBOARD)
    # the server runs without --base-url: links use the documented default, not the port it listens on
    assert markdown["text/plain"].endswith(f"[confarchive](http://127.0.0.1:5000/talks/{BRITT})")
    assert page_log.page_errors == []


def test_without_javascript_the_references_are_shown_without_buttons(nojs_page):
    nojs_page.goto(f"/talks/{BRITT}")
    expect(nojs_page.locator(".formatted-reference")).to_have_count(4)
    expect(nojs_page.locator(".copy-button")).to_have_count(0)
    expect(nojs_page.locator(".formatted-reference").first).to_contain_text("[Talk summary]")


def test_the_basket_copies_formatted_references_and_downloads_a_word_briefing(page, page_log):
    import docx

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/quotes?q=consent&style=american-medical-association")
    first = page.locator("li.quote").first
    text = first.locator(".quote-text").inner_text().strip()
    first.get_by_role("button", name="Add to basket").click()
    basket = page.locator("#basket")
    basket.get_by_role("button", name="Copy formatted references").click()
    expect(basket.locator(".basket-status")).to_have_text("Copied 1 quote(s).")
    copied = page.evaluate(READ_CLIPBOARD)
    assert text in copied["text/html"] and "Presented at: " in copied["text/html"]
    with page.expect_download() as download:
        basket.get_by_role("link", name="Word briefing (.docx)").click()
    assert download.value.suggested_filename == "quotes.docx"
    paragraphs = [p.text for p in docx.Document(io.BytesIO(Path(download.value.path()).read_bytes())).paragraphs]
    assert f"“{text}”1" in paragraphs and any(p.startswith("1. ") and "Presented at: " in p for p in paragraphs)
    basket.get_by_role("button", name="Empty the basket").click()
    assert page_log.page_errors == []
