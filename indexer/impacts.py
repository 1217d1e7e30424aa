"""Postings with their BM25F scores worked out at build time, as arrays the search adds up in C.

Whoosh scores a query one posting at a time in Python; at 10,000 talks a word found in most of them
costs over 100 ms that way. A term's score in a document depends only on index statistics, so the
build computes it once, with Whoosh's own BM25F formula and the same quantised field lengths, and
stores every posting as (document number, score). The full build's files are memory-mapped, so every
worker process serving the same build shares one copy in the page cache (an update's small part is one
packed file, read into each process: part_files.py).
"""

from __future__ import annotations

import json
from array import array
from pathlib import Path
from typing import Iterator

import numpy as np

from .npy_stream import NpyWriter
from .part_files import PartFiles, pack, part_name
from .postings import field_lengths, field_position_keys, field_postings
from .shared_parts import SharedParts

IMPACTS = "impacts"  # folder inside a build
UPDATE_SUFFIX = "-update-"  # impacts-update-0001.zip: the postings the first update added (part_files.py)
B, K1 = 0.75, 1.2  # whoosh.scoring.BM25F defaults, which the index uses
_EMPTY_DOCS = np.zeros(0, dtype=np.int32)
_EMPTY_SCORES = np.zeros(0, dtype=np.float32)
_EMPTY_KEYS = np.zeros(0, dtype=np.int64)
SCORE_SLICE = 1 << 18  # postings scored per vectorised pass
POSITION_BITS = 24  # a key is document << 24 | position: a field may hold 16 million words per document


def write_impacts(folder: Path, reader, fields: tuple[str, ...], update: bool = False,
                  positioned: tuple[str, ...] = ()) -> int:
    """Write the scored postings and, per field, its sorted term table; return the number of postings.

    Lengths, averages and document frequencies are the whole index's, as Whoosh's own scorer takes
    them. A full build scores every segment; an update (update=True) scores only the newest segment,
    the one it added: the others keep the scores of when they were written, which drift as updates
    change the collection (tests/test_update.py states the tolerance; compaction resets it).
    Each field in `positioned` also gets its words' positions (see `write_positions`).
    """
    folder.mkdir(parents=True, exist_ok=True)
    count = reader.doc_count_all()
    leaves = reader.leaf_readers()
    scored_leaves = leaves[-1:] if update else leaves
    earlier = _earlier_parts(folder) if update else None
    with NpyWriter(folder / "docs.npy", np.int32) as docs_out, NpyWriter(folder / "scores.npy", np.float32) as scores_out:
        for name in fields:  # one field's postings in memory at a time
            if update or len(leaves) != 1:
                texts, spans = _write_pieces(docs_out, scores_out, _scored_pieces(
                    reader, name, scored_leaves, leaves[0][0] if update else None, earlier))
            else:
                texts, spans = _write_segment(docs_out, scores_out, reader, name, leaves[0])
            width = max((len(t) for t in texts), default=1)
            np.save(folder / f"terms-{name}.npy", np.array(texts, dtype=f"S{width}"))
            np.save(folder / f"spans-{name}.npy", spans)
            if name in positioned:
                write_positions(folder, name, texts, scored_leaves)
    (folder / "terms.json").write_text(json.dumps({"documents": count, "fields": list(fields),
                                                  "positioned": [f for f in fields if f in positioned]}),
                                       encoding="utf-8")
    if update:  # the next update of this index reads these parts again
        packed = pack(folder)
        _LAST_UPDATED[tuple(fields)] = (packed, [*earlier, opened_part(packed)])
    return docs_out.length


def _write_segment(docs_out: NpyWriter, scores_out: NpyWriter, reader, field: str, leaf) -> tuple[list, np.ndarray]:
    """A one-segment index's field (a full build): its terms come sorted, so its scored postings are written as
    they are, in two appends, with no per-term pieces held (those were the quote process's peak of memory)."""
    terms, ends, docs, scores = _scored_segment(reader, field, *leaf, whole=True)
    if any(a >= b for a, b in zip(terms, terms[1:])):
        return _write_pieces(docs_out, scores_out, _pieces(terms, ends, docs, scores, {}))
    starts = ends - np.diff(ends, prepend=0)  # each term's first posting
    spans = np.column_stack((starts, ends)) + docs_out.length
    docs_out.append(docs)
    scores_out.append(scores)
    return terms, spans


