"""A server's memory across saves: what a replaced build or corpus held is freed by reference counting alone.

The server collects cyclic garbage seldom (confarchive.cli.collect_less_often) and pauses the collector
during loads and updates, so anything a save leaves in a reference cycle, or in a memo, stays in memory
for many saves. These tests run saves with the collector off: a replaced build's handle and facet
table, and a replaced corpus, must already be gone when the next save is done.
"""

from __future__ import annotations

import gc
import platform
import sys
import types
import weakref
from contextlib import contextmanager
from pathlib import Path

from whoosh import index
from whoosh.fields import ID, TEXT, Schema

import archive.load
from archive import load_corpus
from curation_fixtures import app, client, env, template  # noqa: F401 (pytest fixtures)
from curation_support import TALK, edit_url, form_fields, settle
from indexer.memory import give_back_free_memory

SAVES = 4


@contextmanager
def collector_off():
    """No collections from here on (archive.load.collector_paused), after one that clears what came before."""
    gc.collect()
    with archive.load.collector_paused():
        yield


def cyclic_frames() -> list[str]:
    """The frames the cycle detector finds unreachable now (their functions' names), freeing them."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        # type(), not isinstance(): the garbage may hold weak proxies to objects already gone
        found = [f"{g.f_code.co_filename}:{g.f_code.co_name}" for g in gc.garbage if type(g) is types.FrameType]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    return found


def cyclic_garbage() -> list[str]:
    """The type names of every object the cycle detector finds unreachable now, freeing them."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        return sorted({type(g).__name__ for g in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def save(client, word: str) -> None:
    data = form_fields(client.get(edit_url()).get_data(as_text=True), edit_url())
    data["body"] = data["body"] + f"\n\nNoted: {word}."
    assert client.post(edit_url(), data={**data, "action": "save"}).status_code == 303
    settle(client)
    assert [r["id"] for r in client.get(f"/api/search?q={word}").get_json()["results"]] == [TALK]


def test_saves_free_the_replaced_builds_and_corpora_without_the_collector(app, client, env):  # noqa: F811
    store = app.extensions["confarchive.store"]
    save(client, "warmup")  # the first save loads what later saves reuse
    handles, tables, corpora = [], [], []
    with collector_off():
        for number in range(SAVES):
            save(client, f"zqxmemory{number}")
            handle = store.handle()
            handles.append(weakref.ref(handle))
            tables.append(weakref.ref(handle.facets))
            corpora.append(weakref.ref(archive.load._LAST[str(env.corpus)][1]))
            del handle
        alive = {name: sum(ref() is not None for ref in refs)
                 for name, refs in (("builds", handles), ("facet tables", tables), ("corpora", corpora))}
        assert alive == {"builds": 1, "facet tables": 1, "corpora": 1}, "replaced ones are still held"
        assert handles[-1]() is store.handle()
        assert cyclic_frames() == [], "a save left frames in a reference cycle"


def test_an_index_writer_leaves_no_frames_in_a_reference_cycle(tmp_path):
    ix = index.create_in(str(tmp_path), Schema(id=ID(stored=True), text=TEXT))
    try:
        with collector_off():
            for number in range(2):  # the second writer finds Whoosh's temp folder there already
                writer = ix.writer()
                writer.add_document(id=str(number), text="a few words")
                writer.commit()
            assert cyclic_frames() == []
    finally:
        ix.close()


def test_loading_a_corpus_leaves_nothing_in_a_reference_cycle(corpus_copy, monkeypatch):
    """A load pauses the collector and then freezes what it made, so a cycle it made would be kept for good.
    A whole YAML loader per file did that (about 2.7 KB a file: 49 MB of the 213 MB a 10,000-talk corpus took)."""
    monkeypatch.setattr(archive.load, "_frozen", True)  # no freeze here: a cycle must stay visible to the collector
    with collector_off():
        corpus = load_corpus(corpus_copy)  # a new folder: every file is read, none reused
        assert len(corpus.talks) > 20
        assert cyclic_garbage() == []


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_giving_back_free_memory_returns_freed_pages_inside_the_heap_to_the_system():
    """glibc hands freed memory back by itself only from the top of its heap; a few live blocks among freed ones
    keep the rest resident until malloc_trim. Elsewhere nothing can be asked, and it says so."""
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        assert give_back_free_memory() is False
        return
    blocks = [bytearray(1000) for _ in range(100_000)]  # about 100 MB from malloc (over pymalloc's 512 bytes)
    kept = blocks[::100]  # one block in a hundred stays: free space between live blocks, none at the heap's top
    del blocks
    before = _rss_mb()
    assert give_back_free_memory() is True
    assert before - _rss_mb() > 50, (before, _rss_mb())
    assert len(kept) == 1000
