"""What the editor shows around the fields: notes beside the fields they explain, topics now and after a
preview, closest ids for a mistyped one, the dashboard filter, and the Edit link on public pages."""

from __future__ import annotations

import re

import pytest

from archive.users import UserStore
from curation_support import (SESSION, TALK, TALK_FILE, edit_url, form_fields, login, make_app, text)
from webapp.curation.context import note_sentences
from curation_fixtures import app, client, env, template  # noqa: F401 (pytest fixtures, by name)

NOTE = ("The “Queen Mary” in the byline is in the source; kept verbatim. "
        "The word “sharing” in the summary is as the source has it.")


def _with_note(env, note: str = NOTE) -> None:
    path = env.corpus / TALK_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("notes: null", f"notes: {note}"), encoding="utf-8")


def _block(page: str, ident: str) -> str:
    found = re.search(rf'<div class="field-note" id="{ident}">(.*?)</div>', page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found[1])).strip() if found else ""


def test_note_sentences_are_split_at_sentence_ends():
    assert note_sentences(NOTE) == ["The “Queen Mary” in the byline is in the source; kept verbatim.",
                                    "The word “sharing” in the summary is as the source has it."]
    assert note_sentences("") == []


def test_each_note_sentence_is_shown_beside_the_field_it_explains(client, env):
    _with_note(env)
    page = text(client.get(edit_url()))
    assert "Notes on this record" in page
    assert page.index("Notes on this record") < page.index('id="f-title"')  # seen before any field
    assert _block(page, "f-byline-note") == "Note on this field: The “Queen Mary” in the byline is in the source; kept verbatim."
    assert "“sharing”" in _block(page, "f-body-note") and "Queen Mary" not in _block(page, "f-body-note")
    assert _block(page, "f-title-note") == ""
    assert re.search(r'<textarea id="f-byline"[^>]*aria-describedby="f-byline-help f-byline-note"', page)
    assert re.search(r'<textarea id="f-body"[^>]*aria-describedby="f-body-note"', page)


def test_a_record_without_notes_shows_none(client):
    page = text(client.get(edit_url()))
    assert "Notes on this record" not in page and 'class="field-note"' not in page


def test_notes_are_escaped(client, env):
    _with_note(env, '"<script>alert(1)</script> in “James”"')
    page = client.get(edit_url()).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_a_note_without_a_field_name_goes_beside_the_field_holding_its_quote(client, env):
    _with_note(env, "The “value frameworks must evolve” wording is in the source.")
    page = text(client.get(edit_url()))
    assert "value frameworks must evolve" in _block(page, "f-body-note")
    assert _block(page, "f-title-note") == "" and _block(page, "f-byline-note") == ""


def test_a_quoted_word_must_be_a_whole_word_in_the_field(client, env):
    _with_note(env, "The word “shar” is odd.")  # inside "sharing", in the title and the summary
    page = text(client.get(edit_url()))
    assert _block(page, "f-title-note") == "" and _block(page, "f-body-note") == ""
    assert "Notes on this record" in page


def test_the_current_topics_are_shown_beside_the_overrides(client):
    page = text(client.get(edit_url()))
    assert re.search(r'Topics now: <span class="topic-tag">Health economics</span>', page)
    row = re.search(r'<tr><th scope="row">Health economics <code>health-economics</code></th>\s*<td class="now">(.*?)</td>',
                    page, re.S)
    assert row and row[1] == "has it"


def test_the_preview_shows_the_topics_after_the_edit(client):
    data = form_fields(client.get(edit_url()).get_data(as_text=True), edit_url())
    data.update(topics_remove=["health-economics"], topics_add=["ethics"], action="preview")
    page = text(client.post(edit_url(), data=data))
    found = re.search(r'<p class="preview-topics">(.*?)</p>', page, re.S)[1]
    assert "Topics after this edit: <span class=\"topic-tag\">Ethics, law and trust</span>." in found
    assert "<ins>+ethics</ins>" in found and "<del>−health-economics</del>" in found


def test_a_speaker_preview_reads_the_roles_as_typed(client):
    url = edit_url("speakers", "tine-jess")
    data = form_fields(client.get(url).get_data(as_text=True), url)
    before = re.search(r'id="current-topics">(.*?)</p>', text(client.get(url)), re.S)[1]
    assert "Ethics" not in before
    data.update(body="", appearances=data["appearances"].replace("role:", "role: Professor of ethics, ethical consent and trust #", 1),
                action="preview")
    page = text(client.post(url, data=data))
    found = re.search(r'<p class="preview-topics">(.*?)</p>', page, re.S)[1]
    assert "<ins>+ethics</ins>" in found


