"""Open the published index once per process; notice a newly published build and switch to it."""

from __future__ import annotations

import json
import threading
import weakref
from pathlib import Path
from typing import Callable, TypeVar

from whoosh import index

from .facet_files import load_table
from .impacts import IMPACTS, ImpactIndex
from .memory import give_back_free_memory
from .layout import (META, SUGGEST, IndexUnavailable, current_build, files_problem, looks_like_json,
                     pointer_path, pointer_stamp)
from .schema import FACET_FIELDS, REINDEXED_BY, SCHEMA_VERSION, built_for_this_program

T = TypeVar("T")


class IndexHandle:
    """One open build: the Whoosh index, its scored postings, its facet table, and a searcher per thread."""

    def __init__(self, path: Path):
        self.path = path
        root = path.parent.parent
        try:
            self.meta = json.loads((path / META).read_text(encoding="utf-8"))
            version = self.meta.get("schema_version")
        except Exception as exc:  # any damage to the file means the same thing: rebuild
            raise damaged(root, f"meta.json cannot be read: {exc}") from None
        if not built_for_this_program(self.meta):
            raise IndexUnavailable(f"The index in {root} was built with schema version {version} and facets "
                                   f"{', '.join(self.meta.get('facets') or ['(not recorded)'])}; this program needs "
                                   f"{SCHEMA_VERSION} and {', '.join(FACET_FIELDS)}. "
                                   f"Rebuild it with `confarchive build --index {root}`.")
        problem = files_problem(path, self.meta.get("files", {}))
        if problem:
            raise damaged(root, problem)
        self.index, self.facets, self.impacts, probe = _open_checked(path, root)
        self._searchers = SearcherPool(self.index, self, probe)
        self._attached: dict[str, object] = {}
        self._attached_lock = threading.Lock()

    def searcher(self):
        """This thread's searcher, opened on first use; keep the handle while using it (see SearcherPool)."""
        return self._searchers.get()

    def attached(self, key: str, make: Callable[["IndexHandle"], T]) -> T:
        """What `make(handle)` returns, made once per open build and dropped with it: the query tools
        (search.py) and the quote index (quotes_index.py) live here, so nothing outlives its build."""
        found = self._attached.get(key)
        if found is None:
            with self._attached_lock:
                found = self._attached.get(key)
                if found is None:
                    found = self._attached[key] = make(self)
        return found


class SearcherPool:
    """A Whoosh searcher per thread for one index, all closed together once their owner is unused.

    Segments are separate files (Whoosh's compound files are copied into memory by every reader),
    so each searcher holds open files. A build that is no longer current is dropped when its last
    request finishes; its searchers are then closed, not left for the garbage collector.
    """

    def __init__(self, ix, owner, opened=None):
        """`opened`: a searcher this thread opened already (the open's probe), kept as its own."""
        self._index = ix
        self._local = threading.local()
        self._open: list = []
        self._lock = threading.Lock()
        weakref.finalize(owner, _close_all, self._open)
        if opened is not None:
            self._local.searcher = opened
            self._open.append(opened)

    def get(self):
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self._index.searcher()
            with self._lock:
                self._open.append(searcher)
        return searcher


def _close_all(searchers: list) -> None:
    for searcher in searchers:
        searcher.close()


def damaged(root: Path, what: str) -> IndexUnavailable:
    return IndexUnavailable(f"The index in {root} is damaged ({what}). "
                            f"Rebuild it with `confarchive build --index {root}`.")


def _open_checked(path: Path, root: Path):
    """Open the Whoosh index, the postings and the facet table, and probe them, so damage shows now and not
    mid-request; the probing searcher is returned for this thread to search with (opening one reads every
    segment's tables)."""
    probe = None
    try:
        ix = index.open_dir(str(path))
        probe = ix.searcher()
        count = probe.doc_count_all()
        list(probe.lexicon(REINDEXED_BY))  # a short field: its terms read through the terms file
        if count:
            probe.stored_fields(count - 1)
        facets = load_table(path)
        if (path / SUGGEST).exists() and not looks_like_json(path / SUGGEST, b"[]"):
            raise ValueError("suggest.json is not a list")  # parsed in full on first use (QueryTools.suggester)
        impacts = ImpactIndex(path / IMPACTS)
    except Exception as exc:  # Whoosh and json raise many kinds of error on damaged files; all mean: rebuild
        _close(probe)
        raise damaged(root, f"{type(exc).__name__}: {exc}"[:200]) from None
    problem = None
    if facets.size != count:
        problem = f"facets.json lists {facets.size} documents, the index holds {count}"
    elif impacts.documents != count:
        problem = f"the scored postings cover {impacts.documents} documents, the index holds {count}"
    if problem:
        _close(probe)
        raise damaged(root, problem)
    return ix, facets, impacts, probe


def _close(searcher) -> None:
    if searcher is not None:
        searcher.close()


class IndexStore:
    """The process-wide entry point: `store.handle()` returns the current build, reopened when it changes."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self._pointer = pointer_path(self.root)
        self._lock = threading.Lock()
        self._handle: IndexHandle | None = None
        self._stamp: tuple = ()

    def handle(self) -> IndexHandle:
        stamp = pointer_stamp(self._pointer)
        if self._handle is not None and stamp == self._stamp:
            return self._handle
        replaced = None
        with self._lock:
            if self._handle is None or stamp != self._stamp:
                handle = IndexHandle(current_build(self.root))
                replaced = self._handle and weakref.ref(self._handle)
                self._handle, self._stamp = handle, stamp
            current = self._handle
        if replaced is not None and replaced() is None:  # no request was using the replaced build: it is freed
            give_back_free_memory()
        return current

    def available(self) -> bool:
        try:
            self.handle()
            return True
        except IndexUnavailable:
            return False
