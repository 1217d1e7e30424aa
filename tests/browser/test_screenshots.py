"""The README's screenshots, taken from these runs: docs/screenshots/{search,talk,speaker,topics,home,editor}.png
at 1280x900, and a search with its filters open on a 390x844 phone (search-phone-filters.png)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHOTS = {
    "search": ("/search?q=data+sharing&topic=ehds", "ul.chips"),
    "talk": ("/talks/dngc-2025-s3-dilemma-2", "p.question"),
    "speaker": ("/speakers/aarno-palotie", "ol.appearances"),
    "topics": ("/topics", "figure.chart svg"),
    "home": ("/", "ul.entry-points"),
}


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("name", SHOTS)
def test_screenshot_for_the_readme(page, name):
    path, ready = SHOTS[name]
    page.goto(path)
    expect(page.locator(ready)).to_be_visible()
    page.evaluate("document.fonts.ready")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), animations="disabled", caret="hide")
    assert png_size(target) == (1280, 900)


def test_editor_screenshot_for_the_readme(signed_in_page):
    """docs/screenshots/editor.png: a panel's edit form with its notes, beside the fields they explain."""
    page = signed_in_page
    page.goto("/curate/talks/dngc-2025-s3-dilemma-2/edit")
    expect(page.locator("#f-byline-note")).to_be_visible()
    page.evaluate("window.scrollTo(0, document.getElementById('notes-heading').getBoundingClientRect().top"
                  " + window.scrollY - 16)")  # the notes, then the fields down to the byline and its note
    page.evaluate("document.fonts.ready")
    target = SCREENSHOTS / "editor.png"
    page.screenshot(path=str(target), animations="disabled", caret="hide")
    assert png_size(target) == (1280, 900)


def test_phone_screenshot_of_a_search_with_its_filters_open(phone_page):
    """The filters open above the results on a phone: the first filter is on the first screen."""
    phone_page.goto("/search?q=data+sharing&topic=ehds")
    phone_page.get_by_text("Filters (1)").click()
    first = phone_page.locator("#first-filters li a").first
    expect(first).to_be_in_viewport()
    assert first.bounding_box()["y"] < phone_page.locator("li.result").first.bounding_box()["y"]
    phone_page.evaluate("document.fonts.ready")
    target = SCREENSHOTS / "search-phone-filters.png"
    phone_page.screenshot(path=str(target), animations="disabled", caret="hide")
    assert png_size(target) in ((390, 844), (780, 1688))  # CSS pixels, or device pixels on a 2x screen
