"""Live documents by an exact key (a record's id, a quote's talk) in an index that has a segment per update.

Whoosh looks a term up in every segment's hash table, and its searcher sets up a scorer for each
segment that holds the term, which asks every segment again for the term's frequency. An update
looks up a few dozen keys, so after 30 updates that was some 80 ms of each save, growing with every
save. An update's segment is small and never rewritten: its keys are read once into a set, kept
by the identity of the segment's open term file (hard links share it; Whoosh's segment ids alone
repeat across processes with the same random state), and a key it lacks costs one set lookup. The
full build's big segment is asked by hash, as before; deletions are checked at every call, since they change without a new segment, and a
segment whose documents are all deleted (the next save of the same record replaces them all) is skipped.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Iterable

from whoosh.reading import TermNotFound

from .postings import term_file_status

SMALL = 1000  # documents: a segment this small (a save's; an import's are bigger) has its keys read whole and kept
KEPT = 256  # (segment, field) key sets kept, the least recently used dropped first: at most a few megabytes

_kept: "OrderedDict[tuple, frozenset[bytes]]" = OrderedDict()
_files: "weakref.WeakKeyDictionary[object, tuple]" = weakref.WeakKeyDictionary()  # segment reader -> file identity
_lock = threading.Lock()


def live_documents(reader, field: str, keys: Iterable[str]) -> dict[str, list[int]]:
    """For each key, the numbers of the live documents whose `field` holds it, ascending (as docs_for_query)."""
    to_bytes = reader.schema[field].to_bytes
    wanted = {key: to_bytes(key) for key in keys}
    found: dict[str, list[int]] = {key: [] for key in wanted}
    for leaf, offset in reader.leaf_readers():
        if not leaf.doc_count():
            continue  # every document deleted (an edit saved again replaces all of an update's), or an empty index
        held = _segment_keys(leaf, field)
        for key, btext in wanted.items():
            if held is not None and btext not in held:
                continue
            found[key].extend(docnum + offset for docnum in _documents(leaf, field, btext)
                              if not leaf.is_deleted(docnum))
    return found


def _documents(leaf, field: str, btext: bytes) -> Iterable[int]:
    """The segment's documents holding the key, deleted ones included. A key held by one document (an id) is read
    from its term info, whose first document is then the one: a matcher costs some 20 µs more to set up."""
    try:
        info = leaf.term_info(field, btext)
    except TermNotFound:
        return ()
    if info.doc_frequency() == 1:
        return (info.min_id(),)
    return leaf.postings(field, btext).all_ids()


def live_document(reader, field: str, key: str) -> int | None:
    """The first live document whose `field` holds key, or None."""
    return next(iter(live_documents(reader, field, [key])[key]), None)


def _segment_keys(leaf, field: str) -> frozenset[bytes] | None:
    """Every key of a field in a small segment, read once per segment; None for a big one (ask it by hash), and for
    one whose term file has no identity of its own (a compound segment; the builds write none)."""
    if leaf.doc_count_all() > SMALL:
        return None
    identity = _file_identity(leaf)
    if identity is None:
        return None
    ident = (identity, field)
    with _lock:
        held = _kept.get(ident)
        if held is not None:
            _kept.move_to_end(ident)
            return held
    held = frozenset(leaf.lexicon(field))
    with _lock:
        _kept[ident] = held
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return held


def _file_identity(leaf) -> tuple | None:
    """The segment's open term file as the file system knows it (with the segment's id), once per segment reader."""
    found = _files.get(leaf, False)
    if found is False:
        status = term_file_status(leaf)
        found = None if status is None else (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns,
                                             leaf.segment().segment_id())
        _files[leaf] = found
    return found
