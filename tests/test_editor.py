"""The edit forms through the Flask client: preview, validated atomic saves, stale saves, reindexing, the dashboard."""

from __future__ import annotations

import os
import re
import threading
import time

import pytest

from archive.history import content_hash
from curation_support import (SESSION, SPEAKER, TALK, TALK_FILE, edit_url, field_errors, flashes,
                              form_fields, index_status, login, make_app, make_env, settle, text)
from indexer.build import build_lock
from curation_fixtures import app, client, env, template  # noqa: F401 (pytest fixtures, by name)

SPEAKER_FILE = f"speakers/{SPEAKER}.md"
SESSION_FILE = f"conferences/dngc-2025/sessions/{SESSION}.md"


def open_form(client, kind="talks", ident=TALK) -> dict:
    response = client.get(edit_url(kind, ident))
    assert response.status_code == 200
    return form_fields(response.get_data(as_text=True), edit_url(kind, ident))


def submit(client, data: dict, kind="talks", ident=TALK, action="save"):
    """Post the form; a save returns before the reindexing, so wait for that too."""
    response = client.post(edit_url(kind, ident), data={**data, "action": action})
    settle(client)
    return response


def replace_body(text: str, body: str) -> str:
    front = text[: text.index("\n---\n", 4) + 5]
    return front + body + "\n"


# --- the form ------------------------------------------------------------------------------------

def test_form_shows_the_file(client, env):
    data = open_form(client)
    assert data["title"] == "The value of data sharing from a health economics perspective"
    assert data["kind"] == "talk"
    assert data["order"] == "2"
    assert data["speakers"] == SPEAKER
    assert data["byline"].splitlines()[0] == "James Buchanan"
    assert data["question"] == ""
    assert data["body"].startswith("James explored the value of data sharing")
    assert data["base_hash"] == content_hash(env.read())
    assert "topics_add" not in data and "topics_remove" not in data


def test_speaker_form_shows_appearances_as_yaml(client):
    data = open_form(client, "speakers", SPEAKER)
    assert data["name"] == "James Buchanan"
    assert data["aliases"] == ""
    assert data["appearances"].startswith("- conference: dngc-2025\n  session: dngc-2025-s2\n")
    assert data["body"].startswith("As a health economist")


@pytest.mark.parametrize("path", ["/curate/talks/no-such-talk/edit", "/curate/lectures/x/edit",
                                  "/curate/talks/..%2F..%2Fetc/edit", f"/curate/speakers/{TALK}/edit"])
def test_unknown_records_are_404(client, path):
    assert client.get(path).status_code == 404


def test_preview_renders_sanitised_markdown_and_writes_nothing(client, env):
    before = env.read()
    data = open_form(client)
    data["body"] += "\n\nA **bold** claim <script>alert(1)</script> [link](javascript:alert(2))."
    response = submit(client, data, action="preview")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    preview = page[page.index('<div class="preview-body">'):page.index('<form method="post" action="/curate/talks')]
    assert "<strong>bold</strong>" in preview
    assert "<script>" not in page.replace('<script src="/static/enhance.js" defer></script>', "")
    assert "javascript:" not in preview
    assert form_fields(page, edit_url())["body"] == data["body"]  # the text stays in the form
    assert env.read() == before
    assert env.history_files() == []


# --- saving --------------------------------------------------------------------------------------

def test_saving_the_body_replaces_the_file_atomically_keeps_history_and_reindexes(client, env):
    path = env.corpus / TALK_FILE
    before, inode = env.read(), path.stat().st_ino
    data = open_form(client)
    data["body"] = data["body"] + "\r\n\r\nThe zanzibarian method was discussed."  # browsers send CRLF
    response = submit(client, data)
    assert response.status_code == 303
    assert response.headers["Location"] == edit_url()
    assert env.read() == replace_body(before, data["body"].replace("\r\n", "\n"))
    assert path.stat().st_ino != inode  # a new file renamed over the old one, not rewritten in place
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []
    [kept] = env.history_files()
    assert kept.read_text(encoding="utf-8") == before
    assert kept.name.endswith("-alice.prev")
    api = client.get(f"/api/talks/{TALK}").get_json()
    assert api["text"].endswith("The zanzibarian method was discussed.")
    hits = client.get("/api/search?q=zanzibarian").get_json()
    assert [r["id"] for r in hits["results"]] == [TALK]
    page = text(client.get(edit_url()))
    assert flashes(page)[0] == f"Saved {TALK_FILE}. The previous version is kept in its history."
    assert re.match(r"Searchable since \d\d:\d\d:\d\d UTC\. The search index was updated", index_status(page))


