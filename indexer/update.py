"""Update the published build after a few records changed: a new build that shares the old one's files.

A full build reads and indexes every record; after one edit most of that work is already on disk.
An update hard-links the published build's files into a new build folder (Whoosh never rewrites a
segment), deletes the documents the edit touches, adds their new versions as a small segment, scores
just that segment's postings, rewrites the small sidecar files, and publishes the folder exactly as
a full build is published. The old build keeps serving until then, and a failure leaves it serving.

What an edit touches: a talk's document, and the documents that show its title or links (its
speakers' and its session's, before and after the edit); a speaker's document and its talks'; a
session's document, its talks' and their speakers'. The quote index changes for every touched talk.
A change to a conference (an import adds one) re-indexes that conference's records. A change to the
taxonomy, a new schema, or very many updates in a row (segments pile up; the editor compacts them
long before, see compaction.py) make a full build instead; so does the lack of a published build.
"""

from __future__ import annotations

import json
import os
import time
from array import array
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable

from whoosh import index

from archive import Corpus
from archive.load import collector_paused
from archive.topic_strength import Mention, talk_mentions

from .build import (BuildReport, POSITIONED_FIELDS, SCORED_FIELDS, Progress, build_lock, build_locked, index_fields,
                    spelled_text, staged_build, write_meta)
from .documents import IndexDoc, corpus_facet_notes, document_ids, facet_labels, pinned_values, session_doc, speaker_doc, talk_doc
from .facet_files import added_orders, parsed_table, write_update
from .impacts import IMPACTS, UPDATE_SUFFIX, write_impacts
from .key_lookup import live_documents
from .layout import META, SUGGEST, IndexUnavailable, current_build
from .lookup import TALK_KINDS
from .analysis import text_analyzer
from .page_data import catalogue
from .postings import newest_segment_reader, stored_record
from .result_column import result_fields
from .quotes_index import QUOTES, QUOTES_SCHEMA_VERSION, quote_fields, span_rows, talks_quoted, write_quote_meta
from .sentence_postings import UPDATE_PART as SPANS_UPDATE, update_part_path, write_rows
from .schema import REINDEXED_BY, built_for_this_program
from .suggest import corpus_entries
from .vocabulary import write_update as write_vocabulary_update

MAX_SEGMENTS = 64  # past this many segments an update is a full build; the editor compacts long before (compaction.py)


def update_index(corpus: Corpus, root: Path | str, changed: Iterable[str],
                 progress: Progress | None = None) -> BuildReport:
    """Publish a build that reflects the changed records (by id); a full build when an update cannot do it."""
    root = Path(root)
    started = time.perf_counter()
    # no collector passes: an update makes a few hundred thousand short-lived objects and no lasting cycles
    with build_lock(root), collector_paused():
        updatable = _updatable(root, corpus)
        if updatable is None:
            return build_locked(corpus, root, progress, started)
        current, conferences, catalogued = updatable
        return update_locked(corpus, root, set(changed) | conference_records(corpus, current, conferences),
                             current, started, catalogued, conferences_same=not conferences)


def update_locked(corpus: Corpus, root: Path, changed: set[str], source: Path, started: float,
                  catalogued: dict | None = None, conferences_same: bool = False) -> BuildReport:
    """update_index's work from the given build, for a caller that holds the build lock: publishes a new build.
    conferences_same: the caller checked that no conference's own data changed (see _update_main)."""
    with staged_build(root) as target:
        _link_tree(source, target)
        with _opened(target) as (ix, searcher):  # one reader: opening every segment's tables costs more than the reads
            old = _old_facets(searcher, changed)
            touched = touched_records(corpus, changed, old)
            built = _built_mentions(searcher, _shown_talks(corpus, touched) - changed)
            before = _old_facets(searcher, touched) if conferences_same else None
            labels = {"labels": facet_labels(corpus), "pinned": pinned_values(corpus)}  # both indexes' (ids name them)
            same, docnums = _update_main(corpus, (ix, searcher), target, touched, labels, catalogued, built, before)
        _update_quotes(corpus, target, {i for i in touched if i in corpus.talks
                                        or set(old.get(i, {}).get("kind", [])) & set(TALK_KINDS)}, labels, docnums)
        if not (same and changed <= corpus.talks.keys()):  # else no name, count or organisation can have changed
            _update_suggestions(target, corpus)
    return BuildReport(target, len(touched), time.perf_counter() - started, full=False)


