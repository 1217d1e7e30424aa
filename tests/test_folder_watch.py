"""The folder watch must give what listing the folder now gives, whatever changed since (archive/folder_watch.py).

The reference is a fresh os.scandir of the folder (`scan`), and for whole corpora the loader's
listing with the watch switched off.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from archive import folder_watch as fw
from archive import load

def _inotify_works() -> bool:
    watch = fw.FolderWatch()
    try:
        return watch.active
    finally:
        watch.close()


pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or not _inotify_works(),
                                reason="needs Linux's inotify; without it the loader lists every folder, as before")


@pytest.fixture
def watch():
    made = fw.FolderWatch()
    yield made
    made.close()


def _listed(watch: fw.FolderWatch, folder: Path):
    watch.refresh()
    return watch.entries(str(folder))


def _write_in_place(path: Path, text: str) -> None:
    """Rewrite a file's bytes without replacing it (same inode, as many editors save)."""
    with open(path, "r+b") as handle:
        handle.truncate(0)
        handle.write(text.encode())


def test_a_file_rewritten_in_place_shows_its_new_signature(tmp_path, watch):
    (tmp_path / "a.md").write_text("one")
    first = _listed(watch, tmp_path)
    _write_in_place(tmp_path / "a.md", "three")
    again = _listed(watch, tmp_path)
    assert again == fw.scan(str(tmp_path))
    assert again[0].signature != first[0].signature


def test_a_folder_with_no_change_is_not_listed_again(tmp_path, monkeypatch, watch):
    (tmp_path / "a.md").write_text("one")
    kept = _listed(watch, tmp_path)
    monkeypatch.setattr(fw, "scan", lambda folder: pytest.fail(f"{folder} listed again with nothing changed"))
    assert _listed(watch, tmp_path) is kept


