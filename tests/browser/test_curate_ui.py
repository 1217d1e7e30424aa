"""The librarians' editor in Chromium, on a server over a copy of the corpus: sign-in, edit with preview,
save, and the change on the public pages once the page says it is searchable."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

TALK = "dngc-2025-s2-tine-jess"


def test_editor_pages_need_a_sign_in(curate_page):
    curate_page.goto(f"/curate/talks/{TALK}/edit")
    curate_page.wait_for_url(re.compile(r"/curate/login\?next="))
    expect(curate_page.get_by_role("heading", level=1)).to_have_text("Sign in to curate the archive")


def test_a_wrong_password_is_refused_with_a_message(curate_page, librarian):
    curate_page.goto("/curate/login")
    curate_page.get_by_label("Account name").fill(librarian[0])
    curate_page.get_by_label("Password").fill("not the password")
    curate_page.get_by_role("button", name="Sign in").click()
    expect(curate_page.get_by_role("alert")).to_contain_text("Wrong account name or password.")
    expect(curate_page.get_by_label("Account name")).to_have_attribute("aria-describedby", "login-error")


def test_a_librarian_edits_a_talk_and_the_public_pages_show_it(signed_in_page, page_log, ui):
    page = signed_in_page
    page.locator(f'a[href="/curate/talks/{TALK}/edit"]').click()
    page.wait_for_url(re.compile(rf"/curate/talks/{TALK}/edit$"))
    new_title = page.get_by_label("Title").input_value() + " (zanzibarian edit)"
    page.get_by_label("Title").fill(new_title)

    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview (not saved yet)")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value(new_title)
    page.get_by_role("button", name="Save").click()  # validates, writes, keeps history, queues the reindexing
    expect(page.locator(".flashes")).to_contain_text("Saved")
    expect(page.locator("#index-status")).to_contain_text("Searchable since", timeout=90_000)

    page.goto(f"/talks/{TALK}")
    expect(page.get_by_role("heading", level=1)).to_have_text(new_title)
    page.goto("/search?q=zanzibarian")
    assert ui.total(page) == 1
    expect(page.locator("li.result h2 a")).to_have_text(new_title)
    assert page_log.page_errors == []
    assert page.evaluate("window.__cspViolations") == []