def _write_pieces(docs_out: NpyWriter, scores_out: NpyWriter, pieces: dict) -> tuple[list, np.ndarray]:
    """Each term's pieces (from several segments) written in term order; the term table and its spans."""
    texts = sorted(pieces)
    spans = np.zeros((len(texts), 2), dtype=np.int64)
    for row, text in enumerate(texts):
        spans[row, 0] = docs_out.length
        for docs, scores in pieces.pop(text):
            docs_out.append(docs)
            scores_out.append(scores)
        spans[row, 1] = docs_out.length
    return texts, spans


def write_positions(folder: Path, field: str, texts: list[bytes], leaves) -> None:
    """Every occurrence of every term of a field as one sorted key, document << POSITION_BITS | position.

    A phrase is then an intersection of its words' keys, each shifted back by its place in the
    phrase, done by numpy in C: no position lists are decoded while searching, however common the
    words. Rows follow the field's term table (`texts`); the keys of one term ascend.
    """
    spans = np.zeros((len(texts), 2), dtype=np.int64)
    with NpyWriter(folder / f"positions-{field}.npy", np.int64) as out:
        for row, keys in enumerate(_keys_by_term(field, texts, leaves)):
            spans[row, 0] = out.length
            out.append(keys)
            spans[row, 1] = out.length
    np.save(folder / f"pspans-{field}.npy", spans)


def _keys_by_term(field: str, texts: list[bytes], leaves) -> Iterator[np.ndarray]:
    """Each term's position keys, in the order of `texts` (sorted, as Whoosh orders a segment's terms).

    One segment (a full build, an update's new segment) is read as it streams: only one term's keys
    are in memory. Several segments are gathered first, since one term's keys come from each.
    """
    if len(leaves) == 1:
        leaf, offset = leaves[0]
        stream = field_position_keys(leaf, field, offset, POSITION_BITS)
        waiting = next(stream, None)
        for text in texts:
            if waiting is not None and waiting[0] == text:
                yield waiting[1]
                waiting = next(stream, None)
            else:
                yield _EMPTY_KEYS
        if waiting is not None:
            raise RuntimeError(f"the {field} field's terms were not read in sorted order ({waiting[0]!r})")
        return
    by_term: dict[bytes, list[np.ndarray]] = {}
    for leaf, offset in leaves:
        for btext, keys in field_position_keys(leaf, field, offset, POSITION_BITS):
            by_term.setdefault(btext, []).append(keys)
    for text in texts:
        found = by_term.pop(text, [_EMPTY_KEYS])
        yield found[0] if len(found) == 1 else np.concatenate(found)


def _scored_pieces(reader, field: str, leaves, base, earlier: list["_Part"] | None = None
                   ) -> dict[bytes, list[tuple[np.ndarray, np.ndarray]]]:
    """Per term (as UTF-8 bytes), its postings in each given segment, with BM25F scores.

    `earlier`: for an update, the build's parts written before it, whose term tables give the other
    segments' document frequencies (see `_earlier_frequencies`).
    """
    pieces: dict[bytes, list] = {}
    for leaf, offset in leaves:
        _pieces(*_scored_segment(reader, field, leaf, offset, whole=False, earlier=earlier), pieces)
    return pieces


def _pieces(terms: list[bytes], ends: np.ndarray, docs: np.ndarray, scores: np.ndarray, pieces: dict) -> dict:
    """Add one segment's scored postings to `pieces`, per term (a view of the arrays each)."""
    start = 0
    for term, end in zip(terms, ends.tolist()):
        pieces.setdefault(term, []).append((docs[start:end], scores[start:end]))
        start = end
    return pieces


