"""Block-level reading of Whoosh postings: the one module that uses the internals of Whoosh 2.7.4's matcher.

Whoosh's public matcher API moves one posting per Python call, and `skip_to` scans a block linearly.
Its block reader already holds a block's ids and weights as arrays; reading those whole (for the
build) and bisecting them (to reach one document) is many times faster. Whoosh is pinned to 2.7.4
(pyproject.toml), and tests/test_retrieval.py compares the results with Whoosh's public API.
"""

from __future__ import annotations

from bisect import bisect_left

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length


def raw_postings(leaf, field: str, text):
    """A segment's postings for a term, deleted documents included (callers mask those themselves)."""
    matcher = leaf.postings(field, text)
    while not hasattr(matcher, "block_max_id") and hasattr(matcher, "child"):
        matcher = matcher.child  # Whoosh wraps a segment with deletions in a FilterMatcher
    return matcher


def seek(matcher, docnum: int) -> bool:
    """Move a term's matcher forward to docnum; True when the term occurs in that document.

    Blocks are skipped by their headers' last id; inside a block the ids are bisected.
    """
    while matcher.is_active() and matcher.block_max_id() < docnum:
        matcher._next_block()
    if not matcher.is_active():
        return False
    if matcher._ids is None:
        matcher._read_ids()
    index = bisect_left(matcher._ids, docnum, matcher._i)
    if index < len(matcher._ids) and matcher._ids[index] == docnum:
        matcher._i = index
        return True
    if index == len(matcher._ids):  # past this block's last id: the next block starts later
        matcher._next_block()
    else:
        matcher._i = index
    return False


class Cursor:
    """One term's postings across an index's segments, moved forward to documents in ascending order."""

    def __init__(self, reader, field: str, text: str):
        self.leaves = [(leaf, offset) for leaf, offset in reader.leaf_readers() if (field, text) in leaf]
        self.field, self.text = field, text
        self._matchers: dict[int, object] = {}

    def seek(self, docnum: int):
        """The matcher positioned on docnum (global number) when the term occurs there, else None."""
        for number, (leaf, offset) in enumerate(self.leaves):
            if offset <= docnum < offset + leaf.doc_count_all():
                matcher = self._matchers.get(number)
                if matcher is None:
                    matcher = self._matchers[number] = raw_postings(leaf, self.field, self.text)
                return matcher if seek(matcher, docnum - offset) else None
        return None


def field_postings(leaf, field: str):
    """Every term of a field in one segment, in term order: (term bytes, document frequency, ids, weights),
    the ids and weights as lists, for the caller to gather into one array per field."""
    for btext, info, matcher in _term_matchers(leaf, field):
        ids, weights = _blocks(matcher)  # always blocks: Whoosh 2.7.4 cannot inline postings (inlinelimit=1)
        yield btext, info.doc_frequency(), ids, weights


def _term_matchers(leaf, field: str):
    """(term bytes, term info, raw matcher) for every term of a field in one segment, in term order.

    Walks the segment's term file in order instead of looking each term up by hash, which is most of
    the cost of reading a whole field term by term.
    """
    terms = leaf._terms
    format_ = leaf.schema[field].format
    for (name, btext), info in terms.items_from(field, b""):
        if name != field:
            break
        yield bytes(btext), info, leaf._codec.postings_reader(terms._postfile, info, format_, term=(field, btext))


def _blocks(matcher) -> tuple[list[int], list[float]]:
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        ids.extend(matcher._ids)
        weights.extend(matcher._weights)
        matcher._next_block()
    return ids, weights


_DECODED_LENGTHS = np.array([np.nan] + [byte_to_length(code) for code in range(1, 256)])


def field_lengths(leaf, field: str) -> np.ndarray:
    """Each document's length in a field as Whoosh's scorer sees it (its one-byte code decoded); NaN for none."""
    count = leaf.doc_count_all()
    column = leaf._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if column is None:
        return np.ones(count)
    codes = np.zeros(count, dtype=np.uint8)
    stored = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)[:count]
    codes[:len(stored)] = stored
    return _DECODED_LENGTHS[codes]


def field_positions(leaf, field: str) -> dict[int, list[tuple[int, bytes]]]:
    """Per document of one segment, (position, term) for every word of a field, read from its postings."""
    found: dict[int, list[tuple[int, bytes]]] = {}
    for term, _, matcher in _term_matchers(leaf, field):
        while matcher.is_active():
            found.setdefault(matcher.id(), []).extend((p, term) for p in matcher.value_as("positions"))
            matcher.next()
    return found
