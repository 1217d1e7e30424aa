"""Saving a record safely: refuse stale saves, validate first, keep the old version, write atomically.

Nothing here knows about Flask: `save_text` takes the new text of one corpus file and returns
what happened. Saves in this process are serialised by one lock per corpus folder; the final
write is also checked against the file's content (archive.writer.apply_changes), so a change
made meanwhile by another process is refused rather than overwritten.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from archive import ERROR, Problem, inspect_corpus
from archive.history import History, Version, content_hash
from archive.writer import Change, WriteError, apply_changes, read_text

from .records import RecordRef

SAVED, UNCHANGED, INVALID, CONFLICT = "saved", "unchanged", "invalid", "conflict"

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

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


def save_text(ref: RecordRef, new_text: str, base_hash: str, user: str, history: History,
              restoring: str | None = None) -> Outcome:
    """Replace the record's file with new_text if it is still the version base_hash and the result is valid
    (`restoring` names the kept version being restored, so the history labels the save as a restore)."""
    with corpus_lock(ref.root):
        current = read_text(ref.path)
        if content_hash(current) != base_hash:
            return Outcome(CONFLICT, current)
        if new_text == current:
            return Outcome(UNCHANGED, current)
        problems = validate(ref, new_text)
        if any(p.severity == ERROR for p in problems):
            return Outcome(INVALID, current, problems)
        version = history.keep(ref.rel, current, user, restoring=restoring)
        try:
            apply_changes([Change(ref.path, new_text, expected=current)])
        except WriteError:
            history.discard(version)
            return Outcome(CONFLICT, read_text(ref.path))
        return Outcome(SAVED, new_text, problems, version)


def validate(ref: RecordRef, new_text: str) -> list[Problem]:
    """Every problem the validator finds in this file once it holds new_text (checked in a temporary copy)."""
    with tempfile.TemporaryDirectory(prefix="confarchive-check-") as tmp:
        copy = Path(tmp) / ref.root.name
        shutil.copytree(ref.root, copy, ignore=shutil.ignore_patterns(".*"))
        (copy / ref.rel).write_text(new_text, encoding="utf-8")
        _, problems = inspect_corpus(copy)
    return [p for p in problems if p.path == ref.problem_path]
