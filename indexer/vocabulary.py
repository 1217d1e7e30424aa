"""A build's vocabulary: every unstemmed word of its records, and how many records hold it.

Did-you-mean, typing ahead and the snippets' written forms need only these words and counts. Whoosh
kept them as the postings of a `spell` field, nearly half of the main index's postings, none ever
read as postings, and indexing them was much of a build's time. Here a build writes them as sorted
arrays (vocabulary/), memory-mapped when read. The words are exactly the spell field's: the same
analyzer (name_analyzer) runs over each distinct token once, which is the same thing because its
filters work a token at a time. Fuzzy matching walks Whoosh's own Levenshtein automaton over the
sorted words, as Whoosh does over a segment's lexicon, so it finds exactly what Whoosh found.

An update writes a small part of its own (vocabulary-update-NNNN.zip, see part_files.py): the words of the documents it
added, counted up, and of those it deleted, counted down; a word's count is the sum over parts.
Each part also lists its documents' words (by row), so that a later update can count them down.
"""

from __future__ import annotations

import json
import re
from array import array
from pathlib import Path

import numpy as np
from whoosh.codec.base import Automata

from .analysis import TOKEN_PATTERN, name_analyzer
from .part_files import PartFiles, pack, part_name
from .shared_parts import SharedParts

VOCABULARY = "vocabulary"  # folder inside a build
UPDATE_SUFFIX = "-update-"


class VocabularyCounter:
    """Collects the words of documents added one by one; `write` saves them as a part."""

    def __init__(self):
        self.analyzer = name_analyzer()
        self._token = re.compile(TOKEN_PATTERN)
        self._words_of: dict[str, tuple[str, ...]] = {}  # a distinct token -> the words the analyzer makes of it
        self._ids: dict[str, int] = {}  # word -> its number, in order of first appearance
        self._doc_words = array("i")
        self._starts = array("q", [0])

    def add(self, text: str) -> None:
        """One document's text (title, body, names, affiliation: what the spell field held)."""
        tokens = set(self._token.findall(text))
        new = [token for token in tokens if token not in self._words_of]
        if new:
            self._learn(new)
        words = set()
        for token in tokens:
            words.update(self._words_of[token])
        ids = self._ids
        self._doc_words.extend([ids.setdefault(word, len(ids)) for word in words])
        self._starts.append(len(self._doc_words))

    def _learn(self, tokens: list[str]) -> None:
        """One analyzer call for a document's new tokens; a space holds no token, so each token stays whole."""
        starts, place = {}, 0
        for token in tokens:
            starts[place] = token
            self._words_of[token] = ()
            place += len(token) + 1
        found: dict[str, list[str]] = {}
        for made in self.analyzer(" ".join(tokens), chars=True, mode="index"):
            found.setdefault(starts[made.startchar], []).append(made.text)
        for token, words in found.items():
            self._words_of[token] = tuple(words)

    def write(self, folder: Path, first: int = 0, deleted: tuple[list[str], list[int]] = ([], [])) -> None:
        """Save the part: its words sorted, their counts (less the `deleted` words and counts), each document's
        words; `first` is the number of the first document added."""
        ids = dict(self._ids)
        gone_words, gone_counts = deleted
        for word in gone_words:
            ids.setdefault(word, len(ids))
        doc_words = np.frombuffer(self._doc_words, dtype=np.int32)
        counts = np.bincount(doc_words, minlength=len(ids)).astype(np.int64)
        np.subtract.at(counts, [ids[w] for w in gone_words], np.asarray(gone_counts, dtype=np.int64))
        encoded = [w.encode("utf-8") for w in ids]
        words = np.array(encoded, dtype=f"S{max(map(len, encoded), default=0) or 1}")
        order = np.argsort(words, kind="stable")
        rank = np.empty(len(order), dtype=np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "words.npy", words[order])
        np.save(folder / "counts.npy", counts[order])
        np.save(folder / "doc_words.npy", rank[doc_words])
        np.save(folder / "starts.npy", np.frombuffer(self._starts, dtype=np.int64))
        (folder / "part.json").write_text(json.dumps({"first": first}), encoding="utf-8")


class _Part:
    """One part of the vocabulary: the full build's folder (memory-mapped) or an update's packed file."""

    def __init__(self, path: Path):
        files = PartFiles(path)
        self.first: int = files.json("part.json")["first"]
        self.words = files.array("words.npy")
        self.counts = files.array("counts.npy")
        self.starts = files.array("starts.npy")
        self.doc_words = files.array("doc_words.npy")
        if self.words.dtype.kind != "S" or len(self.counts) != len(self.words) or self.starts[-1] != len(self.doc_words):
            raise ValueError(f"{files.name}: the vocabulary is damaged")

    def count(self, key: bytes) -> int:
        row = int(np.searchsorted(self.words, key))
        return int(self.counts[row]) if row < len(self.words) and self.words[row] == key else 0

    def holds(self, docnum: int) -> bool:
        return self.first <= docnum < self.first + len(self.starts) - 1

    def words_of(self, docnum: int) -> list[str]:
        at = docnum - self.first
        rows = self.doc_words[self.starts[at]:self.starts[at + 1]]
        return [w.decode("utf-8") for w in self.words[rows]]


