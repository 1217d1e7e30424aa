"""Facet counting against per-build tables (document number -> values), built once at index time."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .schema import FACET_FIELDS


@dataclass
class FacetBucket:
    value: str
    label: str
    count: int
    selected: bool = False

    def as_dict(self) -> dict:
        return {"value": self.value, "label": self.label, "count": self.count, "selected": self.selected}


MASKED_MAX_VALUES = 1024  # facets with at most this many values are counted with bitmasks


def bitmask(docnums) -> int:
    """The documents as an int whose bit n is set for document n."""
    docnums = list(docnums)
    if not docnums:
        return 0
    bits = bytearray(max(docnums) // 8 + 1)
    for docnum in docnums:
        bits[docnum >> 3] |= 1 << (docnum & 7)
    return int.from_bytes(bits, "little")


class FacetTable:
    """Each document's facet values, and for each value the set of documents that carry it.

    Facets with few values (topic, kind, country, year...) also keep one bitmask per value, so a
    count is an AND and a popcount in C rather than a Python step per matching document.
    """

    def __init__(self, data: dict):
        self.labels: dict[str, dict[str, str]] = data["labels"]
        self.docs: list[dict[str, list[str]]] = data["docs"]
        self.postings: dict[str, dict[str, set[int]]] = {name: {} for name in FACET_FIELDS}
        for docnum, facets in enumerate(self.docs):
            for name, values in facets.items():
                for value in values:
                    self.postings.setdefault(name, {}).setdefault(value, set()).add(docnum)
        self.masks: dict[str, dict[str, int]] = {
            name: {value: bitmask(docs) for value, docs in values.items()}
            for name, values in self.postings.items() if len(values) <= MASKED_MAX_VALUES}

    def label(self, facet: str, value: str) -> str:
        return self.labels.get(facet, {}).get(value, value)

    def known(self, facet: str, value: str) -> bool:
        return value in self.postings.get(facet, {})

    def _counts(self, facet: str, docnums, mask: int | None) -> Counter:
        masks = self.masks.get(facet)
        if masks is not None and len(masks) * 4 < len(docnums):
            mask = bitmask(docnums) if mask is None else mask
            return Counter({value: n for value, m in masks.items() if (n := (m & mask).bit_count())})
        counter: Counter = Counter()
        docs = self.docs
        for docnum in docnums:
            counter.update(docs[docnum].get(facet, ()))
        return counter

    def selection(self, facet: str, values: list[str]) -> set[int]:
        """Documents carrying any of the values (OR within one facet)."""
        postings = self.postings.get(facet, {})
        result: set[int] = set()
        for value in values:
            result |= postings.get(value, set())
        return result

    def count(self, facet: str, docnums, selected: list[str], limit: int | None = None,
              mask: int | None = None) -> list[FacetBucket]:
        """Buckets for one facet over the given documents, most frequent first, selections always shown."""
        counter = self._counts(facet, docnums, mask)
        buckets = [FacetBucket(v, self.label(facet, v), n, v in selected)
                   for v, n in sorted(counter.items(), key=lambda item: (-item[1], self.label(facet, item[0])))]
        if limit is not None:
            buckets = buckets[:limit]
        shown = {b.value for b in buckets}
        buckets += [FacetBucket(v, self.label(facet, v), counter.get(v, 0), True) for v in selected if v not in shown]
        return buckets
