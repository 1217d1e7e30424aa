"""Index builds: a fresh folder per build, an atomic `current` pointer, a lock, and the old build serving on failure."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path

import pytest

import indexer.build
from archive import load_corpus
from indexer import BuildLocked, IndexStore, IndexUnavailable, SearchRequest, Searcher, build_index, index_exists
from indexer.build import build_lock
from indexer.schema import FACET_FIELDS, SCHEMA_VERSION

TINE_TALK = "conferences/dngc-2025/talks/dngc-2025-s2-tine-jess.md"
# three talks, four sessions, three speakers
SMALL_DOCUMENTS = 10


def builds(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "builds").iterdir())


def pointer(root: Path) -> str:
    return (root / "current").read_text(encoding="utf-8").strip()


def search_ids(store: IndexStore, q: str) -> list[str]:
    return [r["id"] for r in Searcher(store.handle()).search(SearchRequest(q=q)).results]


def add_word_to_tine(corpus_dir: Path, word: str) -> None:
    path = corpus_dir / TINE_TALK
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f" {word}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def small(copy_small):
    """The small corpus loaded once; builds only read it."""
    return load_corpus(copy_small())


def test_build_creates_a_build_folder_and_points_current_at_it(small, tmp_path):
    root = tmp_path / "index"
    report = build_index(small, root)
    assert report.documents == SMALL_DOCUMENTS
    assert report.path.parent == root / "builds"
    assert builds(root) == [report.path.name]
    assert pointer(root) == report.path.name
    meta = json.loads((report.path / "meta.json").read_text(encoding="utf-8"))
    assert (meta["schema_version"], meta["documents"]) == (SCHEMA_VERSION, SMALL_DOCUMENTS)
    assert index_exists(root)
    assert not (root / "build.lock").read_text()  # no pid left behind


def test_build_reports_progress_up_to_every_document(small, tmp_path):
    calls = []
    build_index(small, tmp_path / "index", progress=lambda n, total: calls.append((n, total)))
    assert calls == [(n, SMALL_DOCUMENTS) for n in range(1, SMALL_DOCUMENTS + 1)]


def test_shipped_index_holds_every_record(index_dir):
    store = IndexStore(index_dir)
    meta = store.handle().meta
    assert meta["documents"] == 68
    table = store.handle().facets
    kinds = Counter(table.values_of(n)["kind"][0] for n in range(table.size))
    assert kinds == {"speaker": 33, "talk": 25, "session": 4, "panel": 4, "qa": 2}


def test_the_index_writes_only_what_is_read(index_dir):
    """Postings only in fields a query searches and in the two keys (id; conference, which updates look up);
    stored, only the id and the facet values an update needs. Facets are the facet files' (facet_files.py)."""
    from whoosh import index

    from indexer.query import SEARCH_FIELDS
    from indexer.schema import REINDEXED_BY

    ix = index.open_dir(str(IndexStore(index_dir).handle().path))
    try:
        with ix.reader() as reader:
            with_postings = {field for field, _ in reader.all_terms()}
            stored = {name for n in range(reader.doc_count_all()) for name in reader.stored_fields(n)}
    finally:
        ix.close()
    assert with_postings <= {*SEARCH_FIELDS, "id", REINDEXED_BY}
    assert {"title", "body", "names", "id", REINDEXED_BY} <= with_postings
    assert not with_postings & set(FACET_FIELDS) - {REINDEXED_BY}
    assert stored == {"id", "facets"}


def test_second_build_replaces_the_pointer_and_keeps_the_previous(small, tmp_path):
    root = tmp_path / "index"
    first = build_index(small, root).path.name
    second = build_index(small, root).path.name
    assert first != second
    assert pointer(root) == second
    assert builds(root) == sorted([first, second])


def test_at_most_two_builds_are_kept_once_replaced_a_while(small, tmp_path, monkeypatch):
    monkeypatch.setattr(indexer.build, "REPLACED_KEPT_S", 0.0)
    root = tmp_path / "index"
    names = [build_index(small, root).path.name for _ in range(3)]
    assert builds(root) == names[1:]
    assert pointer(root) == names[2]


def test_a_build_replaced_moments_ago_is_kept_for_the_requests_reading_it(small, tmp_path):
    """Two quick saves must not delete the files under a request that began before them."""
    from indexer.layout import META

    root = tmp_path / "index"
    names = [build_index(small, root).path.name for _ in range(3)]
    assert builds(root) == names  # the first was replaced a moment ago
    replaced_at = time.time() - indexer.build.REPLACED_KEPT_S - 1
    os.utime(root / "builds" / names[1] / META, (replaced_at, replaced_at))  # as if the second were published long ago
    names.append(build_index(small, root).path.name)
    assert builds(root) == names[1:]