_PARTS: SharedParts[_Part] = SharedParts(_Part, "words.npy")


class _Cursor:
    """The little of a Whoosh term cursor that its automata use, over one part's sorted words."""

    def __init__(self, words: np.ndarray):
        self.words, self.at = words, 0

    def text(self) -> str | None:
        return self.words[self.at].decode("utf-8") if self.at < len(self.words) else None

    def find(self, text: str) -> None:
        """Move to the first word from `text` on. numpy ignores a bytes string's trailing NULs, which the automaton
        appends to step past a match ("abc" + NUL): every word up to "abc" comes before such a key."""
        key = text.encode("utf-8")
        stripped = key.rstrip(b"\0")
        self.at = int(np.searchsorted(self.words, stripped, side="right" if stripped != key else "left"))


class Vocabulary:
    """One build's words and their document counts: the full build's part plus each update's."""

    def __init__(self, build: Path):
        base = build / VOCABULARY
        self.base = _PARTS.key(base)  # the full build's part: builds updated from the same full build share it
        self.parts = [_PARTS.open(base, self.base), *(_PARTS.open(p) for p in update_parts(base))]
        self._merged: list[np.ndarray] | None = None

    def frequency(self, word: str) -> int:
        """How many live documents hold the word (as Whoosh's doc_frequency on the spell field of a full build)."""
        key = word.encode("utf-8")
        return sum(part.count(key) for part in self.parts)

    def within(self, word: str, maxdist: int, prefix: int = 0) -> list[str]:
        """The known words within maxdist Levenshtein edits whose first `prefix` letters are the word's (as Whoosh's
        terms_within on a full build's segment), in sorted order."""
        dfa = Automata.levenshtein_dfa(word, maxdist, prefix)
        found = {match for words in self._walked() for match in Automata.find_matches(dfa, _Cursor(words))}
        return sorted(w for w in found if len(self.parts) == 1 or self.frequency(w) > 0)

    def _walked(self) -> list[np.ndarray]:
        """The sorted word arrays an automaton walks: the full build's, and every update's merged into one, so a
        did-you-mean costs the same after twenty updates as after one (a walk per part grew with each save)."""
        if self._merged is None:
            updates = [np.asarray(p.words) for p in self.parts[1:]]
            self._merged = [self.parts[0].words, *([np.unique(np.concatenate(updates))] if updates else [])]
        return self._merged

    def added_words(self) -> list[str]:
        """The words of the updates' parts, sorted (some may since have been deleted again): with the full build's,
        every word this build has."""
        return [w.decode("utf-8") for w in self._walked()[1]] if len(self.parts) > 1 else []

    def counts(self) -> tuple[list[str], np.ndarray]:
        """Every known word, sorted, and its count."""
        if len(self.parts) == 1:
            part = self.parts[0]
            return [w.decode("utf-8") for w in part.words], np.asarray(part.counts)
        words, inverse = np.unique(np.concatenate([np.asarray(p.words) for p in self.parts]), return_inverse=True)
        counts = np.bincount(inverse, weights=np.concatenate([p.counts for p in self.parts])).astype(np.int64)
        keep = counts > 0
        return [w.decode("utf-8") for w in words[keep]], counts[keep]

    def words_of(self, docnums: list[int]) -> tuple[list[str], list[int]]:
        """The words of the given documents with how many of them hold each: what deleting them takes away."""
        tally: dict[str, int] = {}
        for docnum in docnums:
            part = next((p for p in self.parts if p.holds(docnum)), None)
            if part is None:
                raise ValueError(f"no part of the vocabulary holds document {docnum}")
            for word in part.words_of(docnum):
                tally[word] = tally.get(word, 0) + 1
        return list(tally), list(tally.values())


def update_parts(base: Path) -> list[Path]:
    """The (packed) parts updates added after the full build's (base), oldest first."""
    return sorted(base.parent.glob(base.name + UPDATE_SUFFIX + "*"), key=part_name)


def write_update(build: Path, texts: list[str], deleted: list[int], first: int) -> None:
    """The part of an update that deleted documents (by number) and added ones (their texts), numbered from `first`."""
    if not texts and not deleted:
        return
    base = build / VOCABULARY
    gone = Vocabulary(build).words_of(deleted)
    counter = VocabularyCounter()
    for text in texts:
        counter.add(text)
    folder = build / f"{VOCABULARY}{UPDATE_SUFFIX}{len(update_parts(base)) + 1:04d}"
    counter.write(folder, first, gone)
    pack(folder)
