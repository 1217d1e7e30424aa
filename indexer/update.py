"""Update the published build after a few records changed: a new build that shares the old one's files.

A full build reads and indexes every record; after one edit most of that work is already on disk.
An update hard-links the published build's files into a new build folder (Whoosh never rewrites a
segment), deletes the documents the edit touches, adds their new versions as a small segment, scores
just that segment's postings, rewrites the small sidecar files, and publishes the folder exactly as
a full build is published. The old build keeps serving until then, and a failure leaves it serving.

What an edit touches: a talk's document, and the documents that show its title or links (its
speakers' and its session's, before and after the edit); a speaker's document and its talks'; a
session's document, its talks' and their speakers'. The quote index changes for every touched talk.
A change to the taxonomy or to a conference, a new schema, or many updates in a row (segments pile
up) make a full build instead; so does the lack of a published build.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Iterable

from whoosh import index, query as wq

from archive import Corpus

from .build import (BuildReport, PAIRED_FIELDS, SCORED_FIELDS, Progress, build_lock, build_locked, check_build,
                    index_fields, staged_build, write_meta)
from .documents import IndexDoc, facet_labels, pinned_values, session_doc, speaker_doc, talk_doc
from .impacts import IMPACTS, UPDATE_SUFFIX, write_impacts
from .layout import FACETS, META, SUGGEST, IndexUnavailable, current_build
from .lookup import TALK_KINDS
from .page_data import catalogue
from .quotes_index import (QUOTE_FIELDS, QUOTES, QUOTES_SCHEMA_VERSION, quote_documents, quote_fields, write_quote_meta)
from .schema import SCHEMA_VERSION
from .suggest import corpus_entries

MAX_SEGMENTS = 8  # past this many segments an update is a full build, which also merges them


def update_index(corpus: Corpus, root: Path | str, changed: Iterable[str],
                 progress: Progress | None = None) -> BuildReport:
    """Publish a build that reflects the changed records (by id); a full build when an update cannot do it."""
    root = Path(root)
    started = time.perf_counter()
    with build_lock(root):
        current = _updatable(root, corpus)
        if current is None:
            return build_locked(corpus, root, progress, started)
        with staged_build(root) as target:
            _link_tree(current, target)
            old = _old_facets(current)
            touched = touched_records(corpus, set(changed), old)
            documents = _update_main(corpus, target, touched)
            _update_quotes(corpus, target, {i for i in touched if i in corpus.talks
                                            or set(old.get(i, {}).get("kind", [])) & set(TALK_KINDS)})
            _update_suggestions(target, corpus)
            check_build(target, documents)
    return BuildReport(target, len(touched), time.perf_counter() - started)


def _updatable(root: Path, corpus: Corpus) -> Path | None:
    """The published build when an update can follow from it, else None (then a full build runs)."""
    try:
        current = current_build(root)
        meta = json.loads((current / META).read_text(encoding="utf-8"))
        quotes_meta = json.loads((current / QUOTES / META).read_text(encoding="utf-8"))
    except (IndexUnavailable, OSError, ValueError):
        return None
    if meta.get("schema_version") != SCHEMA_VERSION or quotes_meta.get("schema_version") != QUOTES_SCHEMA_VERSION:
        return None
    new = json.loads(json.dumps(catalogue(corpus)))
    old = meta.get("catalogue", {})
    if old.get("topics") != new["topics"] or old.get("conferences") != new["conferences"]:
        return None  # topics or conference data appear on every document: rebuild them all
    if _segments(current) >= MAX_SEGMENTS or _segments(current / QUOTES) >= MAX_SEGMENTS:
        return None
    return current


def _update_suggestions(target: Path, corpus: Corpus) -> None:
    """Named things afresh; the common words of the last full build (one edit hardly moves them)."""
    old = json.loads((target / SUGGEST).read_text(encoding="utf-8"))
    entries = corpus_entries(corpus) + [e for e in old if e.get("kind") == "term"]
    _replace_json(target / SUGGEST, entries)


def _segments(folder: Path) -> int:
    """Whoosh segments in a build's index: the full build's, plus one per update that added documents."""
    return 1 + len(list(folder.glob(IMPACTS + UPDATE_SUFFIX + "*")))


def _link_tree(source: Path, target: Path) -> None:
    """Hard-link every file of source into target (same file system, so no data is copied)."""
    for path in source.rglob("*"):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, destination)


def _old_facets(build: Path) -> dict[str, dict[str, list[str]]]:
    """Each live document's facet values by id, as the published build holds them."""
    data = json.loads((build / FACETS).read_text(encoding="utf-8"))  # every build this schema accepts has ids
    return {ident: facets for ident, facets in zip(data["ids"], data["docs"]) if ident}


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


