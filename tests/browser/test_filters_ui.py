"""Issue 15, reaching the filters: on a desktop, on a 390x844 phone, by keyboard and without JavaScript."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

FIRST_FILTER = "#first-filters li a"


def page_for(request, size: str, js: bool = True):
    """The desktop or phone page fixture, with or without JavaScript."""
    name = {("desktop", True): "page", ("desktop", False): "nojs_page",
            ("phone", True): "phone_page", ("phone", False): "nojs_phone_page"}[(size, js)]
    return request.getfixturevalue(name)


def focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName, id: e.id, text: e.textContent.trim(), href: e.getAttribute('href') || ''}; }""")


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("path", ["/search?q=data", "/quotes?q=data"])
def test_the_first_filter_is_reached_in_three_tab_presses(request, size, js, path):
    page = page_for(request, size, js)
    page.goto(path)
    first = page.locator(FIRST_FILTER).first
    expected = first.get_attribute("href")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to filters"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the third
    assert focused(page)["href"] == expected
    expect(first).to_be_visible()
    expect(first).to_be_in_viewport()


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_on_a_phone_the_filters_are_above_the_results_behind_a_filters_control(request, js):
    page = page_for(request, "phone", js)
    page.goto("/search?q=data&topic=ehds")
    toggle = page.get_by_text(re.compile(r"^Filters \(1\)"))
    expect(toggle).to_be_in_viewport()  # on the first screen, without scrolling
    first_result = page.locator("li.result").first
    assert toggle.bounding_box()["y"] < first_result.bounding_box()["y"]
    expect(page.locator(FIRST_FILTER).first).to_be_hidden()  # closed: the results start on the first screen
    assert first_result.bounding_box()["y"] < 844
    toggle.click()
    first = page.locator(FIRST_FILTER).first
    expect(first).to_be_visible()
    assert first.bounding_box()["y"] < page.locator("li.result").first.bounding_box()["y"]
    assert page.evaluate("window.scrollY") == 0  # reached without scrolling past the results
    expect(first).to_be_in_viewport()


def test_on_a_desktop_the_filters_are_a_sidebar_without_a_control(page):
    page.goto("/search?q=data")
    expect(page.locator(".filters-toggle")).to_be_hidden()
    first = page.locator(FIRST_FILTER).first
    expect(first).to_be_visible()
    results = page.locator("section.results").bounding_box()
    assert first.bounding_box()["x"] > results["x"] + results["width"]  # beside the results, on the right


def test_phone_tap_targets_are_at_least_44_px(phone_page):
    phone_page.goto("/search?q=data")
    phone_page.locator(".filters-toggle").click()
    targets = {"facet links": "section.facet li a", "topic tags": "li.result a.tag",
               "group toggles": "details.facet-group > summary", "filters control": ".filters-toggle",
               "page numbers": ".page-numbers a"}
    for name, selector in targets.items():
        boxes = [b for b in (e.bounding_box() for e in phone_page.locator(selector).all()) if b]
        assert boxes, name
        small = [round(b["height"]) for b in boxes if b["height"] < 44]
        assert not small, f"{name}: {small}"


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("path, heading", [("/search?q=data", "results"), ("/quotes?q=data", "quotes")])
def test_choosing_a_facet_by_keyboard_returns_focus_to_its_group_and_announces_the_count(request, size, path,
                                                                                           heading):
    page = page_for(request, size)
    page.goto(path)
    page.locator(".filters").evaluate("d => d.open = true")
    link = page.locator('section.facet[aria-labelledby="facet-speaker"] li a').first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"speaker=.*#group-speaker$"))
    expect(page.locator("#group-speaker")).to_be_focused()
    expect(page.locator("#group-speaker")).to_be_in_viewport()
    total = page.locator("#results-heading").inner_text().strip()
    assert re.match(rf"^\d+ {heading[:-1]}", total)
    status = page.locator("#filter-status")
    expect(status).to_have_text(total)
    assert status.get_attribute("aria-live") == "polite"
    page.keyboard.press("Tab")  # on into the same group
    assert page.evaluate("document.activeElement.closest('section.facet').getAttribute('aria-labelledby')") \
        == "facet-speaker"


