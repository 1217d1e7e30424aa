"""Build an index into a fresh folder under a lock, check it, then publish it atomically."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from whoosh import index

from archive import Corpus

from .analysis import forget_remembered
from .documents import IndexDoc, corpus_facet_notes, document_count, facet_labels, iter_documents, pinned_values
from .facet_files import FacetRows, write_facets
from .impacts import IMPACTS, keep_parts_of, write_impacts
from .page_data import catalogue
from .parallel import alongside
from .quotes_index import QUOTES, QUOTES_SCHEMA_VERSION, build_quote_index
from .memory import give_back_free_memory
from .layout import BUILDS, FACETS, LOCK, META, SUGGEST, IndexUnavailable, current_build, publish, segment_files
from .query import SEARCH_FIELDS
from .result_column import RESULT_FIELD, result_value, short_codes
from .schema import FACET_FIELDS, REINDEXED_BY, SCHEMA_VERSION, build_schema, built_for_this_program
from .suggest import corpus_entries, term_entries
from .vocabulary import VOCABULARY, Vocabulary, VocabularyCounter

SCORED_FIELDS = SEARCH_FIELDS
POSITIONED_FIELDS = SEARCH_FIELDS  # phrases are looked up in every searched field
KEEP_BUILDS = 2  # the published build and one previous, for rollback
REPLACED_KEPT_S = 120.0  # an older build stays this long after the build that replaced it, for requests still reading it
Progress = Callable[[int, int], None]


class BuildLocked(Exception):
    """Another build holds the lock."""


@dataclass
class BuildReport:
    path: Path
    documents: int
    seconds: float
    full: bool = True  # a full build; False for an update of some records (indexer/update.py)


@contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on root/build.lock; fail at once, with a clear message, if it is taken."""
    with exclusive(root / LOCK, lambda holder: BuildLocked(
            f"Another build is running on {root} (pid {holder}); wait for it to finish, then try again.")):
        yield


@contextmanager
def exclusive(path: Path, refused: Callable[[str], Exception]) -> Iterator[None]:
    """Hold an exclusive lock on a file (it names the holding process); raise refused(holder's pid) if taken.

    The kernel releases the lock when the process ends, however it ends, so a killed build blocks nothing.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise refused(handle.read().strip() or "unknown") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_index(corpus: Corpus, root: Path | str, progress: Progress | None = None) -> BuildReport:
    """Index the whole corpus into a new build and publish it; the old build serves until then."""
    root = Path(root)
    started = time.perf_counter()
    with build_lock(root):
        return build_locked(corpus, root, progress, started)


def build_locked(corpus: Corpus, root: Path, progress: Progress | None, started: float) -> BuildReport:
    """build_index's work, for a caller that already holds the build lock.

    The quote index is written by a second process meanwhile; documents are made one at a time
    and only their facet values kept, so memory does not grow with the corpus's pages.
    """
    with staged_build(root) as target:
        total = build_into(corpus, target, progress)
    return BuildReport(target, total, time.perf_counter() - started)


def build_into(corpus: Corpus, target: Path, progress: Progress | None = None) -> int:
    """Write a whole build (index, scored postings, sidecars, quote index) into an empty folder; return its documents."""
    total = document_count(corpus)
    give_back_free_memory()  # free pages left shared by the fork would be copied by whichever process reuses them
    with alongside(build_quote_index, corpus, target):
        facets = _write_index(target, iter_documents(corpus), total, progress)
        _write_impacts(target)
        _write_sidecars(target, corpus, facets)
        write_suggestions(target, corpus)
    check_build(target, total)
    return total


@contextmanager
def staged_build(root: Path) -> Iterator[Path]:
    """A fresh build folder to fill: published when the block completes, removed when it raises."""
    target = new_build_dir(root)
    try:
        yield target
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    publish(root, target)
    prune(root, keep=target)
    keep_parts_of(target)


def new_build_dir(root: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = root / BUILDS / f"{stamp}-{os.getpid()}"
    target.mkdir(parents=True)
    return target


def _write_index(target: Path, docs: Iterator[IndexDoc], total: int, progress: Progress | None) -> FacetRows:
    """Index the documents; return each one's id and facet values, in document-number order."""
    ix = index.create_in(str(target), build_schema())
    # small pools: they spill sorted runs to disk either way, and big ones were the build's peak of memory;
    # compound files are copied into memory per reader
    writer = ix.writer(limitmb=6, compound=False)
    kept = FacetRows()
    words = VocabularyCounter()
    try:
        for number, doc in enumerate(docs):
            writer.add_document(**index_fields(doc))
            words.add(spelled_text(doc))
            kept.add(doc.id, doc.facets)
            if progress:
                progress(number + 1, total)
        words.write(target / VOCABULARY)
        del words  # before the commit, the build's peak of memory
        forget_remembered(writer.schema)
        writer.commit(optimize=True)  # one segment: document numbers follow `docs`, as facets.json assumes
    except BaseException:
        writer.cancel()
        raise
    if len(kept) != total:
        raise RuntimeError(f"index check failed: {len(kept)} documents made, {total} expected")
    return kept


