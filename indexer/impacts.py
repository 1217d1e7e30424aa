"""Postings with their BM25F scores worked out at build time, as arrays the search adds up in C.

Whoosh scores a query one posting at a time in Python; at 10,000 talks a word found in most of them
costs over 100 ms that way. A term's score in a document depends only on index statistics, so the
build computes it once, with Whoosh's own BM25F formula and the same quantised field lengths, and
stores every posting as (document number, score). The files are memory-mapped, so every worker
process serving the same build shares one copy in the page cache.
"""

from __future__ import annotations

import json
from math import log
from pathlib import Path

import numpy as np

from .postings import read_postings

IMPACTS = "impacts"  # folder inside a build
B, K1 = 0.75, 1.2  # whoosh.scoring.BM25F defaults, which the index uses
_EMPTY_DOCS = np.zeros(0, dtype=np.int32)
_EMPTY_SCORES = np.zeros(0, dtype=np.float32)


def write_impacts(folder: Path, reader, fields: tuple[str, ...]) -> int:
    """Write docs.npy, scores.npy and terms.json for the fields' terms; return the number of postings."""
    folder.mkdir(parents=True, exist_ok=True)
    count = reader.doc_count_all()
    doc_parts, score_parts, terms, start = [], [], {}, 0
    for field in fields:
        lengths = _field_lengths(reader, field, count)
        average = (reader.field_length(field) / count) if count else 1.0
        table = terms.setdefault(field, {})
        for btext in reader.lexicon(field):
            docs, weights = read_postings(reader, field, btext)
            idf = log(count / (len(docs) + 1)) + 1
            norm = K1 * ((1 - B) + B * lengths[docs] / (average or 1.0))
            doc_parts.append(docs)
            score_parts.append((idf * weights * (K1 + 1) / (weights + norm)).astype(np.float32))
            table[btext.decode("utf-8")] = [start, start + len(docs)]
            start += len(docs)
    np.save(folder / "docs.npy", np.concatenate(doc_parts) if doc_parts else _EMPTY_DOCS)
    np.save(folder / "scores.npy", np.concatenate(score_parts) if score_parts else _EMPTY_SCORES)
    (folder / "terms.json").write_text(json.dumps({"documents": count, "terms": terms}, ensure_ascii=False),
                                      encoding="utf-8")
    return start


def _field_lengths(reader, field: str, count: int) -> np.ndarray:
    """Each document's field length as Whoosh's scorer sees it (quantised to one byte)."""
    return np.fromiter((reader.doc_field_length(d, field, 1) for d in range(count)), dtype=np.float64, count=count)


class ImpactIndex:
    """The postings of one build, opened read-only and shared between threads."""

    def __init__(self, folder: Path):
        data = json.loads((folder / "terms.json").read_text(encoding="utf-8"))
        self.documents: int = data["documents"]
        self.terms: dict[str, dict[str, list[int]]] = data["terms"]
        self.docs = np.load(folder / "docs.npy", mmap_mode="r")
        self.scores = np.load(folder / "scores.npy", mmap_mode="r")
        if len(self.docs) != len(self.scores):
            raise ValueError("impacts: docs.npy and scores.npy differ in length")

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers (ascending) and their scores for one term; empty arrays when absent."""
        span = self.terms.get(field, {}).get(text)
        if span is None:
            return _EMPTY_DOCS, _EMPTY_SCORES
        return self.docs[span[0]:span[1]], self.scores[span[0]:span[1]]

    def has(self, field: str, text: str) -> bool:
        return text in self.terms.get(field, {})

    def texts(self, field: str) -> dict[str, list[int]]:
        return self.terms.get(field, {})