def test_saving_metadata_changes_only_those_lines_and_keeps_comments(client, env):
    path = env.corpus / TALK_FILE
    path.write_text(env.read().replace("kind: talk\n", "# checked against the programme\nkind: talk\n"),
                    encoding="utf-8")
    data = open_form(client)
    data.update(title="Data sharing, valued", byline="James Buchanan\nQueen Mary University of London",
                topics_add=["ethics"], question="")
    assert submit(client, data).status_code == 303
    saved = env.read()
    assert "# checked against the programme\nkind: talk\n" in saved
    assert "title: Data sharing, valued\n" in saved
    assert "byline:\n- James Buchanan\n- Queen Mary University of London\n" in saved
    assert "topics:\n  add:\n  - ethics\n  remove: []\n" in saved
    assert "question: null\n" in saved
    api = client.get(f"/api/talks/{TALK}").get_json()
    assert api["title"] == "Data sharing, valued"
    assert "ethics" in api["topics"]


def test_removing_a_topic_by_override(client, env):
    assert client.get(f"/api/talks/{TALK}").get_json()["topics"] == ["health-economics"]
    data = open_form(client)
    data["topics_remove"] = ["health-economics"]
    assert submit(client, data).status_code == 303
    assert ("Warning: talk has no topic (add one with `topics: {add: [...]}` or a taxonomy rule)"
            in flashes(text(client.get(edit_url()))))
    assert "topics:\n  add: []\n  remove:\n  - health-economics\n" in env.read()
    assert client.get(f"/api/talks/{TALK}").get_json()["topics"] == []
    assert open_form(client)["topics_remove"] == ["health-economics"]


def test_saving_a_speaker(client, env):
    data = open_form(client, "speakers", SPEAKER)
    data.update(honorific="Dr.", aliases="J. Buchanan\nJim Buchanan",
                appearances=data["appearances"].replace("role: Senior Lecturer", "role: Reader in Health Economics"))
    assert submit(client, data, "speakers", SPEAKER).status_code == 303
    saved = env.read(SPEAKER_FILE)
    assert "honorific: Dr.\naliases:\n- J. Buchanan\n- Jim Buchanan\n" in saved
    assert "  role: Reader in Health Economics\n" in saved
    api = client.get(f"/api/speakers/{SPEAKER}").get_json()
    assert api["aliases"] == ["J. Buchanan", "Jim Buchanan"]


def test_saving_a_session(client, env):
    data = open_form(client, "sessions", SESSION)
    data.update(title="Infrastructure, standards and skills")
    assert submit(client, data, "sessions", SESSION).status_code == 303
    assert "title: Infrastructure, standards and skills\n" in env.read(SESSION_FILE)
    assert client.get(f"/api/sessions/{SESSION}").get_json()["title"] == "Infrastructure, standards and skills"


def test_an_unchanged_form_saves_nothing(client, env):
    before = env.read()
    response = submit(client, open_form(client))
    assert response.status_code == 303
    assert "Nothing changed, so nothing was saved." in flashes(text(client.get(edit_url())))
    assert env.read() == before
    assert env.history_files() == []


# --- refused saves -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, ident, change, field, message", [
    ("talks", TALK, {"speakers": "james-buchanan\nnobody-known"}, "speakers",
     "speakers refers to unknown speaker 'nobody-known' (create speakers/nobody-known.md)"),
    ("talks", TALK, {"order": "second"}, "order", "'order' must be a whole number, not 'second'"),
    ("talks", TALK, {"title": "  "}, "title", "missing required field 'title' (add a line `title: ...`)"),
    ("talks", TALK, {"kind": "lecture"}, "kind", "unknown kind 'lecture' (use one of: talk, panel, qa)"),
    ("talks", TALK, {"body": "\r\n"}, "body", "empty body: write the summary below the front matter"),
    ("talks", TALK, {"topics_add": ["no-such-topic"]}, "topics",
     "topics refers to unknown topic 'no-such-topic' (topics are defined in taxonomy.yaml)"),
    ("speakers", SPEAKER, {"appearances": "- conference: dngc-2025\n  session: [oops"}, "appearances",
     "invalid YAML (line 2 of the box): expected ',' or ']', but got '<stream end>'"),
    ("speakers", SPEAKER, {"appearances": "- conference: dngc-2025\n  session: dngc-2025-s9\n  listed_name: J\n"
                                          "  source: {section: x}\n"}, "appearances",
     "appearances.0.session refers to unknown session 'dngc-2025-s9'"),
    ("speakers", SPEAKER, {"name": ""}, "name", "missing required field 'name' (add a line `name: ...`)"),
    ("sessions", SESSION, {"number": "two"}, "number", "'number' must be a whole number, not 'two'"),
])
def test_invalid_saves_show_the_message_next_to_the_field_and_change_nothing(client, env, kind, ident, change,
                                                                               field, message):
    rel = {"talks": TALK_FILE, "speakers": SPEAKER_FILE, "sessions": SESSION_FILE}[kind]
    before = env.read(rel)
    data = {**open_form(client, kind, ident), **change}
    response = submit(client, data, kind, ident)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in field_errors(page, field)
    assert "Nothing was saved: the validator found problems" in page
    assert env.read(rel) == before
    assert env.history_files(rel) == []
    shown = form_fields(page, edit_url(kind, ident))  # the librarian's input is still in the form
    for key, value in change.items():
        if not key.startswith("topics"):
            assert shown[key].strip() == value.replace("\r\n", "\n").strip()


