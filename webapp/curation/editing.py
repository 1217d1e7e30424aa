"""Saving a record safely: refuse stale saves, validate first, keep the old version, write atomically.

Nothing here knows about Flask: `save_text` takes the new text of one corpus file and returns
what happened. Saves in this process are serialised by one lock per corpus folder; the final
write is also checked against the file's content (archive.writer.apply_changes), so a change
made meanwhile by another process is refused rather than overwritten.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from archive import ERROR, Problem, inspect_corpus
from archive.load import remember_written
from archive.history import History, Version, content_hash
from archive.writer import Change, WriteError, apply_changes, read_text

from .records import RecordRef

SAVED, UNCHANGED, INVALID, CONFLICT, FAILED = "saved", "unchanged", "invalid", "conflict", "failed"

_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


def corpus_lock(root: Path) -> threading.Lock:
    """The one lock that serialises saves to a corpus folder within this process."""
    with _locks_guard:
        return _locks.setdefault(root.resolve(), threading.Lock())


@dataclass
class Outcome:
    """What a save did. `current` is the file's text on disk when the save ended."""

    status: str
    current: str
    problems: list[Problem] = field(default_factory=list)  # this file's problems (errors and warnings)
    version: Version | None = None                          # the version kept in history by a save
    message: str = ""                                       # why a FAILED save saved nothing

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


def save_text(ref: RecordRef, new_text: str, base_hash: str, user: str, history: History,
              before_write: Callable[[], None] = lambda: None, restoring: str | None = None) -> Outcome:
    """Replace the record's file with new_text if it is still the version base_hash and the result is valid.

    before_write runs just before the file is replaced (the editor notes the pending index update there);
    `restoring` names the kept version being restored, so the history labels the save as a restore.
    A disk that is full or read-only gives a FAILED outcome whose message says that nothing was saved:
    every write is atomic, so the file keeps its old text.
    """
    with corpus_lock(ref.root):
        current = read_text(ref.path)
        if content_hash(current) != base_hash:
            return Outcome(CONFLICT, current)
        if new_text == current:
            return Outcome(UNCHANGED, current)
        try:
            return _checked_write(ref, current, new_text, user, history, before_write, restoring)
        except OSError as exc:
            return Outcome(FAILED, current, message=f"Nothing was saved: {exc.strerror or exc}"
                                                    f"{f' ({exc.filename})' if exc.filename else ''}.")


def _checked_write(ref: RecordRef, current: str, new_text: str, user: str, history: History, before_write,
                   restoring: str | None = None) -> Outcome:
    corpus, everything = _checked(ref, new_text)
    problems = _of_file(ref, everything)
    if any(p.severity == ERROR for p in problems):
        return Outcome(INVALID, current, problems)
    version = history.keep(ref.rel, current, user, restoring=restoring)
    try:
        before_write()
        apply_changes([Change(ref.path, new_text, expected=current)])
        remember_written(ref.root, corpus, everything, [ref.path])  # the next reload (the index update) is free
    except WriteError:
        history.discard(version)
        return Outcome(CONFLICT, read_text(ref.path))
    except OSError:
        _forget(history, version)
        raise
    return Outcome(SAVED, new_text, problems, version)


def _forget(history: History, version: Version) -> None:
    """Drop the history copy of a save that did not happen (best effort: the disk may refuse this too)."""
    try:
        history.discard(version)
    except OSError:
        pass


def validate(ref: RecordRef, new_text: str) -> list[Problem]:
    """Every problem the validator finds in this file once it holds new_text (read in its place; nothing is written)."""
    return _of_file(ref, _checked(ref, new_text)[1])


def _checked(ref: RecordRef, new_text: str):
    """The corpus as it would be with new_text in the file, and all its problems."""
    return inspect_corpus(ref.root, overrides={ref.root / ref.rel: new_text})


def _of_file(ref: RecordRef, problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.path == ref.problem_path]