def _updatable(root: Path, corpus: Corpus) -> tuple[Path, set[str], dict] | None:
    """The published build when an update can follow from it, with the conferences whose data changed
    (added, edited or removed: their records are all re-indexed); None when a full build must run."""
    try:
        current = current_build(root)
        meta = json.loads((current / META).read_text(encoding="utf-8"))
        quotes_meta = json.loads((current / QUOTES / META).read_text(encoding="utf-8"))
    except (IndexUnavailable, OSError, ValueError):
        return None
    if not built_for_this_program(meta) or quotes_meta.get("schema_version") != QUOTES_SCHEMA_VERSION:
        return None
    catalogued = catalogue(corpus)
    new = _as_json(catalogued)
    old = meta.get("catalogue", {})
    if old.get("topics") != new["topics"]:
        return None  # topics appear on every document: rebuild them all
    if segment_count(current) >= MAX_SEGMENTS or segment_count(current / QUOTES) >= MAX_SEGMENTS:
        return None
    before = {c["id"]: c for c in old.get("conferences", [])}
    after = {c["id"]: c for c in new["conferences"]}
    return current, {ident for ident in before.keys() | after.keys() if before.get(ident) != after.get(ident)}, catalogued


def _as_json(catalogued: dict) -> dict:
    """The catalogue as meta.json gives it back (tuples as lists), worked out once per catalogue object."""
    last = _JSON_FORM.get("last")
    if last is None or last[0] is not catalogued:
        last = _JSON_FORM["last"] = (catalogued, json.loads(json.dumps(catalogued)))
    return last[1]


_JSON_FORM: dict[str, tuple] = {}


def conference_records(corpus: Corpus, build: Path, conferences: set[str]) -> set[str]:
    """Every record of the given conferences, in the corpus now and in the build (an import adds a conference's
    records, an edit of its date or name shows on all of them, a removal takes them away)."""
    if not conferences:
        return set()
    found = {t.id for t in corpus.talks.values() if t.conference in conferences}
    found |= {s.id for s in corpus.sessions.values() if s.conference in conferences}
    found |= {s.id for s in corpus.speakers.values() if any(a.conference in conferences for a in s.appearances)}
    ix = index.open_dir(str(build))
    try:
        with ix.searcher() as searcher:  # by key, segment by segment: a scored query asks every segment per segment
            reader = searcher.reader()
            for docnums in live_documents(reader, REINDEXED_BY, sorted(conferences)).values():
                found |= {stored_record(reader, n)["id"] for n in docnums}
    finally:
        ix.close()
    return found


def _update_suggestions(target: Path, corpus: Corpus) -> None:
    """Named things afresh; the common words of the last full build (one edit hardly moves them). Skipped when only
    talks changed and no facet value did: the names, talk counts and organisations it lists are then as they were."""
    old = json.loads((target / SUGGEST).read_text(encoding="utf-8"))
    named = corpus_entries(corpus)
    if named != [e for e in old if e.get("kind") != "term"]:  # most edits rename nothing: keep the file
        _replace_json(target / SUGGEST, named + [e for e in old if e.get("kind") == "term"])


def segment_count(folder: Path) -> int:
    """Whoosh segments in a build's index: the full build's, plus one per update that added documents, each of
    which wrote one part (scored postings in the main index, sentence spans in the quote index)."""
    return 1 + len(list(folder.glob(IMPACTS + UPDATE_SUFFIX + "*"))) + len(list(folder.glob(SPANS_UPDATE + "*")))


