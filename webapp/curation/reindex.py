"""Update the search index after saves: one update for several saves in a row, off the request.

A save hands its record ids to the app's IndexQueue (webapp/curation/index_queue.py) and returns;
one background update at a time re-indexes every waiting record (indexer/update.py re-indexes only
the documents they appear in), falling back to a full build when it must (a taxonomy change).
The corpus is the one the editor checked the save against (archive/load.py, remember_written) when
this process has written nothing since; otherwise it is reloaded reusing every record whose file is
unchanged, so only the saved file is parsed again. Builds from this process queue on a lock; a build held by another process
(`confarchive build`) is waited for and then redone, so the new build always reads the saved
file. The running app notices the newly published build through IndexStore's pointer check:
requests keep being answered from the previous build until the new one is published.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from archive import CorpusError, ERROR, inspect_corpus, load_corpus
from indexer import (BuildLocked, build_index, CompactionAbandoned, CompactionFailed, compact, needs_compaction,
                     update_index)

_lock = threading.Lock()
RETRY_SECONDS = 0.25


@dataclass
class Rebuilt:
    ok: bool
    message: str


def rebuild(corpus_dir: Path | str, index_dir: Path | str, wait: float = 60.0,
            changed: Iterable[str] | None = None) -> Rebuilt:
    """Load the corpus and publish a build reflecting the changed records (all, when None); never raise."""
    deadline = time.monotonic() + wait
    with _lock:
        while True:
            try:
                # the indexer only reads it; after an editor's save, the corpus that save checked
                corpus = load_corpus(corpus_dir, reuse=True, as_written=True)
                if changed is None:
                    report = build_index(corpus, index_dir)
                    return Rebuilt(True, f"The search index was rebuilt ({report.documents} documents).")
                report = update_index(corpus, index_dir, changed)
                if report.full:
                    return Rebuilt(True, f"The search index was rebuilt in full ({report.documents} documents).")
                return Rebuilt(True, f"The search index was updated ({report.documents} documents re-indexed).")
            except CorpusError as exc:
                errors = [p for p in exc.problems if p.severity == ERROR]
                return Rebuilt(False, f"The search index was not updated: the corpus has {len(errors)} error(s) "
                                      "in other files (see Data quality). The previous index is still served.")
            except OSError as exc:
                return Rebuilt(False, f"The search index was not updated: {exc.strerror or exc}. Searches show the "
                                      "previous version until `confarchive build` succeeds; the edit is recorded as "
                                      "not yet indexed.")
            except BuildLocked as exc:
                if time.monotonic() >= deadline:
                    return Rebuilt(False, f"The search index was not updated: {exc} "
                                          "Run `confarchive build` once it has finished.")
                time.sleep(RETRY_SECONDS)


def compact_if_needed(corpus_dir: Path | str, index_dir: Path | str, changed_since) -> Rebuilt | None:
    """Merge the published build's segments with a background full build when updates have piled them up;
    None when there was nothing to do (or another process is compacting)."""
    if not needs_compaction(index_dir):
        return None
    try:
        report = compact(corpus_dir, index_dir, changed_since)
    except (CompactionAbandoned, CompactionFailed) as exc:
        return Rebuilt(isinstance(exc, CompactionAbandoned), str(exc))
    except BuildLocked:
        return None
    except CorpusError:
        return Rebuilt(False, "The index's segments were not merged: the corpus has errors (see Data quality).")
    return Rebuilt(True, f"The index's segments were merged by a full build in the background "
                         f"({report.documents} documents, {report.seconds:.0f} s).")


_warmed: set[str] = set()


def warm_up_once(corpus_dir: Path | str) -> None:
    """Start warm_up the first time a librarian signs in to this process (it costs a full corpus parse:
    about 5 s of CPU at 1,000 talks, a minute at 10,000, taken from serving, so not at every start)."""
    key = str(corpus_dir)
    with _lock_warm:
        if key in _warmed:
            return
        _warmed.add(key)
    warm_up(corpus_dir)


_lock_warm = threading.Lock()


def warm_up(corpus_dir: Path | str) -> threading.Thread:
    """Parse the corpus once in the background, so that the first save reparses only its own file."""
    def load() -> None:
        try:
            inspect_corpus(corpus_dir)
        except Exception:  # a broken corpus is reported when someone saves or validates, not here
            pass
    thread = threading.Thread(target=load, name="corpus-warm-up", daemon=True)
    thread.start()
    return thread
