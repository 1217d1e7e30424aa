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


class FacetTable:
    """Each document's facet values, and for each value the set of documents that carry it."""

    def __init__(self, data: dict):
        self.labels: dict[str, dict[str, str]] = data["labels"]
        self.docs: list[dict[str, list[str]]] = data["docs"]
        self.postings: dict[str, dict[str, set[int]]] = {name: {} for name in FACET_FIELDS}
        for docnum, facets in enumerate(self.docs):
            for name, values in facets.items():
                for value in values:
                    self.postings.setdefault(name, {}).setdefault(value, set()).add(docnum)

    def label(self, facet: str, value: str) -> str:
        return self.labels.get(facet, {}).get(value, value)

    def known(self, facet: str, value: str) -> bool:
        return value in self.postings.get(facet, {})

    def selection(self, facet: str, values: list[str]) -> set[int]:
        """Documents carrying any of the values (OR within one facet)."""
        postings = self.postings.get(facet, {})
        result: set[int] = set()
        for value in values:
            result |= postings.get(value, set())
        return result

    def count(self, facet: str, docnums, selected: list[str], limit: int | None = None) -> list[FacetBucket]:
        """Buckets for one facet over the given documents, most frequent first, selections always shown."""
        counter: Counter = Counter()
        for docnum in docnums:
            counter.update(self.docs[docnum].get(facet, ()))
        buckets = [FacetBucket(v, self.label(facet, v), n, v in selected)
                   for v, n in sorted(counter.items(), key=lambda item: (-item[1], self.label(facet, item[0])))]
        if limit is not None:
            buckets = buckets[:limit]
        shown = {b.value for b in buckets}
        buckets += [FacetBucket(v, self.label(facet, v), counter.get(v, 0), True) for v in selected if v not in shown]
        return buckets