def _scored_segment(reader, field: str, leaf, offset: int, whole: bool, earlier: list["_Part"] | None = None
                    ) -> tuple[list[bytes], np.ndarray, np.ndarray, np.ndarray]:
    """One segment's postings of a field, gathered into one array and scored in one vectorised pass: its terms
    (segment order), where each term's postings end, their documents (offset added) and their scores.

    `whole`: the segment is the whole index, so its own document frequencies are the index's.
    """
    count = reader.doc_count_all()
    average = (reader.field_length(field) / count) if count else 1.0
    terms, frequencies, ends = [], [], []
    ids, weights = array("i"), array("d")  # packed: a list of Python numbers costs five times the memory
    for btext, leaf_frequency, term_ids, term_weights in field_postings(leaf, field):
        terms.append(btext)
        frequencies.append(leaf_frequency if whole or earlier is not None else reader.doc_frequency(field, btext))
        ids.extend(term_ids)
        weights.extend(term_weights)
        ends.append(len(ids))
    frequencies = np.asarray(frequencies, dtype=np.float64)
    if earlier is not None:
        frequencies += _earlier_frequencies(earlier, field, terms)
    docs = np.frombuffer(ids, dtype=np.int32)  # the packed array's own memory: no copy
    idf = np.log(count / (frequencies + 1)) + 1
    ends = np.asarray(ends, dtype=np.int64)
    counts = np.diff(ends, prepend=0)
    scores = _scores(docs, np.frombuffer(weights, dtype=np.float64), np.repeat(np.arange(len(terms), dtype=np.int32), counts),
                     idf, field_lengths(leaf, field), average)
    del weights
    docs += offset
    return terms, ends, docs, scores


def _scores(docs: np.ndarray, tf: np.ndarray, term_of: np.ndarray, idf: np.ndarray, lengths: np.ndarray,
            average: float) -> np.ndarray:
    """BM25F of every posting (float32), a slice at a time: whole-field temporaries were most of a build's peak."""
    scores = np.empty(len(docs), dtype=np.float32)
    for start in range(0, len(docs), SCORE_SLICE):
        part = slice(start, start + SCORE_SLICE)
        norm = K1 * ((1 - B) + B * lengths[docs[part]] / (average or 1.0))
        scores[part] = (idf[term_of[part]] * tf[part] * (K1 + 1) / (tf[part] + norm)).astype(np.float32)
    return scores


def _earlier_parts(folder: Path) -> list["_Part"]:
    """The parts an update's part (folder) follows: the full build's and every earlier update's."""
    base = folder.parent / IMPACTS
    return [opened_part(base), *(opened_part(p) for p in update_parts(base) if part_name(p) < part_name(folder))]


# an index's fields -> (its last update's part, the parts that update read and wrote), held so that the next update
# finds them open where no open build holds them (the quote index of a server nobody has asked for quotes)
_LAST_UPDATED: dict[tuple[str, ...], tuple[Path, list]] = {}


def keep_parts_of(build: Path) -> None:
    """Let go of the parts held for the next update (_LAST_UPDATED) unless they are the given build's, the one
    just published: a replaced build's memory maps, and its deleted files, go with it."""
    for fields, (folder, _) in list(_LAST_UPDATED.items()):
        if build not in folder.parents:
            _LAST_UPDATED.pop(fields, None)


def update_parts(base: Path) -> list[Path]:
    """The (packed) parts the updates added after the full build's part (base), oldest first."""
    return sorted(base.parent.glob(base.name + UPDATE_SUFFIX + "*"), key=part_name)


def _earlier_frequencies(parts: list["_Part"], field: str, terms: list[bytes]) -> np.ndarray:
    """How many documents of the earlier parts hold each term, as Whoosh's doc_frequency counts them.

    A part's postings of a term are one per document, deleted documents included (Whoosh never
    rewrites a segment's term statistics either), so the length of its span is the term's frequency
    in that part's segments. Looked up for all of a field's terms at once, this costs a few
    milliseconds however many updates came before, where asking the reader term by term costs one
    lookup per term per segment (over 100 ms per update after 20 updates at 10,000 talks).
    """
    total = np.zeros(len(terms), dtype=np.float64)
    if not terms:
        return total
    wanted = np.array(terms, dtype=f"S{max(len(t) for t in terms)}")
    for part in parts:
        table = part.tables.get(field)
        if table is None or not len(table.terms):
            continue
        rows = np.searchsorted(table.terms, wanted)
        inside = rows < len(table.terms)
        found = np.zeros(len(terms), dtype=bool)
        found[inside] = table.terms[rows[inside]] == wanted[inside]
        spans = table.spans[rows[found]]
        total[found] += spans[:, 1] - spans[:, 0]
    return total


