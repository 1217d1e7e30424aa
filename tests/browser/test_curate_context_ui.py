"""The editor's context in Chromium, at desktop (1280x900) and phone (390x844) sizes, by keyboard, axe-core clean:
notes beside fields, topics now and in the preview, word-level history diffs and restores, the Edit link on
public pages, the dashboard filter (with and without JavaScript), did-you-mean, creating a speaker, the
taxonomy and synonyms forms, and saves in a row indexed together."""

from __future__ import annotations

import json
import re
import time

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytest.importorskip("axe_playwright_python", reason="the axe-playwright-python package is not installed")
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

NOTED_TALK = "dngc-2025-s1-richard-rosenquist-brandell"  # notes: The “(?)” after “drive” is in the source
BYLINE_TALK = "dngc-2025-s3-dilemma-2"                    # notes: ... “Medi-cine” in Aarno Palotie’s byline ...
INDEXED_WITHIN_MS = 90_000


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def assert_clean(axe: Axe, page) -> None:
    """No serious or critical axe-core violation, no horizontal scrolling, no CSP violation, no script error."""
    results = axe.run(page, options={"resultTypes": ["violations"]})
    found = [f"{v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(" ".join(n["target"]) for n in v["nodes"])
             for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not found, f"axe-core on {page.url}:\n" + "\n".join(found)
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} scrolls sideways"
    assert page.evaluate("window.__cspViolations") == []


