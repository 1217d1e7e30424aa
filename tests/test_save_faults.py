"""A full or read-only disk during a save: a clear message saying what was and was not saved, never a 500,
and corpus and index never silently apart (the editor, the next start and the next build say so).

Running as root ignores chmod, so full and read-only disks are simulated where the write happens: the
atomic writer's staging step (archive.writer._stage) or the index update raise the OSError the
kernel would (ENOSPC, EROFS)."""

from __future__ import annotations

import errno
import logging
import os

import pytest
from click.testing import CliRunner

import archive.writer
from confarchive.cli import main as cli_main
from curation_support import (TALK, TALK_FILE, edit_url, flashes, form_fields, index_status, make_app,
                              settle,
                              text)
from indexer import pending
from curation_fixtures import app, client, env, template  # noqa: F401 (pytest fixtures, by name)


def fail_writes_to(monkeypatch, target, code: int) -> None:
    """Writes to `target` (a file) fail as on a full or read-only disk; every other write works."""
    real = archive.writer._stage

    def stage(path, data):
        if os.path.abspath(path) == os.path.abspath(target):
            raise OSError(code, os.strerror(code), str(path))
        return real(path, data)

    monkeypatch.setattr(archive.writer, "_stage", stage)


def save(client, body: str):
    data = form_fields(text(client.get(edit_url())), edit_url())
    return client.post(edit_url(), data={**data, "body": body, "action": "save"})


@pytest.mark.parametrize("code, reason", [(errno.ENOSPC, "No space left on device"),
                                          (errno.EROFS, "Read-only file system")])
def test_a_corpus_file_that_cannot_be_written_saves_nothing_and_says_so(client, env, monkeypatch, code, reason):
    before = env.read()
    fail_writes_to(monkeypatch, env.corpus / TALK_FILE, code)
    response = save(client, "A new summary that the disk refuses.")
    page = text(response)
    assert response.status_code == 503
    assert f"Nothing was saved: {reason} ({env.corpus / TALK_FILE}). Your text is still in the form." in page
    assert "A new summary that the disk refuses." in page
    assert env.read() == before and env.history_files() == [] and pending.pending(env.index) == []


def test_a_history_folder_that_cannot_be_written_saves_nothing(client, env, monkeypatch):
    before = env.read()
    real = archive.writer._stage

    def stage(path, data):
        if ".history" in str(path):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real(path, data)

    monkeypatch.setattr(archive.writer, "_stage", stage)
    response = save(client, "Refused before the file is touched.")
    assert response.status_code == 503 and "Nothing was saved: Read-only file system" in text(response)
    assert env.read() == before and pending.pending(env.index) == []


def test_when_the_pending_note_cannot_be_written_nothing_is_saved(client, env, monkeypatch):
    before = env.read()
    fail_writes_to(monkeypatch, env.index / pending.FILE, errno.ENOSPC)
    response = save(client, "Not saved: the index could not be told.")
    assert response.status_code == 503 and "Nothing was saved: No space left on device" in text(response)
    assert env.read() == before and env.history_files() == []


def test_a_full_index_disk_saves_the_file_says_the_index_is_behind_and_the_next_build_catches_up(
        client, env, monkeypatch, caplog):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("webapp.curation.reindex.update_index", full)
    response = save(client, "Saved to the corpus, but the index disk is full.")
    assert response.status_code == 303
    settle(client)  # the save returned first; the index update ran in the background and failed
    page = text(client.get(response.headers["Location"]))
    assert f"Saved {TALK_FILE}. The previous version is kept in its history." in flashes(page)
    assert index_status(page) == ("The search index was not updated: No space left on device. Searches show the "
                                  "previous version until `confarchive build` succeeds; the edit is recorded as not "
                                  "yet indexed.")
    assert "Saved to the corpus, but the index disk is full." in env.read()
    assert [e["file"] for e in pending.pending(env.index)] == [TALK_FILE]
    behind = ("The search index does not include 1 saved edit(s) (conferences/dngc-2025/talks/" + TALK + ".md): the "
              "corpus files were saved but the index could not be updated. Run `confarchive build` to bring them "
              "together.")
    assert behind in text(client.get("/curate/"))
    with caplog.at_level(logging.WARNING):
        make_app(env)
    assert behind in caplog.text
    runner = CliRunner()
    searched = runner.invoke(cli_main, ["search", "data", "--corpus", str(env.corpus), "--index", str(env.index)])
    assert "Warning: " + behind in searched.output
    built = runner.invoke(cli_main, ["build", "--corpus", str(env.corpus), "--index", str(env.index)])
    assert built.exit_code == 0, built.output
    assert f"This build includes 1 saved edit(s) that had not been indexed: {TALK_FILE}" in built.output
    assert pending.pending(env.index) == []
    assert behind not in text(client.get("/curate/"))


def test_a_successful_save_leaves_nothing_pending(client, env):
    response = save(client, "An ordinary save.")
    assert response.status_code == 303 and [e["file"] for e in pending.pending(env.index)] == [TALK_FILE]
    settle(client)  # noted until the background update has indexed it, then cleared
    assert pending.pending(env.index) == []


def test_a_refused_save_keeps_an_earlier_edit_pending(client, env, monkeypatch):
    pending.record(env.index, TALK_FILE, "bob")  # an earlier save whose index update failed
    fail_writes_to(monkeypatch, env.corpus / TALK_FILE, errno.ENOSPC)
    assert save(client, "Refused.").status_code == 503
    assert [e["file"] for e in pending.pending(env.index)] == [TALK_FILE]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions; the simulated EROFS case above covers it")
def test_a_really_read_only_corpus_folder_saves_nothing(client, env):
    folder = (env.corpus / TALK_FILE).parent
    before = env.read()
    folder.chmod(0o555)
    try:
        response = save(client, "Refused by the file system.")
    finally:
        folder.chmod(0o755)
    assert response.status_code == 503 and "Nothing was saved: Permission denied" in text(response)
    assert env.read() == before and env.history_files() == [] and pending.pending(env.index) == []
