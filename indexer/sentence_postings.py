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
import threading
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
HITS_REMEMBERED = 2_000_000  # sentence hits kept per build, of the words searched last (16 MB, and their postings)


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
        lengths, each = np.unique(self.length, return_inverse=True)
        # as Whoosh's scorer sees them: the one-byte code it keeps, decoded (a Python call per distinct length)
        self.scored_length = np.array([byte_to_length(length_to_byte(int(n))) for n in lengths])[each.reshape(-1)]
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
        return rows[inside], offsets[inside]


class SentencePostings:
    """The quote index's scored postings and word positions (the interface of impacts.ImpactIndex that
    retrieval.Evaluator reads), derived per word from the main index's body positions, and kept for the words
    searched last: a search asks a word's postings and positions more than once, and paging or refining asks again."""

    def __init__(self, talks: ImpactIndex, table: SentenceTable):
        self.talks, self.table = talks, table
        self.documents = len(table)
        self._found: dict[str, _Word] = {}
        self._kept = 0  # hits of the words in _found
        self._lock = threading.Lock()

    def has_positions(self, field: str) -> bool:
        return field == SPANS_FIELD and self.talks.has_positions(field)

    def positions(self, field: str, text: str) -> np.ndarray:
        """A word's occurrences in the sentences, as sentence << POSITION_BITS | place in the sentence."""
        return self._word(field, text).keys

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The sentences holding a word (ascending) and its BM25F score in each, as Whoosh scores a document."""
        word = self._word(field, text)
        if word.scored is None:
            word.scored = self._scored(word.keys >> POSITION_BITS)
        return word.scored

    def holds(self, field: str, text: str) -> bool:
        """Does any sentence hold the word? (The body also holds a talk's question and abstract, and bios.)"""
        return len(self._word(field, text).keys) > 0

    def _scored(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not len(rows):
            return _EMPTY_DOCS, _EMPTY_SCORES
        firsts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
        docs = rows[firsts]
        tf = np.diff(np.append(firsts, len(rows))).astype(np.float64)
        idf = math.log(self.documents / (len(docs) + 1)) + 1
        norm = K1 * ((1 - B) + B * self.table.scored_length[docs] / (self.table.average or 1.0))
        return docs.astype(np.int32), (idf * tf * (K1 + 1) / (tf + norm)).astype(np.float32)

    def _word(self, field: str, text: str) -> "_Word":
        if field != SPANS_FIELD:
            return _NO_WORD
        found = self._found.get(text)
        if found is None:
            rows, offsets = self.table.locate(self.talks.positions(field, text))
            found = _Word(rows << POSITION_BITS | offsets if len(rows) else _EMPTY_ROWS)
            with self._lock:
                if self._kept + len(found.keys) > HITS_REMEMBERED:
                    self._found, self._kept = {}, 0
                if text not in self._found:
                    self._kept += len(found.keys)
                self._found[text] = found
        return found


class _Word:
    """One word's hits in the sentences: its keys, and its scored postings once asked for."""

    __slots__ = ("keys", "scored")

    def __init__(self, keys: np.ndarray):
        self.keys, self.scored = keys, None


_NO_WORD = _Word(_EMPTY_ROWS)
_NO_WORD.scored = (_EMPTY_DOCS, _EMPTY_SCORES)
