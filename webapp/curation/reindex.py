"""Rebuild the search index after a save, so the change is searchable at once.

The build runs in the request that saved (a few seconds for one conference), under the index's
build lock. Builds from this process queue on a lock; a build held by another process
(`confarchive build`) is waited for and then redone, so the new build always reads the saved
file. The running app notices the newly published build through IndexStore's pointer check:
requests keep being answered from the previous build until the new one is published.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from archive import CorpusError, ERROR, load_corpus
from indexer import BuildLocked, build_index

_lock = threading.Lock()
RETRY_SECONDS = 0.25


@dataclass
class Rebuilt:
    ok: bool
    message: str


def rebuild(corpus_dir: Path | str, index_dir: Path | str, wait: float = 60.0) -> Rebuilt:
    """Load the corpus and publish a new index build; report (never raise) why it could not."""
    deadline = time.monotonic() + wait
    with _lock:
        while True:
            try:
                report = build_index(load_corpus(corpus_dir), index_dir)
                return Rebuilt(True, f"The search index was updated ({report.documents} documents).")
            except CorpusError as exc:
                errors = [p for p in exc.problems if p.severity == ERROR]
                return Rebuilt(False, f"The search index was not updated: the corpus has {len(errors)} error(s) "
                                      "in other files (see Data quality). The previous index is still served.")
            except BuildLocked as exc:
                if time.monotonic() >= deadline:
                    return Rebuilt(False, f"The search index was not updated: {exc} "
                                          "Run `confarchive build` once it has finished.")
                time.sleep(RETRY_SECONDS)