@pytest.mark.parametrize("stage", ["_write_index", "_write_sidecars", "check_build"])
def test_a_failed_build_leaves_the_previous_build_serving(small, tmp_path, monkeypatch, stage):
    root = tmp_path / "index"
    published = build_index(small, root).path.name
    store = IndexStore(root)
    assert "dngc-2025-s2-tine-jess" in search_ids(store, "Crohn")

    original = getattr(indexer.build, stage)

    def fail_after_writing(*args, **kwargs):
        original(*args, **kwargs)
        raise OSError("No space left on device")

    monkeypatch.setattr(indexer.build, stage, fail_after_writing)
    with pytest.raises(OSError, match="No space left on device"):
        build_index(small, root)
    assert pointer(root) == published
    assert builds(root) == [published]  # the half-written build is removed
    assert "dngc-2025-s2-tine-jess" in search_ids(store, "Crohn")
    assert "dngc-2025-s2-tine-jess" in search_ids(IndexStore(root), "Crohn")

    monkeypatch.setattr(indexer.build, stage, original)
    retried = build_index(small, root).path.name  # the lock was released
    assert pointer(root) == retried
    assert builds(root) == sorted([published, retried])


def test_two_builds_at_once_are_refused(small, tmp_path):
    root = tmp_path / "index"
    published = build_index(small, root).path.name
    with build_lock(root):
        with pytest.raises(BuildLocked) as caught:
            build_index(small, root)
    assert str(caught.value) == (f"Another build is running on {root} (pid {os.getpid()}); "
                                 "wait for it to finish, then try again.")
    assert pointer(root) == published
    assert builds(root) == [published]
    retried = build_index(small, root).path.name  # free again once the lock is released
    assert pointer(root) == retried


def test_missing_index_names_the_command_that_builds_it(tmp_path):
    root = tmp_path / "empty"
    with pytest.raises(IndexUnavailable) as caught:
        IndexStore(root).handle()
    assert str(caught.value) == f"No index in {root}. Build it with `confarchive build --index {root}`."
    assert not index_exists(root)
    assert IndexStore(root).available() is False


def test_damaged_pointer_names_the_command_that_rebuilds(small, tmp_path):
    root = tmp_path / "index"
    build_index(small, root)
    (root / "current").write_text("20000101T000000000000Z-1\n", encoding="utf-8")
    with pytest.raises(IndexUnavailable) as caught:
        IndexStore(root).handle()
    assert str(caught.value) == (f"The index in {root} is damaged (build '20000101T000000000000Z-1' is missing). "
                                 f"Rebuild it with `confarchive build --index {root}`.")


def test_index_of_another_schema_version_asks_for_a_rebuild(small, tmp_path):
    root = tmp_path / "index"
    path = build_index(small, root).path
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    meta["schema_version"] = SCHEMA_VERSION - 1
    (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexUnavailable) as caught:
        IndexStore(root).handle()
    assert str(caught.value).startswith(f"The index in {root} was built with schema version {SCHEMA_VERSION - 1} ")
    assert f"this program needs {SCHEMA_VERSION} and " in str(caught.value)
    assert str(caught.value).endswith(f"Rebuild it with `confarchive build --index {root}`.")


def test_index_built_with_other_facets_asks_for_a_rebuild_and_the_cli_makes_it(small, small_corpus, tmp_path):
    """A facet added to facet_specs.py: builds made before it are rebuilt on first use, with no version to bump."""
    from click.testing import CliRunner

    from confarchive.cli import main

    root = tmp_path / "index"
    path = build_index(small, root).path
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    meta["facets"] = meta["facets"][:-1]  # as if the last facet had been declared after this build
    (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="facets"):
        IndexStore(root).handle()
    result = CliRunner().invoke(main, ["search", "data", "--corpus", str(small_corpus), "--index", str(root)])
    assert result.exit_code == 0, result.output
    assert IndexStore(root).handle().meta["facets"] == list(FACET_FIELDS)


def test_store_notices_a_newly_published_build(small_corpus, tmp_path):
    root = tmp_path / "index"
    build_index(load_corpus(small_corpus), root)
    store = IndexStore(root)
    first = store.handle()
    assert search_ids(store, "zebrafish") == []
    assert store.handle() is first  # reused while nothing changes

    add_word_to_tine(small_corpus, "zebrafish")
    build_index(load_corpus(small_corpus), root)
    assert store.handle() is not first
    assert search_ids(store, "zebrafish") == ["dngc-2025-s2-tine-jess"]


def test_store_keeps_serving_while_a_build_is_refused(small_corpus, tmp_path):
    root = tmp_path / "index"
    build_index(load_corpus(small_corpus), root)
    store = IndexStore(root)
    handle = store.handle()
    add_word_to_tine(small_corpus, "zebrafish")
    with build_lock(root), pytest.raises(BuildLocked):
        build_index(load_corpus(small_corpus), root)
    assert store.handle() is handle
    assert search_ids(store, "zebrafish") == []