def _link_tree(source: Path | str, target: Path | str) -> None:
    """Hard-link every file of source into target (same file system, so no data is copied). A build gains some
    sixty files per update, so this runs on open folder descriptors: each link then names a file within its
    folder instead of the kernel walking both full paths again (a third of the linking time)."""
    os.makedirs(target, exist_ok=True)
    source_fd = os.open(source, os.O_RDONLY | os.O_DIRECTORY)
    try:
        target_fd = os.open(target, os.O_RDONLY | os.O_DIRECTORY)
        try:
            with os.scandir(source_fd) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        _link_tree(os.path.join(source, entry.name), os.path.join(target, entry.name))
                    else:
                        os.link(entry.name, entry.name, src_dir_fd=source_fd, dst_dir_fd=target_fd)
        finally:
            os.close(target_fd)
    finally:
        os.close(source_fd)


@contextmanager
def _opened(folder: Path):
    """An index folder and a searcher of it, both closed after the block."""
    ix = index.open_dir(str(folder))
    try:
        with ix.searcher() as searcher:
            yield ix, searcher
    finally:
        ix.close()


def _old_facets(searcher, ids: set[str]) -> dict[str, dict[str, list[str]]]:
    """The given records' facet values as the published build holds them (read from their stored fields)."""
    return {ident: fields.get("facets", {}) for ident, fields in _stored(searcher, ids).items()}


def _stored(searcher, ids: set[str]) -> dict[str, dict]:
    """The stored fields of the given records that the build holds, by id."""
    found = live_documents(searcher.reader(), "id", ids)
    return {ident: searcher.stored_fields(docnums[0]) for ident, docnums in found.items() if docnums}


def touched_records(corpus: Corpus, changed: set[str], old: dict[str, dict[str, list[str]]]) -> set[str]:
    """The ids whose documents show something of the changed records, before or after the change."""
    touched = set(changed)
    for ident in changed:
        before = old.get(ident, {})
        touched |= set(before.get("speaker", [])) | set(before.get("session", []))
        if ident in corpus.talks:
            talk = corpus.talks[ident]
            touched |= set(talk.speakers) | ({talk.session} if talk.session else set())
        elif ident in corpus.speakers:
            for talk in corpus.talks_by_speaker(ident):
                touched |= {talk.id} | ({talk.session} if talk.session else set())
            touched |= {a.session for a in corpus.speakers[ident].appearances if a.session}
        elif ident in corpus.sessions:
            for talk in corpus.talks_in_session(ident):
                touched |= {talk.id, *talk.speakers}
    return touched


def record_documents(corpus: Corpus, ids: set[str], built: dict[str, list[Mention]] | None = None) -> list[IndexDoc]:
    """The documents of the given records that still exist; `built` holds talks' mentions as the build has them."""
    built = built or {}

    def mentions_of(talk):
        known = built.get(talk.id)
        return known if known is not None else talk_mentions(corpus.topics, talk)
    docs = []
    for ident in sorted(ids):
        if ident in corpus.talks:
            docs.append(talk_doc(corpus, corpus.talks[ident]))
        elif ident in corpus.speakers:
            docs.append(speaker_doc(corpus, corpus.speakers[ident], mentions_of))
        elif ident in corpus.sessions:
            docs.append(session_doc(corpus, corpus.sessions[ident], mentions_of))
    return docs


def _same_facets(docs: list[IndexDoc], before: dict | None) -> bool:
    """Whether the documents replace ones with exactly their facet values (none added or removed). The facet
    notes (which conferences fill a facet) then stay as they are: they follow from facet values and
    conference names alone, and working them out reads every record (a tenth of a second at 10,000 talks)."""
    return before is not None and len(before) == len(docs) and all(before.get(d.id) == d.facets for d in docs)


def _shown_talks(corpus: Corpus, ids: set[str]) -> set[str]:
    """The talks whose mentions the documents of these speakers and sessions gather."""
    found = set()
    for ident in ids:
        if ident in corpus.speakers:
            found |= {talk.id for talk in corpus.talks_by_speaker(ident)}
        elif ident in corpus.sessions:
            found |= {talk.id for talk in corpus.talks_in_session(ident)}
    return found


