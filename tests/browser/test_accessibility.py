"""axe-core scans of every page type in Chromium: no violation of impact "serious" or "critical".

axe-core's script comes with the axe-playwright-python package (no download at test time); it is
injected through Playwright, so the pages' Content-Security-Policy does not block it. Scans need
JavaScript in the page: in a context with JavaScript off, Playwright's evaluate never returns, so the
no-JavaScript pages (the same HTML, without the combobox roles) are not scanned separately.
Below the axe scans: checks axe leaves "incomplete" or does not make (SVG contrast, focus indicator,
reflow at 320 CSS px).
"""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytest.importorskip("axe_playwright_python", reason="the axe-playwright-python package is not installed")
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def blocking_violations(axe: Axe, page) -> list[str]:
    """One line per serious or critical violation: rule id, impact, help and the selectors of each node."""
    results = axe.run(page, options={"resultTypes": ["violations"]})
    return [f"{v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(" ".join(n["target"]) for n in v["nodes"])
            for v in results.response["violations"] if v["impact"] in BLOCKING]


def assert_accessible(axe: Axe, page) -> None:
    found = blocking_violations(axe, page)
    assert not found, (f"axe-core found {len(found)} serious or critical violation(s) on {page.url}:\n"
                       + "\n".join(found))


PAGES = {
    "home": "/",
    "search-with-results": "/search?q=genomics",
    "search-with-filters": "/search?q=data&topic=ehds&kind=talk",
    "search-did-you-mean": "/search?q=interoperabilty+standards",
    "search-corrected": "/search?q=Hasselbach",
    "search-no-results": "/search?q=zzzzqqqq",
    "browse-paged": "/search?per_page=5&page=2",
    "talk": "/talks/dngc-2025-s2-aarno-palotie",
    "panel": "/talks/dngc-2025-s2-panel-interoperability",
    "qa": "/talks/dngc-2025-s1-qa",
    "speaker": "/speakers/aarno-palotie",
    "session": "/sessions/dngc-2025-s2",
    "topics": "/topics",
    "topic": "/topics/ehds",
    "about": "/about",
    "404": "/talks/no-such-talk",
    "quotes": "/quotes?q=trust",
    "quotes-filtered": "/quotes?q=data&topic=ehds",
    "quotes-no-results": "/quotes?q=zzzzqqqq",
    "briefing": "/quotes/briefing?q=consent&style=harvard-cite-them-right",
}


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_page_has_no_serious_accessibility_violations(page, axe, path):
    page.goto(path)
    assert_accessible(axe, page)


PHONE_PAGES = {
    "home": ("/", None),
    "search-filters-open": ("/search?q=data&topic=ehds", ".filters-toggle"),
    "search-more-open": ("/search", ".filters-toggle"),
    "quotes-filters-open": ("/quotes?q=trust", ".filters-toggle"),
    "topics-table": ("/topics", None),
    "404": ("/no/such/page", None),
}


@pytest.mark.parametrize("path, opener", PHONE_PAGES.values(), ids=PHONE_PAGES.keys())
def test_phone_pages_have_no_serious_accessibility_violations(phone_page, axe, path, opener):
    phone_page.goto(path)
    if opener:
        phone_page.locator(opener).click()
        expect(phone_page.locator("#first-filters")).to_be_visible()
    if path == "/search":
        phone_page.locator('section.facet[aria-labelledby="facet-speaker"] details.facet-more summary').click()
    assert_accessible(axe, phone_page)


def test_basket_panel_and_sorted_facets_have_no_serious_violations(page, axe):
    page.goto("/quotes?q=finngen")
    page.locator("li.quote").first.get_by_role("button", name="Add to basket").click()
    page.locator("li.quote").first.locator(".basket-toggle").dispatch_event("click")
    expect(page.locator("#basket .basket-count")).to_have_text("(1)")
    assert_accessible(axe, page)
    page.goto("/search")
    speakers = page.locator('section.facet[aria-labelledby="facet-speaker"]')
    speakers.locator("details.facet-more summary").click()
    speakers.get_by_role("button", name="A–Z").click()
    assert_accessible(axe, page)


def test_suggestions_listbox_open_has_no_serious_violations(page, axe):
    page.goto("/search?q=genomics")
    box = page.locator("#q")
    box.fill("")
    box.press_sequentially("hasse", delay=20)
    expect(page.get_by_role("listbox", name="Suggestions")).to_be_visible()
    box.press("ArrowDown")
    assert_accessible(axe, page)