def _write_impacts(target: Path) -> None:
    """Precompute every search-field posting's score (see impacts.py)."""
    ix = index.open_dir(str(target))
    try:
        with ix.reader() as reader:
            write_impacts(target / IMPACTS, reader, SCORED_FIELDS, positioned=POSITIONED_FIELDS)
    finally:
        ix.close()


def index_fields(doc: IndexDoc) -> dict:
    topics_text = " ".join(doc.facets.get("topic", []))
    result = result_value(doc.payload, doc.body, short_codes(doc.facets.get("language", [])))
    reindexed_by = ",".join(v.replace(",", " ") for v in doc.facets.get(REINDEXED_BY, []))
    return dict(id=doc.id, title=doc.title, body=doc.body, names=doc.names, affiliation=doc.affiliation,
                topics_text=topics_text, record=doc.record, quoted=doc.quoted, facets=doc.facets,
                **{RESULT_FIELD: result, REINDEXED_BY: reindexed_by}, **doc.localized)


def spelled_text(doc: IndexDoc) -> str:
    """The text whose words the build's vocabulary (vocabulary.py) counts: what did-you-mean may correct to."""
    return "\n".join((doc.title, doc.body, doc.names, doc.affiliation))


def _write_sidecars(target: Path, corpus: Corpus, kept: FacetRows) -> None:
    write_facets(target / FACETS, {"labels": facet_labels(corpus), "pinned": pinned_values(corpus)}, kept,
                 {"notes": corpus_facet_notes(corpus)})
    write_meta(target, corpus, len(kept))


def write_meta(target: Path, corpus: Corpus, documents: int, lineage: str | None = None,
               catalogued: dict | None = None) -> None:
    """meta.json: the schema version the build needs, and the index-wide data the pages show.

    `lineage` names the full build a build descends from (updates keep their source's): a
    compaction that finds another lineage published knows a full build ran meanwhile.
    """
    meta = {"schema_version": SCHEMA_VERSION, "facets": list(FACET_FIELDS), "documents": documents, "lineage": lineage or uuid.uuid4().hex,
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "corpus": str(corpus.root), "catalogue": catalogued or catalogue(corpus), "synonyms": corpus.synonyms,
            "files": segment_files(target)}
    (target / META).write_text(json.dumps(meta), encoding="utf-8")


def check_build(target: Path, expected: int) -> None:
    ix = index.open_dir(str(target))
    try:
        if ix.doc_count() != expected:
            raise RuntimeError(f"index check failed: {ix.doc_count()} documents written, {expected} expected")
    finally:
        ix.close()


def write_suggestions(target: Path, corpus: Corpus) -> None:
    """Suggestion entries for typing ahead: named things, plus the index's most frequent words."""
    entries = corpus_entries(corpus) + term_entries(*Vocabulary(target).counts())
    (target / SUGGEST).write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")


def prune(root: Path, keep: Path) -> None:
    """Keep the newest complete builds; remove older ones once they have been replaced for REPLACED_KEPT_S (a
    request that began on one keeps reading its files while saves publish newer builds), and remove at once any
    build a killed process left half-written.

    Runs under the build lock, so no folder without meta.json can belong to a build still running.
    """
    folders = sorted((p for p in (root / BUILDS).iterdir() if p.is_dir()), key=lambda p: p.name)
    complete = [p for p in folders if (p / META).is_file()]
    now = time.time()
    for old in folders:
        if old == keep:
            continue
        if old not in complete or (old in complete[:-KEEP_BUILDS] and _replaced_since(old, complete) < now - REPLACED_KEPT_S):
            shutil.rmtree(old, ignore_errors=True)


def _replaced_since(build: Path, complete: list[Path]) -> float:
    """When the build after this one was finished (its meta.json written, just before it was published)."""
    try:
        return (complete[complete.index(build) + 1] / META).stat().st_mtime
    except OSError:
        return 0.0


def built_by_another_version(root: Path | str) -> bool:
    """Whether the published build, or its quote index, has another schema version (or other facets) than this
    program writes (damage is reported where the index is opened); False when there is none."""
    try:
        build = current_build(Path(root))
        meta = json.loads((build / META).read_text(encoding="utf-8"))
        quotes = json.loads((build / QUOTES / META).read_text(encoding="utf-8"))
    except (IndexUnavailable, OSError, ValueError):
        return False
    return (isinstance(meta, dict) and not built_for_this_program(meta)
            or isinstance(quotes, dict) and quotes.get("schema_version") != QUOTES_SCHEMA_VERSION)


def index_exists(root: Path | str) -> bool:
    try:
        current_build(Path(root))
        return True
    except IndexUnavailable:
        return False