class ImpactIndex:
    """The postings of one build, opened read-only and shared between threads.

    A full build has one part (impacts/); each update adds one (impacts-update-0001.zip, ...) holding
    the postings of the segment it added. A term's postings are the parts' postings one after the
    other, still in ascending document order, because each update's documents are numbered after
    everything before it.
    """

    def __init__(self, folder: Path):
        self.parts = [opened_part(folder), *(opened_part(update) for update in update_parts(folder))]
        self.documents = max(part.documents for part in self.parts)
        # positions only some parts have (an update written by older code) would miss documents
        self.positioned = set.intersection(*(set(part.positions) for part in self.parts))

    def has_positions(self, field: str) -> bool:
        """Does every part hold the field's word positions?"""
        return field in self.positioned

    def positions(self, field: str, text: str) -> np.ndarray:
        """A term's occurrences as ascending keys, document << POSITION_BITS | position (see write_positions)."""
        found = [keys for part in self.parts for keys in part.keys(field, text)]
        if not found:
            return _EMPTY_KEYS
        return found[0] if len(found) == 1 else np.concatenate(found)

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers (ascending) and their scores for one term; empty arrays when absent."""
        found = [p for part in self.parts for p in part.postings(field, text)]
        if not found:
            return _EMPTY_DOCS, _EMPTY_SCORES
        if len(found) == 1:
            return found[0]
        return np.concatenate([d for d, _ in found]), np.concatenate([s for _, s in found])


def opened_part(folder: Path) -> "_Part":
    """The part in folder, shared with any open build that has it (see shared_parts.py)."""
    return _PARTS.open(folder)


class _Part:
    """One part of postings (a folder, memory-mapped, or an update's packed file), with a sorted term table per field."""

    def __init__(self, path: Path):
        files = PartFiles(path)
        data = files.json("terms.json")
        self.documents: int = data["documents"]
        self.docs = files.array("docs.npy")
        self.scores = files.array("scores.npy")
        self.tables = {field: TermTable(files, field) for field in data["fields"]}
        self.positions = {field: _positions(files, field, self.tables[field]) for field in data.get("positioned", [])}
        if len(self.docs) != len(self.scores):
            raise ValueError(f"{files.name}: docs.npy and scores.npy differ in length")

    def keys(self, field: str, text: str) -> list[np.ndarray]:
        table, found = self.tables.get(field), self.positions.get(field)
        row = table.row(text) if table is not None and found is not None else None
        if row is None:
            return []
        keys, spans = found
        return [keys[spans[row, 0]:spans[row, 1]]]

    def postings(self, field: str, text: str) -> list[tuple[np.ndarray, np.ndarray]]:
        table = self.tables.get(field)
        span = table.span(text) if table else None
        if span is None:
            return []
        return [(self.docs[span[0]:span[1]], self.scores[span[0]:span[1]])]


_PARTS: SharedParts[_Part] = SharedParts(_Part, "docs.npy")


class TermTable:
    """A field's terms as one sorted array of UTF-8 strings, looked up by binary search.

    A dict of hundreds of thousands of terms costs hundreds of megabytes of Python objects in every worker and
    long garbage-collection pauses; a memory-mapped array costs neither.
    """

    RECENT = 4096  # rows of recently looked-up terms kept, as Lucene's term dictionary kept its last 1,024

    def __init__(self, files: PartFiles, field: str):
        self.terms = files.array(f"terms-{field}.npy")
        self.spans = files.array(f"spans-{field}.npy")
        if self.terms.dtype.kind != "S" or self.spans.shape != (len(self.terms), 2):
            raise ValueError(f"{files.name}: the term table of {field} is damaged")
        self._recent: dict[str, int | None] = {}  # a search looks a word up once per table it reads, and again

    def row(self, text: str) -> int | None:
        """The term's row in the table, or None."""
        try:
            return self._recent[text]
        except KeyError:
            pass
        key = text.encode("utf-8")
        found = None
        if key and len(key) <= self.terms.dtype.itemsize:
            row = int(np.searchsorted(self.terms, key))
            found = row if row < len(self.terms) and self.terms[row] == key else None
        if len(self._recent) >= self.RECENT:
            self._recent.clear()  # threads may clear and fill it at once: each entry is right whoever wrote it
        self._recent[text] = found
        return found

    def span(self, text: str) -> tuple[int, int] | None:
        row = self.row(text)
        return None if row is None else (int(self.spans[row, 0]), int(self.spans[row, 1]))


def _positions(files: PartFiles, field: str, table: TermTable) -> tuple[np.ndarray, np.ndarray]:
    keys = files.array(f"positions-{field}.npy")
    spans = files.array(f"pspans-{field}.npy")
    if spans.shape != (len(table.terms), 2) or (len(spans) and spans[-1, 1] != len(keys)):
        raise ValueError(f"{files.name}: the word positions of {field} are damaged")
    return keys, spans