def tab_to(page, locator, limit: int = 150) -> None:
    """Press Tab until the locator has the focus (fails after `limit` presses)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{locator} never got the focus by Tab")


def size(page) -> str:
    return "phone" if page.viewport_size["width"] < 500 else "desktop"


def wait_searchable(page) -> None:
    expect(page.locator("#index-status")).to_contain_text("Searchable since", timeout=INDEXED_WITHIN_MS)


# --- notes and topics ------------------------------------------------------------------------------

def test_notes_are_shown_beside_the_fields_they_explain(sized_signed_in_page, axe):
    page = sized_signed_in_page
    page.goto(f"/curate/talks/{NOTED_TALK}/edit")
    notes = page.get_by_role("complementary", name="Notes on this record")
    expect(notes).to_contain_text("The “(?)” after “drive” is in the source; kept verbatim.")
    assert notes.bounding_box()["y"] < page.get_by_label("Title").bounding_box()["y"]  # read before any field
    body = page.get_by_label("Summary (Markdown)")
    expect(page.locator("#f-body-note")).to_contain_text("kept verbatim")
    expect(page.locator("#f-title-note")).to_have_count(0)  # "data-driven" in the title is not “drive”
    expect(body).to_have_accessible_description(re.compile(r"Note on this field: The “\(\?\)” after “drive”"))
    tab_to(page, body)  # by keyboard, the note is what the summary box says about itself
    assert_clean(axe, page)
    page.goto(f"/curate/talks/{BYLINE_TALK}/edit")
    expect(page.locator("#f-byline-note")).to_contain_text("“Medi-cine” in Aarno Palotie’s byline")
    expect(page.get_by_label("Byline")).to_have_accessible_description(re.compile("Medi-cine"))
    assert_clean(axe, page)


def test_topics_now_beside_the_overrides_and_after_the_edit_in_the_preview(sized_signed_in_page, axe):
    page = sized_signed_in_page
    page.goto("/curate/talks/dngc-2025-s2-james-buchanan/edit")
    expect(page.locator("#current-topics")).to_contain_text("Topics now: Health economics")
    row = page.locator("table.topic-overrides tr", has=page.locator("code", has_text=re.compile("^health-economics$")))
    expect(row.locator("td.now")).to_have_text("has it")
    remove = page.get_by_label("Always remove Health economics")
    tab_to(page, remove)
    page.keyboard.press("Space")
    expect(remove).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Preview"))
    page.keyboard.press("Enter")
    preview = page.locator(".preview-topics")
    expect(preview).to_contain_text("Topics after this edit: none.")
    expect(preview.locator("del")).to_have_text("−health-economics")
    expect(page.get_by_label("Always remove Health economics")).to_be_checked()  # nothing lost
    assert_clean(axe, page)


# --- history ----------------------------------------------------------------------------------------

def test_history_marks_the_changed_words_and_labels_restores(sized_signed_in_page, axe):
    page = sized_signed_in_page
    ident = "dngc-2025-s4-kym-boycott"
    page.goto(f"/curate/talks/{ident}/edit")
    title = page.get_by_label("Title")
    original = title.input_value()
    word = f"Zebu{size(page)}"
    title.fill(f"{original} {word}")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flashes")).to_contain_text("Saved")
    page.goto(f"/curate/talks/{ident}/history")
    first = page.locator("ol.history > li").first
    expect(first.locator("tr.diff-add ins")).to_have_text(re.compile(rf"^\s*{word}$"))
    expect(first.locator("tr.diff-add")).to_contain_text(original)  # unchanged words shown, unmarked
    restore = first.get_by_role("button", name="Restore the version before this save")
    tab_to(page, restore)
    page.keyboard.press("Enter")
    try:
        expect(page.locator(".flashes")).to_contain_text("Restored the version")
    except AssertionError as exc:  # was a status poll putting back the older session cookie; say what the page showed
        shown = page.locator("main").inner_text() if page.locator("main").count() else page.content()
        raise AssertionError(f"no 'Restored' message at {page.url}; the page said: {shown[:800]!r}") from exc
    newest = page.locator("ol.history > li").first
    expect(newest.locator("h2")).to_contain_text("restore by librarian")
    expect(newest.locator(".restore-note")).to_contain_text("librarian restored the version from before the save of")
    expect(newest.locator("tr.diff-del del")).to_have_text(re.compile(rf"^\s*{word}$"))
    assert_clean(axe, page)


# --- the Edit link on public pages ----------------------------------------------------------------

@pytest.mark.parametrize("path, label, target", [
    ("/talks/dngc-2025-s2-aarno-palotie", "Edit this talk", "/curate/talks/dngc-2025-s2-aarno-palotie/edit"),
    ("/speakers/aarno-palotie", "Edit this speaker", "/curate/speakers/aarno-palotie/edit"),
    ("/sessions/dngc-2025-s2", "Edit this session", "/curate/sessions/dngc-2025-s2/edit"),
])
def test_public_pages_have_an_edit_link_only_when_signed_in(sized_signed_in_page, anonymous_curate_page, axe,
                                                            path, label, target):
    anonymous_curate_page.goto(path)
    expect(anonymous_curate_page.get_by_role("heading", level=1)).to_be_visible()
    expect(anonymous_curate_page.get_by_role("link", name=label)).to_have_count(0)
    page = sized_signed_in_page
    page.goto(path)
    link = page.get_by_role("link", name=label)
    expect(link).to_have_attribute("href", target)
    assert_clean(axe, page)
    tab_to(page, link)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(target) + "$"))


# --- the dashboard filter ----------------------------------------------------------------------------

def test_the_dashboard_filters_as_you_type(sized_signed_in_page, axe):
    page = sized_signed_in_page
    page.goto("/curate/")
    box = page.get_by_label("Filter records by title, id or session")
    tab_to(page, box)
    page.keyboard.type("tine jess")
    expect(page.locator("#filter-count")).to_have_text("2 record(s) match “tine jess”.")
    expect(page.get_by_role("heading", name="Talks (1)")).to_be_visible()
    expect(page.locator("tbody tr:visible")).to_have_count(2)
    expect(page.locator('a[href="/curate/talks/dngc-2025-s2-tine-jess/edit"]')).to_be_visible()
    assert_clean(axe, page)
    page.keyboard.press("Enter")  # the same filter as a GET form
    page.wait_for_url(re.compile(r"/curate/\?q=tine\+jess$"))
    expect(page.locator("tbody tr")).to_have_count(2)


def test_the_dashboard_filter_works_without_javascript(nojs_signed_in_page):
    page = nojs_signed_in_page
    page.goto("/curate/")
    page.get_by_label("Filter records by title, id or session").fill("palotie")
    page.get_by_label("Filter records by title, id or session").press("Enter")
    page.wait_for_url(re.compile(r"q=palotie"))
    expect(page.locator("#filter-count")).to_contain_text("record(s) match “palotie”.")
    expect(page.get_by_role("heading", name="Speakers (1)")).to_be_visible()
    expect(page.get_by_role("link", name="Show all")).to_be_visible()


# --- did you mean --------------------------------------------------------------------------------------

def test_a_mistyped_id_offers_the_closest_ones(sized_signed_in_page, axe):
    page = sized_signed_in_page
    response = page.goto("/curate/talks/tine-jess/edit")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("There is no talk with the id tine-jess")
    link = page.get_by_role("link", name="dngc-2025-s2-tine-jess")
    expect(page.locator(".did-you-mean")).to_contain_text("Did you mean")
    assert_clean(axe, page)
    tab_to(page, link)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/curate/talks/dngc-2025-s2-tine-jess/edit$"))


# --- creating a speaker ----------------------------------------------------------------------------------

def test_a_librarian_creates_a_speaker_from_the_web(sized_signed_in_page, axe):
    page = sized_signed_in_page
    ident = f"ann-example-{size(page)}"
    page.goto("/curate/speakers/new")
    page.get_by_role("button", name="Create the speaker").click()  # nothing filled in: the browser stops it
    assert page.url.endswith("/curate/speakers/new")
    page.get_by_label("Id (required)").fill("tine-jess")
    page.get_by_label("Name (required)").fill("Ann Example")
    page.get_by_label("Conference (required)").select_option("dngc-2025")
    page.get_by_label("Biography (Markdown)").fill(f"Ann studies the {ident.replace('-', '')} registry.")
    page.get_by_role("button", name="Create the speaker").click()
    expect(page.get_by_role("alert")).to_contain_text("Speaker 'tine-jess' already exists")
    expect(page.get_by_label("Biography (Markdown)")).to_have_value(f"Ann studies the {ident.replace('-', '')} registry.")
    assert_clean(axe, page)
    id_box = page.get_by_label("Id (required)")
    id_box.fill("")
    tab_to(page, id_box)
    page.keyboard.type(ident)
    page.keyboard.press("Enter")  # submits the form by keyboard
    page.wait_for_url(re.compile(rf"/curate/speakers/{ident}/edit$"))
    expect(page.locator(".flashes")).to_contain_text(f"Created speakers/{ident}.md.")
    wait_searchable(page)
    page.goto(f"/search?q={ident.replace('-', '')}")
    expect(page.locator("li.result h2 a")).to_have_text("Ann Example")
    page.goto(f"/curate/speakers/{ident}/history")
    expect(page.locator("ol.history h2")).to_contain_text("created by librarian")


# --- taxonomy and synonyms -------------------------------------------------------------------------------

def test_the_taxonomy_form_previews_checks_and_saves_with_a_background_rebuild(sized_signed_in_page, axe):
    page = sized_signed_in_page
    page.goto("/curate/vocabulary/taxonomy")
    box = page.get_by_label("The file taxonomy.yaml (YAML)")
    original = box.input_value()
    start = original.index("- id: health-economics\n")
    at = original.index("threshold: ", start)
    stricter = original[:at] + "threshold: 99.0" + original[original.index("\n", at):]
    box.fill(stricter)
    page.get_by_role("button", name="Check and show what changes").click()
    expect(page.get_by_role("heading", name="What this would change (not saved yet)")).to_be_visible()
    row = page.locator("table.topic-changes tr", has=page.locator("code", has_text="dngc-2025-s2-james-buchanan"))
    expect(row.locator("del")).to_have_text("health-economics")
    assert_clean(axe, page)
    page.get_by_label("The file taxonomy.yaml (YAML)").fill("topics:\n  - id: x\n    label: &l X\n")
    tab_to(page, page.get_by_role("button", name="Save and rebuild the index"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Line 3: anchors (&l) are not accepted from the web form")
    expect(page.get_by_label("The file taxonomy.yaml (YAML)")).to_have_attribute("aria-invalid", "true")
    assert_clean(axe, page)
    described = original.replace("label: Genomics\n", f"label: Genomics\n    # edited on the {size(page)}\n", 1)
    page.get_by_label("The file taxonomy.yaml (YAML)").fill(described)
    page.get_by_role("button", name="Save and rebuild the index").click()
    expect(page.locator(".flashes")).to_contain_text("Saved taxonomy.yaml.")
    expect(page.locator("#index-status")).to_contain_text(re.compile("Waiting to be indexed|Being indexed|Searchable"))
    wait_searchable(page)  # the page follows the rebuild and says when it is done
    expect(page.locator("#index-status")).to_contain_text("The search index was rebuilt")
    expect(page.get_by_text("Replaced by librarian on")).not_to_have_count(0)
    assert_clean(axe, page)


def test_the_synonyms_form_previews_and_refuses_bad_groups(sized_signed_in_page, axe):
    page = sized_signed_in_page
    page.goto("/curate/vocabulary/synonyms")
    box = page.get_by_label("The file synonyms.yaml (YAML)")
    original = box.input_value()
    box.fill(original.rstrip("\n") + "\n  - [okapi, forest giraffe]\n")
    tab_to(page, page.get_by_role("button", name="Check and show what changes"))
    page.keyboard.press("Enter")
    expect(page.locator(".group-changes")).to_have_text("Added: okapi = forest giraffe")
    assert_clean(axe, page)
    page.get_by_label("The file synonyms.yaml (YAML)").fill("groups:\n  - [lonely]\n")
    page.get_by_role("button", name="Save and rebuild the index").click()
    expect(page.get_by_role("alert")).to_contain_text("Line 2: each synonym group must list two or more words")
    page.goto("/curate/vocabulary/synonyms")
    expect(page.get_by_label("The file synonyms.yaml (YAML)")).to_have_value(original)  # nothing was saved


# --- saves in a row ------------------------------------------------------------------------------------

def _open_with_words(page, ident: str, words: str) -> None:
    page.goto(f"/curate/talks/{ident}/edit")
    body = page.get_by_label("Summary (Markdown)")
    body.fill(body.input_value() + f"\n\n{words}")


def _save_by_keyboard(page) -> None:
    tab_to(page, page.get_by_role("button", name="Save"))  # from the summary box
    page.keyboard.press("Enter")
    expect(page.locator(".flashes")).to_contain_text("Saved")


def test_saves_in_a_row_are_indexed_together_and_the_page_says_when(sized_signed_in_page, axe):
    page = sized_signed_in_page
    other = page.context.new_page()  # a second tab, so the two saves come one right after the other
    tag = size(page)
    first, second = "dngc-2025-s4-bogi-eliasen", "dngc-2025-s1-ida-sofie-jensen"
    _open_with_words(other, first, f"The gharial{tag} was mentioned.")
    _open_with_words(page, second, f"The dugong{tag} was mentioned.")
    other.get_by_label("Summary (Markdown)").focus()
    _save_by_keyboard(other)
    page.get_by_label("Summary (Markdown)").focus()
    _save_by_keyboard(page)
    other.close()
    expect(page.locator("#index-status")).to_contain_text(re.compile("Waiting to be indexed|Being indexed"))
    assert_clean(axe, page)
    wait_searchable(page)  # updated in place by curate.js, without a reload
    statuses = [json.loads(page.evaluate(f"fetch('/curate/indexing/status?id={i}').then(r => r.text())"))
                for i in (first, second)]
    assert statuses[0]["state"] == statuses[1]["state"] == "done"
    assert statuses[0]["at"] == statuses[1]["at"] and statuses[0]["message"] == statuses[1]["message"]  # one update
    for word, ident in ((f"gharial{tag}", first), (f"dugong{tag}", second)):
        deadline = time.monotonic() + 10
        page.goto(f"/search?q={word}")
        while page.locator("li.result h2 a").count() == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
            page.reload()
        expect(page.locator("li.result h2 a")).to_have_attribute("href", f"/talks/{ident}")
