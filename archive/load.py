"""Load a whole corpus folder: read every file, tag topics, check references, report all problems."""

from __future__ import annotations

import fnmatch
import gc
import glob
import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping

from . import checks, loader
from .corpus import Corpus
from .folder_watch import Entry, folder_watch, signature_of
from .frontmatter import Document
from .problems import ERROR, CorpusError, Problem
from .records import Speaker, Talk
from .synonyms import load_synonyms
from .importers.staging import JOURNAL as IMPORT_JOURNAL
from .taxonomy import assign_topics, load_taxonomy
from .writer import writes_so_far


def inspect_corpus(root: Path | str, overrides: Mapping[Path, str] | None = None,
                   reuse: bool = False, as_written: bool = False) -> tuple[Corpus, list[Problem]]:
    """Load what can be loaded and return it with every problem found (errors and warnings).

    `overrides` maps files (absolute paths) to a proposed new text, read in their place: the editor
    checks a save this way before writing it, without copying the corpus. With `reuse`, the corpus
    loaded last time is returned as it is when no file has changed since (or when the only change is
    a save `remember_written` was told of): the caller must not modify it. With `as_written` too, a
    corpus remembered by `remember_written` is returned without looking at the files at all, as long
    as this process has written nothing else since (see `remember_written`).
    """
    with _collector_paused():
        return _inspect(Path(root), overrides, reuse, as_written)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection during the block (the state before it is restored after): for work that makes
    many objects and no lasting reference cycles, whose collector passes would only rescan the survivors."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _collector_paused():
    """No garbage collection while a corpus loads: it makes tens of thousands of objects, and the collector's
    full passes over them were a third of a reload's time at 10,000 talks. Loading makes no reference cycles.

    After the first load the records it remembers are moved out of the collector's sight (gc.freeze):
    they live as long as the process, and otherwise every full collection walks them again, which
    cost a save a quarter of a second every other time at 10,000 talks.
    """
    global _frozen
    with collector_paused():
        try:
            yield
        finally:
            if not _frozen:
                _frozen = True
                gc.freeze()


_frozen = False


def _inspect(root: Path, overrides: Mapping[Path, str] | None, reuse: bool,
             as_written: bool = False) -> tuple[Corpus, list[Problem]]:
    if not root.is_dir():
        raise CorpusError([Problem(str(root), 1, "corpus folder does not exist",
                                   hint="pass --corpus with the folder that holds conferences/ and speakers/")])
    overridden = _override_keys(root, overrides or {})
    last = _LAST.get(str(root))
    if reuse and as_written and not overridden and last is not None and last[3] == writes_so_far():
        return last[1], list(last[2])
    listing, inputs = _inputs(root, overridden)
    if reuse and not overridden and last is not None and last[0] == inputs:
        return last[1], list(last[2])
    problems: list[Problem] = []
    docs: dict[str, Document] = {}
    corpus = Corpus(root=root)
    _read_settings(root, corpus, problems, docs)
    derived = _derived(root, last, overridden, inputs, corpus, problems, docs) if overridden else None
    if derived is None:
        state = _LoadState(docs=docs)
        _read_all(root, corpus, problems, docs, overridden, listing, inputs, state)
        tag_corpus(corpus)
        corpus.reindex()
        state.checked = checks.check_corpus(corpus, _locator(docs), _taxonomy_path(root))
    else:
        state = derived  # its corpus's tables are made already, and its checks run
    problems += state.checked.problems()
    problems = sorted(set(problems))
    corpus.loaded_from, corpus.load_state = inputs, state
    if not overridden:
        _LAST[str(root)] = (inputs, corpus, problems, None)
    return corpus, problems


@dataclass
class _LoadState:
    """What a load found per file, kept on its corpus so that the check of the next save can start from it:
    each file's reading problems (only files that have some), the parsed documents that give problems
    their line numbers, which record (table, id) each file holds, and what the cross-record checks found."""

    docs: dict = field(default_factory=dict)
    reading: dict = field(default_factory=dict)
    places: dict = field(default_factory=dict)
    duplicates: bool = False
    checked: checks.Checked | None = None


