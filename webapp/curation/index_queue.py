"""Coalesce reindexing: one background update at a time, for every save made while the last one ran.

Each app has one IndexQueue. `submit` records the changed ids (or a full rebuild) and returns at
once; a background thread runs one `rebuild` for everything waiting (after `delay` seconds without
a save, at most `max_delay` after the first; the default delay is none). What happened to each id is
kept, so the editor can say when an edit is searchable. When updates have piled up segments, a
compaction (indexer/compaction.py) runs on another thread without holding up the updates.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterable

from indexer import give_back_free_memory

from .reindex import Rebuilt

PENDING, RUNNING, DONE = "pending", "running", "done"
FULL = "*"  # the key under which a full rebuild is tracked
KEEP_RESULTS = 2000


@dataclass
class Status:
    """Where a record's latest save is on its way to the search index."""

    state: str
    ok: bool = True
    message: str = ""
    at: datetime | None = None

    def as_dict(self) -> dict:
        return {"state": self.state, "ok": self.ok, "message": self.message,
                "at": self.at.strftime("%H:%M:%S") if self.at else None, "text": describe(self)}


def describe(status: Status) -> str:
    """One sentence for the page."""
    if status.state == PENDING:
        return "Waiting to be indexed (saves in a row are indexed together): searchable within seconds."
    if status.state == RUNNING:
        return "Being indexed now: searchable within seconds."
    if not status.ok:
        return status.message
    return f"Searchable since {status.at:%H:%M:%S} UTC. {status.message}"


@dataclass
class _Batch:
    ids: set[str] = field(default_factory=set)
    full: bool = False


class IndexQueue:
    """One per app: waiting ids, the batch being indexed, and the outcome per id."""

    def __init__(self, run: Callable[[set[str] | None], Rebuilt], delay: float = 0.0, max_delay: float = 10.0,
                 compact: Callable[[Callable[[], set[str]]], Rebuilt | None] | None = None,
                 compact_idle: float = 30.0):
        self._run, self.delay, self.max_delay = run, delay, max_delay
        # a compaction waits for this many seconds without a save: it would take CPU from a librarian at work
        self.compact_idle = compact_idle
        self._timer: threading.Timer | None = None
        # compact(changed_since): a background full build when the index has gathered many segments
        # (None when it has not); changed_since() names the records saved since it began
        self._compact = compact
        self._compacting: set[str] | None = None
        self.compaction: Status | None = None
        self._cond = threading.Condition()
        self._waiting, self._running = _Batch(), _Batch()
        self._first = self._last = 0.0
        self._results: dict[str, Status] = {}
        self._thread: threading.Thread | None = None
        self.builds = 0

    def submit(self, ids: Iterable[str] = (), full: bool = False) -> None:
        """Queue these ids (or a full rebuild); the build starts after a quiet moment."""
        with self._cond:
            now = time.monotonic()
            if not self._waiting.ids and not self._waiting.full:
                self._first = now
            self._last = now
            self._waiting.ids.update(ids)
            self._waiting.full |= full
            if self._compacting is not None:
                self._compacting.update(ids)
            self._cond.notify_all()
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="index-queue", daemon=True)
                self._thread.start()

    def status(self, ident: str) -> Status | None:
        """The state of the id's latest save, or None when nothing was queued for it."""
        with self._cond:
            for batch, state in ((self._waiting, PENDING), (self._running, RUNNING)):
                if ident in batch.ids or (ident == FULL and batch.full):
                    return Status(state)
            return self._results.get(ident)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until nothing is waiting or running (for tests and shutdown); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._thread is not None or self._compacting is not None:  # a compaction not yet due is not waited for
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def _work(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            result = self._safe_run(None if batch.full else batch.ids)
            self._finish(batch, result)
            give_back_free_memory()  # what the update freed (see indexer/memory.py)
            if result.ok and not batch.full:
                self._compact_when_idle()

    def _next_batch(self) -> _Batch | None:
        with self._cond:
            while True:
                if not self._waiting.ids and not self._waiting.full:
                    self._thread = None
                    self._cond.notify_all()
                    return None
                now = time.monotonic()
                ready_at = min(self._last + self.delay, self._first + self.max_delay)
                if now >= ready_at:
                    self._running, self._waiting = self._waiting, _Batch()
                    return self._running
                self._cond.wait(ready_at - now)

    def _compact_when_idle(self, delay: float | None = None) -> None:
        """Start a compaction once no save has come for compact_idle seconds (checked again until then)."""
        if self._compact is not None and self.compact_idle <= 0:
            self._start_compaction()
            return
        with self._cond:
            if self._compact is None or self._timer is not None:
                return
            self._timer = threading.Timer(self.compact_idle if delay is None else delay, self._idle_check)
            self._timer.daemon = True
            self._timer.start()

    def _idle_check(self) -> None:
        with self._cond:
            self._timer = None
            busy = self._waiting.ids or self._waiting.full or self._running.ids or self._running.full
            quiet = time.monotonic() - self._last
            self._cond.notify_all()
        if busy or quiet < self.compact_idle:
            self._compact_when_idle(max(self.compact_idle - quiet, 0.05))
        else:
            self._start_compaction()

    def _start_compaction(self) -> None:
        """Merge the index's segments on a thread of its own, unless one is running; saves go on meanwhile."""
        with self._cond:
            if self._compact is None or self._compacting is not None:
                return
            self._compacting = set()
        threading.Thread(target=self._compaction, name="index-compaction", daemon=True).start()

    def _compaction(self) -> None:
        def changed_since() -> set[str]:
            with self._cond:
                return set(self._compacting or ())
        try:
            result = self._compact(changed_since)
        except Exception as exc:  # reported on the index page; the updated build keeps serving
            result = Rebuilt(False, f"The index's segments were not merged: {exc}")
        give_back_free_memory()  # the full build's working memory
        with self._cond:
            self._compacting = None
            if result is not None:
                self.compaction = Status(DONE, result.ok, result.message, datetime.now(timezone.utc))
            self._cond.notify_all()

    def compacting(self) -> bool:
        with self._cond:
            return self._compacting is not None

    def _safe_run(self, ids: set[str] | None) -> Rebuilt:
        try:
            return self._run(ids)
        except Exception as exc:  # the worker must survive anything, and say what happened
            return Rebuilt(False, f"The search index was not updated: {exc}")

    def _finish(self, batch: _Batch, result: Rebuilt) -> None:
        done = Status(DONE, result.ok, result.message, datetime.now(timezone.utc))
        with self._cond:
            self.builds += 1
            for ident in batch.ids | ({FULL} if batch.full else set()):
                self._results[ident] = done
            while len(self._results) > KEEP_RESULTS:
                self._results.pop(next(iter(self._results)))
            self._running = _Batch()
            self._cond.notify_all()
