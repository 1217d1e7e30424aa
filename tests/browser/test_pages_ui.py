"""Record pages in Chromium: talk, speaker, session, topics chart, topic, 404; keyboard; console and CSP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
TALKS = CORPUS / "conferences" / "dngc-2025" / "talks"


def front_matter(path: Path) -> tuple[dict, str]:
    """A corpus file's YAML front matter and Markdown body."""
    _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(head), body.strip()


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]


# --- talk, speaker and session pages ---------------------------------------------------------------

def test_talk_page_shows_the_summary_speakers_session_and_related_talks(page):
    meta, body = front_matter(TALKS / "dngc-2025-s2-aarno-palotie.md")
    page.goto("/talks/dngc-2025-s2-aarno-palotie")
    expect(page.get_by_role("heading", level=1)).to_have_text(meta["title"])
    expect(page.locator(".summary")).to_contain_text(first_sentence(body))
    expect(page.locator("p.speakers").get_by_role("link")).to_have_text(["Aarno Palotie"])
    expect(page.locator("#other-talks-h")).to_have_text("More from Aarno Palotie")
    expect(page.locator('section[aria-labelledby="other-talks-h"] li > a:first-child')).to_have_text(
        ["Dilemma two: private access to public genetic data"])

    related = page.locator('section[aria-labelledby="related-h"] li > a:first-child')
    assert related.count() >= 3
    hrefs = [related.nth(i).get_attribute("href") for i in range(related.count())]
    assert all(h.startswith("/talks/") for h in hrefs)
    assert "/talks/dngc-2025-s2-aarno-palotie" not in hrefs
    title = related.first.inner_text()
    related.first.click()
    page.wait_for_url(re.compile(re.escape(hrefs[0]) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_talk_page_links_to_its_speaker_and_session(page):
    page.goto("/talks/dngc-2025-s2-aarno-palotie")
    page.locator("p.speakers").get_by_role("link", name="Aarno Palotie").click()
    page.wait_for_url(re.compile(r"/speakers/aarno-palotie$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Aarno Palotie")

    page.go_back()
    page.locator("p.breadcrumb").get_by_role("link").click()
    page.wait_for_url(re.compile(r"/sessions/dngc-2025-s2$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Session 2: Infrastructure requirements"))


def test_speaker_page_shows_bio_talks_and_appearances_in_both_sessions(page):
    _, bio = front_matter(CORPUS / "speakers" / "aarno-palotie.md")
    page.goto("/speakers/aarno-palotie")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aarno Palotie")
    expect(page.locator('section[aria-labelledby="bio-h"] .bio')).to_contain_text(first_sentence(bio))
    expect(page.locator('section[aria-labelledby="talks-h"] li > a:first-child')).to_have_text(
        ["FinnGen as a model for public-private partnership in genomic research",
         "Dilemma two: private access to public genetic data"])
    appearances = page.locator("ol.appearances > li")
    expect(appearances).to_have_count(2)
    expect(appearances.locator("h3 a")).to_have_text([re.compile(r"^Session 2: "), re.compile(r"^Session 3: ")])
    expect(appearances.nth(0)).to_contain_text("Listed as Aarno Palotie, Research Director")

    appearances.nth(1).locator("h3 a").click()
    page.wait_for_url(re.compile(r"/sessions/dngc-2025-s3$"))
    listed = page.locator('section[aria-labelledby="speakers-h"]')
    expect(listed.get_by_role("link", name="Aarno Palotie")).to_be_visible()


@pytest.mark.parametrize("session", ["dngc-2025-s1", "dngc-2025-s2"])
def test_session_page_lists_talks_in_programme_order(page, session):
    talks = [front_matter(p)[0] for p in TALKS.glob(f"{session}-*.md")]
    expected = [t["title"] for t in sorted(talks, key=lambda t: t["order"])]
    page.goto(f"/sessions/{session}")
    expect(page.locator('section[aria-labelledby="purpose-h"] .purpose')).not_to_be_empty()
    expect(page.locator("ol.programme > li > a:first-child")).to_have_text(expected)


# --- topics ---------------------------------------------------------------------------------------

def _ehds_cell_of_session_2(page):
    """The chart cell for Session 2 x EHDS, and the count it shows."""
    cells = page.locator("figure.chart svg a[aria-label]")
    title = re.compile(r"^Session 2: .* — European Health Data Space: \d+$")
    cell = cells.filter(has=page.locator("title", has_text=title))
    expect(cell).to_have_count(1)
    count = int(cell.get_attribute("aria-label").rsplit(": ", 1)[1])
    expect(cell.locator("text")).to_have_text(str(count))
    return cell, count


def test_topics_chart_has_a_linked_cell_per_session_and_topic(page):
    page.goto("/topics")
    rows = page.locator("table.overview tbody tr").count()
    columns = page.locator("table.overview thead th").count() - 1
    assert rows == 4 and columns >= 4
    linked, empty = page.locator("figure.chart svg a[aria-label]"), page.locator('figure.chart svg g[role="img"]')
    assert linked.count() + empty.count() == rows * columns  # a cell per session and topic; empty ones unlinked
    cell, count = _ehds_cell_of_session_2(page)
    assert count > 0


def test_topics_chart_cell_opens_the_faceted_search(page, ui):
    page.goto("/topics")
    cell, _ = _ehds_cell_of_session_2(page)
    cell.click()
    page.wait_for_url(re.compile(r"/search\?"))
    assert sorted(ui.query_pairs(page)) == [("session", "dngc-2025-s2"), ("topic", "ehds")]  # only its own two
    chips = ui.chips(page)
    assert any(c.startswith("Session: Session 2: ") for c in chips) and "Topic: European Health Data Space" in chips
    assert ui.total(page) > 0


def test_topics_chart_cell_count_matches_the_search_it_opens(page, ui):
    page.goto("/topics")
    cell, count = _ehds_cell_of_session_2(page)
    cell.click()
    page.wait_for_url(re.compile(r"/search\?"))
    assert ui.facet_count(page, "topic", "European Health Data Space") == count  # about it (mentions follow)


def test_topic_page_lists_every_record_with_that_topic(page, ui):
    page.goto("/search")
    expected = ui.facet_count(page, "topic", "European Health Data Space")
    page.goto("/topics/ehds")
    expect(page.get_by_role("heading", level=1)).to_have_text("European Health Data Space")
    expect(page.locator("main")).to_contain_text(f"{expected} records carry this topic")
    expect(page.locator("ul.talk-list > li")).to_have_count(expected)
    expect(page.locator("ul.mention-list > li").first).to_be_visible()  # then the records that only mention it
    page.get_by_role("link", name="Search and filter within them").click()
    page.wait_for_url(re.compile(r"/search\?topic=ehds$"))
    mention = ui.facet_link(page, "topic", "European Health Data Space").locator(".mention-count").inner_text()
    mentioning = int(re.search(r"\d+", mention).group())
    assert ui.total(page) == expected + mentioning  # the records about it, then those that only mention it


@pytest.mark.parametrize("path", ["/talks/no-such-talk", "/speakers/nobody", "/no/such/page"])
def test_unknown_addresses_are_404_pages(page, path):
    response = page.goto(path)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    page.get_by_role("link", name="Go to the search page").click()
    page.wait_for_url(re.compile(r"/search$"))


# --- keyboard -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/search?q=genomics", "/talks/dngc-2025-s2-aarno-palotie"])
def test_tab_reaches_the_skip_link_first_and_it_moves_focus_to_main(page, path):
    page.goto(path)
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to content")
    box = focused.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, f"the focused skip link is off screen: {box}"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)"), \
        "the next Tab after the skip link should stay in main, not go back to the header"


# --- console errors and Content-Security-Policy ------------------------------------------------------

FAVICON = "/favicon.ico"
PAGES = [
    ("/", 200), ("/search?q=genomics&topic=ehds", 200), ("/search?q=zzzzqqq", 200), ("/search?q=Hasselbach", 200),
    ("/talks/dngc-2025-s2-aarno-palotie", 200), ("/talks/dngc-2025-s2-panel-interoperability", 200),
    ("/talks/dngc-2025-s1-qa", 200), ("/speakers/aarno-palotie", 200), ("/sessions/dngc-2025-s2", 200),
    ("/topics", 200), ("/topics/ehds", 200), ("/about", 200), ("/talks/no-such-talk", 404),
    ("/quotes?q=trust", 200),
]


def _unexpected_console_errors(page_log, page_url: str, status: int) -> list[str]:
    """Console errors, less the favicon 404 (see test_the_browser_finds_a_favicon) and a 404 page's own status."""
    errors = [e for e in page_log.console_errors if not e.endswith(FAVICON + ")")]
    if status == 404:
        errors = [e for e in errors if not (e.startswith("Failed to load resource") and e.endswith(f"({page_url})"))]
    return errors


@pytest.mark.parametrize("path, status", PAGES)
def test_no_console_errors_or_csp_violations(page, page_log, path, status):
    response = page.goto(path)
    assert response.status == status
    box = page.locator("#q")
    box.fill("")
    box.press_sequentially("gen", delay=20)  # run the suggestions script too
    expect(page.get_by_role("listbox", name="Suggestions")).to_be_visible()
    assert _unexpected_console_errors(page_log, page.url, status) == []
    assert page_log.page_errors == []
    assert page.evaluate("window.__cspViolations") == []


def test_csp_violations_would_be_caught(page):
    """The recorder used above works: an inline script is refused by the CSP and recorded."""
    page.goto("/about")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';
                              document.body.appendChild(s); }""")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.ran") is None
    assert "script-src" in page.evaluate("window.__cspViolations")[0]


def test_the_browser_finds_a_favicon(page):
    page.goto("/about")
    declared = page.locator('link[rel~="icon"]').count() > 0
    assert declared or page.request.get(FAVICON).status == 200
