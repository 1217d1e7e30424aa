"""Reindexing after saves: saves in a row are indexed by one update, off the request, and the editor says when."""

from __future__ import annotations

import re
import threading
import time

import pytest

from curation_support import TALK, clone_env, edit_url, form_fields, index_status, login, make_app, make_env, settle, text
from webapp.curation.index_queue import DONE, FULL, PENDING, RUNNING, IndexQueue
from webapp.curation.reindex import Rebuilt


class Recorder:
    """A stand-in for the index build that records each call (what it was asked to index)."""

    def __init__(self, hold: threading.Event | None = None):
        self.calls: list = []
        self.hold = hold

    def __call__(self, ids):
        self.calls.append(None if ids is None else sorted(ids))
        if self.hold:
            self.hold.wait(5)
        return Rebuilt(True, f"indexed {len(ids or ())}")


def test_saves_in_a_row_are_indexed_once():
    run = Recorder()
    queue = IndexQueue(run, delay=0.2, max_delay=5)
    for ident in ("a", "b", "c"):
        queue.submit([ident])
        assert queue.status(ident).state == PENDING
        time.sleep(0.05)
    assert queue.wait_idle(5)
    assert run.calls == [["a", "b", "c"]]
    assert queue.builds == 1
    assert all(queue.status(i).state == DONE and queue.status(i).message == "indexed 3" for i in "abc")


def test_a_steady_stream_of_saves_is_indexed_by_the_max_delay():
    run = Recorder()
    queue = IndexQueue(run, delay=0.3, max_delay=0.5)
    started = time.monotonic()
    while time.monotonic() - started < 0.9:
        queue.submit(["x"])
        time.sleep(0.05)
    assert queue.wait_idle(5)
    assert 1 < len(run.calls) <= 3  # never waits for a quiet moment that does not come


def test_saves_during_a_build_wait_for_the_next_one():
    hold = threading.Event()
    run = Recorder(hold)
    queue = IndexQueue(run, delay=0.05)
    queue.submit(["a"])
    deadline = time.monotonic() + 5
    while queue.status("a").state != RUNNING and time.monotonic() < deadline:
        time.sleep(0.01)
    queue.submit(["b"])
    queue.submit(["c"])
    assert queue.status("a").state == RUNNING and queue.status("b").state == PENDING
    hold.set()
    assert queue.wait_idle(5)
    assert run.calls == [["a"], ["b", "c"]]


def test_a_full_rebuild_covers_the_waiting_saves():
    run = Recorder()
    queue = IndexQueue(run, delay=0.05)
    queue.submit(["a"])
    queue.submit(full=True)
    assert queue.status(FULL).state == PENDING
    assert queue.wait_idle(5)
    assert run.calls == [None]
    assert queue.status(FULL).state == DONE and queue.status("a").state == DONE


def test_a_failing_build_is_reported_not_raised():
    def broken(ids):
        raise OSError("disk full")
    queue = IndexQueue(broken, delay=0.01)
    queue.submit(["a"])
    assert queue.wait_idle(5)
    status = queue.status("a")
    assert (status.state, status.ok) == (DONE, False)
    assert status.message == "The search index was not updated: disk full"
    assert queue.status("never-saved") is None


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return make_env(tmp_path_factory.mktemp("queue"))


def _save(client, ident: str, words: str):
    url = edit_url("talks", ident)
    data = form_fields(client.get(url).get_data(as_text=True), url)
    data.update(body=data["body"] + f"\n\n{words}", action="save")
    return client.post(url, data=data)


