"""Merge an updated build's segments in the background, without holding up the edits made meanwhile.

Each update adds a segment; past a dozen, searches read a dozen term tables per word. Compaction
makes a full build of the corpus into a folder of its own, without the build lock, so updates go
on being published while it runs. Then, under the lock, it moves the new build in and re-applies
the records saved since it read the corpus as one update on top of it, and publishes the result:
no edit is lost and none waits for the full build.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from archive import ERROR, CorpusError, load_corpus

from .build import BuildLocked, BuildReport, build_into, build_lock, exclusive, new_build_dir, prune
from .layout import META, IndexUnavailable, current_build, publish
from .quotes_index import QUOTES
from .update import segment_count, update_locked

COMPACT_AT = 12  # segments (main or quotes) from which the editor's queue compacts
COMPACTING = "compacting"  # the folder a compaction builds into, beside builds/
COMPACT_LOCK = "compact.lock"


def needs_compaction(root: Path | str) -> bool:
    """Has the published build gathered enough segments to be worth a background full build?"""
    try:
        build = current_build(Path(root))
    except IndexUnavailable:
        return False
    return max(segment_count(build), segment_count(build / QUOTES)) >= COMPACT_AT


class CompactionAbandoned(Exception):
    """A full build was published while the compaction ran: its build is older, so it was dropped."""


def compact(corpus_dir: Path | str, root: Path | str, changed_since: Callable[[], set[str]],
            build: Callable[[Path, Path], int] | None = None) -> BuildReport:
    """Full build beside the published one, then publish it with the records saved meanwhile re-applied.

    `changed_since()` names the records saved after this call began (the caller records them).
    The full build runs in a process of its own at low priority (`build_elsewhere`), so a server
    doing this keeps answering at full speed. Raises BuildLocked when another compaction is running,
    and CompactionAbandoned when a full build (a taxonomy change, `confarchive build`) was published meanwhile.
    """
    corpus_dir = Path(corpus_dir)
    root = Path(root)
    started = time.perf_counter()
    lineage = _lineage(root)
    with _compaction_lock(root):
        staging = root / COMPACTING
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            documents = (build or build_elsewhere)(corpus_dir, staging)
            with build_lock(root):
                if _lineage(root) != lineage:
                    raise CompactionAbandoned("A full build was published while the compaction ran; it was dropped.")
                target = new_build_dir(root)
                target.rmdir()
                os.rename(staging, target)
                since = changed_since()
                if since:
                    report = update_locked(load_corpus(corpus_dir), root, since, target, started)
                    return BuildReport(report.path, documents, report.seconds)
                publish(root, target)
                prune(root, keep=target)
                return BuildReport(target, documents, time.perf_counter() - started)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _lineage(root: Path) -> str | None:
    try:
        return json.loads((current_build(root) / META).read_text(encoding="utf-8")).get("lineage")
    except (IndexUnavailable, OSError, ValueError):
        return None


class CompactionFailed(RuntimeError):
    """The full build of a compaction failed; the message says why (the published build keeps serving)."""


def build_elsewhere(corpus_dir: Path, target: Path) -> int:
    """A full build of the corpus into target by `python -m indexer.compaction` at low priority; its documents."""
    command = [sys.executable, "-m", "indexer.compaction", str(corpus_dir), str(target)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise CompactionFailed((done.stderr.strip().splitlines() or ["the build process failed"])[-1])
    return int(done.stdout.strip() or 0)


def main(argv: list[str] | None = None) -> None:
    """`python -m indexer.compaction CORPUS TARGET`: the full build of a compaction, in a process of its own."""
    corpus_dir, target = (argv if argv is not None else sys.argv[1:])
    os.nice(10)  # here, not in a preexec_fn: forking a threaded server must not run Python before exec
    try:
        corpus = load_corpus(corpus_dir)
    except CorpusError as exc:
        errors = [str(p) for p in exc.problems if p.severity == ERROR]
        sys.exit(f"the corpus has {len(errors)} error(s), so the segments were not merged: " + "; ".join(errors[:3]))
    print(build_into(corpus, Path(target)))


def _compaction_lock(root: Path):
    return exclusive(root / COMPACT_LOCK, lambda holder: BuildLocked(
        f"A compaction of {root} is already running (pid {holder})."))

if __name__ == "__main__":
    main()
