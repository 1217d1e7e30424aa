"""The README's screenshots show what they say: each page's key part is on the first screen, and the
image is a real page (not blank). Run with CONFARCHIVE_UPDATE_SCREENSHOTS=1 to write them into
docs/screenshots/ (search, talk, speaker, topics, home, editor at 1280x900, and a search with its
filters open on a 390x844 phone); otherwise they go to a temporary folder."""

from __future__ import annotations

import os
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


BLANK_BYTES = 15_000  # a one-colour 1280x900 PNG is a few kilobytes; a page with text is far larger
README = SCREENSHOTS.parents[1] / "README.md"


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where this run writes screenshots: docs/screenshots/ when asked to update them, else a temporary folder."""
    return SCREENSHOTS if os.environ.get("CONFARCHIVE_UPDATE_SCREENSHOTS") == "1" else tmp_path


def check_shot(target: Path, sizes) -> None:
    assert png_size(target) in sizes
    assert target.stat().st_size > BLANK_BYTES, f"{target.name} looks blank"
    assert f"docs/screenshots/{target.name}" in README.read_text(encoding="utf-8")  # the README shows it


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("name", SHOTS)
def test_screenshot_for_the_readme(page, shots, name):
    path, ready = SHOTS[name]
    page.goto(path)
    expect(page.locator(ready).first).to_be_in_viewport()  # what the picture is for is on the first screen
    page.evaluate("document.fonts.ready")
    target = shots / f"{name}.png"
    page.screenshot(path=str(target), animations="disabled", caret="hide")
    check_shot(target, [(1280, 900)])


def test_editor_screenshot_for_the_readme(signed_in_page, shots):
    """docs/screenshots/editor.png: a panel's edit form with its notes, beside the fields they explain."""
    page = signed_in_page
    page.goto("/curate/talks/dngc-2025-s3-dilemma-2/edit")
    expect(page.locator("#f-byline-note")).to_be_visible()
    page.evaluate("window.scrollTo(0, document.getElementById('notes-heading').getBoundingClientRect().top"
                  " + window.scrollY - 16)")  # the notes, then the fields down to the byline and its note
    page.evaluate("document.fonts.ready")
    expect(page.locator("#f-byline-note")).to_be_in_viewport()
    target = shots / "editor.png"
    page.screenshot(path=str(target), animations="disabled", caret="hide")
    check_shot(target, [(1280, 900)])


def test_phone_screenshot_of_a_search_with_its_filters_open(phone_page, shots):
    """The filters open above the results on a phone: the first filter is on the first screen."""
    phone_page.goto("/search?q=data+sharing&topic=ehds")
    phone_page.get_by_text("Filters (1)").click()
    first = phone_page.locator("#first-filters li a").first
    expect(first).to_be_in_viewport()
    assert first.bounding_box()["y"] < phone_page.locator("li.result").first.bounding_box()["y"]
    phone_page.evaluate("document.fonts.ready")
    target = shots / "search-phone-filters.png"
    phone_page.screenshot(path=str(target), animations="disabled", caret="hide")
    check_shot(target, [(390, 844), (780, 1688)])  # CSS pixels, or device pixels on a 2x screen