OPERATIONS = st.lists(st.tuples(st.sampled_from(["create", "rewrite", "append", "remove", "rename", "chmod",
                                                 "mkdir", "rmdir", "replace"]),
                                st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(OPERATIONS)
def test_after_any_changes_the_watch_lists_what_scandir_lists(operations):
    root, watch = Path(tempfile.mkdtemp()), fw.FolderWatch()
    try:
        folders = [root, root / "sub"]
        (root / "sub").mkdir()
        for n in range(3):
            (root / f"f{n}.md").write_text(f"text {n}")
        for folder in folders:
            _listed(watch, folder)
        for op, a, b in operations:
            _apply(root, op, a, b)
            for folder in [root, *sorted(p for p in root.rglob("*") if p.is_dir())]:
                assert _listed(watch, folder) == fw.scan(str(folder)), (op, a, b)
    finally:
        watch.close()
        shutil.rmtree(root, ignore_errors=True)


def _apply(root: Path, op: str, a: int, b: int) -> None:
    folder = root / "sub" if (root / "sub").is_dir() and a % 2 else root
    path = folder / f"f{a}.md"
    try:
        if op == "create":
            path.write_text("new" * (b + 1))
        elif op == "rewrite" and path.exists():
            _write_in_place(path, "x" * b)
        elif op == "append" and path.exists():
            with open(path, "a") as handle:
                handle.write("more")
        elif op == "remove":
            path.unlink(missing_ok=True)
        elif op == "rename" and path.exists():
            path.rename(folder / f"f{b}.md")
        elif op == "chmod" and path.exists():
            path.chmod(0o600 if b % 2 else 0o644)
        elif op == "mkdir":
            (root / "sub").mkdir(exist_ok=True)
        elif op == "rmdir" and (root / "sub").is_dir():
            shutil.rmtree(root / "sub")
        elif op == "replace":  # an atomic save: a temporary file renamed over the old one
            temp = folder / f".tmp{a}"
            temp.write_text("replaced" * (b + 1))
            os.replace(temp, path)
    except OSError:
        pass


def test_after_lost_events_every_folder_is_listed_again(tmp_path, watch):
    """Past the kernel's event queue, events are dropped: a change whose event was lost must still be seen."""
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    if limit > 100_000:
        pytest.skip(f"the kernel queues {limit} events: too many to overflow in a test")
    busy, quiet = tmp_path / "busy", tmp_path / "quiet"
    busy.mkdir(), quiet.mkdir()
    (busy / "a").write_text("a"), (busy / "b").write_text("b"), (quiet / "q.md").write_text("old")
    _listed(watch, busy), _listed(watch, quiet)
    for n in range(limit + 100):  # alternating files: the kernel merges only repeats of the last event
        os.utime(busy / ("a" if n % 2 else "b"), ns=(n, n))
    _write_in_place(quiet / "q.md", "new text")  # its event is past the full queue: lost
    watch.refresh()
    assert watch.entries(str(quiet)) == fw.scan(str(quiet))


def test_a_listing_overtaken_by_a_change_is_not_kept(tmp_path, watch, monkeypatch):
    """A change made while a folder is being listed, whose event another thread's refresh took, must not
    leave the older listing kept."""
    (tmp_path / "a.md").write_text("one")
    real_scan = fw.scan

    def scan_then_change(folder):
        found = real_scan(folder)
        _write_in_place(tmp_path / "a.md", "changed meanwhile")
        watch.refresh()  # as another request's listing would, in its thread
        return found

    monkeypatch.setattr(fw, "scan", scan_then_change)
    _listed(watch, tmp_path)
    monkeypatch.setattr(fw, "scan", real_scan)
    assert _listed(watch, tmp_path) == fw.scan(str(tmp_path))


def _child_lists(folder: str, out) -> None:
    watch = fw.folder_watch()
    out.put((watch._pid == os.getpid(), watch.entries(folder) == fw.scan(folder)))


def test_a_forked_child_does_not_take_the_parents_events(tmp_path):
    watch = fw.folder_watch()
    (tmp_path / "a.md").write_text("one")
    _listed(watch, tmp_path)
    _write_in_place(tmp_path / "a.md", "two, longer")  # the event waits in the kernel for the parent
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    child = context.Process(target=_child_lists, args=(str(tmp_path), out))
    child.start()
    own_watch, child_saw_it = out.get(timeout=30)
    child.join(30)
    assert own_watch and child_saw_it
    assert _listed(watch, tmp_path) == fw.scan(str(tmp_path))


def test_past_its_share_of_the_kernels_watches_a_folder_is_listed_every_time(tmp_path, watch):
    watch._budget = 1
    (tmp_path / "one").mkdir(), (tmp_path / "two").mkdir()
    (tmp_path / "two" / "a.md").write_text("one")
    assert _listed(watch, tmp_path / "one") == []
    assert watch._watch(str(tmp_path / "two")) is False
    first = _listed(watch, tmp_path / "two")
    assert _listed(watch, tmp_path / "two") is not first  # listed again, not kept
    assert fw._watch_budget() == int(Path("/proc/sys/fs/inotify/max_user_watches").read_text()) // 2


def test_a_filesystem_without_change_events_is_listed_every_time(watch):
    assert fw._filesystem_type(os.stat("/proc").st_dev) == "proc"
    assert watch._watch("/proc") is False


def test_the_loaders_listing_is_the_same_with_and_without_the_watch(corpus_copy, monkeypatch):
    root = Path(corpus_copy)
    load._inputs(root, {})  # watched and kept
    talk = sorted(root.glob("conferences/*/talks/*.md"))[0]
    _write_in_place(talk, talk.read_text() + "\nOne more line.\n")
    (root / "speakers" / "new-person.md").write_text("---\nid: new-person\nname: New Person\n---\n")
    watched = load._inputs(root, {})
    monkeypatch.setattr(fw.FolderWatch, "active", property(lambda self: False))
    plain = load._inputs(root, {})
    assert watched[1] == plain[1]
    assert [keys for _, _, keys in watched[0]] == [keys for _, _, keys in plain[0]]
