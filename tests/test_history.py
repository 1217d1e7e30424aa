"""Kept versions: the History store, the history and version pages, and revert."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from archive import inspect_corpus
from archive.history import History, content_hash, unified_diff, word_diff
from curation_support import (TALK, TALK_FILE, clone_env, edit_url, flashes, form_fields, login, make_app, make_env, settle,
                              text)

HISTORY_URL = f"/curate/talks/{TALK}/history"
REVERT_URL = f"/curate/talks/{TALK}/revert"


# --- the store -----------------------------------------------------------------------------------

def test_versions_are_kept_newest_first_with_time_and_user(tmp_path):
    history = History(tmp_path / ".history")
    first = history.keep("speakers/ann.md", "one\n", "alice", datetime(2025, 9, 8, 10, 0, tzinfo=timezone.utc))
    second = history.keep("speakers/ann.md", "two\n", "bob", datetime(2025, 9, 8, 11, 0, tzinfo=timezone.utc))
    assert first.path == tmp_path / ".history/speakers/ann/20250908T100000000000Z-alice.prev"
    assert [(v.name, v.user, v.text()) for v in history.versions("speakers/ann.md")] == [
        ("20250908T110000000000Z-bob", "bob", "two\n"), ("20250908T100000000000Z-alice", "alice", "one\n")]
    assert history.version("speakers/ann.md", second.name) == second
    assert history.version("speakers/ann.md", "nope") is None
    assert history.versions("speakers/other.md") == []


def test_two_versions_in_the_same_microsecond_are_both_kept(tmp_path):
    history = History(tmp_path)
    now = datetime(2025, 9, 8, tzinfo=timezone.utc)
    history.keep("speakers/ann.md", "one\n", "alice", now)
    history.keep("speakers/ann.md", "two\n", "alice", now)
    assert [v.text() for v in history.versions("speakers/ann.md")] == ["two\n", "one\n"]
    assert [v.name for v in history.versions("speakers/ann.md")] == ["20250908T000000000000Z-alice~1",
                                                                     "20250908T000000000000Z-alice"]


def test_find_by_content_hash_and_discard(tmp_path):
    history = History(tmp_path)
    version = history.keep("speakers/ann.md", "one\n", "alice")
    assert history.find("speakers/ann.md", content_hash("one\n")) == version
    assert history.find("speakers/ann.md", content_hash("two\n")) is None
    history.discard(version)
    assert history.versions("speakers/ann.md") == []


@pytest.mark.parametrize("rel", ["../outside.md", "/etc/passwd.md", "speakers/ann.txt"])
def test_only_corpus_markdown_paths_are_accepted(tmp_path, rel):
    with pytest.raises(ValueError, match="not a corpus file path"):
        History(tmp_path).keep(rel, "x", "alice")


def test_unified_diff():
    assert unified_diff("a\nb\n", "a\nc\n", "old", "new") == ["--- old", "+++ new", "@@ -1,2 +1,2 @@", " a", "-b", "+c"]
    assert unified_diff("same\n", "same\n", "old", "new") == []


def test_history_is_invisible_to_the_validator(tmp_path):
    env = make_env(tmp_path)
    History(env.corpus / ".history").keep(TALK_FILE, "---\nbroken: [\n---\n", "alice")
    _, problems = inspect_corpus(env.corpus)
    assert [p for p in problems if ".history" in p.path] == []


# --- pages and revert ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return make_env(tmp_path_factory.mktemp("history"))


@pytest.fixture
def env(template, tmp_path):
    return clone_env(template, tmp_path)


@pytest.fixture
def client(env):
    client = make_app(env).test_client()
    login(client)
    return client


def save_body(client, body: str) -> None:
    data = form_fields(client.get(edit_url()).get_data(as_text=True), edit_url())
    data.update(body=body, action="save")
    assert client.post(edit_url(), data=data).status_code == 303
    settle(client)


def history_form(client) -> dict:
    """The fields of the oldest version's revert form."""
    page = client.get(HISTORY_URL).get_data(as_text=True)
    forms = re.findall(rf'<form method="post" action="{REVERT_URL}">(.*?)</form>', page, re.S)
    return dict(re.findall(r'name="([^"]+)" value="([^"]*)"', forms[-1]))


def test_history_page_lists_each_save_with_its_change(client, env):
    assert "No earlier versions are kept" in text(client.get(HISTORY_URL))
    save_body(client, "First rewrite.")
    save_body(client, "Second rewrite.")
    page = text(client.get(HISTORY_URL))
    assert page.count("saved by alice") == 2
    # the second save changed one word: only that word is marked; the first replaced the whole line
    newest, oldest = page.index("-<del>First</del> rewrite."), page.index("+First rewrite.")
    assert newest < oldest  # newest first: the second save replaced the first rewrite
    assert "+<ins>Second</ins> rewrite." in page
    assert "-James explored the value of data sharing" in page