def test_a_stale_save_is_refused_and_shows_both_versions(client, env):
    data = open_form(client)
    theirs = env.read().replace("order: 2", "order: 7")
    (env.corpus / TALK_FILE).write_text(theirs, encoding="utf-8")  # someone else, with a text editor
    data["body"] = "My rewritten summary."
    response = submit(client, data)
    page = text(response)
    assert response.status_code == 409
    assert "Not saved: someone changed" in page
    assert "order: 7" in page and "My rewritten summary." in page
    assert "+My rewritten summary." in page
    assert "-order: <del>7</del>" in page and "+order: <ins>2</ins>" in page  # the changed word, marked
    shown = form_fields(response.get_data(as_text=True), edit_url())
    assert shown["body"] == "My rewritten summary."
    assert shown["base_hash"] == content_hash(theirs)
    assert env.read() == theirs
    assert env.history_files() == []
    again = submit(client, {**shown, "order": "7"})  # the librarian keeps their order, then saves
    assert again.status_code == 303
    assert env.read() == replace_body(theirs, "My rewritten summary.")
    assert [p.read_text(encoding="utf-8") for p in env.history_files()] == [theirs]


def test_two_librarians_editing_the_same_version_lose_nothing(app, client, env):
    original = env.read()
    bob = app.test_client()
    login(bob, "bob")
    alices, bobs = open_form(client), open_form(bob)
    assert alices["base_hash"] == bobs["base_hash"]
    alices["title"] = "Alice's title"
    bobs["body"] = "Bob's summary."
    assert submit(client, alices).status_code == 303
    after_alice = env.read()
    refused = submit(bob, bobs)
    page = text(refused)
    assert refused.status_code == 409
    assert "What they changed since you opened the form" in page
    assert "+title: Alice's title" in page  # her change, read from the history
    assert "Bob's summary." in page
    assert env.read() == after_alice
    retry = form_fields(refused.get_data(as_text=True), edit_url())
    retry["title"] = "Alice's title"  # Bob keeps her change and his own
    assert submit(bob, retry).status_code == 303
    final = env.read()
    assert "title: Alice's title\n" in final and final.endswith("---\nBob's summary.\n")
    kept = [p.read_text(encoding="utf-8") for p in env.history_files()]
    assert kept == [original, after_alice]
    assert [p.name.split("-", 1)[1] for p in env.history_files()] == ["alice.prev", "bob.prev"]