@pytest.mark.parametrize("path, offered", [
    ("/curate/talks/tine-jess/edit", "dngc-2025-s2-tine-jess"),
    ("/curate/talks/dngc-2025-s2-tine-jes/history", "dngc-2025-s2-tine-jess"),
    ("/curate/speakers/tine-jes/edit", "tine-jess"),
    ("/curate/speakers/tine-jes/topics", "tine-jess"),
])
def test_a_mistyped_id_offers_the_closest_ones(client, path, offered):
    response = client.get(path)
    assert response.status_code == 404
    page = text(response)
    assert "Did you mean" in page
    kind, _, what = path.split("/")[2], None, path.rsplit("/", 1)[1]
    assert f'<a href="/curate/{kind}/{offered}/{what}"><code>{offered}</code></a>' in page


def test_an_id_of_another_kind_is_offered_as_that_kind(client):
    response = client.get("/curate/talks/tine-jess/edit")
    assert ('<code>tine-jess</code> is a speaker: <a href="/curate/speakers/tine-jess/edit">edit the speaker '
            '<code>tine-jess</code></a>.') in text(response)


def test_an_id_like_nothing_gets_a_plain_404(client):
    response = client.get("/curate/talks/zzzzzz/edit")
    assert response.status_code == 404
    assert "No talk has an id like that." in text(response) and "Did you mean" not in text(response)


def test_a_post_to_a_mistyped_id_offers_the_edit_page(client):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(edit_url()).get_data(as_text=True))[1]
    response = client.post("/curate/talks/tine-jess/revert", data={"csrf_token": token, "version": "x"})
    assert response.status_code == 404
    assert '<a href="/curate/talks/dngc-2025-s2-tine-jess/edit">' in text(response)


def test_the_dashboard_filter_works_without_javascript(client):
    page = text(client.get("/curate/?q=tine"))
    assert "Talks (1)" in page and "Speakers (1)" in page and "Sessions (0)" in page
    assert "2 record(s) match “tine”." in page
    assert 'value="tine"' in page and f'href="{edit_url()}"' not in page
    assert "Talks (3)" in text(client.get("/curate/"))


def test_the_dashboard_filter_ignores_case_and_accents_and_needs_every_word(client):
    assert "Speakers (1)" in text(client.get("/curate/?q=%C3%98RKILD"))  # Ørkild
    assert "Talks (1)" in text(client.get("/curate/?q=orkild+s2"))
    assert "0 record(s) match" in text(client.get("/curate/?q=orkild+nothing"))


def test_public_pages_show_an_edit_link_only_to_a_signed_in_librarian(env):
    app = make_app(env)
    anonymous, librarian = app.test_client(), app.test_client()
    login(librarian)
    for path, target in ((f"/talks/{TALK}", edit_url()), ("/speakers/tine-jess", edit_url("speakers", "tine-jess")),
                         (f"/sessions/{SESSION}", edit_url("sessions", SESSION))):
        signed_in, public = librarian.get(path).get_data(as_text=True), anonymous.get(path).get_data(as_text=True)
        assert f'<p class="edit-link"><a href="{target}">' in signed_in
        assert "edit-link" not in public and target not in public


def test_the_edit_link_leaks_nothing_else(env):
    app = make_app(env)
    anonymous, librarian = app.test_client(), app.test_client()
    login(librarian)
    signed_in = librarian.get(f"/talks/{TALK}").get_data(as_text=True)
    public = anonymous.get(f"/talks/{TALK}").get_data(as_text=True)
    without = re.sub(r'<p class="edit-link">.*?</p>', "", signed_in)
    without = re.sub(r'<li><a href="/curate/">Curate</a></li>', "", without)  # the nav's way in, when signed in
    assert re.sub(r"\s+", "", without) == re.sub(r"\s+", "", public)  # the links are the only difference
    assert "alice" not in signed_in


def test_a_removed_account_sees_no_edit_link(env):
    client = make_app(env).test_client()
    login(client)
    assert "edit-link" in client.get(f"/talks/{TALK}").get_data(as_text=True)
    UserStore(env.users).remove("alice")
    assert "edit-link" not in client.get(f"/talks/{TALK}").get_data(as_text=True)
