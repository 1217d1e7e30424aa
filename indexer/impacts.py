"""Postings with their BM25F scores worked out at build time, as arrays the search adds up in C.

Whoosh scores a query one posting at a time in Python; at 10,000 talks a word found in most of them
costs over 100 ms that way. A term's score in a document depends only on index statistics, so the
build computes it once, with Whoosh's own BM25F formula and the same quantised field lengths, and
stores every posting as (document number, score). The files are memory-mapped, so every worker
process serving the same build shares one copy in the page cache.
"""

from __future__ import annotations

import json
import threading
from math import log
from pathlib import Path

import numpy as np
from whoosh.reading import TermNotFound

from .layout import BUILDS, IndexUnavailable, looks_like_json
from .postings import read_postings

IMPACTS = "impacts"  # folder inside a build
UPDATE_SUFFIX = "-update-"  # impacts-update-0001/: the postings the first update added
B, K1 = 0.75, 1.2  # whoosh.scoring.BM25F defaults, which the index uses
_EMPTY_DOCS = np.zeros(0, dtype=np.int32)
_EMPTY_SCORES = np.zeros(0, dtype=np.float32)


def write_impacts(folder: Path, reader, fields: tuple[str, ...], update: bool = False) -> int:
    """Write docs.npy, scores.npy and the term tables for the fields; return the number of postings.

    Lengths and averages are the whole index's. A full build scores every segment; an update
    (update=True) scores only the newest segment, the one it added, taking a term's document
    frequency as the first segment's plus the new segment's (earlier updates add too few to matter).
    """
    folder.mkdir(parents=True, exist_ok=True)
    count = reader.doc_count_all()
    leaves = reader.leaf_readers()
    base = leaves[0][0]
    doc_parts, score_parts, terms, start = [], [], {}, 0
    for field in fields:
        average = (reader.field_length(field) / count) if count else 1.0
        table = terms.setdefault(field, {})
        for leaf, offset in (leaves[-1:] if update else leaves):
            lengths = _field_lengths(leaf, field, leaf.doc_count_all())
            for btext in leaf.lexicon(field):
                docs, weights = read_postings(leaf, field, btext)
                frequency = _base_frequency(base, field, btext) + len(docs) if update else \
                    reader.doc_frequency(field, btext)
                idf = log(count / (frequency + 1)) + 1
                norm = K1 * ((1 - B) + B * lengths[docs] / (average or 1.0))
                doc_parts.append(docs + offset)
                score_parts.append((idf * weights * (K1 + 1) / (weights + norm)).astype(np.float32))
                table.setdefault(btext.decode("utf-8"), []).append([start, start + len(docs)])
                start += len(docs)
    np.save(folder / "docs.npy", np.concatenate(doc_parts).astype(np.int32) if doc_parts else _EMPTY_DOCS)
    np.save(folder / "scores.npy", np.concatenate(score_parts) if score_parts else _EMPTY_SCORES)
    for field, table in terms.items():
        spans = {text: _merged(runs) for text, runs in table.items()}
        (folder / f"terms-{field}.json").write_text(json.dumps(spans, ensure_ascii=False), encoding="utf-8")
    (folder / "terms.json").write_text(json.dumps({"documents": count, "fields": list(terms)}), encoding="utf-8")
    return start


def _base_frequency(leaf, field: str, btext: bytes) -> int:
    try:
        return leaf.doc_frequency(field, btext)
    except (KeyError, TermNotFound):
        return 0


def _merged(runs: list[list[int]]) -> list[int] | list[list[int]]:
    """One [start, end] span, or several when a term occurs in several segments."""
    return runs[0] if len(runs) == 1 else runs


def _field_lengths(reader, field: str, count: int) -> np.ndarray:
    """Each document's field length as Whoosh's scorer sees it (quantised to one byte)."""
    return np.fromiter((reader.doc_field_length(d, field, 1) for d in range(count)), dtype=np.float64, count=count)


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

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers (ascending) and their scores for one term; empty arrays when absent."""
        found = [p for part in self.parts for p in part.postings(field, text)]
        if not found:
            return _EMPTY_DOCS, _EMPTY_SCORES
        if len(found) == 1:
            return found[0]
        return np.concatenate([d for d, _ in found]), np.concatenate([s for _, s in found])


class _Part:
    """One folder of postings; each field's term table is read on first use (the word pairs' is large)."""

    def __init__(self, folder: Path):
        data = json.loads((folder / "terms.json").read_text(encoding="utf-8"))
        self.folder = folder
        self.documents: int = data["documents"]
        self.fields = set(data["fields"])
        self.terms: dict[str, dict[str, list]] = {}
        self._lock = threading.Lock()
        self.docs = np.load(folder / "docs.npy", mmap_mode="r")
        self.scores = np.load(folder / "scores.npy", mmap_mode="r")
        if len(self.docs) != len(self.scores):
            raise ValueError(f"{folder.name}: docs.npy and scores.npy differ in length")
        for field in self.fields:
            if not looks_like_json(folder / f"terms-{field}.json", b"{}"):
                raise ValueError(f"{folder.name}: terms-{field}.json is not a JSON object")

    def table(self, field: str) -> dict[str, list]:
        if field not in self.terms and field in self.fields:
            with self._lock:
                if field not in self.terms:
                    self.terms[field] = self._read(self.folder / f"terms-{field}.json")
        return self.terms.get(field, {})

    def _read(self, path: Path) -> dict[str, list]:
        try:
            table = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(table, dict):
                raise ValueError("not a JSON object")
            return table
        except (OSError, ValueError) as exc:
            root = next((p.parent for p in path.parents if p.name == BUILDS), path.parent)
            raise IndexUnavailable(f"The index in {root} is damaged ({path.name}: {exc}). "
                                   f"Rebuild it with `confarchive build --index {root}`.") from None

    def postings(self, field: str, text: str) -> list[tuple[np.ndarray, np.ndarray]]:
        span = self.table(field).get(text)
        if span is None:
            return []
        spans = span if isinstance(span[0], list) else [span]
        return [(self.docs[a:b], self.scores[a:b]) for a, b in spans]