def test_concurrent_saves_from_threads_keep_exactly_one(app, env):
    clients = []
    for name in ("alice", "bob"):
        c = app.test_client()
        login(c, name)
        clients.append((c, open_form(c)))
    results = []

    def save(c, data, word):
        results.append(submit(c, {**data, "body": f"Summary by {word}."}).status_code)

    threads = [threading.Thread(target=save, args=(c, d, w)) for (c, d), w in zip(clients, ("alice", "bob"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [303, 409]
    assert env.read().endswith(("Summary by alice.\n", "Summary by bob.\n"))
    assert len(env.history_files()) == 1


# --- reindexing ----------------------------------------------------------------------------------

def test_the_reindexing_waits_for_a_running_build(client, env):
    held = threading.Event()
    release = threading.Event()

    def other_build():
        with build_lock(env.index):
            held.set()
            release.wait(5)

    worker = threading.Thread(target=other_build)
    worker.start()
    held.wait(5)
    threading.Timer(0.7, release.set).start()
    data = open_form(client)
    data["body"] += "\n\nQuokkas were mentioned."
    started = time.monotonic()
    assert submit(client, data).status_code == 303
    worker.join()
    assert time.monotonic() - started >= 0.6
    assert client.get("/api/search?q=quokkas").get_json()["total"] == 1


def test_a_save_still_counts_when_the_index_cannot_be_updated(env):
    client = make_app(env, REBUILD_WAIT_SECONDS=0.3).test_client()
    login(client)
    data = open_form(client)
    data["body"] += "\n\nWombats were mentioned."
    with build_lock(env.index):
        assert submit(client, data).status_code == 303
    assert "Wombats were mentioned." in env.read()
    settle(client)
    assert index_status(text(client.get(edit_url()))).startswith(
        "The search index was not updated: Another build is running")
    assert client.get("/api/search?q=wombats").get_json()["total"] == 0  # the previous build keeps serving


def test_errors_in_other_files_do_not_block_a_save_but_are_reported(client, env):
    other = env.corpus / "conferences/dngc-2025/talks/dngc-2025-s2-tine-jess.md"
    other.write_text(other.read_text(encoding="utf-8").replace("kind: talk", "kind: lecture"), encoding="utf-8")
    data = open_form(client)
    data["body"] += "\n\nOkapis too."
    assert submit(client, data).status_code == 303
    assert "Okapis too." in env.read()
    assert index_status(text(client.get(edit_url()))) == (
        "The search index was not updated: the corpus has 1 error(s) in other files (see Data quality). "
        "The previous index is still served.")


def test_a_file_that_does_not_parse_is_shown_with_its_error(client, env):
    (env.corpus / TALK_FILE).write_text("---\ntitle: [unclosed\n---\nBody\n", encoding="utf-8")
    page = text(client.get(edit_url()))
    assert "cannot be read" in page
    assert f"<code>{TALK_FILE}</code>, line 3: invalid YAML" in page


def test_user_text_is_escaped_everywhere(client, env):
    data = open_form(client)
    data["title"] = "<script>alert('t')</script> & more"
    assert submit(client, data).status_code == 303
    page = client.get(edit_url()).get_data(as_text=True)
    assert "<script>alert" not in page
    assert 'value="&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; &amp; more"' in page


# --- the data-quality dashboard ------------------------------------------------------------------

def test_dashboard_lists_warnings_and_errors_with_links_to_fix_them(client, env):
    talk = env.corpus / TALK_FILE
    talk.write_text(talk.read_text(encoding="utf-8").replace("- james-buchanan", "- jim-buchanan"), encoding="utf-8")
    page = text(client.get("/curate/quality"))
    assert "1 error(s) and 8 warning(s)" in page
    assert "corpus/conferences/dngc-2025/talks/dngc-2025-s2-james-buchanan.md:9" in page
    assert "speakers refers to unknown speaker 'jim-buchanan'" in page
    assert f'<a href="{edit_url()}">Edit talk <code>{TALK}</code></a>' in page
    assert "topic 'genomics' is used by no record" in page
    assert "Edit this file in a text editor" in page  # taxonomy.yaml has no form


def test_dashboard_links_speaker_warnings_to_the_speaker_form(client, env):
    speaker = env.corpus / SPEAKER_FILE
    text_ = speaker.read_text(encoding="utf-8")
    speaker.write_text(text_[: text_.index("\n---\n", 4) + 5], encoding="utf-8")
    page = text(client.get("/curate/quality"))
    assert "speaker 'James Buchanan' has no bio" in page
    assert f'<a href="{edit_url("speakers", SPEAKER)}">Edit speaker <code>{SPEAKER}</code></a>' in page


def test_index_lists_every_record_with_edit_and_history_links(client):
    page = text(client.get("/curate/"))
    for kind, ident in (("talks", TALK), ("speakers", SPEAKER), ("sessions", SESSION)):
        assert f'href="{edit_url(kind, ident)}"' in page
        assert f'href="/curate/{kind}/{ident}/history"' in page
    assert "Talks (3)" in page and "Speakers (3)" in page and "Sessions (4)" in page


def test_full_corpus_edit_is_searchable_at_once(tmp_path, corpus_copy):
    env = make_env(tmp_path, corpus_copy)
    client = make_app(env).test_client()
    login(client)
    ident = "dngc-2025-s1-qa"
    data = open_form(client, "talks", ident)
    data["body"] += "\n\nA narwhal question closed the session."
    assert submit(client, data, "talks", ident).status_code == 303
    assert client.get(f"/api/talks/{ident}").get_json()["text"].endswith("A narwhal question closed the session.")
    assert [r["id"] for r in client.get("/api/search?q=narwhal").get_json()["results"]] == [ident]
    assert os.listdir(env.corpus / ".history/conferences/dngc-2025/talks") == [ident]
