"""Block-level reading of Whoosh postings: the one module that uses the internals of Whoosh 2.7.4's matcher.

Whoosh's public matcher API moves one posting per Python call, and `skip_to` scans a block linearly.
Its block reader already holds a block's ids and weights as arrays; reading those whole (for the
build) and bisecting them (to reach one document) is many times faster. Whoosh is pinned to 2.7.4
(pyproject.toml), and tests/test_retrieval.py compares the results with Whoosh's public API.
"""

from __future__ import annotations

from bisect import bisect_left

import numpy as np


def read_postings(reader, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A term's document numbers and weights, a whole block at a time."""
    matcher = raw_postings(reader, field, btext)
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        ids.extend(matcher._ids)
        weights.extend(matcher._weights)
        matcher._next_block()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)


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