def _read_settings(root: Path, corpus: Corpus, problems: list, docs: dict) -> None:
    """The taxonomy, the synonyms and a stopped import: the parts of a load that are not records."""
    rel_root = root.name
    if (root / IMPORT_JOURNAL).exists():
        problems.append(Problem(f"{rel_root}/{IMPORT_JOURNAL}", 1, "an import into this corpus was stopped while "
                                "its files were being moved in, so the corpus is half imported",
                                hint="run `confarchive import` again: it first puts the corpus back as it was"))
    corpus.topics, taxonomy_doc = _unless_unchanged(root / "taxonomy.yaml", load_taxonomy, f"{rel_root}/taxonomy.yaml",
                                                    problems)
    if taxonomy_doc:
        docs[f"{rel_root}/taxonomy.yaml"] = taxonomy_doc
    corpus.synonyms = _unless_unchanged(root / "synonyms.yaml", load_synonyms, f"{rel_root}/synonyms.yaml", problems)


def _locator(docs: dict):
    """locate(path, field): the line where a record's file writes a field such as 'appearances.0.session'."""
    def locate(path: str, field_name: str) -> int:
        doc = docs.get(path)
        key = tuple(int(p) if p.isdigit() else p for p in field_name.split("."))
        return doc.line_of(*key) if doc else 1
    return locate


def _taxonomy_path(root: Path) -> str:
    return f"{root.name}/taxonomy.yaml"


def _derived(root: Path, last: tuple | None, overridden: dict[str, str], inputs: dict, corpus: Corpus,
             problems: list, docs: dict) -> _LoadState | None:
    """Fill `corpus` from the last load with only the overridden files read again, when that gives what reading
    every file would: nothing else changed since, the taxonomy is the same, and each overridden file keeps its
    record's id. None when any of that does not hold (the caller reads everything).

    A save's check at 10,000 talks spent half its time putting every record into a new corpus; the
    records of unchanged files are the last corpus's own (nobody changes a loaded record: see
    `inspect_corpus`), so they are shared, with their topics; the cross-record checks redo only what the
    saved records touch (checks.recheck).
    """
    state = getattr(last[1], "load_state", None) if last is not None else None
    previous = last[1] if last is not None else None
    if (state is None or state.duplicates or state.checked is None or previous.topics is not corpus.topics
            or len(inputs) != len(last[0])
            or any(key not in state.places for key in overridden)
            or any(inputs.get(key, False) != value for key, value in last[0].items() if key not in overridden)):
        return None
    read = {attr: reader for _, reader, attr in KINDS}
    fresh, reading, read_docs = [], dict(state.reading), {}
    for key in overridden:
        attr, ident = state.places[key]
        found: list = []
        record = _read_record(key, root, read[attr], found, read_docs, overridden, set(), None)
        if record is None or record.id != ident:
            return None
        reading.pop(key, None)
        if found:
            reading[key] = found
        fresh.append((attr, record))
    for attr in ("conferences", "sessions", "talks", "speakers"):
        setattr(corpus, attr, dict(getattr(previous, attr)))
    for attr, record in fresh:
        getattr(corpus, attr)[record.id] = record
    docs.update((path, doc) for path, doc in state.docs.items() if path not in docs)
    docs.update(read_docs)
    for found in reading.values():
        problems.extend(found)
    fresh = [record for _, record in fresh]
    tag_records(corpus.topics, fresh)
    corpus.reindex_replacing(previous, fresh)
    checked = checks.recheck(state.checked, previous, corpus, fresh, _locator(docs), _taxonomy_path(root))
    return _LoadState(docs=docs, reading=reading, places=state.places, checked=checked)


# corpus folder -> (the signatures of every file it was loaded from, the corpus, its problems,
#                   writes_so_far() just after the save remember_written was told of, or None)
_LAST: dict[str, tuple[dict, Corpus, list[Problem], int | None]] = {}


def remember_written(root: Path | str, corpus: Corpus, problems: list[Problem], written: list[Path]) -> None:
    """Tell the loader that `corpus` (loaded with overrides) is now what the folder holds: the overridden files
    were written with those texts. The next `reuse` load returns it, if nothing else changed meanwhile.

    An `as_written` load (the index update that follows a save) returns it without listing the folder
    while this process has made no other write: the corpus was read from every file moments before the
    save, so what it can miss is a change another program made in those moments, which the next save's
    check reads in.
    """
    root = Path(root)
    inputs = dict(getattr(corpus, "loaded_from", None) or {})
    if not inputs:
        return
    for key in _override_keys(root, {path: "" for path in written}):
        inputs[key] = _signature(key)
    _LAST[str(root)] = (inputs, corpus, list(problems), writes_so_far())


KINDS = [("conferences/*/conference.md", loader.read_conference, "conferences"),
         ("conferences/*/sessions/*.md", loader.read_session, "sessions"),
         ("conferences/*/talks/*.md", loader.read_talk, "talks"),
         ("speakers/*.md", loader.read_speaker, "speakers")]


