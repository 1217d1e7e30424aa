"""Postings with their BM25F scores worked out at build time, as arrays the search adds up in C.

Whoosh scores a query one posting at a time in Python; at 10,000 talks a word found in most of them
costs over 100 ms that way. A term's score in a document depends only on index statistics, so the
build computes it once, with Whoosh's own BM25F formula and the same quantised field lengths, and
stores every posting as (document number, score). The files are memory-mapped, so every worker
process serving the same build shares one copy in the page cache.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from whoosh.reading import TermNotFound

from .analysis import PAIR_SEPARATOR
from .postings import field_lengths, field_positions, field_postings

IMPACTS = "impacts"  # folder inside a build
UPDATE_SUFFIX = "-update-"  # impacts-update-0001/: the postings the first update added
B, K1 = 0.75, 1.2  # whoosh.scoring.BM25F defaults, which the index uses
_EMPTY_DOCS = np.zeros(0, dtype=np.int32)
_EMPTY_SCORES = np.zeros(0, dtype=np.float32)


def write_impacts(folder: Path, reader, fields: tuple[str, ...], update: bool = False,
                  paired: tuple[str, ...] = ()) -> int:
    """Write the scored postings and, per field, its sorted term table; return the number of postings.

    Lengths and averages are the whole index's. A full build scores every segment; an update
    (update=True) scores only the newest segment, the one it added, taking a term's document
    frequency as the first segment's plus the new segment's (earlier updates add too few to matter).
    Each field in `paired` also gets a table of its adjacent word pairs (see `pair_table`).
    """
    folder.mkdir(parents=True, exist_ok=True)
    count = reader.doc_count_all()
    leaves = reader.leaf_readers()
    scored_leaves = leaves[-1:] if update else leaves
    doc_parts, score_parts = [], []
    tables = {field: _scored_pieces(reader, field, scored_leaves, leaves[0][0] if update else None)
              for field in fields}
    tables.update({pair_table(field): _pair_pieces(scored_leaves, field) for field in paired})
    start = 0
    for name, pieces in tables.items():
        texts = sorted(pieces)
        spans = np.zeros((len(texts), 2), dtype=np.int64)
        for row, text in enumerate(texts):
            for docs, scores in pieces[text]:
                doc_parts.append(docs)
                score_parts.append(scores)
            spans[row] = (start, start + sum(len(d) for d, _ in pieces[text]))
            start = int(spans[row, 1])
        width = max((len(t) for t in texts), default=1)
        np.save(folder / f"terms-{name}.npy", np.array(texts, dtype=f"S{width}"))
        np.save(folder / f"spans-{name}.npy", spans)
    np.save(folder / "docs.npy", np.concatenate(doc_parts).astype(np.int32) if doc_parts else _EMPTY_DOCS)
    np.save(folder / "scores.npy", np.concatenate(score_parts) if score_parts else _EMPTY_SCORES)
    (folder / "terms.json").write_text(json.dumps({"documents": count, "fields": list(tables)}), encoding="utf-8")
    return start


def pair_table(field: str) -> str:
    """The table of a field's adjacent word pairs ("data sharing"): a phrase in a short field is a
    lookup per pair instead of a position check per candidate document."""
    return f"{field}.pairs"


def _pair_pieces(leaves, field: str) -> dict[bytes, list[tuple[np.ndarray, np.ndarray]]]:
    """Per word pair (as the analyzer numbered the words: stop words do not break a pair), its documents."""
    separator = PAIR_SEPARATOR.encode("utf-8")
    pieces: dict[bytes, list] = {}
    for leaf, offset in leaves:
        documents: dict[bytes, list[int]] = {}
        for docnum, words in sorted(field_positions(leaf, field).items()):
            at: dict[int, list[bytes]] = {}
            for position, term in words:
                at.setdefault(position, []).append(term)
            pairs = {first + separator + second for position, firsts in at.items()
                     for first in firsts for second in at.get(position + 1, ())}
            for pair in pairs:
                documents.setdefault(pair, []).append(docnum + offset)
        for pair, docs in documents.items():
            pieces.setdefault(pair, []).append((np.asarray(docs, dtype=np.int64), np.zeros(len(docs), np.float32)))
    return pieces


def _scored_pieces(reader, field: str, leaves, base) -> dict[bytes, list[tuple[np.ndarray, np.ndarray]]]:
    """Per term (as UTF-8 bytes), its postings in each given segment, with BM25F scores.

    A segment's postings are gathered into one array per field and scored in one vectorised pass.
    """
    count = reader.doc_count_all()
    average = (reader.field_length(field) / count) if count else 1.0
    single = base is None and len(leaves) == 1 and count == leaves[0][0].doc_count_all()
    pieces: dict[bytes, list] = {}
    for leaf, offset in leaves:
        terms, frequencies, ends, ids, weights = [], [], [], [], []
        for btext, leaf_frequency, term_ids, term_weights in field_postings(leaf, field):
            if single:
                frequency = leaf_frequency
            elif base is None:
                frequency = reader.doc_frequency(field, btext)
            else:
                frequency = _base_frequency(base, field, btext) + len(term_ids)
            terms.append(btext)
            frequencies.append(frequency)
            ids += term_ids
            weights += term_weights
            ends.append(len(ids))
        docs = np.asarray(ids, dtype=np.int64)
        tf = np.asarray(weights, dtype=np.float64)
        idf = np.log(count / (np.asarray(frequencies, dtype=np.float64) + 1)) + 1
        norm = K1 * ((1 - B) + B * field_lengths(leaf, field)[docs] / (average or 1.0))
        counts = np.diff(np.asarray(ends, dtype=np.int64), prepend=0)
        scores = (np.repeat(idf, counts) * tf * (K1 + 1) / (tf + norm)).astype(np.float32)
        docs += offset
        start = 0
        for term, end in zip(terms, ends):
            pieces.setdefault(term, []).append((docs[start:end], scores[start:end]))
            start = end
    return pieces


def _base_frequency(leaf, field: str, btext: bytes) -> int:
    try:
        return leaf.doc_frequency(field, btext)
    except (KeyError, TermNotFound):
        return 0


class ImpactIndex:
    """The postings of one build, opened read-only and shared between threads.

    A full build has one part (impacts/); each update adds one (impacts-update-0001/, ...) holding
    the postings of the segment it added. A term's postings are the parts' postings one after the
    other, still in ascending document order, because each update's documents are numbered after
    everything before it.
    """

    def __init__(self, folder: Path):
        updates = sorted(folder.parent.glob(folder.name + UPDATE_SUFFIX + "*"))
        self.parts = [_Part(folder), *(_Part(update) for update in updates)]
        self.documents = max(part.documents for part in self.parts)
        # a table only some parts have (an update written by older code) would miss documents
        self.complete_tables = set.intersection(*(set(part.tables) for part in self.parts))

    def has_table(self, name: str) -> bool:
        """Does every part hold this table?"""
        return name in self.complete_tables

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers (ascending) and their scores for one term; empty arrays when absent."""
        found = [p for part in self.parts for p in part.postings(field, text)]
        if not found:
            return _EMPTY_DOCS, _EMPTY_SCORES
        if len(found) == 1:
            return found[0]
        return np.concatenate([d for d, _ in found]), np.concatenate([s for _, s in found])