def _built_mentions(searcher, talks: set[str]) -> dict[str, list[Mention]]:
    """The mentions of unchanged talks, read from their documents in the build instead of worked out again.

    A speaker's document gathers the topics all their talks mention; working that out reads every
    sentence of every talk (a tenth of a second per save at 10,000 talks). A talk the update does not
    change has the text, and, since a taxonomy change is a full build, the mentions it was built with.
    """
    reader = searcher.reader()
    found = live_documents(reader, "id", talks)
    return {ident: [Mention(m["topic"], tuple(m.get("sentences", ())))
                    for m in result_fields(reader, docnums[0])["payload"].get("mentions", [])]
            for ident, docnums in found.items() if docnums}


def _update_main(corpus: Corpus, opened: tuple, target: Path, touched: set[str], labels: dict,
                 catalogued: dict | None = None, built: dict[str, list[Mention]] | None = None,
                 before: dict | None = None) -> tuple[bool, dict[str, int]]:
    """Re-index the touched records in the opened main index (ix, searcher); return whether their facet values are
    all as `before` (the touched documents' facet values in the build, given when no conference's own data changed)
    and the re-indexed records' new document numbers."""
    order = document_ids(corpus)
    position = {ident: number for number, ident in enumerate(order)}
    docs = sorted(record_documents(corpus, touched, built), key=lambda doc: position[doc.id])
    lineage = json.loads((target / META).read_text(encoding="utf-8")).get("lineage")
    same = _same_facets(docs, before)
    if not same:
        labels = {**labels, "notes": corpus_facet_notes(corpus)}
    live, deleted, first = _update_folder(opened, target, "id", touched, (SCORED_FIELDS, POSITIONED_FIELDS), labels,
                                          [(index_fields(doc), doc.facets, doc.id) for doc in docs], order)
    write_vocabulary_update(target, [spelled_text(doc) for doc in docs], deleted, first)
    write_meta(target, corpus, live, lineage, catalogued)
    return same, {doc.id: first + number for number, doc in enumerate(docs)}


def _update_quotes(corpus: Corpus, build: Path, talks: set[str], labels: dict, docnums: dict[str, int]) -> None:
    """Replace the quotes of the given talks, and add their sentences' spans in the talks' new documents
    (`docnums`, from the main index's update) as one more part of the sentence table."""
    analyzer, rows, added = text_analyzer(), array("i"), []
    for talk, found in talks_quoted(corpus, talks):  # in programme order, as the talks' new documents are
        rows.extend(span_rows(analyzer, talk, [record for record, _ in found], docnums[talk.id]))
        added += [(quote_fields(record), doc_facets, record["talk"]) for record, doc_facets in found]
    with _opened(build / QUOTES) as opened:
        live, _, _ = _update_folder(opened, build / QUOTES, "talk", talks, ((), ()), labels, added,
                                    [talk.id for talk in corpus.ordered_talks()])
    if added:
        write_rows(update_part_path(build / QUOTES), rows)
    write_quote_meta(build / QUOTES, corpus, live)


def _update_folder(opened: tuple, folder: Path, field: str, keys: set[str],
                   impact_fields: tuple[tuple[str, ...], tuple[str, ...]], labels: dict, added: list[tuple[dict, dict, str]],
                   order: list[str]) -> tuple[int, list[int], int]:
    """Replace the documents whose `field` is one of keys with `added` ((fields, facet values, key) in programme
    order) in the opened index folder (ix, searcher); return the live count, the deleted document numbers and the
    number of the first added one. `order` is every key in programme order, which places the added documents.

    Writes a facet update file (facet_files.py) instead of rewriting facets.json; meta.json is
    removed for the caller to write anew (it is a hard link into the old build).
    """
    ix, searcher = opened  # one reader for all the reading: opening a segment's tables is costly
    orders = _all_orders(searcher.reader(), folder)
    doomed = {n for docnums in live_documents(searcher.reader(), field, keys).values() for n in docnums}
    anchors = _anchors(searcher, field, orders, order, keys)
    first = searcher.doc_count_all()  # the added documents are numbered after every earlier one
    live = _apply(ix, searcher.reader(), folder, sorted(doomed), added, impact_fields)
    previous = parsed_table(folder)  # labels it already has are not written again (they name every speaker)
    write_update(folder, {"docs": [doc_facets for _, doc_facets, _ in added], "ids": [f["id"] for f, _, _ in added],
                          "order": _placed(added, anchors, max(orders, default=-1)), "deleted": sorted(doomed),
                          **{key: value for key, value in labels.items()
                             if previous is None or value != getattr(previous, key)}})
    (folder / META).unlink()
    return live, sorted(doomed), first