def _inputs(root: Path, overridden: dict[str, str]) -> tuple[list, dict]:
    """The record files per kind, and the signature of every file a load reads (None for an overridden one)."""
    signatures: dict[str, tuple | None] = {}
    folder_watch().refresh()
    listing = [(read, attr, _files(root, pattern, overridden, signatures)) for pattern, read, attr in KINDS]
    inputs = {key: None if key in overridden else signatures.get(key) for _, _, keys in listing for key in keys}
    for name in ("taxonomy.yaml", "synonyms.yaml", IMPORT_JOURNAL):
        inputs[str(root / name)] = _signature(str(root / name))
    return listing, inputs


def load_corpus(root: Path | str, reuse: bool = False, as_written: bool = False) -> Corpus:
    """Load a corpus that must be free of errors; raise CorpusError listing them all otherwise."""
    corpus, problems = inspect_corpus(root, reuse=reuse, as_written=as_written)
    if any(p.severity == ERROR for p in problems):
        raise CorpusError(problems)
    return corpus


def _read_all(root: Path, corpus: Corpus, problems: list, docs: dict, overrides: dict[str, str], listing: list,
              inputs: dict, state: _LoadState) -> None:
    seen: set[str] = set()
    for read, attr, keys in listing:
        table = getattr(corpus, attr)
        for key in keys:
            found: list = []
            record = _read_record(key, root, read, found, docs, overrides, seen, inputs[key])
            if found:
                state.reading[key] = found
                problems.extend(found)
            if record is None or not record.id:
                continue
            if record.id in table:
                state.duplicates = True
                problems.append(Problem(record.path, docs[record.path].line_of("id"),
                                        f"duplicate id '{record.id}': also used by {table[record.id].path}",
                                        field="id", hint="ids must be unique; rename one of them"))
                continue
            table[record.id] = record
            state.places[key] = (attr, record.id)
    _forget_missing(root, seen)


_SETTINGS: dict[str, tuple] = {}  # taxonomy.yaml and synonyms.yaml: path -> (signature, result, problems)


def _unless_unchanged(path: Path, load, rel: str, problems: list):
    """load(path, rel, problems), reused while the file is unchanged (see _read_record's signature)."""
    signature = _signature(str(path))
    cached = _SETTINGS.get(str(path))
    if cached is None or signature is None or cached[0] != signature:
        found: list = []
        cached = (signature, load(path, rel, found), found)
        _SETTINGS[str(path)] = cached
    problems.extend(cached[2])
    return cached[1]


def _signature(key: str) -> tuple | None:
    try:
        return signature_of(os.stat(key))
    except OSError:
        return None


def _override_keys(root: Path, overrides: Mapping[Path, str]) -> dict[str, str]:
    """The overridden files as the listing names them (root/relative path), with their proposed texts."""
    resolved = root.resolve()
    keys = {}
    for path, text in overrides.items():
        path = Path(path).resolve()
        if resolved in path.parents:
            keys[os.path.join(str(root), *path.relative_to(resolved).parts)] = text
    return keys


def _files(root: Path, pattern: str, overrides: dict[str, str], signatures: dict) -> list[str]:
    """The files matching pattern, in the order of their path's parts, with any overridden file the pattern
    matches that does not exist yet (a record about to be created); their signatures go into `signatures`.

    Every save lists the whole corpus to see what else changed; a folder is read again only when the
    kernel reported a change in it (folder_watch.py). It matches as glob does: '*' never matches a name
    starting with a dot.
    """
    found = dict(_matching(str(root), Path(pattern).parts))  # already in order
    depth = len(Path(pattern).parts)
    added = False
    for key in overrides:
        rel = Path(key).relative_to(root)
        if len(rel.parts) == depth and rel.match(pattern) and key not in found:
            found[key], added = _signature(key), True
    signatures.update(found)
    return sorted(found, key=lambda p: p.split(os.sep)) if added else list(found)


def _matching(folder: str, parts: tuple[str, ...]) -> list[tuple[str, tuple | None]]:
    """(path, signature) of every file under folder matching the pattern parts, folder by folder in name order.

    Level by level: each pattern part turns the folders found so far into the next level's, in order,
    so the files come out as a depth-first walk would give them. Each folder's entries come from the
    process's folder watch (folder_watch.py): listed again only when something in it changed.
    """
    watch, folders, last = folder_watch(), [folder], len(parts) - 1
    for depth, head in enumerate(parts):
        if not glob.has_magic(head):
            if depth == last:
                return [(entry.path, _status(entry)) for entry in
                        (_named(watch.entries(f), head) for f in folders) if entry is not None]
            folders = [os.path.join(f, head) for f in folders]
            continue
        wanted = re.compile(fnmatch.translate(head)).match
        found: list = []
        for current in folders:
            entries = watch.entries(current) or ()
            if depth == last:
                found += [(entry.path, _status(entry)) for entry in entries if wanted(entry.name)]
            else:
                found += [entry.path for entry in entries if entry.is_dir and wanted(entry.name)]
        folders = found
    return folders


