"""Open the published index once per process; notice a newly published build and switch to it."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from whoosh import index
from whoosh.index import EmptyIndexError

from .facets import FacetTable
from .layout import FACETS, META, IndexUnavailable, current_build, pointer_stamp
from .schema import SCHEMA_VERSION


class IndexHandle:
    """One open build: the Whoosh index, its facet table, and a searcher per thread."""

    def __init__(self, path: Path):
        self.path = path
        self.meta = json.loads((path / META).read_text(encoding="utf-8"))
        if self.meta.get("schema_version") != SCHEMA_VERSION:
            raise IndexUnavailable(f"The index in {path.parent.parent} was built with schema version "
                                   f"{self.meta.get('schema_version')}, this program needs {SCHEMA_VERSION}. "
                                   f"Rebuild it with `confarchive build`.")
        try:
            self.index = index.open_dir(str(path))
        except (EmptyIndexError, OSError) as exc:
            raise IndexUnavailable(f"The index in {path} cannot be opened ({exc}). "
                                   "Rebuild it with `confarchive build`.") from None
        self.facets = FacetTable(json.loads((path / FACETS).read_text(encoding="utf-8")))
        self._local = threading.local()
        self._quotes = None
        self._quotes_lock = threading.Lock()

    def searcher(self):
        """This thread's searcher, opened on first use and reused after that."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self.index.searcher()
        return searcher

    def quotes(self):
        """This build's quote index (<build>/quotes/), opened on first use; IndexUnavailable if it has none."""
        if self._quotes is None:
            from .quotes_index import QUOTES, QuoteIndex  # imported here: quotes_index builds on search, which needs this module

            with self._quotes_lock:
                if self._quotes is None:
                    self._quotes = QuoteIndex(self.path / QUOTES)
        return self._quotes


class IndexStore:
    """The process-wide entry point: `store.handle()` returns the current build, reopened when it changes."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._handle: IndexHandle | None = None
        self._stamp: tuple = ()

    def handle(self) -> IndexHandle:
        stamp = pointer_stamp(self.root)
        if self._handle is not None and stamp == self._stamp:
            return self._handle
        with self._lock:
            if self._handle is None or stamp != self._stamp:
                handle = IndexHandle(current_build(self.root))
                self._handle, self._stamp = handle, stamp
            return self._handle

    def available(self) -> bool:
        try:
            self.handle()
            return True
        except IndexUnavailable:
            return False