def record_documents(corpus: Corpus, ids: set[str]) -> list[IndexDoc]:
    """The documents of the given records that still exist."""
    docs = []
    for ident in sorted(ids):
        if ident in corpus.talks:
            docs.append(talk_doc(corpus, corpus.talks[ident]))
        elif ident in corpus.speakers:
            docs.append(speaker_doc(corpus, corpus.speakers[ident]))
        elif ident in corpus.sessions:
            docs.append(session_doc(corpus, corpus.sessions[ident]))
    return docs


def _update_main(corpus: Corpus, target: Path, touched: set[str]) -> int:
    docs = record_documents(corpus, touched)
    live = _update_folder(target, corpus, "id", touched, (SCORED_FIELDS, PAIRED_FIELDS), lambda ranks: [
        (index_fields(doc, 0), doc.facets, ranks.get(doc.id)) for doc in docs])
    write_meta(target, corpus, live)
    return live


def _update_quotes(corpus: Corpus, build: Path, talks: set[str]) -> None:
    quotes = quote_documents(corpus, talks)
    live = _update_folder(build / QUOTES, corpus, "talk", talks, (QUOTE_FIELDS, QUOTE_FIELDS), lambda ranks: [
        (quote_fields(payload, 0), doc_facets, _sentence_rank(ranks.get(payload["talk"]["id"]), payload))
        for payload, doc_facets in quotes])
    write_quote_meta(build / QUOTES, corpus, live)


def _update_folder(folder: Path, corpus: Corpus, field: str, keys: set[str],
                   impact_fields: tuple[tuple[str, ...], tuple[str, ...]], added_for) -> int:
    """Replace the documents whose `field` is one of keys with added_for(their programme ranks); return the live count.

    meta.json is removed for the caller to write anew (it is a hard link into the old build).
    """
    facets = json.loads((folder / FACETS).read_text(encoding="utf-8"))
    ix = index.open_dir(str(folder))
    try:
        added = added_for(_ranks(ix, facets, keys, field))
        live = _apply(ix, folder, [wq.Term(field, key) for key in keys], added, facets, impact_fields)
    finally:
        ix.close()
    facets["labels"], facets["pinned"] = facet_labels(corpus), pinned_values(corpus)
    _replace_json(folder / FACETS, facets)
    (folder / META).unlink()
    return live


def _sentence_rank(talk_rank: float | None, payload: dict) -> float | None:
    return None if talk_rank is None else talk_rank + payload["sentence"] * 1e-4


def _ranks(ix, facets: dict, keys: set[str], field: str) -> dict[str, float]:
    """Each key's earliest programme rank among the live documents whose field holds it."""
    order = facets.get("order") or list(range(len(facets["docs"])))
    ranks = {}
    with ix.searcher() as searcher:
        for key in keys:
            found = [order[n] for n in searcher.docs_for_query(wq.Term(field, key))]
            if found:
                ranks[key] = min(found)
    return ranks


def _apply(ix, folder: Path, deletions: list, added: list[tuple[dict, dict, float | None]], facets: dict,
           impact_fields: tuple[tuple[str, ...], tuple[str, ...]]) -> int:
    """Delete, add as one new segment, extend the facet table, score the new segments; return the live count."""
    writer = ix.writer(compound=False)
    try:
        for q in deletions:
            writer.delete_by_query(q)
        for fields, _, _ in added:
            writer.add_document(**fields)
        writer.commit(merge=False)  # keep existing document numbers: the sidecars are indexed by them
    except BaseException:
        writer.cancel()
        raise
    order = facets.get("order") or list(range(len(facets["docs"])))
    last = max(order, default=-1)
    ids = facets.get("ids") or [None] * len(facets["docs"])
    for number, (fields, doc_facets, rank) in enumerate(added, start=1):
        facets["docs"].append(doc_facets)
        ids.append(fields["id"])
        order.append(rank if rank is not None else last + number)
    with ix.reader() as reader:
        live = set(reader.all_doc_ids())
        deleted = [n for n in range(reader.doc_count_all()) if n not in live]
        for n in deleted:
            facets["docs"][n], ids[n] = {}, None
        if added:  # the newest segment is this update's only when it added documents
            number = len(list(folder.glob(IMPACTS + UPDATE_SUFFIX + "*"))) + 1
            scored, paired = impact_fields  # scored postings, and word-pair tables
            write_impacts(folder / f"{IMPACTS}{UPDATE_SUFFIX}{number:04d}", reader, scored, update=True,
                          paired=paired)
    facets["order"], facets["deleted"], facets["ids"] = order, deleted, ids
    return len(live)


def _replace_json(path: Path, data: dict) -> None:
    """Write a new file in place of a hard link, so the old build's copy stays as it was."""
    path.unlink()
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
