"""A quote's postings worked out from its talk's word positions in the main index, not indexed a second time.

A quote is one sentence of a talk's summary, and the summary opens the talk's `body` field, whose
every word position the main build keeps (impacts.write_positions). The quote index therefore
stores only where each sentence lies in its talk's body: the talk's document number, the position
of the sentence's first word and its number of words (its field length, as Whoosh would count it).
A word's quote postings are its body positions mapped onto those spans, found by binary search in
C; its BM25F score in a sentence is Whoosh's formula over the sentences' own statistics (how many
sentences hold the word, the sentences' lengths and their average), as if the sentences were
documents of an index of their own. Phrases match within one sentence, as they did there.

One row per quote document, in quote-document order: a full build writes sentences.npy, each
update one more part for the quotes it added (numbered after every earlier one, like their talks'
new documents in the main index, so the rows stay in ascending (talk, position) order).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable

import numpy as np
from whoosh.util.numeric import byte_to_length, length_to_byte

from .impacts import B, K1, POSITION_BITS, ImpactIndex

SENTENCES = "sentences"  # sentences.npy, sentences-update-0001.npy, ... in the quote index's folder
UPDATE_PART = SENTENCES + "-update-"
SPANS_FIELD = "body"  # the main index's field whose positions the sentences are spans of
_POSITION_MASK = (1 << POSITION_BITS) - 1
_EMPTY_ROWS = np.zeros(0, dtype=np.int64)
_EMPTY_DOCS = np.zeros(0, dtype=np.int32)
_EMPTY_SCORES = np.zeros(0, dtype=np.float32)
HITS_REMEMBERED = 4_000_000  # sentence hits kept per build, of the words searched last (8 bytes each: 32 MB at most)


# Building ---------------------------------------------------------------------------------------------------------

def sentence_spans(analyzer, plain: str, sentences: Iterable[str]) -> list[tuple[int, int]]:
    """(first word's position, number of words) of each sentence in `plain`, the text that opens the talk's body,
    by the positions and characters its analysis gives (the body's own: the tokenizer reads no further than a
    word, so the same text opening a longer body has the same tokens)."""
    tokens = [(t.pos, t.startchar) for t in analyzer(plain, positions=True, chars=True, mode="index")]
    starts = np.array([c for _, c in tokens], dtype=np.int64)
    spans, cursor, end_position = [], 0, tokens[0][0] if tokens else 0
    for sentence in sentences:
        begin = plain.find(sentence, cursor)
        if begin < 0:
            raise ValueError(f"sentence not found in its summary: {sentence[:60]!r}")
        cursor = begin + len(sentence)
        first, last = np.searchsorted(starts, begin), np.searchsorted(starts, cursor)
        words = [p for p, _ in tokens[first:last]]
        spans.append((words[0], len(words)) if words else (end_position, 0))
        end_position = words[-1] + 1 if words else end_position
    return spans


def write_rows(path: Path, rows) -> None:
    """One part of the table from flat int32 values: (talk's document number, first position, words) per quote
    document."""
    np.save(path, np.asarray(rows, dtype=np.int32).reshape(-1, 3))


def update_part_path(folder: Path) -> Path:
    """The next update's part, numbered after the parts already in folder."""
    return folder / f"{UPDATE_PART}{len(list(folder.glob(UPDATE_PART + '*'))) + 1:04d}.npy"


# Searching --------------------------------------------------------------------------------------------------------

class SentenceTable:
    """Every quote document's span in its talk's body, the parts read in order and joined."""

    def __init__(self, folder: Path):
        parts = [folder / f"{SENTENCES}.npy", *sorted(folder.glob(UPDATE_PART + "*.npy"))]
        rows = np.concatenate([np.load(part).reshape(-1, 3) for part in parts]).astype(np.int64)
        self.talk, self.start, self.length = rows[:, 0], rows[:, 1], rows[:, 2]
        self.keys = self.talk << POSITION_BITS | self.start  # ascending: see the module's docstring
        if len(rows) and np.any(np.diff(self.keys) < 0):
            raise ValueError("the sentence spans are not in ascending order")
        codes = {int(n): byte_to_length(length_to_byte(int(n))) for n in np.unique(self.length)}
        self.scored_length = np.array([codes[int(n)] for n in self.length], dtype=np.float64)  # as Whoosh's scorer
        self.average = float(self.length.sum()) / len(rows) if len(rows) else 1.0

    def __len__(self) -> int:
        return len(self.talk)

    def locate(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The sentence (row) and the place in it of each body position key that lies in a sentence."""
        rows = np.searchsorted(self.keys, keys, side="right") - 1
        inside = rows >= 0
        rows = np.maximum(rows, 0)
        offsets = (keys & _POSITION_MASK) - self.start[rows]
        inside &= (self.talk[rows] == keys >> POSITION_BITS) & (offsets < self.length[rows])
        return rows[inside].astype(np.int32), offsets[inside].astype(np.int32)  # half the memory of int64


class SentencePostings:
    """The quote index's scored postings and word positions (the interface of impacts.ImpactIndex that
    retrieval.Evaluator reads), derived per word from the main index's body positions."""

    def __init__(self, talks: ImpactIndex, table: SentenceTable):
        self.talks, self.table = talks, table
        self.documents = len(table)
        self._found: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # a search asks a word's postings and positions
        self._kept = 0  # hits in _found

    def has_positions(self, field: str) -> bool:
        return field == SPANS_FIELD and self.talks.has_positions(field)

    def positions(self, field: str, text: str) -> np.ndarray:
        """A word's occurrences in the sentences, as sentence << POSITION_BITS | place in the sentence."""
        rows, offsets = self._hits(field, text)
        return rows.astype(np.int64) << POSITION_BITS | offsets if len(rows) else _EMPTY_ROWS

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The sentences holding a word (ascending) and its BM25F score in each, as Whoosh scores a document."""
        rows, _ = self._hits(field, text)
        if not len(rows):
            return _EMPTY_DOCS, _EMPTY_SCORES
        firsts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
        docs = rows[firsts]
        tf = np.diff(np.append(firsts, len(rows))).astype(np.float64)
        idf = math.log(self.documents / (len(docs) + 1)) + 1
        norm = K1 * ((1 - B) + B * self.table.scored_length[docs] / (self.table.average or 1.0))
        return docs.astype(np.int32), (idf * tf * (K1 + 1) / (tf + norm)).astype(np.float32)

    def _hits(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        if field != SPANS_FIELD:
            return _EMPTY_ROWS, _EMPTY_ROWS
        found = self._found.get(text)
        if found is None:
            found = self.table.locate(self.talks.positions(field, text))
            if self._kept + len(found[0]) > HITS_REMEMBERED:
                self._found, self._kept = {}, 0
            self._found[text] = found
            self._kept += len(found[0])
        return found