def test_three_saves_in_a_row_make_one_index_update_and_then_are_searchable(template, tmp_path):
    env = clone_env(template, tmp_path)
    app = make_app(env, REINDEX_DELAY_SECONDS=1.0)
    client = app.test_client()
    login(client)
    idents = (TALK, "dngc-2025-s2-bodil-orkild", "dngc-2025-s2-tine-jess")
    for ident, word in zip(idents, ("pangolin", "axolotl", "quetzal")):
        started = time.monotonic()
        assert _save(client, ident, f"The {word} was mentioned.").status_code == 303
        assert time.monotonic() - started < 1.0  # the save returns before the reindexing
    assert client.get("/api/search?q=pangolin").get_json()["total"] == 0  # not yet
    assert index_status(text(client.get(edit_url()))).startswith("Waiting to be indexed")
    settle(client)
    assert app.extensions["confarchive.index_queue"].builds == 1
    for ident, word in zip(idents, ("pangolin", "axolotl", "quetzal")):
        assert [r["id"] for r in client.get(f"/api/search?q={word}").get_json()["results"]] == [ident]
    assert re.match(r"Searchable since \d\d:\d\d:\d\d UTC\. The search index was updated",
                    index_status(text(client.get(edit_url()))))


def test_the_status_endpoint_says_when_an_edit_is_searchable(template, tmp_path):
    env = clone_env(template, tmp_path)
    app = make_app(env, REINDEX_DELAY_SECONDS=0.5)
    client = app.test_client()
    login(client)
    assert client.get(f"/curate/indexing/status?id={TALK}").get_json() is None
    _save(client, TALK, "A tapir.")
    assert client.get(f"/curate/indexing/status?id={TALK}").get_json()["state"] == "pending"
    settle(client)
    status = client.get(f"/curate/indexing/status?id={TALK}").get_json()
    assert status["state"] == "done" and status["ok"] is True
    assert status["text"].startswith("Searchable since ")


def test_the_status_needs_a_sign_in(template, tmp_path):
    client = make_app(clone_env(template, tmp_path)).test_client()
    response = client.get(f"/curate/indexing/status?id={TALK}")
    assert response.status_code == 303 and "/curate/login" in response.headers["Location"]


def test_the_index_page_says_whether_a_full_rebuild_ran(template, tmp_path):
    client = make_app(clone_env(template, tmp_path)).test_client()
    login(client)
    assert "No full rebuild has been started from this server" in text(client.get("/curate/indexing"))
    client.application.extensions["confarchive.index_queue"].submit(full=True)
    settle(client)
    assert index_status(text(client.get("/curate/indexing"))).startswith("Searchable since")


def test_saves_through_the_editor_are_searchable_at_once_and_the_segments_merged_in_the_background(
        template, tmp_path, monkeypatch):
    import indexer.compaction

    monkeypatch.setattr(indexer.compaction, "COMPACT_AT", 3)
    env = clone_env(template, tmp_path)
    app = make_app(env, REINDEX_DELAY_SECONDS=0.0, COMPACT_IDLE_SECONDS=0.0)
    client = app.test_client()
    login(client)
    assert "Not needed since this server started" in text(client.get("/curate/indexing"))
    for word in ("pangolin", "axolotl", "quetzal", "okapi"):
        assert _save(client, TALK, f"The {word} was mentioned.").status_code == 303
        settle(client)
        assert [r["id"] for r in client.get(f"/api/search?q={word}").get_json()["results"]] == [TALK]
    queue = app.extensions["confarchive.index_queue"]
    assert queue.wait_idle(120)
    assert queue.compaction is not None and queue.compaction.ok
    page = text(client.get("/curate/indexing"))
    assert "merged by a full build in the background" in page
    for word in ("pangolin", "okapi"):  # nothing lost in the merge
        assert [r["id"] for r in client.get(f"/api/search?q={word}").get_json()["results"]] == [TALK]


def test_a_compaction_waits_until_no_save_has_come_for_a_while():
    compactions = []
    queue = IndexQueue(Recorder(), compact=lambda since: compactions.append(time.monotonic()), compact_idle=0.6)
    started = time.monotonic()
    for _ in range(4):  # a librarian at work: a save every 0.3 s
        queue.submit(["a"])
        time.sleep(0.3)
    assert compactions == []  # not while saves keep coming
    time.sleep(1.0)
    assert queue.wait_idle(10)
    assert len(compactions) == 1 and compactions[0] - started >= 0.9 + 0.6  # only once they stopped