def test_version_page_shows_the_old_text_in_full(client, env):
    original = env.read()
    save_body(client, "First rewrite.")
    [version] = env.history_files()
    page = text(client.get(f"{HISTORY_URL}/{version.stem}"))
    assert original in page
    assert "+First rewrite." in page
    assert client.get(f"{HISTORY_URL}/20990101T000000000000Z-alice").status_code == 404


def test_revert_restores_an_old_version_as_a_new_save(client, env):
    original = env.read()
    save_body(client, "First rewrite with a xylophone.")
    save_body(client, "Second rewrite.")
    second = env.read()
    fields = history_form(client)
    response = client.post(REVERT_URL, data=fields)
    settle(client)
    assert response.status_code == 303
    assert response.headers["Location"] == HISTORY_URL
    assert env.read() == original
    assert [p.read_text(encoding="utf-8") for p in env.history_files()][-1] == second  # the revert is kept too
    assert len(env.history_files()) == 3
    messages = flashes(text(client.get(HISTORY_URL)))
    assert messages[0].startswith("Restored the version that alice replaced on ")
    assert client.get(f"/api/talks/{TALK}").get_json()["text"].startswith("James explored the value of data sharing")
    assert client.get("/api/search?q=xylophone").get_json()["total"] == 0


def test_revert_of_a_changed_record_is_refused(client, env):
    save_body(client, "First rewrite.")
    fields = history_form(client)
    save_body(client, "Someone else's rewrite.")
    current = env.read()
    response = client.post(REVERT_URL, data=fields)
    assert response.status_code == 409
    assert "The record was changed after you opened this page, so nothing was reverted." in text(response)
    assert env.read() == current


def test_revert_to_a_version_that_no_longer_validates_is_refused(client, env):
    talk = env.corpus / TALK_FILE
    talk.write_text(env.read().replace("- james-buchanan", "- jim-buchanan"), encoding="utf-8")
    History(env.corpus / ".history").keep(TALK_FILE, env.read(), "bob")
    talk.write_text(env.read().replace("- jim-buchanan", "- james-buchanan"), encoding="utf-8")
    current = env.read()
    response = client.post(REVERT_URL, data=history_form(client))
    assert response.status_code == 400
    page = text(response)
    assert "That version no longer passes validation, so it was not restored:" in page
    assert "line 9: speakers refers to unknown speaker 'jim-buchanan'" in page
    assert env.read() == current


@pytest.mark.parametrize("change, status", [({"version": "20990101T000000000000Z-alice"}, 400),
                                            ({"csrf_token": "forged"}, 400)])
def test_revert_needs_a_known_version_and_the_token(client, env, change, status):
    save_body(client, "First rewrite.")
    current = env.read()
    response = client.post(REVERT_URL, data={**history_form(client), **change})
    assert response.status_code == status
    assert env.read() == current


def test_revert_needs_sign_in(env):
    anonymous = make_app(env).test_client()
    response = anonymous.post(REVERT_URL, data={"version": "x"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/curate/login"


def test_word_diff_marks_only_the_changed_words():
    old, new = word_diff("James explored the value of data.", "James studied the value of shared data.")
    assert old == [("same", "James "), ("del", "explored"), ("same", " the value of "), ("same", "data.")]
    assert new == [("same", "James "), ("ins", "studied"), ("same", " the value of "), ("ins", "shared "),
                   ("same", "data.")]
    assert word_diff("entirely one thing", "quite another") == ([("same", "entirely one thing")],
                                                                [("same", "quite another")])


def test_a_restore_is_kept_with_the_name_of_the_version_it_restored(tmp_path):
    history = History(tmp_path)
    plain = history.keep(TALK_FILE, "one", "alice")
    restore = history.keep(TALK_FILE, "two", "bob", restoring=plain.name)
    assert plain.restored is None and restore.restored == plain.name
    history.discard(restore)
    assert list((tmp_path / TALK_FILE).with_suffix("").iterdir()) == [plain.path]


def test_the_history_page_labels_restores_as_restores(client, env):
    save_body(client, "First rewrite.")
    save_body(client, "Second rewrite.")
    fields = history_form(client)
    assert client.post(REVERT_URL, data=fields).status_code == 303
    settle(client)
    page = text(client.get(HISTORY_URL))
    assert page.count("saved by alice") == 2
    assert re.search(r'UTC: <span class="restore-label">restore</span> by alice</h2>', page)
    oldest = History(env.corpus / ".history").versions(TALK_FILE)[-1]
    assert (f"alice restored the version from before the save of {oldest.saved_at:%Y-%m-%d %H:%M:%S} UTC."
            in page)
    assert "Change made by this restore" in page and "Restore the version before this restore" in page
    assert page.index("restore-label") < page.index("saved by alice")  # newest first