class _Part:
    """One folder of postings, with a sorted term table per field; everything memory-mapped."""

    def __init__(self, folder: Path):
        data = json.loads((folder / "terms.json").read_text(encoding="utf-8"))
        self.documents: int = data["documents"]
        self.docs = np.load(folder / "docs.npy", mmap_mode="r")
        self.scores = np.load(folder / "scores.npy", mmap_mode="r")
        self.tables = {field: TermTable(folder, field) for field in data["fields"]}
        if len(self.docs) != len(self.scores):
            raise ValueError(f"{folder.name}: docs.npy and scores.npy differ in length")

    def postings(self, field: str, text: str) -> list[tuple[np.ndarray, np.ndarray]]:
        table = self.tables.get(field)
        span = table.span(text) if table else None
        if span is None:
            return []
        return [(self.docs[span[0]:span[1]], self.scores[span[0]:span[1]])]


class TermTable:
    """A field's terms as one sorted array of UTF-8 strings, looked up by binary search.

    A dict of a million word pairs costs hundreds of megabytes of Python objects in every worker and
    long garbage-collection pauses; a memory-mapped array costs neither.
    """

    def __init__(self, folder: Path, field: str):
        self.terms = np.load(folder / f"terms-{field}.npy", mmap_mode="r")
        self.spans = np.load(folder / f"spans-{field}.npy", mmap_mode="r")
        if self.terms.dtype.kind != "S" or self.spans.shape != (len(self.terms), 2):
            raise ValueError(f"{folder.name}: the term table of {field} is damaged")

    def span(self, text: str) -> tuple[int, int] | None:
        key = text.encode("utf-8")
        if not key or len(key) > self.terms.dtype.itemsize:
            return None
        row = int(np.searchsorted(self.terms, key))
        if row < len(self.terms) and self.terms[row] == key:
            return int(self.spans[row, 0]), int(self.spans[row, 1])
        return None