def test_quote_basket_and_citation_open_have_no_serious_violations(page, axe):
    page.goto("/quotes?q=trust")
    page.locator("li.quote").first.get_by_role("button", name="Add to basket").click()
    expect(page.locator("#basket .basket-count")).to_have_text("(1)")
    page.locator("li.quote").first.locator("details.cite summary").click()
    page.locator("li.quote").first.locator("details.context summary").click()
    assert_accessible(axe, page)


def test_topics_table_open_has_no_serious_violations(page, axe):
    page.goto("/topics")
    page.locator("details summary", has_text="The figures as a table").click()
    expect(page.locator("table.overview")).to_be_visible()
    assert_accessible(axe, page)


def test_curate_login_page_has_no_serious_violations(curate_page, axe):
    curate_page.goto("/curate/login")
    assert_accessible(axe, curate_page)


@pytest.mark.parametrize("path", ["/curate/", "/curate/talks/dngc-2025-s2-tine-jess/edit",
                                  "/curate/speakers/aarno-palotie/edit", "/curate/quality"],
                         ids=["records", "edit-talk", "edit-speaker", "quality"])
def test_curate_pages_have_no_serious_violations(signed_in_page, axe, path):
    signed_in_page.goto(path)
    assert_accessible(axe, signed_in_page)


def test_axe_would_catch_a_violation(page, axe):
    """The scan above really runs: an image without alternative text is reported as critical."""
    page.goto("/about")
    page.evaluate("() => document.querySelector('main').appendChild(document.createElement('img'))")
    assert any(line.startswith("image-alt (critical)") for line in blocking_violations(axe, page))


# --- what axe-core leaves "incomplete" or does not check ------------------------------------------------

def contrast(first: tuple[float, ...], second: tuple[float, ...]) -> float:
    """WCAG contrast ratio of two sRGB colours given as 0-255 channels."""
    def luminance(rgb):
        lin = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rgb(css: str) -> tuple[float, ...]:
    """Channels of a computed colour, "rgb(1, 2, 3)" or "rgba(1, 2, 3, 1)"."""
    return tuple(float(part) for part in css[css.index("(") + 1:-1].split(","))


def test_topics_chart_cell_numbers_have_enough_contrast(page):
    """axe cannot compute SVG backgrounds, so each cell's number is checked against its rect here."""
    page.goto("/topics")
    pairs = page.evaluate("""() => [...document.querySelectorAll('figure.chart svg a[aria-label]')].map(a =>
        [a.getAttribute('aria-label'), getComputedStyle(a.querySelector('rect')).fill,
         getComputedStyle(a.querySelector('text')).fill])""")
    assert len(pairs) >= 16
    low = [f"{label}: {contrast(rgb(fill), rgb(ink)):.2f}" for label, fill, ink in pairs
           if contrast(rgb(fill), rgb(ink)) < 4.5]
    assert not low, "chart numbers below 4.5:1 contrast:\n" + "\n".join(low)


def test_focus_indicator_has_enough_contrast(page):
    page.goto("/search?q=genomics")
    page.locator("li.result h2 a").first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
    style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, s.outlineWidth, s.outlineColor, getComputedStyle(document.body).backgroundColor]; }""")
    outline_style, width, colour, background = style
    assert outline_style != "none" and float(width.removesuffix("px")) >= 2
    assert contrast(rgb(colour), rgb(background)) >= 3, f"focus outline {colour} on {background}"


REFLOW = ["/search?q=genomics&topic=ehds", "/talks/dngc-2025-s2-aarno-palotie", "/speakers/aarno-palotie", "/about"]


def test_pages_reflow_at_320_css_pixels(page):
    page.set_viewport_size({"width": 320, "height": 800})
    wide = {}
    for path in REFLOW:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide[path] = width
    assert not wide, f"pages wider than 320 px: {wide}"


def test_narrow_layout_keeps_the_search_box_usable(page):
    """At phone width the header still offers a labelled search box and its button, not hidden."""
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/about")
    expect(page.get_by_label("Search talks, panels and speakers")).to_be_visible()
    expect(page.get_by_role("button", name="Search")).to_be_visible()