def _anchors(searcher, field: str, orders: list[float], order: list[str], keys: set[str]) -> dict[str, tuple]:
    """For each key, the programme ranks its new documents go between: the last rank of the nearest key before
    it (in `order`) that this update leaves in place, and the first rank of the nearest one after it."""
    position = {key: number for number, key in enumerate(order)}
    reader = searcher.reader()

    def neighbour(number: int, step: int, pick) -> float | None:
        while 0 <= number < len(order):
            found = [] if order[number] in keys else live_documents(reader, field, [order[number]])[order[number]]
            if found:
                return pick(orders[n] for n in found)
            number += step
        return None

    anchors = {}
    for key in keys:
        if key in position:
            low = neighbour(position[key] - 1, -1, max)
            high = neighbour(position[key] + 1, 1, min)
            anchors[key] = (-1.0 if low is None else low, high)
    return anchors


def _placed(added: list[tuple[dict, dict, str]], anchors: dict[str, tuple], last: float) -> list[float]:
    """Programme ranks of the added documents: spread evenly between their neighbours' ranks, in the order given."""
    groups: dict[tuple, list[int]] = {}
    for number, (_, _, key) in enumerate(added):
        low, high = anchors.get(key, (last, None))
        groups.setdefault((low, high if high is not None else max(low, last) + 1.0), []).append(number)
    ranks = [0.0] * len(added)
    for (low, high), members in groups.items():
        for place, number in enumerate(members, start=1):
            ranks[number] = low + (high - low) * place / (len(members) + 1)
    return ranks


def _all_orders(reader, folder: Path) -> list[float]:
    """Every document's programme rank: the full build's are its document numbers, the updates' are in their files."""
    leaves = reader.leaf_readers()
    base = leaves[0][0].doc_count_all() if leaves else 0
    return [*range(base), *added_orders(folder)]


def _apply(ix, before, folder: Path, deletions: list[int], added: list[tuple[dict, dict, float | None]],
           impact_fields: tuple[tuple[str, ...], tuple[str, ...]]) -> int:
    """Delete (by document number), add as one new segment, score the new segment's postings; return the live count.
    `before` is a reader of the index as it was (the deleted documents are among its live ones)."""
    writer = ix.writer(compound=False)
    try:
        for docnum in deletions:
            writer.delete_document(docnum)
        for fields, _, _ in added:
            writer.add_document(**fields)
        writer.commit(merge=False)  # keep existing document numbers: the sidecars are indexed by them
    except BaseException:
        writer.cancel()
        raise
    scored, positioned = impact_fields  # scored postings, and word positions for phrases (none for quotes)
    if added and scored:  # the newest segment is this update's only when it added documents
        with newest_segment_reader(ix) as segment:
            number = len(list(folder.glob(IMPACTS + UPDATE_SUFFIX + "*"))) + 1
            write_impacts(folder / f"{IMPACTS}{UPDATE_SUFFIX}{number:04d}", _Grown(before, segment), scored,
                          update=True, positioned=positioned)
    return before.doc_count() - len(deletions) + len(added)


class _Grown:
    """The index after an update's commit as write_impacts reads it: the reader from before with the added segment
    after its segments. Counts and field lengths include deleted documents, as Whoosh's do, so deleting
    changes neither."""

    def __init__(self, before, segment):
        self.before, self.segment = before, segment

    def doc_count_all(self) -> int:
        return self.before.doc_count_all() + self.segment.doc_count_all()

    def field_length(self, field: str) -> int:
        return self.before.field_length(field) + self.segment.field_length(field)

    def leaf_readers(self) -> list:
        return [*self.before.leaf_readers(), (self.segment, self.before.doc_count_all())]


def _replace_json(path: Path, data: dict) -> None:
    """Write a new file in place of a hard link, so the old build's copy stays as it was."""
    path.unlink()
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