def _status(entry: Entry) -> tuple | None:
    """A matched entry's signature; a folder named like a record is stat-ed now (the watch keeps none for folders)."""
    return _signature(entry.path) if entry.is_dir else entry.signature


def _named(entries: list[Entry] | None, name: str) -> Entry | None:
    return next((entry for entry in entries or () if entry.name == name), None)


# path -> (the file's stat signature, its record, the problems reading it found, its parsed document)
_RECORDS: dict[str, tuple[tuple, object, list, dict]] = {}
_RECORDS_LOCK = threading.Lock()


def _read_record(key: str, root: Path, read, problems: list, docs: dict, overrides: dict, seen: set,
                 found_signature: tuple | None):
    """One file's record, reused from the last load while the file is unchanged.

    A reload after a save then reads one file: at 10,000 talks building every record again costs
    over a second. A file counts as unchanged while its inode, size, modification and change times
    are: the writer replaces files by renaming a new one in (a new inode), and any other write moves
    the change time, which the program cannot set. Records are copied out, since loading assigns
    their topics.
    """
    seen.add(key)
    text = overrides.get(key)
    signature = found_signature and (*found_signature, str(root))
    cached = _RECORDS.get(key) if text is None and signature else None
    if cached is None or cached[0] != signature:
        found: list = []
        read_docs: dict = {}
        record = read(Path(key), root, found, read_docs, text)
        for doc in read_docs.values():
            doc.forget_content()  # the record holds what it needs; the document is kept for line numbers
        cached = (signature, record, found, read_docs)
        if text is None and signature:
            with _RECORDS_LOCK:
                _RECORDS[key] = cached
    _, record, found, read_docs = cached
    problems.extend(found)
    docs.update(read_docs)
    return _copied(record) if record is not None else None


def _copied(record):
    """A shallow copy of a record (copy.copy's generic path costs three times as much)."""
    twin = object.__new__(type(record))
    twin.__dict__.update(record.__dict__)
    twin.__dict__["_origin"] = record  # the remembered record: its topics are remembered on it (tag_corpus)
    return twin


def _forget_missing(root: Path, seen: set[str]) -> None:
    """Drop remembered records of files under root that are gone."""
    prefix = str(root) + os.sep
    with _RECORDS_LOCK:
        for key in [k for k in _RECORDS if k.startswith(prefix) and k not in seen]:
            del _RECORDS[key]


def topic_text(record: Talk | Speaker) -> str:
    """The text the taxonomy rules read for a record."""
    if isinstance(record, Talk):
        return "\n".join((record.title, record.question, record.abstract, record.text))
    bios = [record.bio, *(a.bio for a in record.appearances), *(a.role for a in record.appearances)]
    return "\n".join(bios)


def record_topics(topics: dict, record: Talk | Speaker) -> list[str]:
    """A record's topics from the taxonomy and its own overrides; a talk must name the taxonomy's domain
    (taxonomy.in_domain), a speaker's biography need not (a data ethicist's may not say "health")."""
    return assign_topics(topics, topic_text(record), record.topic_overrides, domain=isinstance(record, Talk))


def tag_corpus(corpus: Corpus) -> None:
    """Give every talk and speaker its topics from the taxonomy and its own overrides.

    A record whose file is unchanged keeps the topics worked out at an earlier load, as long as the
    taxonomy is the same object (it is kept while taxonomy.yaml is unchanged)."""
    tag_records(corpus.topics, (*corpus.talks.values(), *corpus.speakers.values()))


def tag_records(taxonomy: dict, records) -> None:
    """tag_corpus for the given talks and speakers (sessions and conferences have no topics)."""
    for record in records:
        if not isinstance(record, (Talk, Speaker)):
            continue
        origin = record.__dict__.get("_origin")
        known = origin.__dict__.get("_topics_for") if origin is not None else None
        if known is not None and known[0] is taxonomy:
            record.topics = list(known[1])
            continue
        record.topics = record_topics(taxonomy, record)
        if origin is not None:
            origin.__dict__["_topics_for"] = (taxonomy, list(record.topics))