def test_without_javascript_focus_also_returns_to_the_facet_group(nojs_phone_page):
    nojs_phone_page.goto("/search?q=data")
    nojs_phone_page.locator(".filters-toggle").click()
    nojs_phone_page.locator('section.facet[aria-labelledby="facet-kind"] li a').first.click()
    nojs_phone_page.wait_for_url(re.compile(r"#group-kind$"))
    expect(nojs_phone_page.locator("#group-kind")).to_be_focused()
    expect(nojs_phone_page.locator("#group-kind")).to_be_in_viewport()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_facet_groups_collapse_and_expand_by_keyboard(request, size):
    page = page_for(request, size)
    page.goto("/search")
    page.locator(".filters").evaluate("d => d.open = true")
    kind = page.locator('section.facet[aria-labelledby="facet-kind"]')
    expect(kind.locator("li a").first).to_be_visible()
    kind.locator("summary").first.focus()
    page.keyboard.press("Enter")
    expect(kind.locator("li a").first).to_be_hidden()
    expect(page.locator('section.facet[aria-labelledby="facet-topic"] li a').first).to_be_visible()
    page.keyboard.press("Enter")
    expect(kind.locator("li a").first).to_be_visible()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_long_session_titles_wrap_whole(request, size):
    page = page_for(request, size)
    page.goto("/search")
    page.locator(".filters").evaluate("d => d.open = true")
    label = page.locator('section.facet[aria-labelledby="facet-session"] li a .label').first
    text = label.inner_text()
    assert text.startswith("Session 2: Infrastructure requirements") and text.endswith("healthcare system")
    assert "…" not in text
    assert label.evaluate("e => e.getClientRects().length > 1 || e.offsetHeight > 30")  # on several lines
    assert label.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # nothing cut off


def test_n_more_opens_the_full_list_sorted_by_count_or_a_to_z(page):
    page.goto("/search")
    speakers = page.locator('section.facet[aria-labelledby="facet-speaker"]')
    visible = speakers.locator("ul.facet-values li:visible")
    expect(visible).to_have_count(8)
    by_count = speakers.locator(".label").all_inner_texts()
    speakers.get_by_text("25 more").click()
    expect(visible).to_have_count(33)
    speakers.get_by_role("button", name="A–Z").click()
    expect(speakers.get_by_role("button", name="A–Z")).to_have_attribute("aria-pressed", "true")
    labels = [t.strip() for t in speakers.locator(".label").all_inner_texts()]
    assert labels == sorted(labels, key=str.casefold) != [t.strip() for t in by_count]
    speakers.get_by_role("button", name="by count").click()
    assert speakers.locator(".label").all_inner_texts() == by_count
    speakers.get_by_text("25 more").click()  # folding it again leaves the top eight
    expect(visible).to_have_count(8)


def test_without_javascript_n_more_still_opens_the_full_list(nojs_page):
    nojs_page.goto("/search")
    speakers = nojs_page.locator('section.facet[aria-labelledby="facet-speaker"]')
    speakers.get_by_text("25 more").click()
    expect(speakers.locator("ul.facet-values li:visible")).to_have_count(33)
    expect(speakers.get_by_role("button", name="A–Z")).to_be_hidden()  # sorting needs the script


def test_the_country_facet_is_affiliation_country_with_non_countries_apart(page, ui):
    page.goto("/search")
    country = page.locator('section.facet[aria-labelledby="facet-country"]')
    expect(country.get_by_role("heading", level=3)).to_have_text("Affiliation country")
    apart = country.get_by_role("list", name="Not a country")
    expect(apart.locator(".label")).to_have_text(["EU", "Intergovernmental"])
    apart.locator("a", has_text="EU").click()
    page.wait_for_url(re.compile(r"country=EU"))
    assert ui.chips(page) == ["Affiliation country: EU"]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_one_click_leaves_out_biographies_and_session_blurbs(request, size, ui):
    page = page_for(request, size)
    page.goto("/search?q=palotie")
    before = {k.strip().lower() for k in page.locator("li.result .meta .kind").all_inner_texts()}
    assert "speaker" in before
    page.get_by_role("link", name="Talks, panels and Q&As only").click()
    page.wait_for_url(re.compile(r"kind=qa"))
    kinds = {k.strip().lower() for k in page.locator("li.result .meta .kind").all_inner_texts()}
    assert kinds and kinds <= {"talk", "panel", "q&a"}
    page.get_by_role("link", name="Include biographies and sessions").click()
    page.wait_for_url(re.compile(r"/search\?q=palotie$"))
