"""The shipped corpus with the talks' start times filled in, as a librarian would from the printed programme.

The shipped DNGC talks have no start times, and schedule exports leave out talks without one; tests of
the exports use this copy. The last talk keeps no time, to check that it is left out and reported.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from archive import load_corpus
from archive.writer import update_text

SHIPPED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SLOT_MINUTES = 15


def timed_corpus(destination: Path) -> tuple[Path, str]:
    """A copy of the shipped corpus at destination whose talks (all but the last) have a start and a
    duration; returns the copy and the id of the talk left without a time."""
    shutil.copytree(SHIPPED_CORPUS, destination)
    corpus = load_corpus(destination)
    talks = [t for t in corpus.ordered_talks() if t.conference == "dngc-2025"]
    start = dt.datetime(2025, 9, 8, 9, 0)
    for index, talk in enumerate(talks[:-1]):
        path = destination.parent / talk.path
        clock = (start + dt.timedelta(minutes=SLOT_MINUTES * index)).strftime("%H:%M")
        changes = {"start": clock, "duration": f"00:{SLOT_MINUTES}"}
        path.write_text(update_text(path.read_text(encoding="utf-8"), changes), encoding="utf-8")
    return destination, talks[-1].id
